// max_pool2d: float64 gradient checks (inputs with distinct values, so no ties),
// padding as -inf, ties, the ceil_mode output size, argument errors, and
// parity with PyTorch including the argmax indices.
#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "autograd/ops.h"
#include "gradcheck.h"
#include "reference.h"
#include "tensor/cpu/cpu_backend.h"

using namespace pn;
using pn::test::check_gradients;

namespace {

// A float64 leaf holding a random permutation of evenly spaced values in
// [-1, 1]: a gradient-check step never reorders them, so every argmax is stable.
Tensor distinct64(const Shape& shape, uint32_t seed) {
  size_t n = static_cast<size_t>(shape.numel());
  std::vector<double> v(n);
  std::iota(v.begin(), v.end(), 0.0);
  std::mt19937 rng(seed);
  std::shuffle(v.begin(), v.end(), rng);
  for (double& x : v) x = 2.0 * x / static_cast<double>(n) - 1.0;
  Tensor t = from_vector(v, shape);
  t.set_requires_grad(true);
  return t;
}

Pool2dArgs pool(int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw, bool ceil_mode) {
  Pool2dArgs a;
  a.kernel[0] = kh;
  a.kernel[1] = kw;
  a.stride[0] = sh;
  a.stride[1] = sw;
  a.padding[0] = ph;
  a.padding[1] = pw;
  a.ceil_mode = ceil_mode;
  return a;
}

test::TestFn pool_fn(Pool2dArgs a) {
  return [a](const std::vector<Tensor>& in) { return max_pool2d(in[0], a); };
}

}  // namespace

GRADCHECK_CASE("max_pool2d", "2x2 stride 2 on an odd width") {
  check_gradients(pool_fn(pool(2, 2, 2, 2, 0, 0, false)), {distinct64({2, 2, 6, 7}, 1)});
}

GRADCHECK_CASE("max_pool2d", "3x3 stride 2 padding 1, ceil_mode off and on") {
  // H = 8: ceil_mode adds a fifth output row.
  check_gradients(pool_fn(pool(3, 3, 2, 2, 1, 1, false)), {distinct64({1, 2, 8, 7}, 2)});
  check_gradients(pool_fn(pool(3, 3, 2, 2, 1, 1, true)), {distinct64({1, 2, 8, 7}, 3)});
}

GRADCHECK_CASE("max_pool2d", "2x2 stride 2 ceil_mode on odd sizes") {
  check_gradients(pool_fn(pool(2, 2, 2, 2, 0, 0, true)), {distinct64({2, 1, 5, 7}, 4)});
}

GRADCHECK_CASE("max_pool2d", "3x2 kernel, stride 1x2, padding 1x0: overlapping windows") {
  // With stride < kernel one input can be the max of several windows; its gradients add.
  check_gradients(pool_fn(pool(3, 2, 1, 2, 1, 0, false)), {distinct64({1, 2, 5, 6}, 5)});
}

TEST_CASE("max_pool2d pads with -inf, not 0") {
  Tensor x = from_vector<float>({-1, -2, -3, -4}, {1, 1, 2, 2});
  Tensor out({1, 1, 2, 2}, DType::Float32), idx({1, 1, 2, 2}, DType::Int64);
  cpu_backend().max_pool2d(x, pool(3, 3, 1, 1, 1, 1, false), out, idx);
  CHECK(out.to_vector<float>() == std::vector<float>{-1, -1, -1, -1});
  CHECK(idx.to_vector<int64_t>() == std::vector<int64_t>{0, 0, 0, 0});
  CHECK(max_pool2d(x, pool(3, 3, 1, 1, 1, 1, false)).to_vector<float>() == std::vector<float>{-1, -1, -1, -1});
}

TEST_CASE("max_pool2d gives a tie to the first maximum in scan order") {
  Tensor x = ones({1, 1, 4, 4}).set_requires_grad(true);
  Tensor y = max_pool2d(x, pool(2, 2, 2, 2, 0, 0, false));
  Tensor out({1, 1, 2, 2}, DType::Float32), idx({1, 1, 2, 2}, DType::Int64);
  cpu_backend().max_pool2d(x.detach(), pool(2, 2, 2, 2, 0, 0, false), out, idx);
  CHECK(idx.to_vector<int64_t>() == std::vector<int64_t>{0, 2, 8, 10});
  sum(y).backward();
  std::vector<float> expected(16, 0.0f);
  for (int i : {0, 2, 8, 10}) expected[static_cast<size_t>(i)] = 1.0f;
  CHECK(x.grad().to_vector<float>() == expected);
}

