#include "nn/sched/cosine_annealing.h"

#include <cmath>
#include <numbers>

namespace pn::nn::sched {

namespace {
void check_args(const std::string& who, int64_t T_max, double eta_min) {
  PN_CHECK(T_max >= 1, who, ": T_max must be >= 1, got ", T_max);
  PN_CHECK(std::isfinite(eta_min) && eta_min >= 0.0, who, ": eta_min must be >= 0, got ", eta_min);
}
}  // namespace

CosineAnnealingLR::CosineAnnealingLR(optim::Optimizer& optimizer, int64_t T_max, double eta_min)
    : LRScheduler(optimizer, "CosineAnnealingLR"), T_max_(T_max), eta_min_(eta_min) {
  check_args(name(), T_max, eta_min);
  initial_step();
}

std::vector<double> CosineAnnealingLR::compute_lr() const {
  // Written in the order of PyTorch's Python expressions, so that the
  // doubles round the same way.
  constexpr double pi = std::numbers::pi;
  const int64_t e = last_epoch_;
  const double T = static_cast<double>(T_max_);
  std::vector<double> lrs = group_lrs();
  if (e == 0) return lrs;
  for (size_t g = 0; g < lrs.size(); ++g) {
    const double base = base_lrs_[g];
    // (PyTorch has one more branch, the closed form, for the first step of
    // a scheduler constructed with last_epoch > 0; ours never are: a run
    // resumes through load_state_dict.)
    // The remainder is zero exactly when Python's is, whatever the sign.
    if ((e - 1 - T_max_) % (2 * T_max_) == 0) {
      lrs[g] = lrs[g] + (base - eta_min_) * (1 - std::cos(pi / T)) / 2;
    } else {
      lrs[g] = (1 + std::cos(pi * static_cast<double>(e) / T)) /
                   (1 + std::cos(pi * static_cast<double>(e - 1) / T)) * (lrs[g] - eta_min_) +
               eta_min_;
    }
  }
  return lrs;
}

void CosineAnnealingLR::save_fields(optim::StateWriter& w) const {
  LRScheduler::save_fields(w);
  w.put("T_max", T_max_);
  w.put("eta_min", eta_min_);
}

void CosineAnnealingLR::load_fields(optim::StateReader& r) {
  LRScheduler::load_fields(r);
  T_max_ = r.get<int64_t>("T_max");
  eta_min_ = r.get<double>("eta_min");
  check_args(r.owner(), T_max_, eta_min_);
}

}  // namespace pn::nn::sched
