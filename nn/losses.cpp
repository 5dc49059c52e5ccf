#include "nn/losses.h"

#include <limits>

#include "autograd/grad_mode.h"

namespace pn::nn {

namespace {

void check_pair(const char* loss, const Tensor& a, const Tensor& b) {
  PN_CHECK(a.defined() && b.defined(), loss, ": an input is undefined");
  PN_CHECK(a.shape() == b.shape(), loss, ": outputs ", a.shape(), " and targets ", b.shape(), " differ in shape");
  PN_CHECK(a.dim() >= 1 && a.numel() > 0, loss, ": needs a non-empty batch, got shape ", a.shape());
}

// [B, ...] -> [parts, rest]: one row per image, or one row for the batch.
Tensor rows(const Tensor& x, bool per_image) { return x.reshape({per_image ? x.size(0) : 1, -1}); }

}  // namespace

Tensor stable_bce_loss(const Tensor& logits, const Tensor& targets) {
  check_pair("stable_bce_loss", logits, targets);
  return binary_cross_entropy_with_logits(logits, targets, Reduction::Mean);
}

Tensor soft_dice_loss(const Tensor& probs, const Tensor& targets, bool per_image) {
  check_pair("soft_dice_loss", probs, targets);
  const double eps = 1e-6;
  Tensor p = rows(probs, per_image), t = rows(targets, per_image);
  Tensor intersection = sum(mul(p, t), {1});
  Tensor union_ = add(add(sum(p, {1}), sum(t, {1})), eps);
  return mean(sub(ones_like(union_), div(add(mul(intersection, 2.0), eps), union_)));
}

Tensor jaccard_loss(const Tensor& probs, const Tensor& targets, bool per_image) {
  check_pair("jaccard_loss", probs, targets);
  const double eps = 1e-3;
  Tensor p = rows(probs, per_image), t = rows(targets, per_image);
  Tensor intersection = sum(mul(p, t), {1});
  Tensor union_ = add(sub(sum(add(p, t), {1}), intersection), eps);
  return mean(sub(ones_like(union_), div(add(intersection, eps), union_)));
}

Tensor focal_loss(const Tensor& probs, const Tensor& targets, double gamma) {
  check_pair("focal_loss", probs, targets);
  const double eps = 1e-8;
  Tensor p = clamp(probs, eps, 1.0 - eps);
  Tensor t = clamp(targets, eps, 1.0 - eps);
  // pt = (1-t)(1-p) + t p = 1 - t - p + 2tp
  Tensor pt = add(sub(mul(mul(t, p), 2.0), add(t, p)), 1.0);
  return mean(neg(mul(pow(add(neg(pt), 1.0), gamma), log(pt))));
}

Tensor symmetric_lovasz_loss(const Tensor& logits, const Tensor& targets) {
  check_pair("symmetric_lovasz_loss", logits, targets);
  Tensor flipped_targets = add(neg(targets), 1.0);
  return mul(add(lovasz_hinge(logits, targets, true), lovasz_hinge(neg(logits), flipped_targets, true)), 0.5);
}

ComboLoss::ComboLoss(std::map<std::string, double> weights) : weights_(std::move(weights)) {
  for (const auto& [name, w] : weights_) {
    PN_CHECK(name == "bce" || name == "dice" || name == "focal" || name == "jaccard" || name == "lovasz",
             "ComboLoss: unknown term '", name, "' (known: bce, dice, focal, jaccard, lovasz)");
    PN_CHECK(w >= 0, "ComboLoss: weight of '", name, "' is negative (", w, ")");
  }
}

Tensor ComboLoss::operator()(const Tensor& logits, const Tensor& targets) {
  check_pair("ComboLoss", logits, targets);
  Tensor probs = sigmoid(logits);
  Tensor total;
  values_.clear();
  for (const auto& [name, w] : weights_) {
    if (w == 0) continue;
    Tensor term;
    if (name == "bce") {
      term = stable_bce_loss(logits, targets);
    } else if (name == "focal") {
      term = focal_loss(probs, targets);
    } else if (name == "lovasz") {
      term = symmetric_lovasz_loss(logits, targets);
    } else {
      // Dice and Jaccard per channel of [B, C, H, W], weighted 1, 0.5, 0.5.
      int64_t channels = probs.dim() == 4 ? probs.size(1) : 1;
      PN_CHECK(channels <= 3, "ComboLoss: per-channel ", name, " has weights for 3 channels, got ", channels);
      const double channel_weight[3] = {1.0, 0.5, 0.5};
      for (int64_t c = 0; c < channels; ++c) {
        Tensor p = channels > 1 ? narrow(probs, 1, c, 1) : probs;
        Tensor t = channels > 1 ? narrow(targets, 1, c, 1) : targets;
        Tensor v = mul(name == "dice" ? soft_dice_loss(p, t) : jaccard_loss(p, t), channel_weight[c]);
        term = term.defined() ? add(term, v) : v;
      }
    }
    values_[name] = term.item();
    Tensor weighted = mul(term, w);
    total = total.defined() ? add(total, weighted) : weighted;
  }
  PN_CHECK(total.defined(), "ComboLoss: every weight is 0");
  return clamp(total, 1e-5, std::numeric_limits<double>::infinity());
}

double dice_metric(const Tensor& preds, const Tensor& targets, bool per_image) {
  NoGradGuard no_grad;
  return 1.0 - soft_dice_loss(preds, targets, per_image).item();
}

double competition_dice(const Tensor& pred, const Tensor& truth) {
  NoGradGuard no_grad;
  check_pair("competition_dice", pred, truth);
  double p = sum(pred).item(), t = sum(truth).item();
  if (p == 0 && t == 0) return 1.0;
  return 2.0 * sum(mul(pred, truth)).item() / (p + t);
}

}  // namespace pn::nn
