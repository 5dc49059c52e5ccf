#include "nn/sched/multi_step_lr.h"

#include <algorithm>
#include <cmath>

namespace pn::nn::sched {

namespace {
void check_args(const std::string& who, const std::vector<int64_t>& milestones, double gamma) {
  for (int64_t m : milestones) PN_CHECK(m >= 0, who, ": milestones must be >= 0, got ", m);
  PN_CHECK(std::isfinite(gamma) && gamma >= 0.0, who, ": gamma must be >= 0, got ", gamma);
}
}  // namespace

MultiStepLR::MultiStepLR(optim::Optimizer& optimizer, std::vector<int64_t> milestones, double gamma)
    : LRScheduler(optimizer, "MultiStepLR"), milestones_(std::move(milestones)), gamma_(gamma) {
  check_args(name(), milestones_, gamma_);
  std::sort(milestones_.begin(), milestones_.end());
  initial_step();
}

std::vector<double> MultiStepLR::compute_lr() const {
  std::vector<double> lrs = group_lrs();
  const auto k = std::count(milestones_.begin(), milestones_.end(), last_epoch_);
  if (k == 0) return lrs;
  for (double& lr : lrs) lr = lr * std::pow(gamma_, static_cast<double>(k));
  return lrs;
}

void MultiStepLR::save_fields(optim::StateWriter& w) const {
  LRScheduler::save_fields(w);
  w.put("milestones", from_vector<int64_t>(milestones_, {static_cast<int64_t>(milestones_.size())}));
  w.put("gamma", gamma_);
}

void MultiStepLR::load_fields(optim::StateReader& r) {
  LRScheduler::load_fields(r);
  const Tensor& m = r.tensor("milestones");
  PN_CHECK(m.dim() == 1 && m.dtype() == DType::Int64, r.owner(), ": entry '", r.full("milestones"),
           "' must be a 1-D int64 tensor, got ", m.shape(), " ", m.dtype());
  milestones_ = m.to_vector<int64_t>();
  std::sort(milestones_.begin(), milestones_.end());
  gamma_ = r.get<double>("gamma");
  check_args(r.owner(), milestones_, gamma_);
}

}  // namespace pn::nn::sched
