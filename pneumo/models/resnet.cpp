#include "pneumo/models/resnet.h"

namespace pn::models {

namespace {

struct ArchSpec {
  const char* name;
  bool bottleneck;
  std::array<int64_t, 4> blocks;
};

// torchvision's table (resnet.py: resnet18 ... resnet101).
constexpr ArchSpec kArchs[] = {
    {"resnet18", false, {2, 2, 2, 2}},
    {"resnet34", false, {3, 4, 6, 3}},
    {"resnet50", true, {3, 4, 6, 3}},
    {"resnet101", true, {3, 4, 23, 3}},
};

const ArchSpec& spec(ResNetArch arch) { return kArchs[static_cast<int>(arch)]; }

// The shortcut of a block whose stride or width changes: 1x1/stride conv + BN.
std::shared_ptr<nn::Sequential> make_downsample(int64_t in, int64_t out, int64_t stride) {
  auto ds = std::make_shared<nn::Sequential>();
  ds->push_back(std::make_shared<nn::Conv2d>(in, out, 1, stride, 0, /*bias=*/false));
  ds->push_back(std::make_shared<nn::BatchNorm2d>(out));
  return ds;
}

// torchvision's _make_layer: the first block carries the stride and the
// shortcut; `inplanes` is updated to this layer's output channels.
template <class Block>
std::shared_ptr<nn::Sequential> make_layer(int64_t& inplanes, int64_t planes, int64_t blocks, int64_t stride) {
  auto layer = std::make_shared<nn::Sequential>();
  const int64_t out = planes * Block::kExpansion;
  std::shared_ptr<nn::Sequential> ds;
  if (stride != 1 || inplanes != out) ds = make_downsample(inplanes, out, stride);
  layer->push_back(std::make_shared<Block>(inplanes, planes, stride, ds));
  inplanes = out;
  for (int64_t i = 1; i < blocks; ++i) layer->push_back(std::make_shared<Block>(inplanes, planes, 1, nullptr));
  return layer;
}

}  // namespace

ResNetArch parse_resnet_arch(const std::string& name) {
  for (size_t i = 0; i < std::size(kArchs); ++i)
    if (name == kArchs[i].name) return static_cast<ResNetArch>(i);
  fail("unknown ResNet architecture '", name, "' (known: resnet18, resnet34, resnet50, resnet101)");
}

std::string to_string(ResNetArch arch) { return spec(arch).name; }

BasicBlock::BasicBlock(int64_t inplanes, int64_t planes, int64_t stride, std::shared_ptr<nn::Sequential> downsample) {
  conv1_ = register_module("conv1", std::make_shared<nn::Conv2d>(inplanes, planes, 3, stride, 1, false));
  bn1_ = register_module("bn1", std::make_shared<nn::BatchNorm2d>(planes));
  register_module("relu", std::make_shared<nn::ReLU>());
  conv2_ = register_module("conv2", std::make_shared<nn::Conv2d>(planes, planes, 3, 1, 1, false));
  bn2_ = register_module("bn2", std::make_shared<nn::BatchNorm2d>(planes));
  if (downsample) downsample_ = register_module("downsample", std::move(downsample));
}

Tensor BasicBlock::forward(const Tensor& x) {
  Tensor out = relu(bn1_->forward(conv1_->forward(x)));
  out = bn2_->forward(conv2_->forward(out));
  Tensor residual = downsample_ ? downsample_->forward(x) : x;
  return relu(add(out, residual));
}

Bottleneck::Bottleneck(int64_t inplanes, int64_t planes, int64_t stride, std::shared_ptr<nn::Sequential> downsample) {
  conv1_ = register_module("conv1", std::make_shared<nn::Conv2d>(inplanes, planes, 1, 1, 0, false));
  bn1_ = register_module("bn1", std::make_shared<nn::BatchNorm2d>(planes));
  conv2_ = register_module("conv2", std::make_shared<nn::Conv2d>(planes, planes, 3, stride, 1, false));
  bn2_ = register_module("bn2", std::make_shared<nn::BatchNorm2d>(planes));
  conv3_ = register_module("conv3", std::make_shared<nn::Conv2d>(planes, planes * kExpansion, 1, 1, 0, false));
  bn3_ = register_module("bn3", std::make_shared<nn::BatchNorm2d>(planes * kExpansion));
  register_module("relu", std::make_shared<nn::ReLU>());
  if (downsample) downsample_ = register_module("downsample", std::move(downsample));
}

Tensor Bottleneck::forward(const Tensor& x) {
  Tensor out = relu(bn1_->forward(conv1_->forward(x)));
  out = relu(bn2_->forward(conv2_->forward(out)));
  out = bn3_->forward(conv3_->forward(out));
  Tensor residual = downsample_ ? downsample_->forward(x) : x;
  return relu(add(out, residual));
}

ResNet::ResNet(ResNetArch arch, Head head, int64_t num_classes) : arch_(arch) {
  const ArchSpec& s = spec(arch);
  expansion_ = s.bottleneck ? Bottleneck::kExpansion : BasicBlock::kExpansion;
  conv1 = register_module("conv1", std::make_shared<nn::Conv2d>(3, 64, 7, 2, 3, false));
  bn1 = register_module("bn1", std::make_shared<nn::BatchNorm2d>(64));
  relu = register_module("relu", std::make_shared<nn::ReLU>());
  maxpool = register_module("maxpool", std::make_shared<nn::MaxPool2d>(3, 2, 1));
  int64_t inplanes = 64;
  auto layer = [&](int64_t planes, int64_t blocks, int64_t stride) {
    return s.bottleneck ? make_layer<Bottleneck>(inplanes, planes, blocks, stride)
                        : make_layer<BasicBlock>(inplanes, planes, blocks, stride);
  };
  layer1 = register_module("layer1", layer(64, s.blocks[0], 1));
  layer2 = register_module("layer2", layer(128, s.blocks[1], 2));
  layer3 = register_module("layer3", layer(256, s.blocks[2], 2));
  layer4 = register_module("layer4", layer(512, s.blocks[3], 2));
  if (head == Head::Classifier) {
    avgpool = register_module("avgpool", std::make_shared<nn::AdaptiveAvgPool2d>(1, 1));
    fc = register_module("fc", std::make_shared<Linear>(512 * expansion_, num_classes));
  }
}

int64_t ResNet::layer_channels(int i) const {
  PN_CHECK(i >= 1 && i <= 4, "ResNet::layer_channels: layer ", i, " is not one of 1..4");
  return (int64_t{64} << (i - 1)) * expansion_;
}

Tensor ResNet::features(const Tensor& x) {
  PN_CHECK(x.defined() && x.dim() == 4 && x.size(1) == 3, to_string(arch_), ": expected input [N, 3, H, W], got ",
           x.defined() ? x.shape() : Shape{});
  Tensor h = maxpool->forward(relu->forward(bn1->forward(conv1->forward(x))));
  return layer4->forward(layer3->forward(layer2->forward(layer1->forward(h))));
}

Tensor ResNet::forward(const Tensor& x) {
  PN_CHECK(fc != nullptr, to_string(arch_), ": built without the classifier head; use features()");
  Tensor f = avgpool->forward(features(x));
  return fc->forward(f.reshape({f.size(0), f.size(1)}));
}

}  // namespace pn::models
