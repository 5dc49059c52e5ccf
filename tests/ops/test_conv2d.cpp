// conv2d: float64 gradient checks, argument errors, PyTorch parity in
// float32, what backward saves, the kernels' contracts (outputs overwritten,
// results independent of the thread count) and an image large enough to span
// several column-buffer tiles.
#include <omp.h>

#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gradcheck.h"
#include "conv_args.h"
#include "error_text.h"
#include "reference.h"
#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/winograd.h"

using namespace pn;
using pn::test::check_gradients;
using pn::test::check_message;
using pn::test::conv_args;
using pn::test::error_of;
using pn::test::rand64;

namespace {

// conv2d of {x, w} or {x, w, bias}.
pn::test::TestFn conv(const Conv2dArgs& a) {
  return [a](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], in.size() > 2 ? in[2] : Tensor(), a); };
}

Tensor f32(const Shape& shape, uint64_t seed) {
  Generator gen(seed);
  return uniform(shape, -1.0, 1.0, DType::Float32, Device::cpu(), &gen);
}
}  // namespace

GRADCHECK_CASE("conv2d", "3x3 on odd sizes, with bias") {
  check_gradients(conv(conv_args({1, 1})), {rand64({2, 3, 5, 6}, 1), rand64({4, 3, 3, 3}, 2), rand64({4}, 3)});
}

GRADCHECK_CASE("conv2d", "stride 2, padding 1, no bias") {
  check_gradients(conv(conv_args({2, 2}, {1, 1})), {rand64({2, 3, 7, 6}, 4), rand64({2, 3, 3, 3}, 5)});
}

GRADCHECK_CASE("conv2d", "dilation 2, unequal strides, paddings and kernel sides") {
  check_gradients(conv(conv_args({1, 2}, {2, 1}, {2, 2})),
                  {rand64({1, 2, 7, 7}, 6), rand64({3, 2, 3, 2}, 7), rand64({3}, 8)});
}

GRADCHECK_CASE("conv2d", "groups 2") {
  check_gradients(conv(conv_args({1, 1}, {1, 1}, {1, 1}, 2)),
                  {rand64({2, 4, 5, 5}, 9), rand64({6, 2, 3, 3}, 10), rand64({6}, 11)});
}

GRADCHECK_CASE("conv2d", "depthwise (groups == channels), stride 2") {
  check_gradients(conv(conv_args({2, 2}, {1, 1}, {1, 1}, 3)),
                  {rand64({2, 3, 6, 5}, 12), rand64({3, 1, 3, 3}, 13), rand64({3}, 14)});
}

GRADCHECK_CASE("conv2d", "1x1 (a plain GEMM), with and without groups") {
  check_gradients(conv(conv_args({1, 1})), {rand64({2, 3, 4, 5}, 15), rand64({4, 3, 1, 1}, 16), rand64({4}, 17)});
  check_gradients(conv(conv_args({1, 1}, {0, 0}, {1, 1}, 2)),
                  {rand64({2, 4, 3, 3}, 18), rand64({6, 2, 1, 1}, 19)});
}

GRADCHECK_CASE("conv2d", "1x1 with stride 2 and padding (through the column buffer)") {
  check_gradients(conv(conv_args({2, 2}, {1, 1})), {rand64({1, 3, 5, 4}, 20), rand64({2, 3, 1, 1}, 21)});
}

TEST_CASE("conv2d: only the gradients asked for are computed") {
  Tensor x = rand64({1, 2, 4, 4}, 30), w = rand64({3, 2, 3, 3}, 31), b = rand64({3}, 32);
  w.set_requires_grad(false);
  sum(conv2d(x, w, b)).backward();
  CHECK(x.grad().defined());
  CHECK(b.grad().defined());
  CHECK_FALSE(w.grad().defined());
  // The bias gradient of sum(out) counts the output positions: N * P * Q.
  CHECK(b.grad().to_vector<double>() == std::vector<double>{4, 4, 4});
}

