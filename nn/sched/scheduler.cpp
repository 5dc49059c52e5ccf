#include "nn/sched/scheduler.h"

namespace pn::nn::sched {

Scheduler::Scheduler(optim::Optimizer& optimizer, std::string name)
    : optimizer_(optimizer), name_(std::move(name)) {
  last_lr_ = group_lrs();
}

std::vector<double> Scheduler::group_lrs() const {
  std::vector<double> lrs(optimizer_.num_groups());
  for (size_t g = 0; g < lrs.size(); ++g) lrs[g] = optimizer_.lr(g);
  return lrs;
}

void Scheduler::set_lrs(const std::vector<double>& lrs) {
  PN_CHECK(lrs.size() == optimizer_.num_groups(), name_, ": ", lrs.size(), " learning rates for ",
           optimizer_.num_groups(), " parameter groups");
  for (size_t g = 0; g < lrs.size(); ++g) optimizer_.set_lr(g, lrs[g]);
  last_lr_ = group_lrs();
}

void Scheduler::put_list(optim::StateWriter& w, const std::string& key, const std::vector<double>& v) {
  for (size_t g = 0; g < v.size(); ++g) w.put(key + "." + std::to_string(g), v[g]);
}

std::vector<double> Scheduler::get_list(optim::StateReader& r, const std::string& key) const {
  std::vector<double> v(num_groups());
  for (size_t g = 0; g < v.size(); ++g) v[g] = r.get<double>(key + "." + std::to_string(g));
  return v;
}

StateDict Scheduler::state_dict(const std::string& prefix) const {
  StateDict out;
  optim::StateWriter w(out, prefix);
  w.put("last_epoch", last_epoch_);
  put_list(w, "last_lr", last_lr_);
  save_fields(w);
  return out;
}

void Scheduler::load_all(const StateDict& state, const std::string& prefix) {
  optim::StateReader r(state, prefix, name_ + ".load_state_dict");
  last_epoch_ = r.get<int64_t>("last_epoch");
  last_lr_ = get_list(r, "last_lr");
  load_fields(r);
  r.finish();
}

void Scheduler::load_state_dict(const StateDict& state, const std::string& prefix) {
  // Loading assigns field by field; on a mismatch put everything back, so a
  // failed load leaves the scheduler as it was.
  StateDict backup = state_dict(prefix);
  try {
    load_all(state, prefix);
  } catch (...) {
    load_all(backup, prefix);
    throw;
  }
}

LRScheduler::LRScheduler(optim::Optimizer& optimizer, std::string name)
    : Scheduler(optimizer, std::move(name)) {
  base_lrs_ = group_lrs();
  last_epoch_ = -1;
}

void LRScheduler::initial_step() {
  step_count_ = 0;
  step();
}

void LRScheduler::step() {
  ++step_count_;
  ++last_epoch_;
  set_lrs(compute_lr());
}

void LRScheduler::save_fields(optim::StateWriter& w) const {
  put_list(w, "base_lrs", base_lrs_);
  w.put("step_count", step_count_);
}

void LRScheduler::load_fields(optim::StateReader& r) {
  base_lrs_ = get_list(r, "base_lrs");
  step_count_ = r.get<int64_t>("step_count");
}

}  // namespace pn::nn::sched
