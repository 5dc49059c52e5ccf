// Every op on the GPU against the CPU, forward and backward (CTest:
// cuda/device; skipped without a GPU). Tolerances are norm-wise relative:
// 1e-5 in float32 with TF32 off (1e-4 through cuDNN's convolutions, whose
// algorithms sum in other orders), 1e-10 in float64.
#include <doctest/doctest.h>

#include <string>

#include "autograd/ops.h"
#include "cuda/conv2d_cudnn.h"
#include "cuda/context.h"
#include "harness.h"
#include "ops/conv_args.h"
#include "tensor/random.h"

using namespace pn;
using pn::test::check_against_cpu;
using pn::test::conv_args;
using pn::test::random_input;

namespace {

using Inputs = std::vector<Tensor>;
const Device kCuda = Device::cuda();

double tol(DType t, bool cudnn_conv = false) {
  if (t == DType::Float64) return 1e-10;
  return cudnn_conv ? 1e-4 : 1e-5;
}

// Runs body(dtype) for float32 and float64.
template <class F>
void for_dtypes(F&& body) {
  for (DType t : {DType::Float32, DType::Float64}) {
    CAPTURE(t);
    body(t);
  }
}

}  // namespace

TEST_CASE("unary ops and their gradients") {
  for_dtypes([](DType t) {
    Tensor x = random_input({7, 33, 5}, t, 1);
    Tensor pos = random_input({7, 33, 5}, t, 2, 0.5, 2.0);
    auto one = [&](const std::string& name, auto f, const Tensor& in) {
      check_against_cpu(name, kCuda, [f](const Inputs& i) { return f(i[0]); }, {in}, tol(t));
    };
    one("neg", [](const Tensor& v) { return neg(v); }, x);
    one("exp", [](const Tensor& v) { return exp(v); }, x);
    one("log", [](const Tensor& v) { return log(v); }, pos);
    one("sigmoid", [](const Tensor& v) { return sigmoid(mul(v, 8.0)); }, x);
    one("relu", [](const Tensor& v) { return relu(v); }, x);
    one("abs", [](const Tensor& v) { return abs(v); }, x);
    one("sqrt", [](const Tensor& v) { return sqrt(v); }, pos);
    one("clamp", [](const Tensor& v) { return clamp(v, -0.5, 0.25); }, x);
    one("pow", [](const Tensor& v) { return pow(v, 2.5); }, pos);
    one("add scalar", [](const Tensor& v) { return add(v, 3.0); }, x);
    one("mul scalar", [](const Tensor& v) { return mul(v, -1.5); }, x);
  });
}

