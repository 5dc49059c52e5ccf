#include "nn/optim/sgd.h"

#include <cmath>

#include "nn/optim/update_kernels.h"

namespace pn::nn::optim {

void SgdOptions::validate(const std::string& optimizer) const {
  PN_CHECK(std::isfinite(lr) && lr >= 0.0, optimizer, ": invalid learning rate ", lr, " (must be >= 0)");
  PN_CHECK(std::isfinite(momentum) && momentum >= 0.0, optimizer, ": invalid momentum ", momentum,
           " (must be >= 0)");
  PN_CHECK(std::isfinite(dampening), optimizer, ": invalid dampening ", dampening);
  PN_CHECK(std::isfinite(weight_decay) && weight_decay >= 0.0, optimizer, ": invalid weight_decay ",
           weight_decay, " (must be >= 0)");
  PN_CHECK(!nesterov || (momentum > 0.0 && dampening == 0.0), optimizer,
           ": nesterov momentum needs momentum > 0 and dampening 0, got momentum ", momentum,
           " and dampening ", dampening);
}

SGD::SGD(std::vector<Tensor> params, const SgdOptions& options) : OptimizerWith<SgdOptions>("SGD") {
  add_param_group({std::move(params), options});
}

SGD::SGD(std::vector<ParamGroup<SgdOptions>> groups) : OptimizerWith<SgdOptions>("SGD") {
  PN_CHECK(!groups.empty(), name(), ": needs at least one parameter group");
  for (auto& g : groups) add_param_group(std::move(g));
}

std::vector<std::string> SGD::buffer_names(const SgdOptions& o) const {
  if (o.momentum != 0.0) return {"momentum_buffer"};
  return {};
}

void SGD::update(size_t group, const Tensor& param, ParamState& state) {
  const SgdOptions& o = options(group);
  SgdStepArgs a;
  a.lr = o.lr;
  a.momentum = o.momentum;
  a.dampening = o.dampening;
  a.weight_decay = o.weight_decay;
  a.nesterov = o.nesterov;
  // The kernel creates the momentum buffer at a parameter's first update.
  Tensor buffer = o.momentum != 0.0 ? state.buffer("momentum_buffer") : Tensor();
  sgd_update(param, param.grad(), buffer, a);
  if (o.momentum != 0.0) state.buffers["momentum_buffer"] = buffer;
  state.step += 1;
}

}  // namespace pn::nn::optim
