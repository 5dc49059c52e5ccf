#pragma once
// selim_zoo's EncoderDecoder (models/selim_zoo/unet.py of the original
// solution) and its two variants the solution trains: Resnet (torchvision
// ResNet encoder) and SCSEUnet (SE-ResNeXt50 encoder, SCSE bottlenecks).
//
// Module names, as in PyTorch (registration order too):
//   bottlenecks.i     i = 0..3, merging decoder_stages[3-i]'s output with
//                     encoder stage 3-i: seq = Sequential(Conv2d(in, f, 3,
//                     padding 1), ReLU[, SCSEModule(f, reduction 2, maxout)])
//   decoder_stages.j  j = 0..3: layer = Sequential(Upsample x2 nearest,
//                     Conv2d(in, decoder_filters[j], 3, padding 1), ReLU)
//   last_upsample     the same block, decoder_filters[0] -> last_upsample
//   final             Sequential(Conv2d(last_upsample, num_classes, 1))
//   encoder_stages.k  k = 0..4, the encoder cut in five:
//     Resnet:   0 = Sequential(conv1, bn1, relu)      /2
//               1 = Sequential(maxpool, layer1)      /4
//               2, 3, 4 = layer2, layer3, layer4     /8, /16, /32
//     SCSEUnet: 0 = layer0 (conv1, bn1, relu1)        /2
//               1 = Sequential(pool, layer1)          /4
//               2, 3, 4 = layer2, layer3, layer4
//   so ImageNet's "layer1.0.conv1.weight" is "encoder_stages.1.1.0.conv1.weight".
//
// Forward: e_k = encoder_stages[k](...) for k = 0..4; x = e_4; for
// i = 0..3: x = bottlenecks[i](decoder_stages[3-i](x), e_{3-i}); then
// final(last_upsample(x)): logits [N, num_classes, H, W] (no activation).
//
// Channels (filters = the five stages' outputs):
//   decoder_stages[j]: in = filters[4] for j = 3, else decoder_filters[j+1];
//   bottlenecks[i]: in = filters[3-i] + decoder_filters[3-i], out = decoder_filters[3-i].
//   resnet18/34:  filters 64, 64, 128, 256, 512;  decoder 64, 128, 256, 256; last 64
//   resnet50/101: filters 64, 256, 512, 1024, 2048; decoder 64, 128, 256, 256; last 64
//   seresnext50:  filters 64, 256, 512, 1024, 2048; decoder 64, 128, 256, 384;
//                 last 32 (decoder_filters[0] / 2: the table has no entry)
#include <array>
#include <memory>
#include <string>

#include "nn/conv.h"
#include "nn/layers.h"
#include "pneumo/models/module_list.h"
#include "pneumo/models/resnet.h"
#include "pneumo/models/segmentation_model.h"

namespace pn::models {

// layer = Sequential(Upsample x2 nearest, Conv2d(in, out, 3, padding 1), ReLU).
class UnetDecoderBlock : public nn::Module {
 public:
  UnetDecoderBlock(int64_t in, int64_t out);
  // x [N, in, H, W] -> [N, out, 2H, 2W].
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "UnetDecoderBlock"; }

 private:
  std::shared_ptr<nn::Sequential> layer_;
};

// ConvBottleneck (Conv) and ConvSCSEBottleneckNoBn (ConvScse) of the original.
enum class BottleneckKind { Conv, ConvScse };

class DecoderBottleneck : public nn::Module {
 public:
  DecoderBottleneck(int64_t in, int64_t out, BottleneckKind kind);
  // seq(concat([dec, enc], channels)): dec [N, Cd, H, W], enc [N, Ce, H, W],
  // Cd + Ce = in -> [N, out, H, W].
  Tensor forward(const Tensor& dec, const Tensor& enc);
  using nn::Module::forward;  // the one-input form throws: a bottleneck takes two
  std::string name() const override { return "DecoderBottleneck"; }

 private:
  std::shared_ptr<nn::Sequential> seq_;
};

struct EncoderDecoderSpec {
  std::array<int64_t, 5> filters;
  std::array<int64_t, 4> decoder_filters;
  int64_t last_upsample;
  BottleneckKind bottleneck;
};

class EncoderDecoder : public SegmentationModel {
 public:
  // x [N, 3, H, W], H and W multiples of 32 -> [N, num_classes, H, W].
  Tensor forward(const Tensor& x) override;
  int64_t size_divisor() const override { return 32; }
  std::string encoder_arch() const override { return encoder_arch_; }
  const EncoderDecoderSpec& spec() const { return spec_; }

 protected:
  // stages: the five encoder stages (their outputs must have spec.filters
  // channels); prefixes: how the encoder's own names map onto
  // "encoder_stages.k." (see SegmentationModel::encoder_prefixes).
  EncoderDecoder(int64_t num_classes, const EncoderDecoderSpec& spec, std::string encoder_arch,
                 const std::array<std::shared_ptr<nn::Module>, 5>& stages,
                 std::vector<std::pair<std::string, std::string>> prefixes);
  std::vector<std::pair<std::string, std::string>> encoder_prefixes() const override { return prefixes_; }
  std::vector<std::shared_ptr<nn::Module>> encoder_modules() const override { return {encoder_stages_}; }

 private:
  EncoderDecoderSpec spec_;
  std::string encoder_arch_;
  std::vector<std::pair<std::string, std::string>> prefixes_;
  std::shared_ptr<ModuleList> encoder_stages_;
  // The ModuleLists' contents, typed: bottlenecks_[i], decoder_stages_[j].
  std::vector<std::shared_ptr<DecoderBottleneck>> bottlenecks_;
  std::vector<std::shared_ptr<UnetDecoderBlock>> decoder_stages_;
  std::shared_ptr<UnetDecoderBlock> last_upsample_;
  std::shared_ptr<nn::Sequential> final_;
};

// Resnet(seg_classes, backbone_arch): torchvision ResNet encoder, plain
// convolution bottlenecks. ImageNet weights: torchvision's resnet*.pth.
class Resnet : public EncoderDecoder {
 public:
  Resnet(int64_t seg_classes, ResNetArch backbone_arch);
  std::string name() const override { return "Resnet"; }
};

// SCSEUnet(seg_classes, backbone_arch='seresnext50'): SE-ResNeXt50 32x4d
// encoder, bottlenecks with an SCSE block (maxout). ImageNet weights:
// Cadene's se_resnext50_32x4d-a260b3a4.pth. The original's other backbones
// (senet154, seresnext101) are not implemented.
class SCSEUnet : public EncoderDecoder {
 public:
  explicit SCSEUnet(int64_t seg_classes);
  std::string name() const override { return "SCSEUnet"; }
};

}  // namespace pn::models
