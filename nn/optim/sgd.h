#pragma once
// SGD with momentum, dampening, Nesterov momentum and L2 weight decay, with
// the update rule of PyTorch 1.13 (torch.optim.SGD, foreach=False):
//
//   d = grad + weight_decay * p
//   b = d                                    (first update of the parameter)
//   b = momentum * b + (1 - dampening) * d   (later updates)
//   d = nesterov ? d + momentum * b : b      (when momentum != 0)
//   p = p - lr * d
//
// State per parameter: step, and momentum_buffer (b) when momentum != 0.
#include <string>
#include <vector>

#include "nn/optim/optimizer.h"

namespace pn::nn::optim {

struct SgdOptions {
  double lr = 1e-3;  // PyTorch requires lr; pass it
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;

  // Throws pn::Error naming `optimizer` and the value unless lr >= 0,
  // momentum >= 0, weight_decay >= 0, all finite, and (PyTorch's rule)
  // nesterov comes with momentum > 0 and dampening == 0.
  void validate(const std::string& optimizer) const;
  template <class F> void visit(F&& f) {
    f("lr", lr);
    f("momentum", momentum);
    f("dampening", dampening);
    f("weight_decay", weight_decay);
    f("nesterov", nesterov);
  }
};

class SGD : public OptimizerWith<SgdOptions> {
 public:
  explicit SGD(std::vector<Tensor> params, const SgdOptions& options);
  explicit SGD(std::vector<ParamGroup<SgdOptions>> groups);

 protected:
  void update(size_t group, const Tensor& param, ParamState& state) override;
  std::vector<std::string> buffer_names(const SgdOptions& o) const override;
};

}  // namespace pn::nn::optim
