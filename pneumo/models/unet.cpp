#include "pneumo/models/unet.h"

#include "autograd/ops.h"
#include "nn/batch_norm.h"
#include "nn/conv.h"
#include "pneumo/models/module_list.h"
#include "tensor/error.h"

namespace pn::models {

namespace {

std::shared_ptr<nn::Sequential> double_conv(int64_t in, int64_t out) {
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Conv2d>(in, out, 3, 1, 1, false), std::make_shared<nn::BatchNorm2d>(out),
      std::make_shared<nn::ReLU>(), std::make_shared<nn::Conv2d>(out, out, 3, 1, 1, false),
      std::make_shared<nn::BatchNorm2d>(out), std::make_shared<nn::ReLU>()});
}

}  // namespace

UNet::UNet(const UNetOptions& o) : SegmentationModel(o.seg_classes), depth_(o.depth) {
  PN_CHECK(o.in_channels >= 1 && o.seg_classes >= 1 && o.num_filters >= 1 && o.depth >= 1 && o.depth <= 8,
           "UNet: expected in_channels, seg_classes, num_filters >= 1 and 1 <= depth <= 8, got ", o.in_channels, ", ",
           o.seg_classes, ", ", o.num_filters, ", ", o.depth);
  auto down = std::make_shared<ModuleList>();
  auto up = std::make_shared<ModuleList>();
  int64_t in = o.in_channels;
  for (int64_t i = 0; i < depth_; ++i) {
    down_.push_back(down->push_back(double_conv(in, o.num_filters << i)));
    in = o.num_filters << i;
  }
  center_ = double_conv(in, o.num_filters << depth_);
  for (int64_t i = 0; i < depth_; ++i) {
    const int64_t skip = o.num_filters << (depth_ - 1 - i);
    up_.push_back(up->push_back(double_conv((o.num_filters << (depth_ - i)) + skip, skip)));
  }
  register_module("down", down);
  register_module("center", center_);
  register_module("up", up);
  final_ = register_module("final", std::make_shared<nn::Conv2d>(o.num_filters, o.seg_classes, 1));
}

Tensor UNet::forward(const Tensor& x) {
  check_input(x);
  std::vector<Tensor> skips;
  Tensor h = x;
  for (auto& d : down_) {
    skips.push_back(d->forward(h));
    h = max_pool2d(skips.back(), {});
  }
  h = center_->forward(h);
  for (std::size_t i = 0; i < up_.size(); ++i) {
    h = upsample2d(h, 2, UpsampleMode::Bilinear);
    h = up_[i]->forward(concat({h, skips[skips.size() - 1 - i]}, 1));
  }
  return final_->forward(h);
}

std::vector<std::shared_ptr<nn::Module>> UNet::encoder_modules() const {
  return {down_.begin(), down_.end()};
}

}  // namespace pn::models
