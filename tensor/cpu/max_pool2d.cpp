// Max pooling over each (n, c) plane of x [N, C, H, W] -> [N, C, P, Q].
#include <algorithm>
#include <cmath>
#include <limits>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/parallel.h"
#include "tensor/tensor.h"

namespace pn {

namespace {

constexpr int64_t kGrain = 1 << 15;

int64_t plane_grain(int64_t plane_size) { return std::max<int64_t>(1, kGrain / std::max<int64_t>(plane_size, 1)); }

}  // namespace

// A window is clipped to the input, which is what padding with -inf means:
// padded cells never win. The entry point's output-size rule guarantees every
// window keeps at least one input cell. As in PyTorch's CPU kernel, the first
// maximum in scan order wins a tie, and a NaN always wins (so NaN propagates).
void CpuBackend::max_pool2d(const Tensor& x, const Pool2dArgs& a, Tensor& out, Tensor& indices) {
  dispatch_floating(x.dtype(), "max_pool2d", [&]<class T>() {
    int64_t H = x.size(2), W = x.size(3), P = out.size(2), Q = out.size(3);
    const T* xs = x.data<T>();
    T* ys = out.data<T>();
    int64_t* idx = indices.data<int64_t>();
    parallel_for(x.size(0) * x.size(1), plane_grain(P * Q * a.kernel[0] * a.kernel[1]), [&](int64_t b, int64_t e) {
      for (int64_t plane = b; plane < e; ++plane) {
        const T* src = xs + plane * H * W;
        T* dst = ys + plane * P * Q;
        int64_t* di = idx + plane * P * Q;
        for (int64_t ph = 0; ph < P; ++ph) {
          int64_t h0 = ph * a.stride[0] - a.padding[0];
          int64_t h1 = std::min(h0 + a.kernel[0], H);
          h0 = std::max<int64_t>(h0, 0);
          for (int64_t pw = 0; pw < Q; ++pw) {
            int64_t w0 = pw * a.stride[1] - a.padding[1];
            int64_t w1 = std::min(w0 + a.kernel[1], W);
            w0 = std::max<int64_t>(w0, 0);
            T best = -std::numeric_limits<T>::infinity();
            int64_t best_at = h0 * W + w0;
            for (int64_t h = h0; h < h1; ++h) {
              for (int64_t w = w0; w < w1; ++w) {
                T v = src[h * W + w];
                if (v > best || std::isnan(v)) {
                  best = v;
                  best_at = h * W + w;
                }
              }
            }
            dst[ph * Q + pw] = best;
            di[ph * Q + pw] = best_at;
          }
        }
      }
    });
  });
}

// Each output's gradient goes to its argmax. Windows overlap when stride <
// kernel, so a plane is accumulated by one thread, in output order.
void CpuBackend::max_pool2d_backward(const Tensor& grad_out, const Tensor& indices, const Pool2dArgs&,
                                     Tensor& grad_x) {
  dispatch_floating(grad_x.dtype(), "max_pool2d_backward", [&]<class T>() {
    int64_t HW = grad_x.size(2) * grad_x.size(3), PQ = grad_out.size(2) * grad_out.size(3);
    const T* gs = grad_out.data<T>();
    const int64_t* idx = indices.data<int64_t>();
    T* gx = grad_x.data<T>();
    parallel_for(grad_x.size(0) * grad_x.size(1), plane_grain(HW + PQ), [&](int64_t b, int64_t e) {
      for (int64_t plane = b; plane < e; ++plane) {
        T* dst = gx + plane * HW;
        std::fill(dst, dst + HW, T(0));
        const T* g = gs + plane * PQ;
        const int64_t* ip = idx + plane * PQ;
        for (int64_t i = 0; i < PQ; ++i) dst[ip[i]] += g[i];
      }
    });
  });
}

}  // namespace pn
