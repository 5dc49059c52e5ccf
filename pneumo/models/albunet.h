#pragma once
// AlbuNet (TernausNet's, models/ternausnets.py of the original solution): a
// U-Net with torchvision's ResNet34 as the encoder, by Alexander Buslaev.
//
// Module names, as in PyTorch (state-dict keys follow from them):
//   pool     MaxPool2d(2, 2)
//   encoder  ResNet34 with its ImageNet classifier (encoder.fc.* exists and
//            is never used)
//   relu     ReLU (unused, as in the original)
//   conv1    Sequential(encoder.conv1, encoder.bn1, encoder.relu, pool)
//   conv2..conv5  encoder.layer1..layer4 under a second name
//   center, dec5, dec4, dec3, dec2, dec1  DecoderBlockV2
//   dec0     ConvRelu(nf, nf);  final  Conv2d(nf, num_classes, 1)
// The encoder's modules are reachable under two names, so the state dict
// lists them twice ("encoder.layer1.0.conv1.weight" and
// "conv2.0.conv1.weight", one tensor) while parameters() lists them once.
//
// Forward (nf = num_filters, strides relative to the input):
//   conv1 = stem(x) /4 (64) -> conv2 /4 (64) -> conv3 /8 (128) -> conv4 /16
//   (256) -> conv5 /32 (512); center = center(pool(conv5)) /32 (8nf);
//   dec5 = dec5([center, conv5]) /16 (8nf); dec4 = dec4([dec5, conv4]) /8 (8nf);
//   dec3 = dec3([dec4, conv3]) /4 (2nf); dec2 = dec2([dec3, conv2]) /2 (4nf);
//   dec1 = dec1(dec2) /1 (nf); dec0; final: logits, or log-softmax over the
//   classes when num_classes > 1. The stem's output (conv1) feeds no skip.
#include <memory>

#include "nn/conv.h"
#include "nn/layers.h"
#include "pneumo/models/resnet.h"
#include "pneumo/models/segmentation_model.h"

namespace pn::models {

// conv (3x3, padding 1, with bias) then activation (ReLU).
class ConvRelu : public nn::Module {
 public:
  ConvRelu(int64_t in, int64_t out);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "ConvRelu"; }

 private:
  std::shared_ptr<nn::Conv2d> conv_;
};

// Doubles the size. `block` is
//   bilinear (is_deconv false): Sequential(Interpolate x2 bilinear with
//     align_corners=False, ConvRelu(in, middle), ConvRelu(middle, out));
//   deconv (is_deconv true): Sequential(ConvRelu(in, middle),
//     ConvTranspose2d(middle, out, 4, stride 2, padding 1), ReLU).
class DecoderBlockV2 : public nn::Module {
 public:
  DecoderBlockV2(int64_t in, int64_t middle, int64_t out, bool is_deconv);
  // x [N, in, H, W] -> [N, out, 2H, 2W].
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "DecoderBlockV2"; }

 private:
  std::shared_ptr<nn::Sequential> block_;
};

struct AlbuNetOptions {
  int64_t num_classes = 1;
  int64_t num_filters = 32;
  bool is_deconv = false;  // false: bilinear upsampling in the decoder
};

class AlbuNet : public SegmentationModel {
 public:
  explicit AlbuNet(const AlbuNetOptions& options = {});
  // x [N, 3, H, W], H and W multiples of 64 -> [N, num_classes, H, W].
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "AlbuNet"; }
  int64_t size_divisor() const override { return 64; }
  std::string encoder_arch() const override { return "resnet34"; }
  const AlbuNetOptions& options() const { return options_; }
  const std::shared_ptr<ResNet>& encoder() const { return encoder_; }

 protected:
  // The encoder's own names are the model's under "encoder.".
  std::vector<std::pair<std::string, std::string>> encoder_prefixes() const override { return {{"", "encoder."}}; }
  std::vector<std::shared_ptr<nn::Module>> encoder_modules() const override { return {encoder_}; }

 private:
  AlbuNetOptions options_;
  std::shared_ptr<nn::MaxPool2d> pool_;
  std::shared_ptr<ResNet> encoder_;
  std::shared_ptr<nn::Sequential> conv1_;
  std::shared_ptr<DecoderBlockV2> center_, dec5_, dec4_, dec3_, dec2_, dec1_;
  std::shared_ptr<ConvRelu> dec0_;
  std::shared_ptr<nn::Conv2d> final_;
};

// log_softmax over dim 1 of x [N, C, H, W], composed exactly from the op set:
// x - m - log(sum_c exp(x - m)) with m the per-pixel maximum taken as a
// constant (the result and its gradient do not depend on m; it only keeps
// exp from overflowing).
Tensor log_softmax_channels(const Tensor& x);

}  // namespace pn::models
