#pragma once
// CosineAnnealingLR with PyTorch 1.13's update rule. Step e (the e-th call of
// step() after construction) sets each group's lr from its current lr:
//
//   e == 0:                            lr unchanged
//   (e - 1 - T_max) % (2 T_max) == 0:  lr + (base_lr - eta_min) (1 - cos(pi / T_max)) / 2
//   otherwise:                         (1 + cos(pi e / T_max)) / (1 + cos(pi (e-1) / T_max))
//                                      * (lr - eta_min) + eta_min
//
// This recursive form follows the closed form
//   eta_min + (base_lr - eta_min) (1 + cos(pi e / T_max)) / 2
// while nothing else touches the lr, to rounding (its values drift from it
// by ~1e-15 after T_max, and PyTorch's are the recursive ones); when
// something else changes a group's lr (ReduceLROnPlateau, a user, a loaded
// optimizer state) it carries that change on. Past T_max the lr rises back
// to base_lr over the next T_max steps, and so on (a period of 2 T_max).
//
// The reference configurations use T_max 8, eta_min 1e-7, one step per epoch.
// State entries (besides the common ones): base_lrs.<g>, step_count, T_max
// (int64), eta_min.
#include "nn/sched/scheduler.h"

namespace pn::nn::sched {

class CosineAnnealingLR : public LRScheduler {
 public:
  // Requires T_max >= 1, eta_min >= 0 (finite). Takes step 0.
  CosineAnnealingLR(optim::Optimizer& optimizer, int64_t T_max, double eta_min = 0.0);

  int64_t T_max() const { return T_max_; }
  double eta_min() const { return eta_min_; }

 protected:
  std::vector<double> compute_lr() const override;
  void save_fields(optim::StateWriter& w) const override;
  void load_fields(optim::StateReader& r) override;

 private:
  int64_t T_max_;
  double eta_min_;
};

}  // namespace pn::nn::sched
