#pragma once
// SegmentationModel: what the three U-Nets of the solution (AlbuNet,
// SCSEUnet, Resnet) share: the forward contract, the pretrained encoder and
// its freezing.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nn/module.h"

namespace pn::models {

// What load_encoder_weights did with a file's keys.
struct EncoderLoadReport {
  std::vector<std::string> used;     // source keys copied into the model
  std::vector<std::string> ignored;  // source keys with no place in the model (e.g. fc.*, last_linear.*)
  // Model keys of the encoder that the source did not provide. BatchNorm's
  // num_batches_tracked is not listed: files saved before PyTorch 0.4.1
  // (torchvision's resnet34-333f7ec4.pth among them) have none, and PyTorch
  // fills it in silently too.
  std::vector<std::string> missing;
};

class SegmentationModel : public nn::Module {
 public:
  // forward(x): x [N, 3, H, W] float, H and W multiples of size_divisor() ->
  // [N, num_classes, H, W]: logits (the original models apply no sigmoid).
  int64_t num_classes() const { return num_classes_; }
  virtual int64_t size_divisor() const = 0;
  // The ImageNet encoder as the original names it: "resnet34", "se_resnext50_32x4d", ...
  virtual std::string encoder_arch() const = 0;

  // Copies ImageNet weights, keyed by the encoder's own names
  // ("layer1.0.conv1.weight", as in torchvision's and Cadene's files), into
  // the encoder's place in this model ("encoder.layer1.0.conv1.weight",
  // "encoder_stages.1.1.0.conv1.weight"), non-strictly, as the originals'
  // load_state_dict(strict=False). A leading "module." (DataParallel) is
  // dropped from source keys. Values are converted to the model's dtype. A key
  // whose shape differs from the model's throws pn::Error naming it, and then
  // nothing is changed.
  EncoderLoadReport load_encoder_weights(const nn::StateDict& weights);

  // Freezes (or unfreezes) every encoder parameter: frozen parameters get no
  // gradients and so no optimizer updates. BatchNorm running statistics of
  // the encoder still update in train mode, as with requires_grad=False in
  // PyTorch.
  void freeze_encoder(bool frozen = true);
  // True when every encoder parameter is frozen.
  bool encoder_frozen() const;

 protected:
  explicit SegmentationModel(int64_t num_classes);
  // Pairs (encoder prefix, model prefix): the source key "<encoder prefix>rest"
  // is the model key "<model prefix>rest"; the first matching pair wins; an
  // empty encoder prefix matches every key.
  virtual std::vector<std::pair<std::string, std::string>> encoder_prefixes() const = 0;
  // The modules holding the encoder's parameters.
  virtual std::vector<std::shared_ptr<nn::Module>> encoder_modules() const = 0;
  // Throws unless x is [N, 3, H, W] with H and W multiples of size_divisor().
  void check_input(const Tensor& x) const;

 private:
  int64_t num_classes_;
};

}  // namespace pn::models
