#include "nn/squeeze_excitation.h"

namespace pn::nn {

SEModule::SEModule(int64_t channels, int64_t reduction) {
  PN_CHECK(reduction > 0 && channels / reduction > 0, "SEModule: reduction ", reduction,
           " leaves no channels of ", channels);
  fc1 = register_module("fc1", std::make_shared<Conv2d>(channels, channels / reduction, 1));
  fc2 = register_module("fc2", std::make_shared<Conv2d>(channels / reduction, channels, 1));
}

Tensor SEModule::channel_gate(const Tensor& x) {
  return sigmoid(fc2->forward(relu(fc1->forward(adaptive_avg_pool2d(x)))));
}

Tensor SEModule::forward(const Tensor& x) { return mul(x, channel_gate(x)); }

SCSEModule::SCSEModule(int64_t channels, int64_t reduction, ScseMode mode)
    : SEModule(channels, reduction), mode_(mode) {
  spatial_se_ = register_module(
      "spatial_se", std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
                        std::make_shared<Conv2d>(channels, 1, 1, 1, 0, /*bias=*/false), std::make_shared<Sigmoid>()}));
}

Tensor SCSEModule::forward(const Tensor& x) {
  Tensor channel = mul(x, channel_gate(x));
  Tensor spatial = mul(x, spatial_se_->forward(x));
  switch (mode_) {
    case ScseMode::Concat: return concat({channel, spatial}, 1);
    case ScseMode::Maxout: return maximum(channel, spatial);
    case ScseMode::Add: return add(channel, spatial);
  }
  return Tensor();
}

}  // namespace pn::nn
