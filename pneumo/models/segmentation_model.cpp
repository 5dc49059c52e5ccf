#include "pneumo/models/segmentation_model.h"

namespace pn::models {

namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

SegmentationModel::SegmentationModel(int64_t num_classes) : num_classes_(num_classes) {
  PN_CHECK(num_classes >= 1, "segmentation model: num_classes must be at least 1, got ", num_classes);
}

void SegmentationModel::check_input(const Tensor& x) const {
  const int64_t d = size_divisor();
  PN_CHECK(x.defined() && x.dim() == 4 && x.size(1) == 3, name(), ": expected input [N, 3, H, W], got ",
           x.defined() ? x.shape() : Shape{});
  // The decoder doubles sizes back up and concatenates them with the
  // encoder's: only sizes that halve exactly all the way down line up (PyTorch
  // fails on others too, inside torch.cat).
  PN_CHECK(x.size(2) % d == 0 && x.size(3) % d == 0 && x.size(2) > 0 && x.size(3) > 0, name(),
           ": input height and width must be positive multiples of ", d, ", got ", x.shape());
}

EncoderLoadReport SegmentationModel::load_encoder_weights(const nn::StateDict& weights) {
  const auto prefixes = encoder_prefixes();
  const nn::StateDict own = state_dict();
  EncoderLoadReport report;
  nn::StateDict translated;
  for (const auto& [source_key, tensor] : weights) {
    std::string key = starts_with(source_key, "module.") ? source_key.substr(7) : source_key;
    std::string target;
    for (const auto& [from, to] : prefixes) {
      if (starts_with(key, from)) {
        target = to + key.substr(from.size());
        break;
      }
    }
    if (target.empty() || !own.count(target) || translated.count(target)) {
      report.ignored.push_back(source_key);
      continue;
    }
    translated[target] = tensor;
    report.used.push_back(source_key);
  }
  // Non-strict: the decoder's keys are "missing" by design. Shape mismatches
  // still throw, before anything is copied.
  load_state_dict(translated, /*strict=*/false);
  for (const auto& [key, t] : own) {
    bool in_encoder = false;
    for (const auto& [from, to] : prefixes) in_encoder = in_encoder || starts_with(key, to);
    if (in_encoder && !translated.count(key) && !ends_with(key, ".num_batches_tracked")) report.missing.push_back(key);
  }
  return report;
}

void SegmentationModel::freeze_encoder(bool frozen) {
  for (const auto& m : encoder_modules()) m->freeze(frozen);
}

bool SegmentationModel::encoder_frozen() const {
  for (const auto& m : encoder_modules())
    for (const auto& p : m->parameters())
      if (p.requires_grad()) return false;
  return true;
}

}  // namespace pn::models
