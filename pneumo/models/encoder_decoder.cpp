#include "pneumo/models/encoder_decoder.h"

#include "autograd/ops.h"
#include "nn/squeeze_excitation.h"
#include "pneumo/models/senet.h"

namespace pn::models {

UnetDecoderBlock::UnetDecoderBlock(int64_t in, int64_t out) {
  layer_ = register_module("layer", std::make_shared<nn::Sequential>());
  layer_->push_back(std::make_shared<nn::Upsample>(2, UpsampleMode::Nearest));
  layer_->push_back(std::make_shared<nn::Conv2d>(in, out, 3, 1, 1));
  layer_->push_back(std::make_shared<nn::ReLU>());
}

Tensor UnetDecoderBlock::forward(const Tensor& x) { return layer_->forward(x); }

DecoderBottleneck::DecoderBottleneck(int64_t in, int64_t out, BottleneckKind kind) {
  seq_ = register_module("seq", std::make_shared<nn::Sequential>());
  seq_->push_back(std::make_shared<nn::Conv2d>(in, out, 3, 1, 1));
  seq_->push_back(std::make_shared<nn::ReLU>());
  // ConvSCSEBottleneckNoBn's default reduction is 2 (not SCSEModule's 16).
  if (kind == BottleneckKind::ConvScse) seq_->push_back(std::make_shared<nn::SCSEModule>(out, 2, nn::ScseMode::Maxout));
}

Tensor DecoderBottleneck::forward(const Tensor& dec, const Tensor& enc) {
  return seq_->forward(concat({dec, enc}, 1));
}

EncoderDecoder::EncoderDecoder(int64_t num_classes, const EncoderDecoderSpec& spec, std::string encoder_arch,
                               const std::array<std::shared_ptr<nn::Module>, 5>& stages,
                               std::vector<std::pair<std::string, std::string>> prefixes)
    : SegmentationModel(num_classes), spec_(spec), encoder_arch_(std::move(encoder_arch)),
      prefixes_(std::move(prefixes)) {
  const auto& f = spec.filters;
  const auto& d = spec.decoder_filters;
  constexpr int kLevels = 4;
  // The original's registration order: bottlenecks, decoder_stages,
  // last_upsample, final, then encoder_stages (built after the decoder).
  auto bottlenecks = register_module("bottlenecks", std::make_shared<ModuleList>());
  for (int i = 0; i < kLevels; ++i)
    bottlenecks_.push_back(bottlenecks->push_back(
        std::make_shared<DecoderBottleneck>(f[3 - i] + d[3 - i], d[3 - i], spec.bottleneck)));
  auto decoder_stages = register_module("decoder_stages", std::make_shared<ModuleList>());
  for (int j = 0; j < kLevels; ++j) {
    const int64_t in = j + 1 == kLevels ? f[4] : d[j + 1];
    decoder_stages_.push_back(decoder_stages->push_back(std::make_shared<UnetDecoderBlock>(in, d[j])));
  }
  last_upsample_ = register_module("last_upsample", std::make_shared<UnetDecoderBlock>(d[0], spec.last_upsample));
  final_ = register_module("final", std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
                                        std::make_shared<nn::Conv2d>(spec.last_upsample, num_classes, 1)}));
  encoder_stages_ = register_module("encoder_stages", std::make_shared<ModuleList>());
  for (const auto& s : stages) encoder_stages_->push_back(s);
}

Tensor EncoderDecoder::forward(const Tensor& x) {
  check_input(x);
  std::array<Tensor, 5> enc;
  Tensor h = x;
  for (size_t k = 0; k < enc.size(); ++k) enc[k] = h = (*encoder_stages_)[k]->forward(h);
  for (size_t i = 0; i < bottlenecks_.size(); ++i) {
    const size_t level = 3 - i;  // the original's rev_idx - 1, counted from the front
    h = decoder_stages_[level]->forward(h);
    h = bottlenecks_[i]->forward(h, enc[level]);
  }
  return final_->forward(last_upsample_->forward(h));
}

namespace {

EncoderDecoderSpec resnet_spec(ResNetArch arch) {
  const bool wide = arch == ResNetArch::ResNet50 || arch == ResNetArch::ResNet101;
  EncoderDecoderSpec s{};
  s.filters = wide ? std::array<int64_t, 5>{64, 256, 512, 1024, 2048} : std::array<int64_t, 5>{64, 64, 128, 256, 512};
  s.decoder_filters = {64, 128, 256, 256};
  s.last_upsample = 64;
  s.bottleneck = BottleneckKind::Conv;
  return s;
}

std::array<std::shared_ptr<nn::Module>, 5> resnet_stages(ResNetArch arch) {
  // The encoder object itself is not kept (nor registered): only its pieces,
  // regrouped into stages, belong to the model, as in the original.
  auto e = std::make_shared<ResNet>(arch, ResNet::Head::None);
  auto stem = std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{e->conv1, e->bn1, e->relu});
  auto first = std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{e->maxpool, e->layer1});
  return {stem, first, e->layer2, e->layer3, e->layer4};
}

EncoderDecoderSpec seresnext50_spec() {
  EncoderDecoderSpec s{};
  s.filters = {64, 256, 512, 1024, 2048};
  s.decoder_filters = {64, 128, 256, 384};
  s.last_upsample = 32;
  s.bottleneck = BottleneckKind::ConvScse;
  return s;
}

std::array<std::shared_ptr<nn::Module>, 5> seresnext50_stages() {
  auto e = std::make_shared<SEResNeXt>(std::array<int64_t, 4>{3, 4, 6, 3}, SEResNeXt::Head::None);
  auto first = std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{e->pool, e->layer1});
  return {e->layer0, first, e->layer2, e->layer3, e->layer4};
}

}  // namespace

Resnet::Resnet(int64_t seg_classes, ResNetArch arch)
    : EncoderDecoder(seg_classes, resnet_spec(arch), to_string(arch), resnet_stages(arch),
                     {{"conv1.", "encoder_stages.0.0."},
                      {"bn1.", "encoder_stages.0.1."},
                      {"layer1.", "encoder_stages.1.1."},
                      {"layer2.", "encoder_stages.2."},
                      {"layer3.", "encoder_stages.3."},
                      {"layer4.", "encoder_stages.4."}}) {}

SCSEUnet::SCSEUnet(int64_t seg_classes)
    : EncoderDecoder(seg_classes, seresnext50_spec(), "se_resnext50_32x4d", seresnext50_stages(),
                     {{"layer0.", "encoder_stages.0."},
                      {"layer1.", "encoder_stages.1.1."},
                      {"layer2.", "encoder_stages.2."},
                      {"layer3.", "encoder_stages.3."},
                      {"layer4.", "encoder_stages.4."}}) {}

}  // namespace pn::models
