#include "pneumo/models/albunet.h"

#include "autograd/grad_mode.h"
#include "autograd/ops.h"

namespace pn::models {

ConvRelu::ConvRelu(int64_t in, int64_t out) {
  conv_ = register_module("conv", std::make_shared<nn::Conv2d>(in, out, 3, 1, 1));
  register_module("activation", std::make_shared<nn::ReLU>());
}

Tensor ConvRelu::forward(const Tensor& x) { return relu(conv_->forward(x)); }

DecoderBlockV2::DecoderBlockV2(int64_t in, int64_t middle, int64_t out, bool is_deconv) {
  block_ = register_module("block", std::make_shared<nn::Sequential>());
  if (is_deconv) {
    // Kernel 4, stride 2, padding 1 doubles the size exactly (and avoids
    // checkerboard artifacts, says the original).
    nn::ConvOptions o;
    o.in_channels = middle;
    o.out_channels = out;
    o.kernel = 4;
    o.stride = 2;
    o.padding = 1;
    block_->push_back(std::make_shared<ConvRelu>(in, middle));
    block_->push_back(std::make_shared<nn::ConvTranspose2d>(o));
    block_->push_back(std::make_shared<nn::ReLU>());
  } else {
    block_->push_back(std::make_shared<nn::Upsample>(2, UpsampleMode::Bilinear));
    block_->push_back(std::make_shared<ConvRelu>(in, middle));
    block_->push_back(std::make_shared<ConvRelu>(middle, out));
  }
}

Tensor DecoderBlockV2::forward(const Tensor& x) { return block_->forward(x); }

AlbuNet::AlbuNet(const AlbuNetOptions& o) : SegmentationModel(o.num_classes), options_(o) {
  PN_CHECK(o.num_filters >= 1, "AlbuNet: num_filters must be at least 1, got ", o.num_filters);
  const int64_t nf = o.num_filters;
  // Registration order is the original's, which fixes the order of
  // parameters() (and so of an optimizer's state) as in PyTorch, and makes
  // "encoder.*" the first name of every shared encoder tensor.
  pool_ = register_module("pool", std::make_shared<nn::MaxPool2d>(2, 2));
  encoder_ = register_module("encoder", std::make_shared<ResNet>(ResNetArch::ResNet34, ResNet::Head::Classifier));
  register_module("relu", std::make_shared<nn::ReLU>());
  conv1_ = register_module("conv1", std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
                                        encoder_->conv1, encoder_->bn1, encoder_->relu, pool_}));
  register_module("conv2", encoder_->layer1);
  register_module("conv3", encoder_->layer2);
  register_module("conv4", encoder_->layer3);
  register_module("conv5", encoder_->layer4);
  const bool d = o.is_deconv;
  center_ = register_module("center", std::make_shared<DecoderBlockV2>(512, nf * 8 * 2, nf * 8, d));
  dec5_ = register_module("dec5", std::make_shared<DecoderBlockV2>(512 + nf * 8, nf * 8 * 2, nf * 8, d));
  dec4_ = register_module("dec4", std::make_shared<DecoderBlockV2>(256 + nf * 8, nf * 8 * 2, nf * 8, d));
  dec3_ = register_module("dec3", std::make_shared<DecoderBlockV2>(128 + nf * 8, nf * 4 * 2, nf * 2, d));
  dec2_ = register_module("dec2", std::make_shared<DecoderBlockV2>(64 + nf * 2, nf * 2 * 2, nf * 2 * 2, d));
  dec1_ = register_module("dec1", std::make_shared<DecoderBlockV2>(nf * 2 * 2, nf * 2 * 2, nf, d));
  dec0_ = register_module("dec0", std::make_shared<ConvRelu>(nf, nf));
  final_ = register_module("final", std::make_shared<nn::Conv2d>(nf, o.num_classes, 1));
}

Tensor AlbuNet::forward(const Tensor& x) {
  check_input(x);
  Tensor conv1 = conv1_->forward(x);
  Tensor conv2 = encoder_->layer1->forward(conv1);
  Tensor conv3 = encoder_->layer2->forward(conv2);
  Tensor conv4 = encoder_->layer3->forward(conv3);
  Tensor conv5 = encoder_->layer4->forward(conv4);
  Tensor center = center_->forward(pool_->forward(conv5));
  Tensor dec5 = dec5_->forward(concat({center, conv5}, 1));
  Tensor dec4 = dec4_->forward(concat({dec5, conv4}, 1));
  Tensor dec3 = dec3_->forward(concat({dec4, conv3}, 1));
  Tensor dec2 = dec2_->forward(concat({dec3, conv2}, 1));
  Tensor out = final_->forward(dec0_->forward(dec1_->forward(dec2)));
  return num_classes() > 1 ? log_softmax_channels(out) : out;
}

Tensor log_softmax_channels(const Tensor& x) {
  PN_CHECK(x.defined() && x.dim() == 4, "log_softmax_channels: expected [N, C, H, W], got ",
           x.defined() ? x.shape() : Shape{});
  Tensor m;
  {
    NoGradGuard no_grad;
    Tensor d = x.detach();
    m = narrow(d, 1, 0, 1);
    for (int64_t c = 1; c < x.size(1); ++c) m = maximum(m, narrow(d, 1, c, 1));
  }
  Tensor shifted = sub(x, m);
  return sub(shifted, log(sum(exp(shifted), {1}, /*keepdim=*/true)));
}

}  // namespace pn::models
