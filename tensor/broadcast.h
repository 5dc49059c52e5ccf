#pragma once
// Broadcasting (NumPy's rules): shapes are aligned at their last dimension;
// each pair of extents must be equal or one of them 1, which is repeated.
#include <array>
#include <cstdint>

#include "tensor/error.h"
#include "tensor/shape.h"

namespace pn {

// The broadcast shape of a and b; throws naming `op` when they do not broadcast.
Shape broadcast_shape(const Shape& a, const Shape& b, const char* op);

// How K inputs map onto a broadcast output, for kernels. The output is seen
// as rows x cols with cols its last extent; input k's element for output
// (row r, column c) is at row_offset(r)[k] + c * col_stride[k].
template <size_t K>
class BroadcastPlan {
 public:
  BroadcastPlan(const Shape& out, const std::array<const Shape*, K>& inputs) : out_(out) {
    size_t rank = out.size();
    for (size_t k = 0; k < K; ++k) {
      const Shape& in = *inputs[k];
      strides_[k].assign(rank, 0);
      int64_t stride = 1;
      for (size_t i = 0; i < in.size(); ++i) {
        size_t d_in = in.size() - 1 - i, d_out = rank - 1 - i;
        strides_[k][d_out] = in[d_in] == 1 ? 0 : stride;
        stride *= in[d_in];
      }
      col_stride[k] = rank ? strides_[k][rank - 1] : 0;
    }
    cols = rank ? out[rank - 1] : 1;
    rows = cols ? out.numel() / cols : 0;
  }

  // Offsets of every input at the start of output row r.
  std::array<int64_t, K> row_offset(int64_t r) const {
    std::array<int64_t, K> off{};
    for (size_t d = out_.size() - 1; d-- > 0;) {  // all but the last dimension, innermost first
      int64_t i = r % out_[d];
      r /= out_[d];
      for (size_t k = 0; k < K; ++k) off[k] += i * strides_[k][d];
    }
    return off;
  }

  int64_t rows = 0, cols = 0;
  std::array<int64_t, K> col_stride{};

 private:
  Shape out_;
  std::array<Shape, K> strides_;
};

}  // namespace pn
