#pragma once
// ReduceLROnPlateau with PyTorch 1.13's rules. Each step(metric):
//
//   last_epoch += 1
//   if metric is better than best:  best = metric, num_bad_epochs = 0
//   else:                           num_bad_epochs += 1
//   if cooldown_counter > 0:        cooldown_counter -= 1, num_bad_epochs = 0
//   if num_bad_epochs > patience:   every group: new = max(lr * factor, min_lr[g]),
//                                   set only if lr - new > eps;
//                                   cooldown_counter = cooldown, num_bad_epochs = 0
//
// "Better" (best starts at +inf for Min, -inf for Max):
//   Min, Rel: metric < best * (1 - threshold)    Min, Abs: metric < best - threshold
//   Max, Rel: metric > best * (1 + threshold)    Max, Abs: metric > best + threshold
// A NaN metric is never better.
//
// The reference's part-0 configuration: mode Max (the validation Dice),
// factor 0.1, patience 2, threshold 1e-7 (Rel), min_lr 1e-7.
// State entries (besides the common ones): mode (int64: 0 min, 1 max), factor,
// patience, threshold, threshold_mode (int64: 0 rel, 1 abs), cooldown,
// min_lrs.<g>, eps, best, num_bad_epochs, cooldown_counter.
#include <vector>

#include "nn/sched/scheduler.h"

namespace pn::nn::sched {

enum class PlateauMode { Min, Max };
enum class ThresholdMode { Rel, Abs };

struct PlateauOptions {
  PlateauMode mode = PlateauMode::Min;
  double factor = 0.1;
  int64_t patience = 10;
  double threshold = 1e-4;
  ThresholdMode threshold_mode = ThresholdMode::Rel;
  int64_t cooldown = 0;
  // One value for every group, or one per group.
  std::vector<double> min_lr = {0.0};
  double eps = 1e-8;
};

class ReduceLROnPlateau : public Scheduler {
 public:
  // Requires 0 <= factor < 1, patience >= 0, cooldown >= 0, threshold >= 0,
  // eps >= 0, every min_lr >= 0 (all finite), and min_lr of size 1 or the
  // number of groups. Does not step (PyTorch's does not either).
  ReduceLROnPlateau(optim::Optimizer& optimizer, const PlateauOptions& options = {});

  void step(double metric);
  void epoch_end(double metric) override { step(metric); }

  double best() const { return best_; }
  int64_t num_bad_epochs() const { return num_bad_epochs_; }
  int64_t cooldown_counter() const { return cooldown_counter_; }

 protected:
  void save_fields(optim::StateWriter& w) const override;
  void load_fields(optim::StateReader& r) override;

 private:
  bool is_better(double a) const;
  void check(const std::string& who) const;

  PlateauMode mode_;
  double factor_;
  int64_t patience_;
  double threshold_;
  ThresholdMode threshold_mode_;
  int64_t cooldown_;
  std::vector<double> min_lrs_;  // one per group
  double eps_;
  double best_;
  int64_t num_bad_epochs_ = 0;
  int64_t cooldown_counter_ = 0;
};

}  // namespace pn::nn::sched
