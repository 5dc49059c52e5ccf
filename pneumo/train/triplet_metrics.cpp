#include "pneumo/train/triplet_metrics.h"

#include "tensor/error.h"

namespace pn::train {

TripletMetrics::TripletMetrics(std::vector<Triplet> triplets, bool per_image)
    : triplets_(std::move(triplets)), per_image_(per_image), means_(triplets_.size(), 0.0) {
  PN_CHECK(!triplets_.empty(), "TripletMetrics: no triplets");
}

double TripletMetrics::batch_metric(const Tensor& probs, const Tensor& truth, const Triplet& t, bool per_image) {
  PN_CHECK(probs.dim() == 4 && probs.size(1) == 1 && probs.shape() == truth.shape(),
           "validation metric: expected probabilities and masks of one shape [B, 1, H, W], got ", probs.shape(),
           " and ", truth.shape());
  PN_CHECK(probs.dtype() == DType::Float32 && truth.dtype() == DType::Float32 && probs.device().is_cpu() &&
               truth.device().is_cpu(),
           "validation metric: expected float32 CPU tensors");
  const Tensor& p = probs;
  const Tensor& y = truth;
  const int64_t batch = p.size(0), n = p.numel() / batch;
  const float* pp = p.data<float>();
  const float* yy = y.data<float>();
  const double eps = 1e-6;
  double inter_all = 0, union_all = 0, sum = 0;
  for (int64_t b = 0; b < batch; ++b) {
    const float* pi = pp + b * n;
    const float* yi = yy + b * n;
    int64_t confident = 0;
    for (int64_t i = 0; i < n; ++i) confident += pi[i] > t.top;
    const bool keep = static_cast<double>(confident) >= t.area;
    double inter = 0, pred = 0, target = 0;
    for (int64_t i = 0; i < n; ++i) {
      const double m = keep && pi[i] > t.bottom ? 1.0 : 0.0;
      inter += m * yi[i];
      pred += m;
      target += yi[i];
    }
    sum += (2 * inter + eps) / (pred + target + eps);
    inter_all += inter;
    union_all += pred + target;
  }
  return per_image ? sum / static_cast<double>(batch) : (2 * inter_all + eps) / (union_all + eps);
}

void TripletMetrics::add_batch(const Tensor& probs, const Tensor& truth) {
  for (std::size_t k = 0; k < triplets_.size(); ++k) {
    double m = batch_metric(probs, truth, triplets_[k], per_image_);
    means_[k] = (means_[k] * static_cast<double>(batches_) + m) / static_cast<double>(batches_ + 1);
  }
  ++batches_;
}

std::size_t TripletMetrics::best() const {
  std::size_t best = 0;
  for (std::size_t k = 1; k < means_.size(); ++k)
    if (means_[k] > means_[best]) best = k;
  return best;
}

}  // namespace pn::train