TEST_CASE("conv2d of an empty batch: empty output, zero weight and bias gradients") {
  Tensor x = rand64({0, 2, 5, 5}, 35), w = rand64({3, 2, 3, 3}, 36), b = rand64({3}, 37);
  Tensor y = conv2d(x, w, b, conv_args({2, 2}, {1, 1}));
  CHECK(y.shape() == Shape{0, 3, 3, 3});
  sum(y).backward();
  CHECK(w.grad().to_vector<double>() == std::vector<double>(54, 0.0));
  CHECK(b.grad().to_vector<double>() == std::vector<double>(3, 0.0));
  CHECK(x.grad().shape() == x.shape());
}

TEST_CASE("conv2d saves x only for the weight gradient and the weight only for the input gradient") {
  Tensor x = rand64({1, 2, 4, 4}, 33), w = rand64({3, 2, 3, 3}, 34);
  SUBCASE("x needs no gradient: the weight is not saved") {
    x.set_requires_grad(false);
    Tensor y = conv2d(x, w);
    {
      NoGradGuard no_grad;
      w.add_(ones_like(w));
    }
    CHECK_NOTHROW(sum(y).backward());
    CHECK(w.grad().defined());
  }
  SUBCASE("w needs no gradient: x is not saved") {
    w.set_requires_grad(false);
    Tensor y = conv2d(x, w);
    {
      NoGradGuard no_grad;
      x.add_(ones_like(x));
    }
    CHECK_NOTHROW(sum(y).backward());
    CHECK(x.grad().defined());
  }
  SUBCASE("both need gradients: changing x afterwards is detected") {
    Tensor y = conv2d(x, w);
    {
      NoGradGuard no_grad;
      x.add_(ones_like(x));
    }
    check_message(error_of([&] { sum(y).backward(); }), {"conv2d", "modified in place"});
  }
}

TEST_CASE("conv2d argument errors name the op and the shapes") {
  Tensor x = zeros({1, 4, 5, 5}), w = zeros({2, 4, 3, 3});
  check_message(error_of([&] { conv2d(zeros({4, 5, 5}), w); }), {"conv2d", "input", "4-D", "[4, 5, 5]"});
  check_message(error_of([&] { conv2d(x, zeros({2, 4, 3})); }), {"conv2d", "weight", "4-D", "[2, 4, 3]"});
  check_message(error_of([&] { conv2d(x, zeros({2, 3, 3, 3})); }),
                {"conv2d", "[1, 4, 5, 5]", "[2, 3, 3, 3]", "channels"});
  check_message(error_of([&] { conv2d(x, zeros({3, 2, 3, 3}), Tensor(), conv_args({1, 1}, {0, 0}, {1, 1}, 2)); }),
                {"conv2d", "[3, 2, 3, 3]", "groups=2"});
  check_message(error_of([&] { conv2d(x, zeros({2, 2, 3, 3}), Tensor(), conv_args({1, 1}, {0, 0}, {1, 1}, 3)); }),
                {"conv2d", "[1, 4, 5, 5]", "[2, 2, 3, 3]", "groups=3"});
  check_message(error_of([&] { conv2d(x, w, zeros({3})); }), {"conv2d", "bias [3]", "[2]", "[2, 4, 3, 3]"});
  check_message(error_of([&] { conv2d(x, w, zeros({1, 2})); }), {"conv2d", "bias [1, 2]"});
  check_message(error_of([&] { conv2d(x, w, Tensor(), conv_args({0, 1})); }), {"conv2d", "stride", "[0, 1]"});
  check_message(error_of([&] { conv2d(x, w, Tensor(), conv_args({1, 1}, {0, 0}, {1, -1})); }),
                {"conv2d", "dilation", "[1, -1]"});
  check_message(error_of([&] { conv2d(x, w, Tensor(), conv_args({1, 1}, {-1, 0})); }),
                {"conv2d", "padding", "[-1, 0]"});
  check_message(error_of([&] { conv2d(zeros({1, 4, 2, 5}), w); }),
                {"conv2d", "output size", "[1, 4, 2, 5]", "[2, 4, 3, 3]"});
  check_message(error_of([&] { conv2d(x, w, Tensor(), conv_args({1, 1}, {0, 0}, {3, 1})); }),
                {"conv2d", "output size", "dilation [3, 1]"});
  check_message(error_of([&] { conv2d(x, zeros({2, 4, 3, 3}, DType::Float64)); }),
                {"conv2d", "dtypes differ", "float32", "float64"});
  check_message(error_of([&] { conv2d(x, w, zeros({2}, DType::Float64)); }), {"conv2d", "dtypes differ"});
  check_message(error_of([&] { conv2d(zeros({1, 4, 5, 5}, DType::Int64), zeros({2, 4, 3, 3}, DType::Int64)); }),
                {"conv2d", "float32 or float64"});
  check_message(error_of([&] { conv2d(Tensor(), w); }), {"conv2d", "undefined"});
  if (has_backend(DeviceType::CUDA)) {
    check_message(error_of([&] { conv2d(x, w.to(Device::cuda())); }), {"conv2d", "different devices"});
  }
}

