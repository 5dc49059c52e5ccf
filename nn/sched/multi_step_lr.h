#pragma once
// MultiStepLR with PyTorch 1.13's recursive rule: at a step whose last_epoch
// is a milestone, each group's current lr is multiplied by gamma^k, k the
// number of times that epoch is listed (milestones form a multiset, as
// PyTorch's Counter); other steps leave it.
// State entries (besides the common ones): base_lrs.<g>, step_count,
// milestones (1-D int64, sorted), gamma.
#include <vector>

#include "nn/sched/scheduler.h"

namespace pn::nn::sched {

class MultiStepLR : public LRScheduler {
 public:
  // Requires every milestone >= 0 and gamma >= 0 (finite). Takes step 0.
  MultiStepLR(optim::Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = 0.1);

 protected:
  std::vector<double> compute_lr() const override;
  void save_fields(optim::StateWriter& w) const override;
  void load_fields(optim::StateReader& r) override;

 private:
  std::vector<int64_t> milestones_;  // sorted, repeats kept
  double gamma_;
};

}  // namespace pn::nn::sched
