#pragma once
// Learning-rate schedulers: the common base of all of them, and LRScheduler,
// the base of the epoch-driven ones (PyTorch's _LRScheduler).
//
// A scheduler changes the lr of every parameter group of one optimizer,
// which must outlive it. The reference training calls the scheduler once per
// epoch, after validation: ReduceLROnPlateau with the validation score, the
// others without; epoch_end(score) does exactly that for any scheduler.
//
// State. state_dict() names its entries under a prefix ("scheduler" by
// default), scalars as 0-d tensors:
//   scheduler.last_epoch, scheduler.last_lr.<g>, and each scheduler's
//   hyperparameters and counters (listed in its header).
// As in PyTorch, load_state_dict() restores hyperparameters as well as
// counters, and does not touch the optimizer (whose own state holds the
// current lrs). It throws pn::Error naming the scheduler and the entry when
// the dict does not match (missing or unexpected entries, another number of
// groups, invalid values), and then leaves the scheduler unchanged.
#include <cstdint>
#include <string>
#include <vector>

#include "nn/optim/optimizer.h"
#include "nn/optim/state_io.h"
#include "nn/state_dict.h"

namespace pn::nn::sched {

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // "CosineAnnealingLR", ...: used in every error message.
  const std::string& name() const { return name_; }
  // The lr of each group as this scheduler last set or saw it (PyTorch's
  // get_last_lr()).
  const std::vector<double>& last_lr() const { return last_lr_; }
  // The epoch counter: the number of steps taken (-1 before the first step
  // of an LRScheduler, whose constructor takes step 0).
  int64_t last_epoch() const { return last_epoch_; }

  // One epoch ended with validation score `metric`: ReduceLROnPlateau steps
  // with it, every other scheduler ignores it and steps.
  virtual void epoch_end(double metric) = 0;

  StateDict state_dict(const std::string& prefix = "scheduler") const;
  void load_state_dict(const StateDict& state, const std::string& prefix = "scheduler");

 protected:
  Scheduler(optim::Optimizer& optimizer, std::string name);

  // Sets every group's lr (lrs.size() == num_groups) and last_lr.
  void set_lrs(const std::vector<double>& lrs);
  // The optimizer's current lr of every group.
  std::vector<double> group_lrs() const;

  // The derived scheduler's own entries (hyperparameters and counters).
  virtual void save_fields(optim::StateWriter& w) const = 0;
  // Reads them into the scheduler (called by load_state_dict, which restores
  // the previous state if anything throws).
  virtual void load_fields(optim::StateReader& r) = 0;
  size_t num_groups() const { return optimizer_.num_groups(); }

  // Per-group values under "<key>.<g>".
  static void put_list(optim::StateWriter& w, const std::string& key, const std::vector<double>& v);
  std::vector<double> get_list(optim::StateReader& r, const std::string& key) const;

  optim::Optimizer& optimizer_;
  int64_t last_epoch_ = 0;
  std::vector<double> last_lr_;

 private:
  void load_all(const StateDict& state, const std::string& prefix);
  std::string name_;
};

// PyTorch's _LRScheduler: base_lrs are the groups' lrs when the scheduler is
// made (PyTorch's initial_lr; the same unless a second scheduler is attached
// to one optimizer), and the constructor takes step 0, which for every
// scheduler here leaves the lrs as they are.
class LRScheduler : public Scheduler {
 public:
  // last_epoch += 1, then every group's lr = compute_lr() (the recursive,
  // "chainable" form, which reads the groups' current lrs).
  virtual void step();
  void epoch_end(double) override { step(); }
  const std::vector<double>& base_lrs() const { return base_lrs_; }

 protected:
  LRScheduler(optim::Optimizer& optimizer, std::string name);
  // Step 0; derived constructors call it once their members are set (PyTorch
  // does it in the base constructor, where C++ cannot dispatch to them).
  void initial_step();
  // PyTorch's get_lr(): the new lr of every group for last_epoch_.
  virtual std::vector<double> compute_lr() const = 0;

  // Saves base_lrs and step_count; derived schedulers add theirs.
  void save_fields(optim::StateWriter& w) const override;
  void load_fields(optim::StateReader& r) override;

  std::vector<double> base_lrs_;
  int64_t step_count_ = 0;  // steps taken, the constructor's included (PyTorch's _step_count)
};

}  // namespace pn::nn::sched