TEST_CASE("binary ops with broadcasting, comparisons and where") {
  for_dtypes([](DType t) {
    Tensor a = random_input({4, 1, 6, 5}, t, 3), b = random_input({3, 1, 5}, t, 4);
    Tensor same = random_input({4, 1, 6, 5}, t, 5), den = random_input({3, 1, 5}, t, 6, 0.5, 2.0);
    auto two = [&](const std::string& name, auto f, const Tensor& x, const Tensor& y) {
      check_against_cpu(name, kCuda, [f](const Inputs& i) { return f(i[0], i[1]); }, {x, y}, tol(t));
    };
    two("add", [](const Tensor& x, const Tensor& y) { return add(x, y); }, a, b);
    two("add same shape", [](const Tensor& x, const Tensor& y) { return add(x, y); }, a, same);
    two("sub", [](const Tensor& x, const Tensor& y) { return sub(x, y); }, a, b);
    two("mul", [](const Tensor& x, const Tensor& y) { return mul(x, y); }, a, b);
    two("div", [](const Tensor& x, const Tensor& y) { return div(x, y); }, a, den);
    two("maximum", [](const Tensor& x, const Tensor& y) { return maximum(x, y); }, a, b);
    two("minimum", [](const Tensor& x, const Tensor& y) { return minimum(x, y); }, a, same);
    two("eq", [](const Tensor& x, const Tensor& y) { return eq(x, y); }, a, a.detach());
    two("ne", [](const Tensor& x, const Tensor& y) { return ne(x, y); }, a, b);
    two("lt", [](const Tensor& x, const Tensor& y) { return lt(x, y); }, a, b);
    two("le", [](const Tensor& x, const Tensor& y) { return le(x, y); }, a, same);
    two("gt", [](const Tensor& x, const Tensor& y) { return gt(x, y); }, a, b);
    two("ge", [](const Tensor& x, const Tensor& y) { return ge(x, y); }, a, b);
    check_against_cpu("where", kCuda, [](const Inputs& i) { return where(gt(i[0], i[1]), i[0], i[1]); }, {a, b},
                      tol(t));
  });
  // Integer dtypes: comparisons and arithmetic must agree exactly.
  for (DType t : {DType::UInt8, DType::Int64}) {
    Tensor a = random_input({5, 7}, t, 7, 0, 5), b = random_input({7}, t, 8, 0, 5);
    check_against_cpu("integer add", kCuda, [](const Inputs& i) { return add(i[0], i[1]); }, {a, b}, 0.0);
    check_against_cpu("integer ge", kCuda, [](const Inputs& i) { return ge(i[0], i[1]); }, {a, b}, 0.0);
  }
}

TEST_CASE("sums and means over all elements and over dimensions") {
  for_dtypes([](DType t) {
    Tensor x = random_input({6, 5, 7, 9}, t, 9);
    auto red = [&](const std::string& name, auto f, const Tensor& in) {
      check_against_cpu(name, kCuda, [f](const Inputs& i) { return f(i[0]); }, {in}, tol(t));
    };
    red("sum", [](const Tensor& v) { return sum(v); }, x);
    red("mean", [](const Tensor& v) { return mean(v); }, x);
    red("sum dim 0", [](const Tensor& v) { return sum(v, {0}); }, x);
    red("sum dim 1 keepdim", [](const Tensor& v) { return sum(v, {1}, true); }, x);
    red("sum dims 2,3", [](const Tensor& v) { return sum(v, {2, 3}); }, x);
    red("mean dims 0,2,3", [](const Tensor& v) { return mean(v, {0, 2, 3}); }, x);
    // The block reduction with several segments (few outputs, long sums).
    red("sum of 3 rows of 200000", [](const Tensor& v) { return sum(v, {1}); }, random_input({3, 200000}, t, 10));
    red("sum of 2M elements", [](const Tensor& v) { return sum(v); }, random_input({2000000}, t, 11));
  });
}

TEST_CASE("matmul through cuBLAS, with TF32 off") {
  REQUIRE_FALSE(cuda::allow_tf32());
  for_dtypes([](DType t) {
    check_against_cpu("matmul", kCuda, [](const Inputs& i) { return matmul(i[0], i[1]); },
                      {random_input({33, 70}, t, 12), random_input({70, 29}, t, 13)}, tol(t));
  });
}

