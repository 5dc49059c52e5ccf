// upsample2d: float64 gradient checks for both modes at scales 1, 2 and 3,
// hand-computed values, argument errors, and parity with PyTorch.
#include <doctest/doctest.h>

#include <vector>

#include "autograd/ops.h"
#include "gradcheck.h"
#include "reference.h"

using namespace pn;
using pn::test::check_gradients;
using pn::test::rand64;

namespace {

test::TestFn up_fn(int64_t scale, UpsampleMode mode) {
  return [scale, mode](const std::vector<Tensor>& in) { return upsample2d(in[0], scale, mode); };
}

}  // namespace

GRADCHECK_CASE("upsample2d", "nearest, scales 2 and 3") {
  check_gradients(up_fn(2, UpsampleMode::Nearest), {rand64({2, 2, 3, 4}, 1)});
  check_gradients(up_fn(3, UpsampleMode::Nearest), {rand64({1, 2, 3, 2}, 2)});
}

GRADCHECK_CASE("upsample2d", "bilinear, scales 2 and 3") {
  check_gradients(up_fn(2, UpsampleMode::Bilinear), {rand64({2, 2, 3, 4}, 3)});
  check_gradients(up_fn(3, UpsampleMode::Bilinear), {rand64({1, 2, 3, 2}, 4)});
}

GRADCHECK_CASE("upsample2d", "scale 1 and one-pixel planes") {
  check_gradients(up_fn(1, UpsampleMode::Bilinear), {rand64({1, 2, 3, 3}, 5)});
  check_gradients(up_fn(3, UpsampleMode::Bilinear), {rand64({1, 2, 1, 1}, 6)});
}

TEST_CASE("upsample2d values: nearest repeats, bilinear uses PyTorch's half-pixel centres") {
  Tensor x = from_vector<double>({1, 2, 3, 4}, {1, 1, 2, 2});
  CHECK(upsample2d(x, 2, UpsampleMode::Nearest).to_vector<double>() ==
        std::vector<double>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  // Row [1, 2] doubled: src = (dst + 0.5)/2 - 0.5 = -0.25 (clamped), 0.25, 0.75, 1.25 (clamped to the edge).
  Tensor row = from_vector<double>({1, 2}, {1, 1, 1, 2});
  Tensor y = upsample2d(row, 2, UpsampleMode::Bilinear);
  CHECK(y.shape() == Shape{1, 1, 2, 4});
  CHECK(y.to_vector<double>() == std::vector<double>{1, 1.25, 1.75, 2, 1, 1.25, 1.75, 2});
  // Every output's weights sum to 1, so the gradient of the sum is scale^2 per input.
  Tensor z = from_vector<double>({1, 2, 3, 4, 5, 6}, {1, 1, 2, 3}).set_requires_grad(true);
  sum(upsample2d(z, 3, UpsampleMode::Bilinear)).backward();
  for (double g : z.grad().to_vector<double>()) CHECK(g == doctest::Approx(9.0));
}

TEST_CASE("upsample2d argument errors name the op and the shapes") {
  CHECK_THROWS_WITH_AS(upsample2d(zeros({2, 3, 4}), 2, UpsampleMode::Nearest),
                       doctest::Contains("upsample2d: input must be 4-D, got shape [2, 3, 4]"), pn::Error);
  CHECK_THROWS_WITH_AS(upsample2d(zeros({1, 2, 3, 4}), 0, UpsampleMode::Bilinear),
                       doctest::Contains("upsample2d: scale must be >= 1, got 0 for input of shape [1, 2, 3, 4]"),
                       pn::Error);
  CHECK_THROWS_WITH_AS(upsample2d(zeros({1, 2, 3, 4}, DType::UInt8), 2, UpsampleMode::Nearest),
                       doctest::Contains("upsample2d: needs float32 or float64 tensors, got uint8"), pn::Error);
}

TEST_CASE("upsample2d matches PyTorch in float32") {
  test::Reference ref("upsample2d.bin");
  struct Case {
    const char* name;
    int64_t scale;
    UpsampleMode mode;
  };
  for (const Case& c : {Case{"nearest2", 2, UpsampleMode::Nearest}, Case{"nearest3", 3, UpsampleMode::Nearest},
                        Case{"bilinear2", 2, UpsampleMode::Bilinear}, Case{"bilinear3", 3, UpsampleMode::Bilinear}}) {
    std::string k = std::string(c.name) + ".";
    CAPTURE(c.name);
    Tensor x = ref[k + "x"].set_requires_grad(true);
    Tensor y = upsample2d(x, c.scale, c.mode);
    y.backward(ref[k + "g"]);
    CHECK_CLOSE_TO_REF(y, ref[k + "out"], "output");
    CHECK_CLOSE_TO_REF(x.grad(), ref[k + "gx"], "grad x");
  }
}
