#include "nn/optim/optimizer.h"

#include <algorithm>

#include "autograd/grad_mode.h"

namespace pn::nn::optim {

const std::vector<Tensor>& Optimizer::params(size_t group) const {
  PN_CHECK(group < groups_.size(), name_, ": no parameter group ", group, " (there are ",
           groups_.size(), ")");
  return groups_[group];
}

const ParamState& Optimizer::state(size_t index) const {
  PN_CHECK(index < state_.size(), name_, ": no parameter ", index, " (there are ", state_.size(), ")");
  return state_[index];
}

void Optimizer::add_group_params(std::vector<Tensor> params) {
  const size_t g = groups_.size();
  PN_CHECK(!params.empty(), name_, ": parameter group ", g, " has no parameters");
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor& p = params[i];
    PN_CHECK(p.defined(), name_, ": parameter ", i, " of group ", g, " is undefined");
    PN_CHECK(is_floating(p.dtype()), name_, ": parameter ", i, " of group ", g, " is ", p.dtype(),
             "; only float32 and float64 parameters can be optimized");
    PN_CHECK(p.is_leaf(), name_, ": parameter ", i, " of group ", g, " (shape ", p.shape(),
             ") is not a leaf; only leaves can be optimized");
    auto clash = [&](const Tensor& q) { return q.is_same(p); };
    bool seen = false;
    for (const auto& group : groups_) seen = seen || std::any_of(group.begin(), group.end(), clash);
    seen = seen || std::any_of(params.begin(), params.begin() + static_cast<std::ptrdiff_t>(i), clash);
    PN_CHECK(!seen, name_, ": parameter ", i, " of group ", g, " (shape ", p.shape(),
             ") appears more than once in the parameter groups");
  }
  state_.resize(state_.size() + params.size());
  groups_.push_back(std::move(params));
}

void Optimizer::zero_grad(GradReset how) {
  for (const auto& group : groups_) {
    for (const Tensor& p : group) {
      Tensor g = p.grad();
      if (!g.defined()) continue;
      if (how == GradReset::Undefine) {
        p.set_grad(Tensor());
      } else {
        g.zero_();
      }
    }
  }
}

void Optimizer::step() {
  NoGradGuard no_grad;
  size_t index = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    for (const Tensor& p : groups_[g]) {
      ParamState& st = state_[index++];
      if (!p.requires_grad()) continue;
      Tensor grad = p.grad();
      if (!grad.defined()) continue;
      PN_CHECK(grad.dtype() == p.dtype() && grad.device() == p.device(), name_, ": parameter ",
               index - 1, " is ", p.dtype(), " on ", p.device(), " but its gradient is ",
               grad.dtype(), " on ", grad.device());
      update(g, p, st);
    }
  }
}

StateDict Optimizer::state_dict(const std::string& prefix) const {
  StateDict out;
  StateWriter w(out, prefix);
  for (size_t g = 0; g < groups_.size(); ++g) {
    const std::string gp = "param_groups." + std::to_string(g);
    w.put(gp + ".num_params", static_cast<int64_t>(groups_[g].size()));
    save_options(g, w, gp);
  }
  for (size_t i = 0; i < state_.size(); ++i) {
    if (state_[i].step == 0) continue;
    const std::string sp = "state." + std::to_string(i);
    w.put(sp + ".step", state_[i].step);
    for (const auto& [buffer, t] : state_[i].buffers) w.put(sp + "." + buffer, t);
  }
  return out;
}

void Optimizer::load_state_dict(const StateDict& state, const std::string& prefix) {
  StateReader r(state, prefix, name_ + ".load_state_dict");
  for (size_t g = 0; g < groups_.size(); ++g) {
    const std::string key = "param_groups." + std::to_string(g) + ".num_params";
    const int64_t n = r.get<int64_t>(key);
    PN_CHECK(n == static_cast<int64_t>(groups_[g].size()), r.owner(), ": group ", g, " of the state has ",
             n, " parameters, this optimizer's has ", groups_[g].size());
  }
  stage_options(r, "param_groups");

  // Read every parameter's state into fresh tensors before changing anything.
  std::vector<ParamState> loaded(state_.size());
  size_t index = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const std::vector<std::string> names = staged_buffer_names(g);
    for (const Tensor& p : groups_[g]) {
      ParamState& st = loaded[index];
      const std::string sp = "state." + std::to_string(index++);
      if (!r.has(sp + ".step")) continue;  // never updated when saved
      st.step = r.get<int64_t>(sp + ".step");
      PN_CHECK(st.step >= 0, r.owner(), ": entry '", r.full(sp + ".step"), "' is negative: ", st.step);
      if (st.step == 0) continue;
      for (const std::string& buffer : names) {
        const Tensor& t = r.tensor(sp + "." + buffer);
        PN_CHECK(t.shape() == p.shape(), r.owner(), ": entry '", r.full(sp + "." + buffer),
                 "' has shape ", t.shape(), ", its parameter ", p.shape());
        PN_CHECK(is_floating(t.dtype()), r.owner(), ": entry '", r.full(sp + "." + buffer),
                 "' is ", t.dtype(), ", not a floating-point tensor");
        // A copy in the parameter's dtype and on its device (as PyTorch casts
        // state to the parameter): the loaded dict stays untouched by steps.
        st.buffers[buffer] = empty(p.shape(), p.dtype(), p.device()).copy_(t);
      }
    }
  }
  r.finish();
  commit_options();
  state_ = std::move(loaded);
}

}  // namespace pn::nn::optim
