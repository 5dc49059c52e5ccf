// binary_cross_entropy_with_logits: float64 gradient checks for each
// reduction, stability at large logits, agreement with the textbook formula,
// argument errors, and parity with PyTorch.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "gradcheck.h"
#include "reference.h"

using namespace pn;
using pn::test::check_gradients;
using pn::test::rand64;

namespace {

Tensor targets64(const Shape& shape, uint64_t seed) {
  Tensor t = rand64(shape, seed, 0.0, 1.0);
  t.set_requires_grad(false);
  return t;
}

}  // namespace

GRADCHECK_CASE("binary_cross_entropy_with_logits", "reductions None, Mean and Sum") {
  Tensor t = targets64({3, 4}, 2);
  for (Reduction r : {Reduction::None, Reduction::Mean, Reduction::Sum}) {
    CAPTURE(static_cast<int>(r));
    check_gradients([t, r](const std::vector<Tensor>& in) { return binary_cross_entropy_with_logits(in[0], t, r); },
                    {rand64({3, 4}, 1, -4.0, 4.0)});
  }
}

TEST_CASE("binary_cross_entropy_with_logits agrees with -t log s - (1-t) log(1-s)") {
  Tensor x = rand64({20}, 3, -5.0, 5.0).detach();
  Tensor t = targets64({20}, 4);
  std::vector<double> xv = x.to_vector<double>(), tv = t.to_vector<double>();
  std::vector<double> got = binary_cross_entropy_with_logits(x, t, Reduction::None).to_vector<double>();
  double total = 0;
  for (size_t i = 0; i < xv.size(); ++i) {
    double s = 1.0 / (1.0 + std::exp(-xv[i]));
    double want = -tv[i] * std::log(s) - (1 - tv[i]) * std::log(1 - s);
    CHECK(got[i] == doctest::Approx(want).epsilon(1e-12));
    total += want;
  }
  CHECK(binary_cross_entropy_with_logits(x, t, Reduction::Sum).item() == doctest::Approx(total).epsilon(1e-12));
  CHECK(binary_cross_entropy_with_logits(x, t).item() == doctest::Approx(total / 20).epsilon(1e-12));
}

TEST_CASE("binary_cross_entropy_with_logits stays finite for large logits") {
  Tensor x = from_vector<float>({100, -100, 100, -100, 1e4f}, {5}).set_requires_grad(true);
  Tensor t = from_vector<float>({1, 0, 0, 1, 1}, {5});
  Tensor loss = binary_cross_entropy_with_logits(x, t, Reduction::None);
  loss.backward(ones({5}));
  std::vector<float> l = loss.to_vector<float>(), g = x.grad().to_vector<float>();
  std::vector<float> want_l{0, 0, 100, 100, 0}, want_g{0, 0, 1, -1, 0};
  for (size_t i = 0; i < l.size(); ++i) {
    CAPTURE(i);
    // Right answers differ from the rounded ones by exp(-100), a denormal.
    CHECK(std::abs(l[i] - want_l[i]) <= 1e-30f);
    CHECK(std::abs(g[i] - want_g[i]) <= 1e-30f);
  }
}

TEST_CASE("binary_cross_entropy_with_logits argument errors name the op and the shapes") {
  const char* op = "binary_cross_entropy_with_logits";
  CHECK_THROWS_WITH_AS(binary_cross_entropy_with_logits(zeros({2, 3}), zeros({3, 2})),
                       doctest::Contains("binary_cross_entropy_with_logits: target of shape [3, 2] differs from "
                                         "logits of shape [2, 3]"),
                       pn::Error);
  CHECK_THROWS_WITH_AS(binary_cross_entropy_with_logits(zeros({2, 3}), zeros({2, 3}, DType::Float64)),
                       doctest::Contains(op), pn::Error);
  CHECK_THROWS_WITH_AS(binary_cross_entropy_with_logits(zeros({2, 3}), Tensor()),
                       doctest::Contains("binary_cross_entropy_with_logits: target is undefined"), pn::Error);
  CHECK_THROWS_WITH_AS(binary_cross_entropy_with_logits(zeros({2}, DType::Int64), zeros({2}, DType::Int64)),
                       doctest::Contains("needs float32 or float64 tensors, got int64"), pn::Error);

  // The target is never differentiated: one that requires grad is refused
  // (no silent missing gradient), unless recording is off.
  Tensor t = zeros({2, 3}).set_requires_grad(true);
  CHECK_THROWS_WITH_AS(binary_cross_entropy_with_logits(zeros({2, 3}), t),
                       doctest::Contains("the target of shape [2, 3] requires grad"), pn::Error);
  NoGradGuard no_grad;
  CHECK(binary_cross_entropy_with_logits(zeros({2, 3}), t, Reduction::Sum).item() ==
        doctest::Approx(6 * std::log(2.0)));
}

TEST_CASE("binary_cross_entropy_with_logits matches PyTorch in float32") {
  test::Reference ref("binary_cross_entropy_with_logits.bin");
  struct Case {
    const char* name;
    Reduction reduction;
  };
  for (const Case& c : {Case{"none", Reduction::None}, Case{"mean", Reduction::Mean}, Case{"sum", Reduction::Sum}}) {
    std::string k = std::string(c.name) + ".";
    CAPTURE(c.name);
    Tensor x = ref[k + "x"].set_requires_grad(true);
    Tensor y = binary_cross_entropy_with_logits(x, ref[k + "t"], c.reduction);
    // reftensors stores a reduced (0-D) loss and its gradient as [1].
    y.backward(ref[k + "g"].reshape(y.shape()));
    CHECK_CLOSE_TO_REF(y, ref[k + "out"].reshape(y.shape()), "loss");
    CHECK_CLOSE_TO_REF(x.grad(), ref[k + "gx"], "grad x");
  }
}
