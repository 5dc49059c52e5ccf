#include "nn/sched/step_lr.h"

#include <cmath>

namespace pn::nn::sched {

namespace {
void check_args(const std::string& who, int64_t step_size, double gamma) {
  PN_CHECK(step_size >= 1, who, ": step_size must be >= 1, got ", step_size);
  PN_CHECK(std::isfinite(gamma) && gamma >= 0.0, who, ": gamma must be >= 0, got ", gamma);
}
}  // namespace

StepLR::StepLR(optim::Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler(optimizer, "StepLR"), step_size_(step_size), gamma_(gamma) {
  check_args(name(), step_size, gamma);
  initial_step();
}

std::vector<double> StepLR::compute_lr() const {
  std::vector<double> lrs = group_lrs();
  if (last_epoch_ == 0 || last_epoch_ % step_size_ != 0) return lrs;
  for (double& lr : lrs) lr = lr * gamma_;
  return lrs;
}

void StepLR::save_fields(optim::StateWriter& w) const {
  LRScheduler::save_fields(w);
  w.put("step_size", step_size_);
  w.put("gamma", gamma_);
}

void StepLR::load_fields(optim::StateReader& r) {
  LRScheduler::load_fields(r);
  step_size_ = r.get<int64_t>("step_size");
  gamma_ = r.get<double>("gamma");
  check_args(r.owner(), step_size_, gamma_);
}

}  // namespace pn::nn::sched
