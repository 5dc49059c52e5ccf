#include "pneumo/models/senet.h"

namespace pn::models {

SEResNeXtBottleneck::SEResNeXtBottleneck(int64_t inplanes, int64_t planes, int64_t groups, int64_t reduction,
                                         int64_t stride, std::shared_ptr<nn::Sequential> downsample,
                                         int64_t base_width) {
  // floor(planes * base_width / 64) in integers: both are positive.
  const int64_t width = planes * base_width / 64 * groups;
  const int64_t out = planes * kExpansion;
  conv1_ = register_module("conv1", std::make_shared<nn::Conv2d>(inplanes, width, 1, 1, 0, false));
  bn1_ = register_module("bn1", std::make_shared<nn::BatchNorm2d>(width));
  nn::ConvOptions grouped;
  grouped.in_channels = width;
  grouped.out_channels = width;
  grouped.kernel = 3;
  grouped.stride = stride;
  grouped.padding = 1;
  grouped.groups = groups;
  grouped.bias = false;
  conv2_ = register_module("conv2", std::make_shared<nn::Conv2d>(grouped));
  bn2_ = register_module("bn2", std::make_shared<nn::BatchNorm2d>(width));
  conv3_ = register_module("conv3", std::make_shared<nn::Conv2d>(width, out, 1, 1, 0, false));
  bn3_ = register_module("bn3", std::make_shared<nn::BatchNorm2d>(out));
  register_module("relu", std::make_shared<nn::ReLU>());
  se_module_ = register_module("se_module", std::make_shared<nn::SEModule>(out, reduction));
  if (downsample) downsample_ = register_module("downsample", std::move(downsample));
}

Tensor SEResNeXtBottleneck::forward(const Tensor& x) {
  Tensor out = relu(bn1_->forward(conv1_->forward(x)));
  out = relu(bn2_->forward(conv2_->forward(out)));
  out = bn3_->forward(conv3_->forward(out));
  Tensor residual = downsample_ ? downsample_->forward(x) : x;
  return relu(add(se_module_->forward(out), residual));
}

SENetStem::SENetStem() {
  conv1_ = register_module("conv1", std::make_shared<nn::Conv2d>(3, 64, 7, 2, 3, false));
  bn1_ = register_module("bn1", std::make_shared<nn::BatchNorm2d>(64));
  register_module("relu1", std::make_shared<nn::ReLU>());
}

Tensor SENetStem::forward(const Tensor& x) { return relu(bn1_->forward(conv1_->forward(x))); }

SEResNeXt::SEResNeXt(std::array<int64_t, 4> blocks, Head head, int64_t num_classes) {
  constexpr int64_t kGroups = 32, kReduction = 16;
  for (int64_t b : blocks) PN_CHECK(b > 0, "SEResNeXt: every layer needs at least one block");
  // Registration order is Cadene's (pool before layer0), which fixes the
  // order of parameters() as in PyTorch.
  pool = register_module("pool", std::make_shared<nn::MaxPool2d>(3, 2, 0, /*ceil_mode=*/true));
  layer0 = register_module("layer0", std::make_shared<SENetStem>());
  int64_t inplanes = 64;
  auto make_layer = [&](int64_t planes, int64_t count, int64_t stride) {
    auto layer = std::make_shared<nn::Sequential>();
    const int64_t out = planes * SEResNeXtBottleneck::kExpansion;
    std::shared_ptr<nn::Sequential> ds;
    if (stride != 1 || inplanes != out) {
      ds = std::make_shared<nn::Sequential>();
      ds->push_back(std::make_shared<nn::Conv2d>(inplanes, out, 1, stride, 0, false));
      ds->push_back(std::make_shared<nn::BatchNorm2d>(out));
    }
    layer->push_back(std::make_shared<SEResNeXtBottleneck>(inplanes, planes, kGroups, kReduction, stride, ds));
    inplanes = out;
    for (int64_t i = 1; i < count; ++i)
      layer->push_back(std::make_shared<SEResNeXtBottleneck>(inplanes, planes, kGroups, kReduction, 1, nullptr));
    return layer;
  };
  layer1 = register_module("layer1", make_layer(64, blocks[0], 1));
  layer2 = register_module("layer2", make_layer(128, blocks[1], 2));
  layer3 = register_module("layer3", make_layer(256, blocks[2], 2));
  layer4 = register_module("layer4", make_layer(512, blocks[3], 2));
  if (head == Head::Classifier) last_linear = register_module("last_linear", std::make_shared<Linear>(2048, num_classes));
}

Tensor SEResNeXt::features(const Tensor& x) {
  PN_CHECK(x.defined() && x.dim() == 4 && x.size(1) == 3, "SEResNeXt: expected input [N, 3, H, W], got ",
           x.defined() ? x.shape() : Shape{});
  Tensor h = pool->forward(layer0->forward(x));
  return layer4->forward(layer3->forward(layer2->forward(layer1->forward(h))));
}

Tensor SEResNeXt::forward(const Tensor& x) {
  PN_CHECK(last_linear != nullptr, "SEResNeXt: built without the classifier head; use features()");
  Tensor f = features(x);
  PN_CHECK(f.size(2) == 7 && f.size(3) == 7, "SEResNeXt: the classifier's 7x7 average pool needs 7x7 features "
           "(224x224 input), got features ", f.shape(), " from input ", x.shape());
  // AvgPool2d(7, stride 1) on a 7x7 map is the global average.
  f = adaptive_avg_pool2d(f, 1, 1);
  return last_linear->forward(f.reshape({f.size(0), f.size(1)}));
}

}  // namespace pn::models
