#include "nn/sched/cosine_warm_restarts.h"

#include <cmath>
#include <numbers>

namespace pn::nn::sched {

namespace {
void check_args(const std::string& who, int64_t T_0, int64_t T_mult, double eta_min) {
  PN_CHECK(T_0 >= 1, who, ": T_0 must be a positive integer, got ", T_0);
  PN_CHECK(T_mult >= 1, who, ": T_mult must be an integer >= 1, got ", T_mult);
  PN_CHECK(std::isfinite(eta_min) && eta_min >= 0.0, who, ": eta_min must be >= 0, got ", eta_min);
}

int64_t ipow(int64_t base, int64_t exp) {
  int64_t r = 1;
  for (int64_t i = 0; i < exp; ++i) r *= base;
  return r;
}
}  // namespace

CosineAnnealingWarmRestarts::CosineAnnealingWarmRestarts(optim::Optimizer& optimizer, int64_t T_0,
                                                         int64_t T_mult, double eta_min)
    : LRScheduler(optimizer, "CosineAnnealingWarmRestarts"),
      T_0_(T_0),
      T_mult_(T_mult),
      eta_min_(eta_min),
      T_i_(T_0),
      T_cur_(-1.0) {
  check_args(name(), T_0, T_mult, eta_min);
  initial_step();
}

void CosineAnnealingWarmRestarts::step() {
  // PyTorch's first step (from the constructor) is step(0).
  if (last_epoch_ < 0) {
    step(0.0);
    return;
  }
  const int64_t epoch = last_epoch_ + 1;
  T_cur_ = T_cur_ + 1;
  if (T_cur_ >= static_cast<double>(T_i_)) {
    T_cur_ = T_cur_ - static_cast<double>(T_i_);
    T_i_ = T_i_ * T_mult_;
  }
  last_epoch_ = epoch;
  set_lrs(compute_lr());
}

void CosineAnnealingWarmRestarts::step(double epoch) {
  PN_CHECK(std::isfinite(epoch) && epoch >= 0.0, name(), ": expected a non-negative epoch, got ", epoch);
  const double T0 = static_cast<double>(T_0_);
  if (epoch >= T0) {
    if (T_mult_ == 1) {
      T_cur_ = std::fmod(epoch, T0);
    } else {
      // Python's math.log(x, base) is log(x) / log(base).
      const double m = static_cast<double>(T_mult_);
      const auto n = static_cast<int64_t>(std::log(epoch / T0 * (m - 1) + 1) / std::log(m));
      T_cur_ = epoch - static_cast<double>(T_0_ * (ipow(T_mult_, n) - 1)) / static_cast<double>(T_mult_ - 1);
      T_i_ = T_0_ * ipow(T_mult_, n);
    }
  } else {
    T_i_ = T_0_;
    T_cur_ = epoch;
  }
  last_epoch_ = static_cast<int64_t>(std::floor(epoch));
  set_lrs(compute_lr());
}

std::vector<double> CosineAnnealingWarmRestarts::compute_lr() const {
  constexpr double pi = std::numbers::pi;
  std::vector<double> lrs(base_lrs_.size());
  for (size_t g = 0; g < lrs.size(); ++g) {
    lrs[g] = eta_min_ +
             (base_lrs_[g] - eta_min_) * (1 + std::cos(pi * T_cur_ / static_cast<double>(T_i_))) / 2;
  }
  return lrs;
}

void CosineAnnealingWarmRestarts::save_fields(optim::StateWriter& w) const {
  LRScheduler::save_fields(w);
  w.put("T_0", T_0_);
  w.put("T_mult", T_mult_);
  w.put("T_i", T_i_);
  w.put("T_cur", T_cur_);
  w.put("eta_min", eta_min_);
}

void CosineAnnealingWarmRestarts::load_fields(optim::StateReader& r) {
  LRScheduler::load_fields(r);
  T_0_ = r.get<int64_t>("T_0");
  T_mult_ = r.get<int64_t>("T_mult");
  T_i_ = r.get<int64_t>("T_i");
  T_cur_ = r.get<double>("T_cur");
  eta_min_ = r.get<double>("eta_min");
  check_args(r.owner(), T_0_, T_mult_, eta_min_);
  PN_CHECK(T_i_ >= 1, r.owner(), ": T_i must be >= 1, got ", T_i_);
}

}  // namespace pn::nn::sched
