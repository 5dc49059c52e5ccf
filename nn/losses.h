#pragma once
// The losses and metrics of the SIIM-ACR first-place recipe, with the
// reference implementation's exact formulas (constants included).
//
// Shapes: logits / probabilities and targets are [B, C, H, W] (or [B, H, W])
// of the same shape; targets hold 0/1 (soft targets are allowed).
#include <map>
#include <string>

#include "autograd/ops.h"

namespace pn::nn {

// mean(max(x,0) - x*t + log(1 + exp(-|x|))) over all elements.
Tensor stable_bce_loss(const Tensor& logits, const Tensor& targets);

// 1 - (2 * sum(p*t) + eps) / (sum(p) + sum(t) + eps), eps = 1e-6, over the whole
// batch, or per image and then averaged (per_image).
Tensor soft_dice_loss(const Tensor& probs, const Tensor& targets, bool per_image = false);

// 1 - (sum(p*t) + eps) / (sum(p + t) - sum(p*t) + eps), eps = 1e-3.
Tensor jaccard_loss(const Tensor& probs, const Tensor& targets, bool per_image = false);

// Focal loss on probabilities: p and t clamped to [1e-8, 1 - 1e-8],
// pt = (1-t)(1-p) + t p, mean(-(1 - pt)^gamma log(pt)).
Tensor focal_loss(const Tensor& probs, const Tensor& targets, double gamma = 2.0);

// (lovasz_hinge(x, t) + lovasz_hinge(-x, 1 - t)) / 2, per image (the
// reference's "lovasz" term).
Tensor symmetric_lovasz_loss(const Tensor& logits, const Tensor& targets);

// The weighted sum of the terms named in `weights` ("bce", "dice", "focal",
// "jaccard", "lovasz"), as the reference's ComboLoss: bce and lovasz on the
// logits, the others on sigmoid(logits); dice and jaccard per channel with
// channel weights 1, 0.5, 0.5; the sum clamped below at 1e-5. Terms with
// weight 0 are skipped. Unknown names are an error.
class ComboLoss {
 public:
  explicit ComboLoss(std::map<std::string, double> weights);
  Tensor operator()(const Tensor& logits, const Tensor& targets);
  // The unweighted value of each term in the last call (for logging).
  const std::map<std::string, double>& last_values() const { return values_; }

 private:
  std::map<std::string, double> weights_;
  std::map<std::string, double> values_;
};

// ---- metrics (no gradient) ----

// The validation metric of the reference: 1 - soft_dice_loss(preds, targets),
// preds already binarized, per image or over the batch.
double dice_metric(const Tensor& preds, const Tensor& targets, bool per_image = false);

// The competition metric for one image: Dice of binary masks, 1 when both are empty.
double competition_dice(const Tensor& pred, const Tensor& truth);

}  // namespace pn::nn
