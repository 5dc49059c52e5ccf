#pragma once
// A row-major tensor seen around one dimension as [outer, n, inner]: the
// extents before and after `dim`. Kernels that work along one dimension
// (concat, narrow, flip) index with these.
#include <cstdint>

#include "tensor/shape.h"

namespace pn {

// Product of the extents before dim (1 when dim is 0).
inline int64_t outer_extent(const Shape& s, int64_t dim) {
  int64_t n = 1;
  for (int64_t d = 0; d < dim; ++d) n *= s[static_cast<size_t>(d)];
  return n;
}

// Product of the extents after dim (1 when dim is the last).
inline int64_t inner_extent(const Shape& s, int64_t dim) {
  int64_t n = 1;
  for (size_t d = static_cast<size_t>(dim) + 1; d < s.size(); ++d) n *= s[d];
  return n;
}

}  // namespace pn
