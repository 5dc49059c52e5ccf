#pragma once
// The reference's PneumoSampler and the "sliding sample rate".
//
// Each epoch takes every positive image of the training split once and
// n_negative = int(n_positive * (1 - p) / p) negatives drawn uniformly WITH
// replacement (numpy.random.choice's default), and shuffles the lot, so that
// positives make up about p of the epoch (p = NON_EMPTY_MASK_PROBA).  The
// seed README's sliding sample rate lowers p over the run (0.8 at the start,
// 0.4 at the end); SampleRateSchedule gives p per epoch.
//
// Epochs are reproducible: the indices of an epoch are a pure function of
// (seed, epoch, p), so a resumed run that restores the state (seed, next
// epoch) draws exactly the epochs the uninterrupted run would have.  The draws
// are ours (augment::Rng), not numpy's.
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace pn::loader {

// p (the share of positive images) as a function of the epoch.
class SampleRateSchedule {
 public:
  enum class Mode {
    Step,    // p of the last point at or before the epoch
    Linear,  // linear between the points around the epoch
  };

  // The same p for every epoch.  Requires 0 < p <= 1.
  static SampleRateSchedule constant(double p);
  // p_start at epoch 0 down (or up) to p_end at epoch `epochs - 1`, linearly,
  // then p_end.  Requires epochs >= 1 and both p in (0, 1].
  static SampleRateSchedule linear(double p_start, double p_end, int epochs);
  // Through (epoch, p) points: before the first point its p, after the last
  // the last p, in between by `mode`.  Requires at least one point, epochs
  // >= 0 and strictly increasing, every p in (0, 1].
  SampleRateSchedule(std::vector<std::pair<int, double>> points, Mode mode);

  double at(std::int64_t epoch) const;
  const std::vector<std::pair<int, double>>& points() const { return points_; }
  Mode mode() const { return mode_; }

 private:
  std::vector<std::pair<int, double>> points_;
  Mode mode_;
};

// What a checkpoint saves to resume the sampler.
struct SamplerState {
  std::uint64_t seed = 0;
  std::int64_t epoch = 0;  // the next epoch next_epoch() returns
  friend bool operator==(const SamplerState&, const SamplerState&) = default;
};

class PneumoSampler {
 public:
  // exist_labels: 1 (non-empty mask) or 0 per image of the training split,
  // in the dataset's order; the sampler's indices refer to it.  Requires only
  // 0/1 labels and at least one positive image (the reference asserts p > 0
  // and needs positives to scale the negatives).
  PneumoSampler(std::vector<int> exist_labels, SampleRateSchedule schedule, std::uint64_t seed);

  // int(n_positive * (1 - p) / p), evaluated as the reference's Python does.
  static std::size_t negatives_for(std::size_t n_positive, double p);

  std::size_t positives() const { return positive_.size(); }
  std::size_t negatives_available() const { return negative_.size(); }
  double rate(std::int64_t epoch) const { return schedule_.at(epoch); }
  // positives() + negatives_for(positives(), rate(epoch)).
  std::size_t epoch_size(std::int64_t epoch) const;

  // The shuffled indices of `epoch`.  Throws pn::Error when the epoch needs
  // negatives and the split has none.
  std::vector<std::size_t> epoch_indices(std::int64_t epoch) const;

  // epoch_indices(state().epoch), then the state moves to the next epoch.
  std::vector<std::size_t> next_epoch();
  SamplerState state() const { return state_; }
  void set_state(const SamplerState& state) { state_ = state; }

 private:
  std::vector<std::size_t> positive_, negative_;
  SampleRateSchedule schedule_;
  SamplerState state_;
};

}  // namespace pn::loader
