// conv_transpose2d: float64 gradient checks, the adjoint identity with
// conv2d, argument errors and PyTorch parity in float32.
#include <array>
#include <functional>
#include <string>
#include <vector>

#include "gradcheck.h"
#include "conv_args.h"
#include "error_text.h"
#include "reference.h"

using namespace pn;
using pn::test::check_gradients;
using pn::test::check_message;
using pn::test::conv_args;
using pn::test::error_of;
using pn::test::rand64;

namespace {

// conv_transpose2d of {x, w} or {x, w, bias}.
pn::test::TestFn deconv(const Conv2dArgs& a, std::array<int64_t, 2> output_padding = {0, 0}) {
  return [a, output_padding](const std::vector<Tensor>& in) {
    return conv_transpose2d(in[0], in[1], in.size() > 2 ? in[2] : Tensor(), a, output_padding);
  };
}
}  // namespace

GRADCHECK_CASE("conv_transpose2d", "4x4, stride 2, padding 1 (a decoder's upsampling), with bias") {
  check_gradients(deconv(conv_args({2, 2}, {1, 1})),
                  {rand64({2, 3, 3, 4}, 1), rand64({3, 2, 4, 4}, 2), rand64({2}, 3)});
}

GRADCHECK_CASE("conv_transpose2d", "output_padding, odd sizes, no bias") {
  check_gradients(deconv(conv_args({2, 2}, {1, 1}), {1, 1}), {rand64({1, 2, 3, 4}, 4), rand64({2, 3, 3, 3}, 5)});
}

GRADCHECK_CASE("conv_transpose2d", "groups 2, dilation 2, unequal strides") {
  check_gradients(deconv(conv_args({2, 1}, {1, 0}, {2, 2}, 2), {1, 0}),
                  {rand64({2, 4, 3, 3}, 6), rand64({4, 1, 3, 2}, 7), rand64({2}, 8)});
}

GRADCHECK_CASE("conv_transpose2d", "output_padding below the dilation (stride 1)") {
  check_gradients(deconv(conv_args({1, 1}, {0, 1}, {2, 2}), {1, 1}),
                  {rand64({1, 2, 4, 3}, 9), rand64({2, 2, 3, 3}, 10), rand64({2}, 11)});
}

GRADCHECK_CASE("conv_transpose2d", "depthwise and 1x1") {
  check_gradients(deconv(conv_args({2, 2}, {0, 0}, {1, 1}, 3)),
                  {rand64({2, 3, 3, 3}, 12), rand64({3, 1, 2, 2}, 13), rand64({3}, 14)});
  check_gradients(deconv(conv_args({1, 1})), {rand64({2, 3, 3, 4}, 15), rand64({3, 2, 1, 1}, 16)});
}

// <conv2d(y, w), x> == <y, conv_transpose2d(x, w)> whenever the shapes pair
// up: the defining property of a transposed convolution.
TEST_CASE("conv_transpose2d is the adjoint of conv2d") {
  NoGradGuard no_grad;
  Conv2dArgs a = conv_args({2, 3}, {1, 2}, {2, 1}, 2);
  Tensor w = rand64({4, 3, 3, 4}, 20);             // conv2d: K=4, C=6; transposed: C=4, K=6
  Tensor y = rand64({2, 6, 9, 11}, 21);            // conv2d input
  Tensor cy = conv2d(y, w, Tensor(), a);           // [2, 4, P, Q]
  Tensor x = rand64(cy.shape(), 22);
  // PyTorch's output_padding recovers y's size from cy's.
  std::array<int64_t, 2> op = {(9 + 2 * 1 - 2 * 2 - 1) % 2, (11 + 2 * 2 - 1 * 3 - 1) % 3};
  Tensor tx = conv_transpose2d(x, w, Tensor(), a, op);
  REQUIRE(tx.shape() == y.shape());
  double lhs = sum(mul(cy, x)).item(), rhs = sum(mul(y, tx)).item();
  CHECK(lhs == doctest::Approx(rhs).epsilon(1e-12));
}

TEST_CASE("conv_transpose2d: only the gradients asked for are computed") {
  Tensor x = rand64({1, 2, 3, 3}, 30), w = rand64({2, 3, 4, 4}, 31), b = rand64({3}, 32);
  x.set_requires_grad(false);
  Tensor y = conv_transpose2d(x, w, b, conv_args({2, 2}, {1, 1}));
  CHECK(y.shape() == Shape{1, 3, 6, 6});
  sum(y).backward();
  CHECK_FALSE(x.grad().defined());
  CHECK(w.grad().defined());
  CHECK(b.grad().to_vector<double>() == std::vector<double>{36, 36, 36});
}

