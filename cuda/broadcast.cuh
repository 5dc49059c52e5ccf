#pragma once
// Broadcast indexing on the GPU: where each of K inputs keeps the element of
// a given output index (NumPy's rules, as tensor/broadcast.h).
#include <array>
#include <cstdint>

#include "tensor/error.h"
#include "tensor/shape.h"

namespace pn::cuda {

constexpr int kMaxRank = 8;

// Passed by value to kernels: out extents and, per input, the element stride
// of each output dimension (0 where the input is broadcast).
template <int K>
struct BroadcastIndex {
  int rank = 0;
  int64_t extent[kMaxRank] = {};
  int64_t stride[K][kMaxRank] = {};

  BroadcastIndex(const Shape& out, const std::array<const Shape*, K>& ins) {
    PN_CHECK(out.size() <= kMaxRank, "cuda: broadcasting supports up to ", kMaxRank, " dimensions, got ", out);
    rank = static_cast<int>(out.size());
    for (int d = 0; d < rank; ++d) extent[d] = out[static_cast<size_t>(d)];
    for (int k = 0; k < K; ++k) {
      const Shape& in = *ins[static_cast<size_t>(k)];
      int64_t s = 1;
      for (size_t i = 0; i < in.size(); ++i) {
        size_t d_in = in.size() - 1 - i;
        int d_out = rank - 1 - static_cast<int>(i);
        stride[k][d_out] = in[d_in] == 1 ? 0 : s;
        s *= in[d_in];
      }
    }
  }

  // Input k's offset for output element i.
  __device__ int64_t offset(int k, int64_t i) const {
    int64_t off = 0;
    for (int d = rank - 1; d >= 0; --d) {
      int64_t e = extent[d];
      off += (i % e) * stride[k][d];
      i /= e;
    }
    return off;
  }
};

}  // namespace pn::cuda