TEST_CASE("conv2d matches PyTorch in float32 (tests/reference/make_conv_reference.py)") {
  pn::test::Reference ref("conv2d.bin");
  for (const char* name : {"plain", "stride2_pad1", "dilation2", "groups32", "depthwise", "1x1", "7x7_stride2_pad3"}) {
    CAPTURE(name);
    std::string n = name;
    std::vector<double> v = ref[n + ".args"].to_vector<double>();
    auto i = [&](size_t k) { return static_cast<int64_t>(v[k]); };
    Conv2dArgs a = conv_args({i(0), i(1)}, {i(2), i(3)}, {i(4), i(5)}, i(6));
    Tensor x = ref[n + ".x"].set_requires_grad(), w = ref[n + ".w"].set_requires_grad();
    Tensor b = ref.has(n + ".b") ? ref[n + ".b"].set_requires_grad() : Tensor();
    Tensor out = conv2d(x, w, b, a);
    CHECK_CLOSE_TO_REF(out, ref[n + ".out"], name);
    out.backward(ref[n + ".g"]);
    CHECK_CLOSE_TO_REF(x.grad(), ref[n + ".gx"], "grad x");
    CHECK_CLOSE_TO_REF(w.grad(), ref[n + ".gw"], "grad w");
    if (b.defined()) CHECK_CLOSE_TO_REF(b.grad(), ref[n + ".gb"], "grad bias");
  }
}

// Direct loops over every term, in double: out = conv(x, w), and the two
// gradients of sum(out * g).
struct NaiveConv {
  std::vector<double> out, gx, gw;
  NaiveConv(const Tensor& xt, const Tensor& wt, const Tensor& gt, const Conv2dArgs& a) {
    const std::vector<double> x = xt.to_vector<double>(), w = wt.to_vector<double>(), g = gt.to_vector<double>();
    const int64_t N = xt.size(0), C = xt.size(1), H = xt.size(2), W = xt.size(3);
    const int64_t K = wt.size(0), Cg = wt.size(1), R = wt.size(2), S = wt.size(3);
    const int64_t P = gt.size(2), Q = gt.size(3), Kg = K / a.groups;
    out.assign(g.size(), 0.0);
    gx.assign(x.size(), 0.0);
    gw.assign(w.size(), 0.0);
    // Row-major index of [i0, i1, i2, i3] in a tensor of extents [*, d1, d2, d3].
    auto at = [](int64_t d1, int64_t d2, int64_t d3, int64_t i0, int64_t i1, int64_t i2, int64_t i3) {
      return static_cast<size_t>(((i0 * d1 + i1) * d2 + i2) * d3 + i3);
    };
    for (int64_t n = 0; n < N; ++n)
      for (int64_t k = 0; k < K; ++k)
        for (int64_t p = 0; p < P; ++p)
          for (int64_t q = 0; q < Q; ++q)
            for (int64_t cg = 0; cg < Cg; ++cg)
              for (int64_t r = 0; r < R; ++r)
                for (int64_t s = 0; s < S; ++s) {
                  int64_t c = k / Kg * Cg + cg, h = p * a.stride[0] - a.padding[0] + r * a.dilation[0],
                          v = q * a.stride[1] - a.padding[1] + s * a.dilation[1];
                  if (h < 0 || h >= H || v < 0 || v >= W) continue;
                  size_t io = at(K, P, Q, n, k, p, q), ix = at(C, H, W, n, c, h, v), iw = at(Cg, R, S, k, cg, r, s);
                  out[io] += w[iw] * x[ix];
                  gx[ix] += w[iw] * g[io];
                  gw[iw] += g[io] * x[ix];
                }
  }
};