TEST_CASE("conv_transpose2d argument errors name the op and the shapes") {
  Tensor x = zeros({1, 4, 5, 5}), w = zeros({4, 2, 3, 3});
  check_message(error_of([&] { conv_transpose2d(zeros({4, 5, 5}), w); }),
                {"conv_transpose2d", "input", "4-D", "[4, 5, 5]"});
  check_message(error_of([&] { conv_transpose2d(x, zeros({4, 2, 3})); }),
                {"conv_transpose2d", "weight", "4-D", "[4, 2, 3]"});
  check_message(error_of([&] { conv_transpose2d(x, zeros({3, 2, 3, 3})); }),
                {"conv_transpose2d", "[1, 4, 5, 5]", "[3, 2, 3, 3]", "channels"});
  check_message(error_of([&] { conv_transpose2d(x, w, Tensor(), conv_args({1, 1}, {0, 0}, {1, 1}, 3)); }),
                {"conv_transpose2d", "[4, 2, 3, 3]", "groups=3"});
  check_message(error_of([&] { conv_transpose2d(x, w, zeros({2}), conv_args({1, 1}, {0, 0}, {1, 1}, 2)); }),
                {"conv_transpose2d", "bias [2]", "[4]", "[4, 2, 3, 3]", "groups=2"});
  check_message(error_of([&] { conv_transpose2d(x, w, Tensor(), conv_args({2, 2}), {2, 0}); }),
                {"conv_transpose2d", "output_padding [2, 0]", "stride [2, 2]"});
  check_message(error_of([&] { conv_transpose2d(x, w, Tensor(), conv_args({1, 1}), {0, -1}); }),
                {"conv_transpose2d", "output_padding [0, -1]"});
  check_message(error_of([&] { conv_transpose2d(x, w, Tensor(), conv_args({1, 0})); }),
                {"conv_transpose2d", "stride", "[1, 0]"});
  check_message(error_of([&] { conv_transpose2d(x, w, Tensor(), conv_args({1, 1}, {0, 0}, {0, 1})); }),
                {"conv_transpose2d", "dilation", "[0, 1]"});
  check_message(error_of([&] { conv_transpose2d(x, w, Tensor(), conv_args({1, 1}, {0, -2})); }),
                {"conv_transpose2d", "padding", "[0, -2]"});
  check_message(error_of([&] { conv_transpose2d(zeros({1, 4, 1, 1}), zeros({4, 2, 1, 1}), Tensor(),
                                                conv_args({1, 1}, {1, 0})); }),
                {"conv_transpose2d", "output size", "[1, 4, 1, 1]", "[4, 2, 1, 1]"});
  check_message(error_of([&] { conv_transpose2d(x, zeros({4, 2, 3, 3}, DType::Float64)); }),
                {"conv_transpose2d", "dtypes differ"});
}

TEST_CASE("conv_transpose2d matches PyTorch in float32 (tests/reference/make_conv_reference.py)") {
  pn::test::Reference ref("conv_transpose2d.bin");
  for (const char* name : {"4x4_stride2_pad1", "output_padding", "groups", "dilation2_output_padding", "1x1"}) {
    CAPTURE(name);
    std::string n = name;
    std::vector<double> v = ref[n + ".args"].to_vector<double>();
    auto i = [&](size_t k) { return static_cast<int64_t>(v[k]); };
    Conv2dArgs a = conv_args({i(0), i(1)}, {i(2), i(3)}, {i(4), i(5)}, i(6));
    Tensor x = ref[n + ".x"].set_requires_grad(), w = ref[n + ".w"].set_requires_grad();
    Tensor b = ref.has(n + ".b") ? ref[n + ".b"].set_requires_grad() : Tensor();
    Tensor out = conv_transpose2d(x, w, b, a, {i(7), i(8)});
    CHECK_CLOSE_TO_REF(out, ref[n + ".out"], name);
    out.backward(ref[n + ".g"]);
    CHECK_CLOSE_TO_REF(x.grad(), ref[n + ".gx"], "grad x");
    CHECK_CLOSE_TO_REF(w.grad(), ref[n + ".gw"], "grad w");
    if (b.defined()) CHECK_CLOSE_TO_REF(b.grad(), ref[n + ".gb"], "grad bias");
  }
}
