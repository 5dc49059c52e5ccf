#pragma once
// Optimizer: parameter groups, per-parameter state, zero_grad() / step() and
// checkpointing, with the semantics of PyTorch's torch.optim.Optimizer.
//
//   Adam adam({{encoder_params, {.lr = 1e-5}}, {decoder_params, {.lr = 1e-4}}});
//   loss.backward();
//   adam.step();          // updates every parameter that has a gradient
//   adam.zero_grad();
//
// Parameter groups. Each group is a list of parameter tensors with its own
// hyperparameters (its Options, lr among them); schedulers change the lr of
// each group through lr()/set_lr(). Parameters are numbered over all groups
// in order (group 0 first), as PyTorch numbers them in its state_dict.
//
// Which parameters step() updates. A parameter whose requires_grad() is false
// or whose grad() is undefined is skipped entirely: no update, no weight
// decay, no state. That is how a frozen encoder stays untouched while the
// decoder trains, and why zero_grad(GradReset::Undefine) differs from
// zero_grad(GradReset::Zero) for Adam: a zero gradient still moves a
// parameter through its momentum and weight decay. State (step count and
// buffers) is created lazily at a parameter's first update.
//
// Checkpoints. state_dict() names every entry under a prefix ("optimizer" by
// default), with scalars as 0-d tensors (nn/state_dict.h):
//   optimizer.param_groups.<g>.num_params         int64
//   optimizer.param_groups.<g>.<hyperparameter>   lr, beta1, momentum, ... (float64;
//                                                 flags such as amsgrad int64 0/1)
//   optimizer.state.<i>.step                      int64, for parameters updated at least once
//   optimizer.state.<i>.<buffer>                  exp_avg, momentum_buffer, ...
// The buffer tensors in it alias the optimizer's live state (as PyTorch's
// state_dict does): write them out before the next step(). load_state_dict()
// copies; it replaces every group's hyperparameters and every parameter's
// state (as PyTorch's load_state_dict does), so a resumed run continues bit
// for bit. It checks the whole dict before changing anything and throws
// pn::Error naming the optimizer and the entry when the dict does not match:
// a different number of groups or of parameters in a group, a missing or
// unexpected entry, a buffer whose shape differs from its parameter's, or an
// invalid hyperparameter.
#include <cstdint>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "nn/optim/state_io.h"
#include "nn/state_dict.h"
#include "tensor/tensor.h"

namespace pn::nn::optim {

// What zero_grad() does to a gradient: fill it with zeros in place (PyTorch
// 1.x's default, and what the reference training used) or drop it.
enum class GradReset { Zero, Undefine };

// The optimizer's state for one parameter.
struct ParamState {
  int64_t step = 0;  // updates applied to this parameter; 0: none yet, no buffers
  std::map<std::string, Tensor> buffers;  // same shape, dtype and device as the parameter

  // The buffer `name`, or an undefined tensor when there is none.
  Tensor buffer(const std::string& name) const {
    auto it = buffers.find(name);
    return it == buffers.end() ? Tensor() : it->second;
  }
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // "Adam", "AdamW", "SGD": used in every error message.
  const std::string& name() const { return name_; }

  size_t num_groups() const { return groups_.size(); }
  // The parameters of group g (g < num_groups()).
  const std::vector<Tensor>& params(size_t group) const;
  // All parameters, numbered over the groups in order.
  size_t num_params() const { return state_.size(); }

  // The learning rate of a group. set_lr requires lr >= 0 (and finite).
  virtual double lr(size_t group) const = 0;
  virtual void set_lr(size_t group, double lr) = 0;

  // Resets the gradient of every parameter of every group that has one.
  void zero_grad(GradReset how = GradReset::Zero);

  // One update of every parameter that requires grad and has a gradient
  // (whose dtype and device must be the parameter's). Runs without recording
  // autograd history. Throws pn::Error "not yet on cuda" for parameters that
  // are not on the CPU (nn/optim/update_kernels.h).
  void step();

