#pragma once
// The validation score of the reference: every triplet of the
// TripletMaskBinarization applied to the predicted probabilities, each result
// scored with dice_metric, averaged over the batches as the reference's
// valid_epoch does (a running mean of per-batch values, so a short last
// batch weighs as much as a full one).
//
// Binarization of one image by a triplet (top, area, bottom):
//   mask = p > bottom, emptied when count(p > top) < area.
// dice_metric (per_image): mean over the batch's images of
//   (2 sum(mask * truth) + 1e-6) / (sum(mask) + sum(truth) + 1e-6),
// so an empty prediction of an empty truth scores 1; without per_image the
// batch is one image.
//
// Memory is one batch: the reference kept every validation map (64 GB at
// 1024 x 1024); here only one running sum per triplet is kept.
#include <cstddef>
#include <vector>

#include "pneumo/train/train_config.h"
#include "tensor/tensor.h"

namespace pn::train {

class TripletMetrics {
 public:
  TripletMetrics(std::vector<Triplet> triplets, bool per_image);

  // probs, truth: [B, 1, H, W] float32 CPU, probabilities and masks in
  // [0, 1]. Throws pn::Error for other shapes.
  void add_batch(const Tensor& probs, const Tensor& truth);

  std::size_t batches() const { return batches_; }
  const std::vector<Triplet>& triplets() const { return triplets_; }
  // The running mean of each triplet's batch metric (0 before any batch).
  const std::vector<double>& means() const { return means_; }
  // The first triplet with the highest mean (Python's max over the dict).
  std::size_t best() const;
  double best_metric() const { return means_.empty() ? 0.0 : means_[best()]; }

  // One batch's metric for one triplet (exposed for tests).
  static double batch_metric(const Tensor& probs, const Tensor& truth, const Triplet& t, bool per_image);

 private:
  std::vector<Triplet> triplets_;
  bool per_image_;
  std::vector<double> means_;
  std::size_t batches_ = 0;
};

}  // namespace pn::train
