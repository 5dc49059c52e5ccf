#pragma once
// Squeeze-and-excitation blocks of the SE-ResNeXt encoder and the SCSE U-Net
// decoder, with the parameter names of the original models (fc1, fc2,
// spatial_se.0).
#include "nn/conv.h"
#include "nn/layers.h"

namespace pn::nn {

// Channel attention: x * sigmoid(fc2(relu(fc1(avgpool(x))))), with fc1/fc2
// 1x1 convolutions through channels / reduction.
class SEModule : public Module {
 public:
  SEModule(int64_t channels, int64_t reduction);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "SEModule"; }

 protected:
  Tensor channel_gate(const Tensor& x);  // sigmoid(fc2(relu(fc1(avgpool(x))))) [N,C,1,1]
  std::shared_ptr<Conv2d> fc1, fc2;
};

// Concurrent spatial and channel SE: cSE = x * channel gate, sSE = x *
// sigmoid(conv1x1(x) -> 1 channel, no bias); combined by concatenation along
// channels (2C channels out), elementwise maximum ("maxout") or sum ("add").
enum class ScseMode { Concat, Maxout, Add };

class SCSEModule : public SEModule {
 public:
  SCSEModule(int64_t channels, int64_t reduction = 16, ScseMode mode = ScseMode::Concat);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "SCSEModule"; }

 private:
  std::shared_ptr<Sequential> spatial_se_;
  ScseMode mode_;
};

}  // namespace pn::nn
