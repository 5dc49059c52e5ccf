// The recipe's losses and metrics against PyTorch (tests/reference/make_losses_reference.py).
#include <doctest/doctest.h>

#include <functional>

#include "nn/losses.h"
#include "reference.h"

using namespace pn;
using namespace pn::nn;

namespace {

// Value and gradient of loss(logits) in float64 and float32 against the reference.
void check_loss(const std::string& name, const std::function<Tensor(const Tensor&, const Tensor&)>& loss,
                const std::string& prefix = "") {
  test::Reference ref("losses.bin");
  Tensor masks64 = prefix.empty() ? ref["masks"].to(DType::Float64) : zeros(ref[prefix + "logits"].shape(), DType::Float64);
  for (DType dtype : {DType::Float64, DType::Float32}) {
    Tensor x = ref[prefix.empty() ? "logits" : prefix + "logits"].to(dtype);
    x.set_requires_grad(true);
    Tensor value = loss(x, masks64.to(dtype));
    value.backward();
    double tol = dtype == DType::Float64 ? 1e-10 : 1e-5;
    double ref_value = ref[name + ".value"].item();
    INFO(name, " in ", dtype_name(dtype), ": ", value.item(), " vs ", ref_value);
    CHECK(std::abs(value.item() - ref_value) <= tol * std::abs(ref_value));
    double err = test::relative_error(x.grad(), ref[name + ".grad"].reshape(x.shape()));
    INFO("gradient relative error ", err);
    CHECK(err <= tol);
  }
}

}  // namespace

TEST_CASE("stable BCE matches PyTorch") {
  check_loss("bce", [](const Tensor& x, const Tensor& t) { return stable_bce_loss(x, t); });
}

TEST_CASE("soft Dice matches PyTorch, per batch and per image") {
  check_loss("dice", [](const Tensor& x, const Tensor& t) { return soft_dice_loss(sigmoid(x), t); });
  check_loss("dice_per_image", [](const Tensor& x, const Tensor& t) { return soft_dice_loss(sigmoid(x), t, true); });
}

TEST_CASE("Jaccard matches PyTorch") {
  check_loss("jaccard", [](const Tensor& x, const Tensor& t) { return jaccard_loss(sigmoid(x), t); });
}

TEST_CASE("focal loss matches PyTorch") {
  check_loss("focal", [](const Tensor& x, const Tensor& t) { return focal_loss(sigmoid(x), t); });
}

TEST_CASE("symmetric Lovasz hinge matches PyTorch") {
  check_loss("lovasz", [](const Tensor& x, const Tensor& t) { return symmetric_lovasz_loss(x, t); });
}

TEST_CASE("combo loss matches PyTorch for the recipe's weights") {
  check_loss("combo_314", [](const Tensor& x, const Tensor& t) {
    return ComboLoss({{"bce", 3}, {"dice", 1}, {"focal", 4}})(x, t);
  });
  check_loss("combo_111", [](const Tensor& x, const Tensor& t) {
    return ComboLoss({{"bce", 1}, {"dice", 1}, {"focal", 1}})(x, t);
  });
  check_loss("combo_all", [](const Tensor& x, const Tensor& t) {
    return ComboLoss({{"bce", 2}, {"dice", 1}, {"focal", 2}, {"jaccard", 0.5}, {"lovasz", 0.5}})(x, t);
  });
  check_loss("empty", [](const Tensor& x, const Tensor& t) {
    return ComboLoss({{"bce", 3}, {"dice", 1}, {"focal", 4}})(x, t);
  }, "empty.");
}

TEST_CASE("combo loss records its terms and rejects bad weights") {
  ComboLoss loss({{"bce", 3}, {"dice", 1}, {"focal", 0}});
  loss(zeros({1, 1, 2, 2}), ones({1, 1, 2, 2}));
  CHECK(loss.last_values().count("bce") == 1);
  CHECK(loss.last_values().count("focal") == 0);
  CHECK(loss.last_values().at("bce") == doctest::Approx(std::log(2.0)));
  CHECK_THROWS_WITH_AS(ComboLoss({{"dcie", 1}}), doctest::Contains("ComboLoss: unknown term 'dcie'"), Error);
  CHECK_THROWS_WITH_AS(ComboLoss({{"bce", -1}}), doctest::Contains("weight of 'bce' is negative"), Error);
  CHECK_THROWS_WITH_AS(loss(zeros({1, 1, 2, 2}), zeros({1, 1, 2, 3})),
                       doctest::Contains("ComboLoss: outputs [1, 1, 2, 2] and targets [1, 1, 2, 3] differ"), Error);
}

TEST_CASE("metrics: Dice and the competition's empty-mask rule") {
  Tensor a = from_vector<float>({1, 1, 0, 0}, {1, 1, 2, 2});
  Tensor b = from_vector<float>({1, 0, 0, 0}, {1, 1, 2, 2});
  CHECK(competition_dice(a, b) == doctest::Approx(2.0 / 3.0));
  CHECK(competition_dice(zeros({1, 1, 2, 2}), zeros({1, 1, 2, 2})) == 1.0);
  CHECK(competition_dice(a, zeros({1, 1, 2, 2})) == 0.0);
  CHECK(dice_metric(a, b) == doctest::Approx((2.0 + 1e-6) / (3.0 + 1e-6)));
  CHECK(dice_metric(zeros({1, 1, 2, 2}), zeros({1, 1, 2, 2})) == doctest::Approx(1.0));
}
