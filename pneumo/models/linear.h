#pragma once
// Linear: PyTorch's nn.Linear (parameters `weight` [out, in] and `bias`
// [out]). nn/ has no fully connected layer yet; the encoders need one to
// hold their ImageNet classifiers (torchvision's `fc`, Cadene's
// `last_linear`), whose names a state dict must list.
#include "nn/module.h"

namespace pn::models {

class Linear : public nn::Module {
 public:
  // PyTorch's default initialisation: weight kaiming-uniform with a = sqrt(5)
  // (bound 1/sqrt(in)), bias U(+-1/sqrt(in)).
  Linear(int64_t in_features, int64_t out_features, bool bias = true);
  // x [N, in] -> x @ weight^T + bias [N, out].
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Linear"; }

  Tensor weight, bias;
};

}  // namespace pn::models
