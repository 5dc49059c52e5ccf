#include "nn/sched/reduce_on_plateau.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pn::nn::sched {

namespace {
double worst(PlateauMode mode) {
  const double inf = std::numeric_limits<double>::infinity();
  return mode == PlateauMode::Min ? inf : -inf;
}
}  // namespace

ReduceLROnPlateau::ReduceLROnPlateau(optim::Optimizer& optimizer, const PlateauOptions& o)
    : Scheduler(optimizer, "ReduceLROnPlateau"),
      mode_(o.mode),
      factor_(o.factor),
      patience_(o.patience),
      threshold_(o.threshold),
      threshold_mode_(o.threshold_mode),
      cooldown_(o.cooldown),
      eps_(o.eps),
      best_(worst(o.mode)) {
  PN_CHECK(o.min_lr.size() == 1 || o.min_lr.size() == num_groups(), name(), ": expected 1 or ",
           num_groups(), " min_lr values, got ", o.min_lr.size());
  min_lrs_ = o.min_lr.size() == 1 ? std::vector<double>(num_groups(), o.min_lr[0]) : o.min_lr;
  check(name());
}

void ReduceLROnPlateau::check(const std::string& who) const {
  PN_CHECK(std::isfinite(factor_) && factor_ >= 0.0 && factor_ < 1.0, who,
           ": factor must be in [0, 1), got ", factor_);
  PN_CHECK(patience_ >= 0, who, ": patience must be >= 0, got ", patience_);
  PN_CHECK(cooldown_ >= 0, who, ": cooldown must be >= 0, got ", cooldown_);
  PN_CHECK(std::isfinite(threshold_) && threshold_ >= 0.0, who, ": threshold must be >= 0, got ",
           threshold_);
  PN_CHECK(std::isfinite(eps_) && eps_ >= 0.0, who, ": eps must be >= 0, got ", eps_);
  for (double m : min_lrs_) {
    PN_CHECK(std::isfinite(m) && m >= 0.0, who, ": min_lr must be >= 0, got ", m);
  }
}

bool ReduceLROnPlateau::is_better(double a) const {
  if (mode_ == PlateauMode::Min) {
    return threshold_mode_ == ThresholdMode::Rel ? a < best_ * (1.0 - threshold_)
                                                 : a < best_ - threshold_;
  }
  return threshold_mode_ == ThresholdMode::Rel ? a > best_ * (threshold_ + 1.0) : a > best_ + threshold_;
}

void ReduceLROnPlateau::step(double metric) {
  last_epoch_ += 1;
  if (is_better(metric)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    num_bad_epochs_ += 1;
  }
  if (cooldown_counter_ > 0) {
    cooldown_counter_ -= 1;
    num_bad_epochs_ = 0;  // bad epochs in cooldown do not count
  }
  if (num_bad_epochs_ > patience_) {
    for (size_t g = 0; g < num_groups(); ++g) {
      const double old_lr = optimizer_.lr(g);
      const double new_lr = std::max(old_lr * factor_, min_lrs_[g]);
      if (old_lr - new_lr > eps_) optimizer_.set_lr(g, new_lr);
    }
    cooldown_counter_ = cooldown_;
    num_bad_epochs_ = 0;
  }
  last_lr_ = group_lrs();
}

void ReduceLROnPlateau::save_fields(optim::StateWriter& w) const {
  w.put("mode", int64_t{mode_ == PlateauMode::Max ? 1 : 0});
  w.put("factor", factor_);
  w.put("patience", patience_);
  w.put("threshold", threshold_);
  w.put("threshold_mode", int64_t{threshold_mode_ == ThresholdMode::Abs ? 1 : 0});
  w.put("cooldown", cooldown_);
  put_list(w, "min_lrs", min_lrs_);
  w.put("eps", eps_);
  w.put("best", best_);
  w.put("num_bad_epochs", num_bad_epochs_);
  w.put("cooldown_counter", cooldown_counter_);
}

void ReduceLROnPlateau::load_fields(optim::StateReader& r) {
  const int64_t mode = r.get<int64_t>("mode"), threshold_mode = r.get<int64_t>("threshold_mode");
  PN_CHECK(mode == 0 || mode == 1, r.owner(), ": mode must be 0 (min) or 1 (max), got ", mode);
  PN_CHECK(threshold_mode == 0 || threshold_mode == 1, r.owner(),
           ": threshold_mode must be 0 (rel) or 1 (abs), got ", threshold_mode);
  mode_ = mode == 1 ? PlateauMode::Max : PlateauMode::Min;
  threshold_mode_ = threshold_mode == 1 ? ThresholdMode::Abs : ThresholdMode::Rel;
  factor_ = r.get<double>("factor");
  patience_ = r.get<int64_t>("patience");
  threshold_ = r.get<double>("threshold");
  cooldown_ = r.get<int64_t>("cooldown");
  min_lrs_ = get_list(r, "min_lrs");
  eps_ = r.get<double>("eps");
  best_ = r.get<double>("best");
  num_bad_epochs_ = r.get<int64_t>("num_bad_epochs");
  cooldown_counter_ = r.get<int64_t>("cooldown_counter");
  check(r.owner());
  PN_CHECK(num_bad_epochs_ >= 0 && cooldown_counter_ >= 0, r.owner(),
           ": num_bad_epochs and cooldown_counter must be >= 0, got ", num_bad_epochs_, " and ",
           cooldown_counter_);
}

}  // namespace pn::nn::sched
