#include "pneumo/loader/sampler.h"

#include <cmath>
#include <utility>

#include "pneumo/augment/rng.h"
#include "tensor/error.h"

namespace pn::loader {

namespace {

void check_rate(double p, const char* what) {
  PN_CHECK(std::isfinite(p) && p > 0 && p <= 1, what, ": the share of positive images p must be in (0, 1], got ", p);
}

// The sampler's streams are keyed apart from the loader's per-sample streams
// (augment::Rng::for_sample(seed, epoch, index)) by this tag in the seed.
constexpr std::uint64_t kSamplerTag = 0x53414D504C455221ull;  // "SAMPLER!"

}  // namespace

SampleRateSchedule SampleRateSchedule::constant(double p) { return SampleRateSchedule({{0, p}}, Mode::Step); }

SampleRateSchedule SampleRateSchedule::linear(double p_start, double p_end, int epochs) {
  PN_CHECK(epochs >= 1, "SampleRateSchedule::linear: needs at least one epoch, got ", epochs);
  if (epochs == 1) return SampleRateSchedule({{0, p_end}}, Mode::Step);
  return SampleRateSchedule({{0, p_start}, {epochs - 1, p_end}}, Mode::Linear);
}

SampleRateSchedule::SampleRateSchedule(std::vector<std::pair<int, double>> points, Mode mode)
    : points_(std::move(points)), mode_(mode) {
  PN_CHECK(!points_.empty(), "SampleRateSchedule: needs at least one (epoch, p) point");
  for (std::size_t i = 0; i < points_.size(); ++i) {
    check_rate(points_[i].second, "SampleRateSchedule");
    PN_CHECK(points_[i].first >= 0, "SampleRateSchedule: negative epoch ", points_[i].first);
    PN_CHECK(i == 0 || points_[i].first > points_[i - 1].first,
             "SampleRateSchedule: epochs must increase, got ", points_[i - 1].first, " then ", points_[i].first);
  }
}

double SampleRateSchedule::at(std::int64_t epoch) const {
  if (epoch <= points_.front().first) return points_.front().second;
  if (epoch >= points_.back().first) return points_.back().second;
  std::size_t k = 0;
  while (points_[k + 1].first <= epoch) ++k;  // points_[k].first <= epoch < points_[k + 1].first
  if (mode_ == Mode::Step) return points_[k].second;
  const double t = static_cast<double>(epoch - points_[k].first) /
                   static_cast<double>(points_[k + 1].first - points_[k].first);
  return points_[k].second + t * (points_[k + 1].second - points_[k].second);
}

PneumoSampler::PneumoSampler(std::vector<int> exist_labels, SampleRateSchedule schedule, std::uint64_t seed)
    : schedule_(std::move(schedule)), state_{seed, 0} {
  for (std::size_t i = 0; i < exist_labels.size(); ++i) {
    PN_CHECK(exist_labels[i] == 0 || exist_labels[i] == 1, "PneumoSampler: exist_labels must be 0 or 1, item ", i,
             " is ", exist_labels[i]);
    (exist_labels[i] ? positive_ : negative_).push_back(i);
  }
  PN_CHECK(!positive_.empty(), "PneumoSampler: the training split has no positive image (exist_labels == 1)");
}

std::size_t PneumoSampler::negatives_for(std::size_t n_positive, double p) {
  check_rate(p, "PneumoSampler");
  // Python: int(self.n_positive * (1 - self.positive_proba) / self.positive_proba)
  return static_cast<std::size_t>(static_cast<double>(n_positive) * (1 - p) / p);
}

std::size_t PneumoSampler::epoch_size(std::int64_t epoch) const {
  return positive_.size() + negatives_for(positive_.size(), rate(epoch));
}

std::vector<std::size_t> PneumoSampler::epoch_indices(std::int64_t epoch) const {
  const std::size_t n_neg = negatives_for(positive_.size(), rate(epoch));
  PN_CHECK(n_neg == 0 || !negative_.empty(), "PneumoSampler: epoch ", epoch, " needs ", n_neg,
           " negative images (p = ", rate(epoch), ") but the training split has none");
  augment::Rng rng = augment::Rng::for_sample(state_.seed ^ kSamplerTag, static_cast<std::uint64_t>(epoch), 0);
  std::vector<std::size_t> out;
  out.reserve(n_neg + positive_.size());
  // np.hstack((negative_sample, positive_idxs)), then a permutation.
  for (std::size_t i = 0; i < n_neg; ++i) {
    out.push_back(negative_[static_cast<std::size_t>(rng.randint(0, static_cast<std::int64_t>(negative_.size()) - 1))]);
  }
  out.insert(out.end(), positive_.begin(), positive_.end());
  for (std::size_t i = out.size(); i > 1; --i) {  // Fisher-Yates
    const auto j = static_cast<std::size_t>(rng.randint(0, static_cast<std::int64_t>(i) - 1));
    std::swap(out[i - 1], out[j]);
  }
  return out;
}

std::vector<std::size_t> PneumoSampler::next_epoch() {
  std::vector<std::size_t> out = epoch_indices(state_.epoch);
  ++state_.epoch;
  return out;
}

}  // namespace pn::loader
