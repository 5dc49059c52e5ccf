// Adaptive average pooling of x [N, C, H, W] to [N, C, P, Q]: output row i
// averages input rows [floor(i*H/P), ceil((i+1)*H/P)), and likewise columns.
// When P does not divide H neighbouring windows overlap by a row.
#include <algorithm>
#include <vector>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/parallel.h"
#include "tensor/tensor.h"

namespace pn {

namespace {

constexpr int64_t kGrain = 1 << 15;

struct Windows {
  std::vector<int64_t> begin, end;
};

// The windows of `out` outputs over `in` inputs.
Windows windows(int64_t in, int64_t out) {
  Windows w;
  for (int64_t i = 0; i < out; ++i) {
    w.begin.push_back(i * in / out);
    w.end.push_back(((i + 1) * in + out - 1) / out);
  }
  return w;
}

int64_t plane_grain(int64_t work) { return std::max<int64_t>(1, kGrain / std::max<int64_t>(work, 1)); }

}  // namespace

void CpuBackend::adaptive_avg_pool2d(const Tensor& x, Tensor& out) {
  dispatch_floating(x.dtype(), "adaptive_avg_pool2d", [&]<class T>() {
    int64_t H = x.size(2), W = x.size(3), P = out.size(2), Q = out.size(3);
    Windows rows = windows(H, P), cols = windows(W, Q);
    const T* xs = x.data<T>();
    T* ys = out.data<T>();
    parallel_for(x.size(0) * x.size(1), plane_grain(H * W + P * Q), [&](int64_t b, int64_t e) {
      for (int64_t plane = b; plane < e; ++plane) {
        const T* src = xs + plane * H * W;
        T* dst = ys + plane * P * Q;
        for (int64_t i = 0; i < P; ++i) {
          int64_t h0 = rows.begin[static_cast<size_t>(i)], h1 = rows.end[static_cast<size_t>(i)];
          for (int64_t j = 0; j < Q; ++j) {
            int64_t w0 = cols.begin[static_cast<size_t>(j)], w1 = cols.end[static_cast<size_t>(j)];
            double s = 0;
            for (int64_t h = h0; h < h1; ++h)
              for (int64_t w = w0; w < w1; ++w) s += src[h * W + w];
            dst[i * Q + j] = static_cast<T>(s / static_cast<double>((h1 - h0) * (w1 - w0)));
          }
        }
      }
    });
  });
}

// Each output spreads grad/area over its window; overlapping windows add up,
// so one thread owns a plane and adds in output order.
void CpuBackend::adaptive_avg_pool2d_backward(const Tensor& grad_out, Tensor& grad_x) {
  dispatch_floating(grad_x.dtype(), "adaptive_avg_pool2d_backward", [&]<class T>() {
    int64_t H = grad_x.size(2), W = grad_x.size(3), P = grad_out.size(2), Q = grad_out.size(3);
    Windows rows = windows(H, P), cols = windows(W, Q);
    const T* gs = grad_out.data<T>();
    T* gx = grad_x.data<T>();
    parallel_for(grad_x.size(0) * grad_x.size(1), plane_grain(H * W + P * Q), [&](int64_t b, int64_t e) {
      for (int64_t plane = b; plane < e; ++plane) {
        T* dst = gx + plane * H * W;
        const T* g = gs + plane * P * Q;
        std::fill(dst, dst + H * W, T(0));
        for (int64_t i = 0; i < P; ++i) {
          int64_t h0 = rows.begin[static_cast<size_t>(i)], h1 = rows.end[static_cast<size_t>(i)];
          for (int64_t j = 0; j < Q; ++j) {
            int64_t w0 = cols.begin[static_cast<size_t>(j)], w1 = cols.end[static_cast<size_t>(j)];
            T share = static_cast<T>(static_cast<double>(g[i * Q + j]) / static_cast<double>((h1 - h0) * (w1 - w0)));
            for (int64_t h = h0; h < h1; ++h)
              for (int64_t w = w0; w < w1; ++w) dst[h * W + w] += share;
          }
        }
      }
    });
  });
}

}  // namespace pn
