#pragma once
// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
// SC 2011): a counter-based generator. The numbers for counter c under key k
// are a pure function of (c, k), so element i of a random tensor can be made
// by any thread on any device, in any order, and a seed gives the same values
// on every machine. Shared by the CPU and CUDA kernels.
#include <cmath>
#include <cstdint>

#include "tensor/functors.h"  // PN_HD

namespace pn {

struct Philox4 {
  uint32_t v[4];
};

// The ten-round bijection of a 128-bit counter under a 64-bit key.
PN_HD inline Philox4 philox4x32_10(Philox4 ctr, uint32_t k0, uint32_t k1) {
  uint32_t c0 = ctr.v[0], c1 = ctr.v[1], c2 = ctr.v[2], c3 = ctr.v[3];
  for (int round = 0; round < 10; ++round) {
    uint64_t p0 = static_cast<uint64_t>(0xD2511F53u) * c0;
    uint64_t p1 = static_cast<uint64_t>(0xCD9E8D57u) * c2;
    uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += 0x9E3779B9u;  // the key schedule: golden ratio and sqrt(3) - 1
    k1 += 0xBB67AE85u;
  }
  return {{c0, c1, c2, c3}};
}

// The draw for a 64-bit counter (upper counter words 0) under a 64-bit seed.
PN_HD inline Philox4 philox4x32_10(uint64_t counter, uint64_t key) {
  Philox4 ctr{{static_cast<uint32_t>(counter), static_cast<uint32_t>(counter >> 32), 0u, 0u}};
  return philox4x32_10(ctr, static_cast<uint32_t>(key), static_cast<uint32_t>(key >> 32));
}

// Uniform in [0, 1) with 53 random bits.
PN_HD inline double philox_uniform(uint64_t counter, uint64_t key) {
  Philox4 r = philox4x32_10(counter, key);
  uint64_t bits = (static_cast<uint64_t>(r.v[0]) << 21) ^ (r.v[1] >> 11);
  return static_cast<double>(bits & ((uint64_t{1} << 53) - 1)) * 0x1.0p-53;
}

// Standard normal by Box-Muller from the same draw (u1 in (0,1], u2 in [0,1)).
PN_HD inline double philox_normal(uint64_t counter, uint64_t key) {
  Philox4 r = philox4x32_10(counter, key);
  double u1 = (static_cast<double>(r.v[2]) + 1.0) * 0x1.0p-32;
  double u2 = static_cast<double>(r.v[3]) * 0x1.0p-32;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586476925 * u2);
}

}  // namespace pn