  // The state of parameter `index` (numbered over all groups).
  const ParamState& state(size_t index) const;

  StateDict state_dict(const std::string& prefix = "optimizer") const;
  void load_state_dict(const StateDict& state, const std::string& prefix = "optimizer");

 protected:
  explicit Optimizer(std::string name) : name_(std::move(name)) {}

  // Appends a group of parameters. Requires each parameter defined, of a
  // floating dtype, a leaf, and in no group yet; the list non-empty.
  void add_group_params(std::vector<Tensor> params);

  // One update of `param` (which has a gradient) of group `group`.
  virtual void update(size_t group, const Tensor& param, ParamState& state) = 0;

  // The names of the buffers a parameter of group `group` has after its
  // first update, under the hyperparameters that load_state_dict is loading
  // (staged by stage_options, not yet committed).
  virtual std::vector<std::string> staged_buffer_names(size_t group) const = 0;

  // Hyperparameters of the groups, for state_dict / load_state_dict.
  // save_options writes group g's under `w` with keys "<g_prefix>.<name>".
  virtual void save_options(size_t group, StateWriter& w, const std::string& g_prefix) const = 0;
  // stage_options reads and validates all groups' hyperparameters into a
  // staging area; commit_options makes them current. Nothing changes when
  // stage_options throws.
  virtual void stage_options(StateReader& r, const std::string& groups_prefix) = 0;
  virtual void commit_options() = 0;

 private:
  std::string name_;
  std::vector<std::vector<Tensor>> groups_;
  std::vector<ParamState> state_;  // one per parameter, numbered over the groups
};

// A group's parameters with its hyperparameters.
template <class Options>
struct ParamGroup {
  std::vector<Tensor> params;
  Options options{};
};

// The parts of an optimizer that depend on its Options type. Options must
// have a `double lr`, `void validate(const std::string& optimizer) const`
// that throws pn::Error for invalid values, and `template <class F> void
// visit(F&& f)` that calls f(name, field) for every hyperparameter (double
// or bool fields), lr included. The derived optimizer implements update()
// and buffer_names().
template <class Options>
class OptimizerWith : public Optimizer {
 public:
  double lr(size_t group) const override { return options(group).lr; }
  void set_lr(size_t group, double lr) override {
    Options o = options(group);
    o.lr = lr;
    o.validate(name());
    options_[group] = o;
  }
  const Options& options(size_t group) const {
    PN_CHECK(group < options_.size(), name(), ": no parameter group ", group, " (there are ",
             options_.size(), ")");
    return options_[group];
  }
  // Adds a group, as PyTorch's add_param_group.
  void add_param_group(ParamGroup<Options> group) {
    group.options.validate(name());
    add_group_params(std::move(group.params));
    options_.push_back(group.options);
  }

 protected:
  explicit OptimizerWith(std::string name) : Optimizer(std::move(name)) {}

  void save_options(size_t group, StateWriter& w, const std::string& g_prefix) const override {
    Options o = options_[group];
    o.visit([&](const char* key, auto& v) { w.put(g_prefix + "." + key, v); });
  }
  void stage_options(StateReader& r, const std::string& groups_prefix) override {
    std::vector<Options> staged(options_.size());
    for (size_t g = 0; g < staged.size(); ++g) {
      staged[g].visit([&](const char* key, auto& v) {
        v = r.template get<std::decay_t<decltype(v)>>(groups_prefix + "." + std::to_string(g) + "." + key);
      });
      staged[g].validate(r.owner() + ": param_groups." + std::to_string(g));
    }
    staged_ = std::move(staged);
  }
  void commit_options() override { options_ = std::move(staged_); }
  std::vector<std::string> staged_buffer_names(size_t group) const override {
    return buffer_names(staged_[group]);
  }

  // The buffers a parameter has after its first update under options `o`.
  virtual std::vector<std::string> buffer_names(const Options& o) const = 0;

 private:
  std::vector<Options> options_;
  std::vector<Options> staged_;
};

}  // namespace pn::nn::optim