double max_rel_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0, scale = 1e-300;
  for (size_t i = 0; i < a.size(); ++i) {
    m = std::max(m, std::abs(a[i] - b[i]));
    scale = std::max(scale, std::abs(b[i]));
  }
  return m / scale;
}

// Random small geometries, including padding wider than the kernel, kernels
// wider than the input, 1-pixel images and strides past the kernel's extent.
TEST_CASE("conv2d kernels match direct loops on 300 random geometries (float64)") {
  std::mt19937 rng(2024);
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  CpuBackend& be = cpu_backend();
  int tested = 0;
  while (tested < 300) {
    // Drawn in sequence (the order in which function arguments are evaluated is unspecified).
    Conv2dArgs a;
    for (size_t i = 0; i < 2; ++i) {
      a.stride[i] = pick(1, 3);
      a.padding[i] = pick(0, 3);
      a.dilation[i] = pick(1, 3);
    }
    a.groups = pick(1, 3);
    const int64_t N = pick(1, 2), Cg = pick(1, 2), Kg = pick(1, 2), H = pick(1, 7), W = pick(1, 7), R = pick(1, 4),
                  S = pick(1, 4);
    // The output extents are these spans divided by the stride, plus 1.
    const int64_t P = H + 2 * a.padding[0] - a.dilation[0] * (R - 1) - 1;
    const int64_t Q = W + 2 * a.padding[1] - a.dilation[1] * (S - 1) - 1;
    if (P < 0 || Q < 0) continue;
    ++tested;
    const Shape out_shape{N, Kg * a.groups, P / a.stride[0] + 1, Q / a.stride[1] + 1};
    Tensor x = rand64({N, Cg * a.groups, H, W}, 100 + tested), w = rand64({Kg * a.groups, Cg, R, S}, 500 + tested);
    Tensor g = rand64(out_shape, 900 + tested);
    NaiveConv ref(x, w, g, a);
    Tensor out(out_shape, DType::Float64), gx(x.shape(), DType::Float64), gw(w.shape(), DType::Float64);
    be.conv2d(x, w, Tensor(), a, out);
    be.conv2d_backward_input(g, w, a, gx);
    be.conv2d_backward_weight(g, x, a, gw);
    INFO("x ", x.shape(), " w ", w.shape(), " stride [", a.stride[0], ", ", a.stride[1], "] padding [", a.padding[0],
         ", ", a.padding[1], "] dilation [", a.dilation[0], ", ", a.dilation[1], "] groups ", a.groups);
    CHECK(max_rel_diff(out.to_vector<double>(), ref.out) <= 1e-13);
    CHECK(max_rel_diff(gx.to_vector<double>(), ref.gx) <= 1e-13);
    CHECK(max_rel_diff(gw.to_vector<double>(), ref.gw) <= 1e-13);
  }
}

// Norm-wise relative difference: |a - b|_2 / |b|_2.
double norm_rel_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0, n = 1e-300;
  for (size_t i = 0; i < a.size(); ++i) {
    d += (a[i] - b[i]) * (a[i] - b[i]);
    n += b[i] * b[i];
  }
  return std::sqrt(d / n);
}

