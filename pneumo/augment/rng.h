#pragma once
// The random numbers of the augmentations.
//
// Why not Python's `random` and numpy's RandomState as albumentations uses
// them: bitwise equality with the reference's random draws is not a goal (its
// pipeline ran in several worker processes whose seeds depended on the
// machine), only the same distributions; the transforms' outputs for FIXED
// parameters are what matches albumentations exactly.  What matters here is
// that a training run is reproducible: every sample's draws are a pure
// function of (seed, epoch, position in the epoch), whatever the number of
// loader threads and whatever order they run in.
//
// Rng is a stream of Philox4x32-10 draws (tensor/philox.h): draw i of the
// stream with key k is philox(i, k) (fill_uniform, for large fields, uses
// SplitMix64 of the same (key, counter)).  A stream is two integers
// (key, counter).
#include <cstddef>
#include <cstdint>

namespace pn::augment {

class Rng {
 public:
  explicit Rng(std::uint64_t key, std::uint64_t counter = 0) : key_(key), counter_(counter) {}

  // The stream of the sample at `index` of epoch `epoch` of a run seeded with
  // `seed`: different (seed, epoch, index) give independent streams.
  static Rng for_sample(std::uint64_t seed, std::uint64_t epoch, std::uint64_t index);

  std::uint64_t key() const { return key_; }
  std::uint64_t counter() const { return counter_; }

  // 64 random bits (one draw).
  std::uint64_t bits();
  // Uniform in [0, 1) with 53 random bits (one draw).
  double uniform();
  // lo + (hi - lo) * uniform(): the formula of Python's random.uniform, so
  // lo == hi gives lo (and still takes a draw, as Python does).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [lo, hi], both ends included, like Python's
  // random.randint.  Requires lo <= hi.
  std::int64_t randint(std::int64_t lo, std::int64_t hi);
  // A new, independent stream keyed by the next draw (for the large random
  // fields of ElasticTransform, so that their size does not shift the draws
  // that follow).
  Rng fork() { return Rng(bits()); }

  // Fills out[0, n) with uniform [0, 1) values (53 bits) and advances the
  // counter by n.  For the large noise fields these come from SplitMix64
  // instead of Philox (15x faster): out[i] is SplitMix64's output function of
  // key + (counter + i + 1) * 0x9E3779B97F4A7C15.  Computed in parallel
  // (OpenMP); the values do not depend on the threads.
  void fill_uniform(double* out, std::size_t n);

 private:
  std::uint64_t key_;
  std::uint64_t counter_;
};

}  // namespace pn::augment
