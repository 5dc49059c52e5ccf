#pragma once
// UNet: the classic U-Net (Ronneberger et al., 2015) with batch norm, sized
// by its arguments and trained from scratch. Not one of the solution's
// models: it is the small model of `pneumo demo` and of the training tests,
// and a starting point for builds where a ResNet encoder is too large.
//
//   MODEL: {CLASS: UNet, ARGS: {seg_classes: 1, num_filters: 16, depth: 4}}
//
// Module names (state-dict keys follow from them), nf = num_filters:
//   down.0 .. down.<depth-1>   DoubleConv(in, nf * 2^i); the encoder
//   center                     DoubleConv(nf * 2^(depth-1), nf * 2^depth)
//   up.0 .. up.<depth-1>       DoubleConv(nf * 2^(depth-i) + nf * 2^(depth-1-i), nf * 2^(depth-1-i))
//   final                      Conv2d(nf, seg_classes, 1)
// DoubleConv(a, b) = Sequential(Conv2d(a, b, 3, pad 1, no bias), BatchNorm2d(b), ReLU,
//                               Conv2d(b, b, 3, pad 1, no bias), BatchNorm2d(b), ReLU).
// Forward: skip_i = down.i(x), x = maxpool2(skip_i) for each level; x =
// center(x); then for i = 0 .. depth-1: x = up.i(concat(upsample2(x), skip_{depth-1-i}))
// (bilinear, align_corners=False); logits = final(x).
#include <memory>
#include <vector>

#include "nn/layers.h"
#include "pneumo/models/segmentation_model.h"

namespace pn::models {

struct UNetOptions {
  int64_t in_channels = 3;
  int64_t seg_classes = 1;
  int64_t num_filters = 16;
  int64_t depth = 4;
};

class UNet : public SegmentationModel {
 public:
  // Requires every option >= 1 and depth <= 8.
  explicit UNet(const UNetOptions& o);
  // x [N, in_channels, H, W], H and W multiples of 2^depth -> logits [N, seg_classes, H, W].
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "UNet"; }
  int64_t size_divisor() const override { return int64_t{1} << depth_; }
  std::string encoder_arch() const override { return "none"; }

 protected:
  std::vector<std::pair<std::string, std::string>> encoder_prefixes() const override { return {}; }
  std::vector<std::shared_ptr<nn::Module>> encoder_modules() const override;

 private:
  int64_t depth_;
  std::vector<std::shared_ptr<nn::Sequential>> down_, up_;
  std::shared_ptr<nn::Sequential> center_;
  std::shared_ptr<nn::Module> final_;
};

}  // namespace pn::models