// The 3x3 stride-1 layers with enough channels and tiles take Winograd's
// F(4x4, 3x3) (tensor/cpu/winograd.h): forward, backward input (as a
// convolution with flipped weights) and backward weight. These shapes make that path run -- the
// test checks the choice -- on partial tiles (sizes not multiples of 4),
// paddings 0 to 2, channel counts that are not multiples of the GEMM's
// tiles, and enough tiles for several blocks and chunks, whose boundaries fall
// inside tile rows. Float64 must match the direct loops to rounding; float32
// norm-wise to 3e-6 (about 1e-6: the transforms cost a little more than
// rounding), and to 1e-5 for the weight gradient (about 4e-6 here), whose
// products sum transformed values, larger than the pixels, over every tile.
TEST_CASE("conv2d's Winograd path matches direct loops") {
  struct Case {
    int64_t N, C, K, H, W, pad;
  };
  CpuBackend& be = cpu_backend();
  int weight_gradients = 0;  // cases whose weight gradient takes the path too
  for (Case c : {Case{2, 16, 16, 33, 31, 1}, Case{2, 17, 24, 10, 70, 0}, Case{2, 16, 19, 20, 29, 2},
                 Case{1, 100, 100, 64, 66, 1}}) {
    const Conv2dArgs a = conv_args({1, 1}, {c.pad, c.pad});
    const int64_t P = c.H + 2 * c.pad - 2, Q = c.W + 2 * c.pad - 2;
    INFO("x [", c.N, ", ", c.C, ", ", c.H, ", ", c.W, "] K ", c.K, " padding ", c.pad);
    Tensor x = rand64({c.N, c.C, c.H, c.W}, 70), w = rand64({c.K, c.C, 3, 3}, 71), g = rand64({c.N, c.K, P, Q}, 72);
    const NaiveConv ref(x, w, g, a);
    Tensor out(g.shape(), DType::Float64), gx(x.shape(), DType::Float64), gw(w.shape(), DType::Float64);
    const ConvGeometry geometry(x, out, 3, 3, a);
    REQUIRE(cpu::winograd_suits(geometry));
    be.conv2d(x, w, Tensor(), a, out);
    be.conv2d_backward_input(g, w, a, gx);
    if (cpu::winograd_suits_weight_gradient(geometry)) ++weight_gradients;
    be.conv2d_backward_weight(g, x, a, gw);
    CHECK(max_rel_diff(out.to_vector<double>(), ref.out) <= 1e-13);
    CHECK(max_rel_diff(gx.to_vector<double>(), ref.gx) <= 1e-13);
    CHECK(max_rel_diff(gw.to_vector<double>(), ref.gw) <= 1e-13);
    const Tensor x32 = x.to(DType::Float32), w32 = w.to(DType::Float32), g32 = g.to(DType::Float32);
    Tensor out32(g.shape(), DType::Float32), gx32(x.shape(), DType::Float32), gw32(w.shape(), DType::Float32);
    be.conv2d(x32, w32, Tensor(), a, out32);
    be.conv2d_backward_input(g32, w32, a, gx32);
    be.conv2d_backward_weight(g32, x32, a, gw32);
    CHECK(norm_rel_diff(out32.to_vector<double>(), ref.out) <= 3e-6);
    CHECK(norm_rel_diff(gx32.to_vector<double>(), ref.gx) <= 3e-6);
    CHECK(norm_rel_diff(gw32.to_vector<double>(), ref.gw) <= 1e-5);
  }
  CHECK(weight_gradients == 1);
}

// The weight gradient of a batch with enough tiles for several of the
// chunks that it sums one after another, in float64, sampled: a few (k, c)
// filters against direct sums.
TEST_CASE("conv2d's Winograd weight gradient sums its chunks exactly") {
  const int64_t N = 2, C = 100, K = 100, H = 130, W = 130;
  const Conv2dArgs a = conv_args({1, 1}, {1, 1});
  Tensor x = rand64({N, C, H, W}, 80), g = rand64({N, K, H, W}, 81), gw(Shape{K, C, 3, 3}, DType::Float64);
  REQUIRE(cpu::winograd_suits_weight_gradient(ConvGeometry(x, g, 3, 3, a)));
  cpu_backend().conv2d_backward_weight(g, x, a, gw);
  const std::vector<double> xs = x.to_vector<double>(), gs = g.to_vector<double>(), ws = gw.to_vector<double>();
  for (auto [k, c] : {std::pair<int64_t, int64_t>{0, 0}, {57, 3}, {99, 99}}) {
    CAPTURE(k);
    CAPTURE(c);
    for (int64_t r = 0; r < 3; ++r)
      for (int64_t s = 0; s < 3; ++s) {
        double ref = 0;
        for (int64_t n = 0; n < N; ++n)
          for (int64_t p = 0; p < H; ++p)
            for (int64_t q = 0; q < W; ++q) {
              const int64_t h = p - 1 + r, v = q - 1 + s;
              if (h >= 0 && h < H && v >= 0 && v < W)
                ref += gs[static_cast<size_t>(((n * K + k) * H + p) * W + q)] *
                       xs[static_cast<size_t>(((n * C + c) * H + h) * W + v)];
            }
        CHECK(ws[static_cast<size_t>(((k * C + c) * 3 + r) * 3 + s)] == doctest::Approx(ref).epsilon(1e-12));
      }
  }
}

