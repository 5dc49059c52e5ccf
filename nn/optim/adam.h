#pragma once
// Adam and AdamW with the update rules of PyTorch 1.13 (torch.optim.Adam,
// torch.optim.AdamW, foreach=False, maximize=False):
//
//   step += 1
//   g = grad + weight_decay * p                     (Adam: L2 added to the gradient)
//   p = p * (1 - lr * weight_decay)                 (AdamW: decoupled decay instead)
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g * g
//   v_max = max(v_max, v)                           (amsgrad; v_max replaces v below)
//   p = p - lr / (1 - beta1^step) * m / (sqrt(v) / sqrt(1 - beta2^step) + eps)
//
// State per parameter: step, exp_avg (m), exp_avg_sq (v), and max_exp_avg_sq
// (v_max) with amsgrad; all zero before the first update. The update is one
// fused pass per parameter tensor (nn/optim/update_kernels.h).
#include <string>
#include <vector>

#include "nn/optim/optimizer.h"

namespace pn::nn::optim {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
  bool amsgrad = false;

  // Throws pn::Error naming `optimizer` and the value unless lr >= 0,
  // eps >= 0, 0 <= beta1 < 1, 0 <= beta2 < 1, weight_decay >= 0, all finite
  // (PyTorch's checks, plus finiteness).
  void validate(const std::string& optimizer) const;
  // The hyperparameters by name, as stored in a state dict ("lr", "beta1", ...).
  template <class F> void visit(F&& f) {
    f("lr", lr);
    f("beta1", beta1);
    f("beta2", beta2);
    f("eps", eps);
    f("weight_decay", weight_decay);
    f("amsgrad", amsgrad);
  }
};

// AdamW's defaults differ from Adam's only in weight_decay (PyTorch: 1e-2).
struct AdamWOptions : AdamOptions {
  AdamWOptions() { weight_decay = 1e-2; }
};

class Adam : public OptimizerWith<AdamOptions> {
 public:
  // One group of parameters with these options.
  explicit Adam(std::vector<Tensor> params, const AdamOptions& options = {});
  // Several groups, each with its own options.
  explicit Adam(std::vector<ParamGroup<AdamOptions>> groups);

 protected:
  Adam(std::string name, bool decoupled, std::vector<ParamGroup<AdamOptions>> groups);
  void update(size_t group, const Tensor& param, ParamState& state) override;
  std::vector<std::string> buffer_names(const AdamOptions& o) const override;

 private:
  bool decoupled_;  // AdamW
};

// Adam with decoupled weight decay (Loshchilov & Hutter), as torch.optim.AdamW.
class AdamW : public Adam {
 public:
  explicit AdamW(std::vector<Tensor> params, const AdamOptions& options = AdamWOptions{});
  explicit AdamW(std::vector<ParamGroup<AdamOptions>> groups);
};

}  // namespace pn::nn::optim
