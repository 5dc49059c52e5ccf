// flip: x viewed as [outer, n, inner] -> out[o, i, :] = x[o, n-1-i, :].
#include <algorithm>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/parallel.h"
#include "tensor/dim_split.h"
#include "tensor/tensor.h"

namespace pn {

void CpuBackend::flip(const Tensor& x, int64_t dim, Tensor& out) {
  const int64_t n = x.size(dim), outer = outer_extent(x.shape(), dim), inner = inner_extent(x.shape(), dim);
  dispatch_all(x.dtype(), [&]<class T>() {
    const T* src = x.data<T>();
    T* dst = out.data<T>();
    // One task per output row of `inner` elements.
    parallel_for(outer * n, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(inner, 1)), [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        int64_t o = r / n, i = r % n;
        const T* from = src + (o * n + (n - 1 - i)) * inner;
        if (inner == 1) {
          dst[r] = *from;
        } else {
          std::copy(from, from + inner, dst + r * inner);
        }
      }
    });
  });
}

}  // namespace pn
