#include "pneumo/augment/rng.h"

#include <algorithm>
#include <cmath>

#include "tensor/error.h"
#include "tensor/philox.h"

namespace pn::augment {

namespace {

// 53 random bits as a double in [0, 1).
double to_unit(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t bits = (static_cast<std::uint64_t>(hi) << 21) ^ (lo >> 11);
  return static_cast<double>(bits & ((std::uint64_t{1} << 53) - 1)) * 0x1.0p-53;
}

}  // namespace

Rng Rng::for_sample(std::uint64_t seed, std::uint64_t epoch, std::uint64_t index) {
  // Philox is a bijection of its 128-bit counter for a fixed key, so distinct
  // (epoch, index) pairs give distinct outputs under one seed; 64 of the 128
  // bits make the sample's key.
  const Philox4 ctr{{static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32),
                     static_cast<std::uint32_t>(epoch), static_cast<std::uint32_t>(epoch >> 32)}};
  const Philox4 r = philox4x32_10(ctr, static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32));
  return Rng((static_cast<std::uint64_t>(r.v[0]) << 32) | r.v[1]);
}

std::uint64_t Rng::bits() {
  const Philox4 r = philox4x32_10(counter_++, key_);
  return (static_cast<std::uint64_t>(r.v[0]) << 32) | r.v[1];
}

double Rng::uniform() {
  const Philox4 r = philox4x32_10(counter_++, key_);
  return to_unit(r.v[0], r.v[1]);
}

std::int64_t Rng::randint(std::int64_t lo, std::int64_t hi) {
  PN_CHECK(lo <= hi, "augment::Rng::randint: empty range [", lo, ", ", hi, "]");
  const double span = static_cast<double>(hi - lo) + 1.0;
  // floor(u * span) < span because u < 1; the min() guards the rounding of
  // u * span up to span for huge spans.
  const auto k = static_cast<std::int64_t>(std::floor(uniform() * span));
  return lo + std::min(k, hi - lo);
}

void Rng::fill_uniform(double* out, std::size_t n) {
  // SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
  // generators", OOPSLA 2014): its output function applied to the Weyl
  // sequence key + k * golden gamma.  15 times cheaper than Philox here, and
  // still a pure function of (key, k): any thread computes any value.
  constexpr std::uint64_t kGamma = 0x9E3779B97F4A7C15ull;
  const std::uint64_t base = key_ + counter_ * kGamma;
  const auto count = static_cast<std::int64_t>(n);
#pragma omp parallel for simd schedule(static) if (count > (1 << 16))
  for (std::int64_t i = 0; i < count; ++i) {
    std::uint64_t z = base + static_cast<std::uint64_t>(i + 1) * kGamma;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    out[i] = static_cast<double>(z >> 11) * 0x1.0p-53;
  }
  counter_ += static_cast<std::uint64_t>(n);
}

}  // namespace pn::augment
