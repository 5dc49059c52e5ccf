// Sums along one dimension.
#include <vector>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/parallel.h"
#include "tensor/tensor.h"

namespace pn {

// x viewed as [outer, n, inner] -> out [outer, inner]. Accumulates in double so
// that float32 sums over millions of pixels stay accurate. A full reduction
// (outer = inner = 1) is split into fixed-size blocks whose partial sums are
// added in order, so the result does not depend on the number of threads.
void CpuBackend::sum_dim(const Tensor& x, int64_t outer, int64_t n, int64_t inner, Tensor& out) {
  dispatch_floating(x.dtype(), "sum", [&]<class T>() {
    const T* src = x.data<T>();
    T* dst = out.data<T>();
    if (inner == 1) {
      constexpr int64_t kBlock = 1 << 14;
      int64_t blocks = (n + kBlock - 1) / kBlock;
      if (outer == 1 && blocks > 1) {
        std::vector<double> partial(static_cast<size_t>(blocks));
        parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
          for (int64_t b = b0; b < b1; ++b) {
            double s = 0;
            for (int64_t i = b * kBlock, e = std::min(n, (b + 1) * kBlock); i < e; ++i) s += src[i];
            partial[static_cast<size_t>(b)] = s;
          }
        });
        double s = 0;
        for (double p : partial) s += p;
        dst[0] = static_cast<T>(s);
        return;
      }
      parallel_for(outer, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
        for (int64_t o = b; o < e; ++o) {
          double s = 0;
          const T* row = src + o * n;
          for (int64_t i = 0; i < n; ++i) s += row[i];
          dst[o] = static_cast<T>(s);
        }
      });
      return;
    }
    // Rows of `inner` contiguous values are added into a double row buffer.
    parallel_for(outer * inner, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(n, 1)),
                 [&](int64_t b, int64_t e) {
      // Split this thread's output range into pieces of one outer index.
      std::vector<double> acc;
      for (int64_t start = b; start < e;) {
        int64_t o = start / inner, i0 = start % inner;
        int64_t i1 = std::min(inner, i0 + (e - start));
        acc.assign(static_cast<size_t>(i1 - i0), 0.0);
        for (int64_t k = 0; k < n; ++k) {
          const T* row = src + (o * n + k) * inner;
          for (int64_t i = i0; i < i1; ++i) acc[static_cast<size_t>(i - i0)] += row[i];
        }
        for (int64_t i = i0; i < i1; ++i) dst[o * inner + i] = static_cast<T>(acc[static_cast<size_t>(i - i0)]);
        start += i1 - i0;
      }
    });
  });
}

}  // namespace pn
