#pragma once
// Seeded random tensors that are the same on every machine and device.
//
// A Generator is a seed and an offset: making a tensor of n elements uses the
// Philox counters [offset, offset + n) and advances the offset by n, so the
// state is two integers (saved in checkpoints to resume a run exactly).
#include <cstdint>

#include "tensor/tensor.h"

namespace pn {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0) : seed_(seed) {}
  uint64_t seed() const { return seed_; }
  uint64_t offset() const { return offset_; }
  void set_state(uint64_t seed, uint64_t offset) { seed_ = seed; offset_ = offset; }
  // Reserves n counters and returns the first.
  uint64_t advance(uint64_t n) {
    uint64_t first = offset_;
    offset_ += n;
    return first;
  }

 private:
  uint64_t seed_;
  uint64_t offset_ = 0;
};

// The generator used when none is given.
Generator& default_generator();
void manual_seed(uint64_t seed);

// Uniform in [lo, hi).
Tensor uniform(const Shape& shape, double lo = 0.0, double hi = 1.0, DType dtype = DType::Float32,
               Device device = Device::cpu(), Generator* gen = nullptr);
// Normal with the given mean and standard deviation.
Tensor normal(const Shape& shape, double mean = 0.0, double std = 1.0, DType dtype = DType::Float32,
              Device device = Device::cpu(), Generator* gen = nullptr);
// 1 with probability p, else 0.
Tensor bernoulli(const Shape& shape, double p, DType dtype = DType::Float32,
                 Device device = Device::cpu(), Generator* gen = nullptr);

}  // namespace pn
