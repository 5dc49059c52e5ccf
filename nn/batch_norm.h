#pragma once
// BatchNorm2d with PyTorch's parameters and buffers: weight, bias,
// running_mean, running_var, num_batches_tracked.
#include "nn/module.h"

namespace pn::nn {

class BatchNorm2d : public Module {
 public:
  explicit BatchNorm2d(int64_t channels, double eps = 1e-5, double momentum = 0.1);
  // Training mode: normalises with the batch statistics and updates the
  // running ones (r = (1 - momentum) r + momentum * batch, unbiased variance)
  // and num_batches_tracked. Eval mode: normalises with the running statistics.
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "BatchNorm2d"; }

  Tensor weight, bias;                                   // [C], 1 and 0 at first
  Tensor running_mean, running_var, num_batches_tracked;  // [C], [C], int64 []
  double eps, momentum;
};

}  // namespace pn::nn