TEST_CASE("conv2d and conv_transpose2d, through cuDNN and through im2col + cuBLAS") {
  struct Case {
    const char* name;
    Shape x, w;
    Conv2dArgs a;
  };
  const Case cases[] = {
      {"3x3 pad 1", {2, 4, 9, 8}, {6, 4, 3, 3}, conv_args({1, 1}, {1, 1})},
      {"stride 2", {2, 3, 11, 10}, {5, 3, 3, 3}, conv_args({2, 2}, {1, 1})},
      {"dilation 2", {1, 3, 12, 12}, {4, 3, 3, 3}, conv_args({1, 1}, {2, 2}, {2, 2})},
      {"groups 2", {2, 4, 8, 8}, {6, 2, 3, 3}, conv_args({1, 1}, {1, 1}, {1, 1}, 2)},
      {"depthwise", {2, 6, 8, 8}, {6, 1, 3, 3}, conv_args({1, 1}, {1, 1}, {1, 1}, 6)},
      {"1x1", {2, 8, 7, 7}, {5, 8, 1, 1}, conv_args({1, 1})},
      {"7x7 stride 2 pad 3", {1, 3, 20, 18}, {4, 3, 7, 7}, conv_args({2, 2}, {3, 3})},
  };
  for (bool cudnn : {true, false}) {
    if (cudnn && !cuda::cudnn_built()) continue;
    cuda::set_use_cudnn(cudnn);
    CAPTURE(cudnn);
    for_dtypes([&](DType t) {
      for (const Case& c : cases) {
        CAPTURE(c.name);
        Tensor x = random_input(c.x, t, 14), w = random_input(c.w, t, 15), b = random_input({c.w[0]}, t, 16);
        Conv2dArgs a = c.a;
        check_against_cpu(std::string("conv2d ") + c.name, kCuda,
                          [a](const Inputs& i) { return conv2d(i[0], i[1], i[2], a); }, {x, w, b}, tol(t, cudnn));
      }
      // Transposed: cuDNN's backward-data; output_padding 1 at stride 1 with
      // dilation 2 has no cuDNN shape and takes the im2col path.
      Tensor x = random_input({2, 4, 6, 5}, t, 17);
      Tensor w = random_input({4, 3, 3, 3}, t, 18), b = random_input({3}, t, 19);
      check_against_cpu("conv_transpose2d stride 2", kCuda,
                        [](const Inputs& i) { return conv_transpose2d(i[0], i[1], i[2], conv_args({2, 2}, {1, 1}), {1, 1}); },
                        {x, w, b}, tol(t, cudnn));
      check_against_cpu("conv_transpose2d output_padding >= stride", kCuda,
                        [](const Inputs& i) {
                          return conv_transpose2d(i[0], i[1], i[2], conv_args({1, 1}, {1, 1}, {2, 2}), {1, 1});
                        },
                        {x, w, b}, tol(t, cudnn));
    });
  }
  cuda::set_use_cudnn(true);
}

TEST_CASE("batch_norm in training (with running statistics) and evaluation") {
  for_dtypes([](DType t) {
    for (Shape s : {Shape{4, 5, 6, 7}, Shape{9, 3}}) {
      CAPTURE(s);
      int64_t c = s[1];
      Tensor x = random_input(s, t, 20, -2.0, 3.0), w = random_input({c}, t, 21), b = random_input({c}, t, 22);
      check_against_cpu("batch_norm train", kCuda, [](const Inputs& i) {
        return batch_norm(i[0], i[1], i[2], Tensor(), Tensor(), true);
      }, {x, w, b}, tol(t));
      Tensor rm = random_input({c}, t, 23, -0.1, 0.1, false), rv = random_input({c}, t, 24, 0.5, 1.5, false);
      check_against_cpu("batch_norm eval", kCuda, [](const Inputs& i) {
        return batch_norm(i[0], i[1], i[2], i[3], i[4], false);
      }, {x, w, b, rm, rv}, tol(t));
      // The running statistics' update.
      Tensor rm_cpu = rm.clone(), rv_cpu = rv.clone();
      Tensor rm_gpu = rm.to(kCuda), rv_gpu = rv.to(kCuda);
      batch_norm(x.detach(), w.detach(), b.detach(), rm_cpu, rv_cpu, true, 0.1);
      batch_norm(x.detach().to(kCuda), w.detach().to(kCuda), b.detach().to(kCuda), rm_gpu, rv_gpu, true, 0.1);
      CHECK(pn::test::relative_error(rm_gpu.to_vector<double>(), rm_cpu.to_vector<double>()) <= tol(t));
      CHECK(pn::test::relative_error(rv_gpu.to_vector<double>(), rv_cpu.to_vector<double>()) <= tol(t));
    }
  });
}

