#pragma once
// torchvision's ResNet (v1.5: the stride of a Bottleneck is on its 3x3
// convolution), with torchvision's module names, so that ImageNet files such
// as resnet34-333f7ec4.pth load unchanged:
//
//   conv1 (7x7/2, 64, no bias), bn1, relu, maxpool (3x3/2, padding 1),
//   layer1..layer4 (Sequential of blocks "0", "1", ...; planes 64, 128, 256,
//   512; strides 1, 2, 2, 2), then avgpool and fc with the classifier head.
//   BasicBlock: conv1 (3x3/stride), bn1, relu, conv2 (3x3), bn2, downsample.
//   Bottleneck: conv1 (1x1), bn1, conv2 (3x3/stride), bn2, conv3 (1x1 to
//   4*planes), bn3, relu, downsample.
//   downsample (when the stride or the channels change): Sequential of a
//   1x1/stride convolution "0" and a BatchNorm2d "1".
//
// The segmentation models take the stem and the layers apart, so they are
// public members; the model that owns the pieces names them its own way.
#include <array>
#include <memory>
#include <string>

#include "nn/batch_norm.h"
#include "nn/conv.h"
#include "nn/layers.h"
#include "pneumo/models/linear.h"

namespace pn::models {

enum class ResNetArch { ResNet18, ResNet34, ResNet50, ResNet101 };

// "resnet18", "resnet34", "resnet50", "resnet101"; anything else throws
// pn::Error naming it and the known names.
ResNetArch parse_resnet_arch(const std::string& name);
std::string to_string(ResNetArch arch);

// Two 3x3 convolutions; out channels = planes.
class BasicBlock : public nn::Module {
 public:
  static constexpr int64_t kExpansion = 1;
  // downsample may be null (then the identity is added).
  BasicBlock(int64_t inplanes, int64_t planes, int64_t stride, std::shared_ptr<nn::Sequential> downsample);
  // x [N, inplanes, H, W] -> [N, planes, H/stride, W/stride] (rounded up).
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "BasicBlock"; }

 private:
  std::shared_ptr<nn::Conv2d> conv1_, conv2_;
  std::shared_ptr<nn::BatchNorm2d> bn1_, bn2_;
  std::shared_ptr<nn::Sequential> downsample_;
};

// 1x1 reduce, 3x3 (carrying the stride), 1x1 expand; out channels = 4 * planes.
class Bottleneck : public nn::Module {
 public:
  static constexpr int64_t kExpansion = 4;
  Bottleneck(int64_t inplanes, int64_t planes, int64_t stride, std::shared_ptr<nn::Sequential> downsample);
  // x [N, inplanes, H, W] -> [N, 4*planes, H/stride, W/stride] (rounded up).
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Bottleneck"; }

 private:
  std::shared_ptr<nn::Conv2d> conv1_, conv2_, conv3_;
  std::shared_ptr<nn::BatchNorm2d> bn1_, bn2_, bn3_;
  std::shared_ptr<nn::Sequential> downsample_;
};

class ResNet : public nn::Module {
 public:
  // Classifier: registers avgpool and fc (fc.weight [classes, 512*expansion]),
  // as torchvision does; None: the encoder alone (forward() then throws).
  enum class Head { None, Classifier };
  explicit ResNet(ResNetArch arch, Head head = Head::Classifier, int64_t num_classes = 1000);

  // x [N, 3, H, W] -> logits [N, num_classes]: global average pool of
  // features(x), then fc. Needs the classifier head.
  Tensor forward(const Tensor& x) override;
  // x [N, 3, H, W] -> layer4's output [N, 512*expansion, ~H/32, ~W/32].
  Tensor features(const Tensor& x);
  std::string name() const override { return "ResNet"; }

  ResNetArch arch() const { return arch_; }
  // Output channels of layer1..layer4 (i = 1..4): {64, 128, 256, 512} * expansion.
  int64_t layer_channels(int i) const;

  std::shared_ptr<nn::Conv2d> conv1;
  std::shared_ptr<nn::BatchNorm2d> bn1;
  std::shared_ptr<nn::ReLU> relu;
  std::shared_ptr<nn::MaxPool2d> maxpool;
  std::shared_ptr<nn::Sequential> layer1, layer2, layer3, layer4;
  std::shared_ptr<nn::AdaptiveAvgPool2d> avgpool;  // null without the classifier
  std::shared_ptr<Linear> fc;                      // null without the classifier

 private:
  ResNetArch arch_;
  int64_t expansion_;
};

}  // namespace pn::models