TEST_CASE("max_pool2d ceil_mode drops a window that would start in the right padding") {
  // 5 wide, kernel 2, stride 2, padding 1: a fourth window would start at 6 = 5 + 1.
  Tensor x = arange(0, 25).reshape({1, 1, 5, 5});
  Tensor y = max_pool2d(x, pool(2, 2, 2, 2, 1, 1, true));
  CHECK(y.shape() == Shape{1, 1, 3, 3});
  CHECK(y.to_vector<float>() == std::vector<float>{0, 2, 4, 10, 12, 14, 20, 22, 24});
  CHECK(max_pool2d(arange(0, 25).reshape({1, 1, 5, 5}), pool(2, 2, 2, 2, 0, 0, true)).shape() ==
        Shape{1, 1, 3, 3});
  CHECK(max_pool2d(arange(0, 25).reshape({1, 1, 5, 5}), pool(2, 2, 2, 2, 0, 0, false)).shape() ==
        Shape{1, 1, 2, 2});
}

TEST_CASE("max_pool2d argument errors name the op and the shapes") {
  Tensor x = zeros({1, 2, 6, 6});
  CHECK_THROWS_WITH_AS(max_pool2d(zeros({2, 6, 6}), pool(2, 2, 2, 2, 0, 0, false)),
                       doctest::Contains("max_pool2d: input must be 4-D, got shape [2, 6, 6]"), pn::Error);
  CHECK_THROWS_WITH_AS(max_pool2d(x, pool(0, 2, 2, 2, 0, 0, false)),
                       doctest::Contains("max_pool2d: kernel [0, 2] and stride [2, 2] must be positive"), pn::Error);
  CHECK_THROWS_WITH_AS(max_pool2d(x, pool(2, 2, 2, 0, 0, 0, false)),
                       doctest::Contains("(input of shape [1, 2, 6, 6])"), pn::Error);
  CHECK_THROWS_WITH_AS(max_pool2d(x, pool(2, 2, 2, 2, -1, 0, false)),
                       doctest::Contains("padding [-1, 0] non-negative"), pn::Error);
  CHECK_THROWS_WITH_AS(max_pool2d(x, pool(2, 3, 2, 2, 0, 2, false)),
                       doctest::Contains("max_pool2d: padding [0, 2] must be at most half of kernel [2, 3] (input of "
                                         "shape [1, 2, 6, 6])"),
                       pn::Error);
  CHECK_THROWS_WITH_AS(max_pool2d(zeros({1, 1, 2, 5}), pool(3, 3, 1, 1, 0, 0, false)),
                       doctest::Contains("max_pool2d: input of shape [1, 1, 2, 5] is too small for kernel [3, 3]"),
                       pn::Error);
  CHECK_THROWS_WITH_AS(max_pool2d(zeros({1, 1, 4, 4}, DType::UInt8), pool(2, 2, 2, 2, 0, 0, false)),
                       doctest::Contains("max_pool2d: needs float32 or float64 tensors, got uint8"), pn::Error);
}

TEST_CASE("max_pool2d matches PyTorch in float32, indices included") {
  test::Reference ref("max_pool2d.bin");
  struct Case {
    const char* name;
    Pool2dArgs args;
  };
  for (const Case& c : {Case{"k3s2p1", pool(3, 3, 2, 2, 1, 1, false)}, Case{"k3s2p1_ceil", pool(3, 3, 2, 2, 1, 1, true)},
                        Case{"k2s2", pool(2, 2, 2, 2, 0, 0, false)}, Case{"k2s2_ceil", pool(2, 2, 2, 2, 0, 0, true)}}) {
    std::string k = std::string(c.name) + ".";
    CAPTURE(c.name);
    Tensor x = ref[k + "x"].set_requires_grad(true);
    Tensor y = max_pool2d(x, c.args);
    y.backward(ref[k + "g"]);
    CHECK_CLOSE_TO_REF(y, ref[k + "out"], "output");
    CHECK_CLOSE_TO_REF(x.grad(), ref[k + "gx"], "grad x");

    Tensor out(y.shape(), DType::Float32), idx(y.shape(), DType::Int64);
    cpu_backend().max_pool2d(x.detach(), c.args, out, idx);
    CHECK(idx.to_vector<int64_t>() == ref[k + "indices"].to_vector<int64_t>());
  }
}