TEST_CASE("conv2d kernels overwrite their outputs (NaN already there does not leak)") {
  CpuBackend& be = cpu_backend();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // 3x3 goes through the column buffer, 1x1 straight to GEMM.
  for (int64_t k : {3, 1}) {
    CAPTURE(k);
    Conv2dArgs a = conv_args({1, 1}, {k / 2, k / 2});
    Tensor x = f32({2, 4, 6, 5}, 40), w = f32({6, 4, k, k}, 41), g = f32({2, 6, 6, 5}, 42);
    Tensor out = full({2, 6, 6, 5}, nan), gx = full(x.shape(), nan), gw = full(w.shape(), nan);
    be.conv2d(x, w, Tensor(), a, out);
    be.conv2d_backward_input(g, w, a, gx);
    be.conv2d_backward_weight(g, x, a, gw);
    for (const Tensor* t : {&out, &gx, &gw}) {
      bool finite = true;
      for (float f : t->to_vector<float>()) finite = finite && std::isfinite(f);
      CHECK(finite);
    }
    // The same products again into zeros must give the same values.
    Tensor out0 = zeros(out.shape()), gx0 = zeros(gx.shape()), gw0 = zeros(gw.shape());
    be.conv2d(x, w, Tensor(), a, out0);
    be.conv2d_backward_input(g, w, a, gx0);
    be.conv2d_backward_weight(g, x, a, gw0);
    CHECK(out.to_vector<float>() == out0.to_vector<float>());
    CHECK(gx.to_vector<float>() == gx0.to_vector<float>());
    CHECK(gw.to_vector<float>() == gw0.to_vector<float>());
  }
}

TEST_CASE("conv2d gives the same bits on 1 and 2 threads") {
  const int saved_threads = omp_get_max_threads();
  // groups 1: one multi-threaded GEMM; groups 32: one single-threaded GEMM per group on each thread.
  for (int64_t groups : {int64_t{1}, int64_t{32}}) {
    CAPTURE(groups);
    Conv2dArgs a = conv_args({1, 1}, {1, 1}, {1, 1}, groups);
    std::vector<std::vector<float>> results[2];
    for (int threads : {1, 2}) {
      omp_set_num_threads(threads);
      Tensor x = f32({2, 32, 40, 40}, 50).set_requires_grad(), w = f32({32, 32 / groups, 3, 3}, 51).set_requires_grad();
      Tensor out = conv2d(x, w, Tensor(), a);
      out.backward(f32(out.shape(), 52));
      results[threads - 1] = {out.to_vector<float>(), x.grad().to_vector<float>(), w.grad().to_vector<float>()};
    }
    omp_set_num_threads(saved_threads);
    CHECK(results[0][0] == results[1][0]);
    CHECK(results[0][1] == results[1][1]);
    CHECK(results[0][2] == results[1][2]);
  }
  omp_set_num_threads(saved_threads);
}