TEST_CASE("max_pool2d, adaptive_avg_pool2d and upsample2d, forward and backward") {
  for_dtypes([](DType t) {
    Tensor x = random_input({2, 3, 11, 10}, t, 25);
    auto pool = [&](const char* name, Pool2dArgs a) {
      check_against_cpu(name, kCuda, [a](const Inputs& i) { return max_pool2d(i[0], a); }, {x}, tol(t));
    };
    Pool2dArgs a;
    pool("max_pool2d 2x2", a);
    a = Pool2dArgs{{3, 3}, {2, 2}, {1, 1}, false};
    pool("max_pool2d 3x3 stride 2 pad 1 (overlapping)", a);
    a = Pool2dArgs{{2, 2}, {2, 2}, {0, 0}, true};
    pool("max_pool2d ceil_mode", a);
    a = Pool2dArgs{{3, 2}, {1, 2}, {1, 0}, false};
    pool("max_pool2d 3x2 stride 1x2", a);
    for (auto [p, q] : {std::pair<int64_t, int64_t>{1, 1}, {3, 4}, {11, 10}, {4, 7}}) {
      check_against_cpu("adaptive_avg_pool2d " + std::to_string(p) + "x" + std::to_string(q), kCuda,
                        [p, q](const Inputs& i) { return adaptive_avg_pool2d(i[0], p, q); }, {x}, tol(t));
    }
    for (int64_t scale : {2, 3}) {
      for (UpsampleMode m : {UpsampleMode::Nearest, UpsampleMode::Bilinear}) {
        check_against_cpu("upsample2d x" + std::to_string(scale), kCuda,
                          [scale, m](const Inputs& i) { return upsample2d(i[0], scale, m); }, {x}, tol(t));
      }
    }
  });
}

TEST_CASE("concat, narrow, flip, losses") {
  for_dtypes([](DType t) {
    Tensor a = random_input({2, 3, 4, 5}, t, 26), b = random_input({2, 2, 4, 5}, t, 27);
    Tensor c = random_input({2, 3, 4, 2}, t, 28);
    check_against_cpu("concat dim 1", kCuda, [](const Inputs& i) { return concat({i[0], i[1]}, 1); }, {a, b}, tol(t));
    check_against_cpu("concat dim 3", kCuda, [](const Inputs& i) { return concat({i[0], i[1]}, 3); }, {a, c}, tol(t));
    check_against_cpu("concat dim 0", kCuda, [](const Inputs& i) { return concat({i[0], i[0]}, 0); }, {a}, tol(t));
    check_against_cpu("narrow", kCuda, [](const Inputs& i) { return narrow(i[0], 3, 1, 3); }, {a}, tol(t));
    for (int64_t d = 0; d < 4; ++d) {
      check_against_cpu("flip dim " + std::to_string(d), kCuda, [d](const Inputs& i) { return flip(i[0], d); }, {a},
                        tol(t));
    }
    Tensor logits = random_input({2, 1, 6, 6}, t, 29, -4.0, 4.0);
    Tensor target = random_input({2, 1, 6, 6}, t, 30, 0.0, 1.0, false);
    for (Reduction r : {Reduction::None, Reduction::Mean, Reduction::Sum}) {
      check_against_cpu("binary_cross_entropy_with_logits", kCuda,
                        [r](const Inputs& i) { return binary_cross_entropy_with_logits(i[0], i[1], r); },
                        {logits, target}, tol(t));
    }
    // 0/1 labels, made on the CPU and copied by the harness like any input.
    Tensor labels = gt(random_input({2, 1, 6, 6}, t, 31, 0.0, 1.0, false), scalar_tensor(0.5, t)).to(t);
    check_against_cpu("lovasz_hinge", kCuda, [](const Inputs& i) { return lovasz_hinge(i[0], i[1], true); },
                      {logits, labels}, tol(t));
  });
}
