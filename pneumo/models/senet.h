#pragma once
// SE-ResNeXt as in Cadene's pretrained-models (senet.py, copied into the
// original solution as selim_zoo/senet.py), with its module names, so that
// se_resnext50_32x4d-a260b3a4.pth loads unchanged:
//
//   layer0: conv1 (7x7/2, 64, no bias), bn1, relu1      (SENet's input_3x3=False)
//   pool:   MaxPool2d(3, stride 2, ceil_mode) -- padding 0, unlike torchvision
//   layer1..layer4: SEResNeXtBottleneck blocks "0", "1", ... with planes 64,
//   128, 256, 512 and strides 1, 2, 2, 2; downsample = 1x1/stride conv "0" +
//   BatchNorm2d "1" (downsample_kernel_size 1, padding 0)
//   avg_pool (7x7, stride 1) and last_linear with the classifier head.
//
// SEResNeXtBottleneck(inplanes, planes, groups 32, reduction 16, base width
// 4): width = floor(planes * 4 / 64) * 32; conv1 1x1 (inplanes -> width,
// stride 1), bn1, conv2 3x3/stride with 32 groups, bn2, conv3 1x1 (-> 4*planes),
// bn3, relu, se_module (SEModule(4*planes, 16): fc1, fc2 with biases),
// downsample; out = relu(se_module(bn3(...)) + shortcut).
#include <array>
#include <memory>

#include "nn/batch_norm.h"
#include "nn/conv.h"
#include "nn/layers.h"
#include "nn/squeeze_excitation.h"
#include "pneumo/models/linear.h"

namespace pn::models {

class SEResNeXtBottleneck : public nn::Module {
 public:
  static constexpr int64_t kExpansion = 4;
  SEResNeXtBottleneck(int64_t inplanes, int64_t planes, int64_t groups, int64_t reduction, int64_t stride,
                      std::shared_ptr<nn::Sequential> downsample, int64_t base_width = 4);
  // x [N, inplanes, H, W] -> [N, 4*planes, H/stride, W/stride] (rounded up).
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "SEResNeXtBottleneck"; }

 private:
  std::shared_ptr<nn::Conv2d> conv1_, conv2_, conv3_;
  std::shared_ptr<nn::BatchNorm2d> bn1_, bn2_, bn3_;
  std::shared_ptr<nn::SEModule> se_module_;
  std::shared_ptr<nn::Sequential> downsample_;
};

// SENet's layer0 for input_3x3=False: a Sequential whose children are named
// conv1, bn1, relu1 rather than 0, 1, 2.
class SENetStem : public nn::Module {
 public:
  SENetStem();
  // x [N, 3, H, W] -> [N, 64, ceil(H/2), ceil(W/2)].
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "SENetStem"; }

 private:
  std::shared_ptr<nn::Conv2d> conv1_;
  std::shared_ptr<nn::BatchNorm2d> bn1_;
};

class SEResNeXt : public nn::Module {
 public:
  enum class Head { None, Classifier };
  // blocks {3, 4, 6, 3} is se_resnext50_32x4d ({3, 4, 23, 3} se_resnext101_32x4d).
  explicit SEResNeXt(std::array<int64_t, 4> blocks = {3, 4, 6, 3}, Head head = Head::None,
                     int64_t num_classes = 1000);

  // x [N, 3, H, W] -> layer4's output [N, 2048, ~H/32, ~W/32].
  Tensor features(const Tensor& x);
  // x [N, 3, 224, 224] -> logits [N, num_classes]. The classifier averages a
  // 7x7 window with stride 1, so only inputs whose features are 7x7 (224x224)
  // give one vector per image; others are refused. Needs the classifier head.
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "SEResNeXt"; }

  std::shared_ptr<nn::MaxPool2d> pool;
  std::shared_ptr<SENetStem> layer0;
  std::shared_ptr<nn::Sequential> layer1, layer2, layer3, layer4;
  std::shared_ptr<Linear> last_linear;  // null without the classifier
};

}  // namespace pn::models
