#pragma once
// CosineAnnealingWarmRestarts (SGDR) with PyTorch 1.13's rules:
//
//   lr = eta_min + (base_lr - eta_min) (1 + cos(pi T_cur / T_i)) / 2
//
// where T_cur counts epochs since the last restart and T_i is the length of
// the current cycle: T_0 first, then T_0 T_mult, T_0 T_mult^2, ...
//
// step() advances one epoch: T_cur += 1, and at T_cur >= T_i a restart
// (T_cur -= T_i, T_i *= T_mult). step(epoch) jumps to a fractional epoch, as
// PyTorch allows for per-batch updates, e.g. step(epoch + batch / batches):
// T_cur and T_i are computed from the epoch in closed form (for T_mult > 1
// through n = int(log(epoch / T_0 (T_mult - 1) + 1) / log(T_mult)), exactly
// PyTorch's expression), and last_epoch = floor(epoch).
//
// State entries (besides the common ones): base_lrs.<g>, step_count, T_0,
// T_mult, T_i (int64), T_cur, eta_min.
#include "nn/sched/scheduler.h"

namespace pn::nn::sched {

class CosineAnnealingWarmRestarts : public LRScheduler {
 public:
  // Requires T_0 >= 1, T_mult >= 1, eta_min >= 0 (finite). Takes step 0.
  CosineAnnealingWarmRestarts(optim::Optimizer& optimizer, int64_t T_0, int64_t T_mult = 1,
                              double eta_min = 0.0);

  void step() override;
  // Requires epoch >= 0 (finite).
  void step(double epoch);

  int64_t T_i() const { return T_i_; }
  double T_cur() const { return T_cur_; }

 protected:
  std::vector<double> compute_lr() const override;
  void save_fields(optim::StateWriter& w) const override;
  void load_fields(optim::StateReader& r) override;

 private:
  int64_t T_0_, T_mult_;
  double eta_min_;
  int64_t T_i_;
  double T_cur_;
};

}  // namespace pn::nn::sched
