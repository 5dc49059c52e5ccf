#pragma once
// StepLR with PyTorch 1.13's recursive rule: every step_size-th step
// (last_epoch % step_size == 0, last_epoch > 0) multiplies each group's
// current lr by gamma; other steps leave it.
// State entries (besides the common ones): base_lrs.<g>, step_count,
// step_size (int64), gamma.
#include "nn/sched/scheduler.h"

namespace pn::nn::sched {

class StepLR : public LRScheduler {
 public:
  // Requires step_size >= 1, gamma >= 0 (finite). Takes step 0.
  StepLR(optim::Optimizer& optimizer, int64_t step_size, double gamma = 0.1);

 protected:
  std::vector<double> compute_lr() const override;
  void save_fields(optim::StateWriter& w) const override;
  void load_fields(optim::StateReader& r) override;

 private:
  int64_t step_size_;
  double gamma_;
};

}  // namespace pn::nn::sched