// At 512x512 the column buffer (C*9 values per output position) exceeds the
// kernels' cap several times over, so the output is computed in tiles that
// start in the middle of image rows. Whole planes are compared with a direct
// convolution, which covers every tile boundary whatever the cap: in float64
// to 1e-12 (a dropped or doubled term would show even among the 262,144 terms
// of a weight gradient) and in float32 to 1e-5, both relative to the sum of the
// absolute values of the terms.
TEST_CASE("conv2d on a 512x512 image (tiled) matches a direct convolution") {
  struct Config {
    DType dtype;
    int64_t C, K;
    double tol;
  };
  const int64_t H = 512, W = 512, R = 3;  // stride 1, padding 1: P = H, Q = W
  for (Config cfg : {Config{DType::Float64, 4, 4, 1e-12}, Config{DType::Float32, 4, 4, 1e-5}}) {
    const DType dtype = cfg.dtype;
    const int64_t C = cfg.C, K = cfg.K;
    const double tol = cfg.tol;
    CAPTURE(dtype);
    Generator gen(60);
    Tensor x = uniform({1, C, H, W}, -1, 1, dtype, Device::cpu(), &gen).set_requires_grad();
    Tensor w = uniform({K, C, R, R}, -1, 1, dtype, Device::cpu(), &gen).set_requires_grad();
    Tensor g = uniform({1, K, H, W}, -1, 1, dtype, Device::cpu(), &gen);
    Tensor out = conv2d(x, w, Tensor(), conv_args({1, 1}, {1, 1}));
    out.backward(g);
    const std::vector<double> xs = x.to_vector<double>(), ws = w.to_vector<double>(), gs = g.to_vector<double>();
    const std::vector<double> os = out.to_vector<double>(), gxs = x.grad().to_vector<double>(),
                              gws = w.grad().to_vector<double>();
    auto X = [&](int64_t c, int64_t h, int64_t v) { return xs[static_cast<size_t>((c * H + h) * W + v)]; };
    auto Wt = [&](int64_t k, int64_t c, int64_t r, int64_t s) {
      return ws[static_cast<size_t>(((k * C + c) * R + r) * R + s)];
    };
    auto G = [&](int64_t k, int64_t p, int64_t q) { return gs[static_cast<size_t>((k * H + p) * W + q)]; };
    auto inside = [&](int64_t h, int64_t v) { return h >= 0 && h < H && v >= 0 && v < W; };
    int bad = 0;
    auto compare = [&](double ours, double ref, double scale) {
      if (std::abs(ours - ref) > tol * scale + 1e-30 && ++bad <= 5) FAIL_CHECK("got ", ours, ", direct ", ref);
    };
    const int64_t k = K - 1, c = C / 2;
    for (int64_t p = 0; p < H; ++p) {
      for (int64_t q = 0; q < W; ++q) {
        double ref = 0, scale = 0, ref_gx = 0, scale_gx = 0;
        for (int64_t cc = 0; cc < C; ++cc)  // out[k, p, q]
          for (int64_t r = 0; r < R; ++r)
            for (int64_t s = 0; s < R; ++s)
              if (inside(p - 1 + r, q - 1 + s)) {
                double t = Wt(k, cc, r, s) * X(cc, p - 1 + r, q - 1 + s);
                ref += t;
                scale += std::abs(t);
              }
        for (int64_t kk = 0; kk < K; ++kk)  // grad_x[c, p, q]: the output pixels that read x[c, p, q]
          for (int64_t r = 0; r < R; ++r)
            for (int64_t s = 0; s < R; ++s)
              if (inside(p + 1 - r, q + 1 - s)) {
                double t = Wt(kk, c, r, s) * G(kk, p + 1 - r, q + 1 - s);
                ref_gx += t;
                scale_gx += std::abs(t);
              }
        compare(os[static_cast<size_t>((k * H + p) * W + q)], ref, scale);
        compare(gxs[static_cast<size_t>((c * H + p) * W + q)], ref_gx, scale_gx);
      }
    }
    const int64_t kw = 1;  // grad_w[kw, :, :, :]
    for (int64_t cc = 0; cc < C; ++cc)
      for (int64_t r = 0; r < R; ++r)
        for (int64_t s = 0; s < R; ++s) {
          double ref = 0, scale = 0;
          for (int64_t p = 0; p < H; ++p)
            for (int64_t q = 0; q < W; ++q)
              if (inside(p - 1 + r, q - 1 + s)) {
                double t = G(kw, p, q) * X(cc, p - 1 + r, q - 1 + s);
                ref += t;
                scale += std::abs(t);
              }
          compare(gws[static_cast<size_t>(((kw * C + cc) * R + r) * R + s)], ref, scale);
        }
    CHECK(bad == 0);
  }
}
