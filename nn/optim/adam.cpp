#include "nn/optim/adam.h"

#include <cmath>

#include "nn/optim/update_kernels.h"

namespace pn::nn::optim {

void AdamOptions::validate(const std::string& optimizer) const {
  PN_CHECK(std::isfinite(lr) && lr >= 0.0, optimizer, ": invalid learning rate ", lr, " (must be >= 0)");
  PN_CHECK(std::isfinite(eps) && eps >= 0.0, optimizer, ": invalid eps ", eps, " (must be >= 0)");
  PN_CHECK(beta1 >= 0.0 && beta1 < 1.0, optimizer, ": invalid beta1 ", beta1, " (must be in [0, 1))");
  PN_CHECK(beta2 >= 0.0 && beta2 < 1.0, optimizer, ": invalid beta2 ", beta2, " (must be in [0, 1))");
  PN_CHECK(std::isfinite(weight_decay) && weight_decay >= 0.0, optimizer, ": invalid weight_decay ",
           weight_decay, " (must be >= 0)");
}

namespace {
std::vector<ParamGroup<AdamOptions>> one_group(std::vector<Tensor> params, const AdamOptions& o) {
  std::vector<ParamGroup<AdamOptions>> groups;
  groups.push_back({std::move(params), o});
  return groups;
}
}  // namespace

Adam::Adam(std::vector<Tensor> params, const AdamOptions& options)
    : Adam("Adam", false, one_group(std::move(params), options)) {}

Adam::Adam(std::vector<ParamGroup<AdamOptions>> groups) : Adam("Adam", false, std::move(groups)) {}

Adam::Adam(std::string name, bool decoupled, std::vector<ParamGroup<AdamOptions>> groups)
    : OptimizerWith<AdamOptions>(std::move(name)), decoupled_(decoupled) {
  PN_CHECK(!groups.empty(), this->name(), ": needs at least one parameter group");
  for (auto& g : groups) add_param_group(std::move(g));
}

AdamW::AdamW(std::vector<Tensor> params, const AdamOptions& options)
    : Adam("AdamW", true, one_group(std::move(params), options)) {}

AdamW::AdamW(std::vector<ParamGroup<AdamOptions>> groups) : Adam("AdamW", true, std::move(groups)) {}

std::vector<std::string> Adam::buffer_names(const AdamOptions& o) const {
  if (o.amsgrad) return {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
  return {"exp_avg", "exp_avg_sq"};
}

void Adam::update(size_t group, const Tensor& param, ParamState& state) {
  const AdamOptions& o = options(group);
  const int64_t step_count = state.step + 1;
  AdamStepArgs a;
  a.lr = o.lr;
  a.beta1 = o.beta1;
  a.beta2 = o.beta2;
  a.eps = o.eps;
  a.weight_decay = o.weight_decay;
  a.amsgrad = o.amsgrad;
  a.decoupled = decoupled_;
  // PyTorch computes these in Python floats (double) from the step count.
  const double step = static_cast<double>(step_count);
  a.step_size = o.lr / (1.0 - std::pow(o.beta1, step));
  a.bias_correction2_sqrt = std::sqrt(1.0 - std::pow(o.beta2, step));
  // Missing buffers (a first update) are created by the kernel, as zeros.
  Tensor exp_avg = state.buffer("exp_avg"), exp_avg_sq = state.buffer("exp_avg_sq");
  Tensor max_exp_avg_sq = o.amsgrad ? state.buffer("max_exp_avg_sq") : Tensor();
  adam_update(param, param.grad(), exp_avg, exp_avg_sq, max_exp_avg_sq, a);
  state.buffers["exp_avg"] = exp_avg;
  state.buffers["exp_avg_sq"] = exp_avg_sq;
  if (o.amsgrad) state.buffers["max_exp_avg_sq"] = max_exp_avg_sq;
  state.step = step_count;
}

}  // namespace pn::nn::optim
