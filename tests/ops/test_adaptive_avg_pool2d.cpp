// adaptive_avg_pool2d: float64 gradient checks (to 1x1, to sizes that do not
// divide the input, to sizes larger than the input), values of overlapping
// windows, argument errors, and parity with PyTorch.
#include <doctest/doctest.h>

#include <vector>

#include "autograd/ops.h"
#include "gradcheck.h"
#include "reference.h"

using namespace pn;
using pn::test::check_gradients;
using pn::test::rand64;

namespace {

test::TestFn pool_fn(int64_t p, int64_t q) {
  return [p, q](const std::vector<Tensor>& in) { return adaptive_avg_pool2d(in[0], p, q); };
}

}  // namespace

GRADCHECK_CASE("adaptive_avg_pool2d", "to 1x1") {
  check_gradients(pool_fn(1, 1), {rand64({2, 3, 5, 7}, 1)});
}

GRADCHECK_CASE("adaptive_avg_pool2d", "to sizes that do not divide the input (overlapping windows)") {
  check_gradients(pool_fn(3, 2), {rand64({2, 2, 7, 5}, 2)});
  check_gradients(pool_fn(4, 3), {rand64({1, 2, 6, 7}, 3)});
}

GRADCHECK_CASE("adaptive_avg_pool2d", "to sizes larger than the input") {
  check_gradients(pool_fn(5, 6), {rand64({1, 2, 3, 4}, 4)});
}

TEST_CASE("adaptive_avg_pool2d averages the windows [floor(i*H/P), ceil((i+1)*H/P))") {
  // 3 -> 2: rows [0, 2) and [1, 3), which share row 1.
  Tensor y = adaptive_avg_pool2d(arange(0, 9, 1, DType::Float64).reshape({1, 1, 3, 3}), 2, 2);
  CHECK(y.to_vector<double>() == std::vector<double>{2, 3, 5, 6});
  Tensor x = arange(0, 24, 1, DType::Float64).reshape({2, 3, 2, 2}).set_requires_grad(true);
  Tensor m = adaptive_avg_pool2d(x);
  CHECK(m.shape() == Shape{2, 3, 1, 1});
  CHECK(m.to_vector<double>() == std::vector<double>{1.5, 5.5, 9.5, 13.5, 17.5, 21.5});
  sum(m).backward();
  CHECK(x.grad().to_vector<double>() == std::vector<double>(24, 0.25));
}

TEST_CASE("adaptive_avg_pool2d argument errors name the op and the shapes") {
  CHECK_THROWS_WITH_AS(adaptive_avg_pool2d(zeros({3, 4, 4}), 2, 2),
                       doctest::Contains("adaptive_avg_pool2d: input must be 4-D, got shape [3, 4, 4]"), pn::Error);
  CHECK_THROWS_WITH_AS(adaptive_avg_pool2d(zeros({1, 3, 4, 4}), 0, 2),
                       doctest::Contains("adaptive_avg_pool2d: output size must be positive, got 0x2 for input of "
                                         "shape [1, 3, 4, 4]"),
                       pn::Error);
  CHECK_THROWS_WITH_AS(adaptive_avg_pool2d(zeros({1, 3, 0, 4}), 1, 1),
                       doctest::Contains("adaptive_avg_pool2d: input of shape [1, 3, 0, 4] has an empty plane"),
                       pn::Error);
  CHECK_THROWS_WITH_AS(adaptive_avg_pool2d(zeros({1, 3, 4, 4}, DType::Int64), 1, 1),
                       doctest::Contains("adaptive_avg_pool2d: needs float32 or float64 tensors, got int64"),
                       pn::Error);
}

TEST_CASE("adaptive_avg_pool2d matches PyTorch in float32") {
  test::Reference ref("adaptive_avg_pool2d.bin");
  struct Case {
    const char* name;
    int64_t p, q;
  };
  for (const Case& c : {Case{"1x1", 1, 1}, Case{"5x4", 5, 4}, Case{"3x7", 3, 7}, Case{"4x15", 4, 15}}) {
    std::string k = std::string(c.name) + ".";
    CAPTURE(c.name);
    Tensor x = ref[k + "x"].set_requires_grad(true);
    Tensor y = adaptive_avg_pool2d(x, c.p, c.q);
    y.backward(ref[k + "g"]);
    CHECK_CLOSE_TO_REF(y, ref[k + "out"], "output");
    CHECK_CLOSE_TO_REF(x.grad(), ref[k + "gx"], "grad x");
  }
}
