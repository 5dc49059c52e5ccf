// Adaptive average pooling on the GPU, x [N, C, H, W] -> [N, C, P, Q]: output
// row i averages input rows [floor(i*H/P), ceil((i+1)*H/P)), and likewise
// columns (tensor/cpu/adaptive_avg_pool2d.cpp).
#include "cuda/backend.h"
#include "cuda/launch.cuh"
#include "tensor/cpu/dispatch.h"
#include "tensor/tensor.h"

namespace pn::cuda {

namespace {

__device__ inline int64_t window_begin(int64_t i, int64_t in, int64_t out) { return i * in / out; }
__device__ inline int64_t window_end(int64_t i, int64_t in, int64_t out) { return ((i + 1) * in + out - 1) / out; }

template <class T>
struct AvgForward {
  const T* x;
  T* out;
  int64_t H, W, P, Q;
  __device__ void operator()(int64_t o) const {
    const int64_t plane = o / (P * Q), i = o / Q % P, j = o % Q;
    const int64_t h0 = window_begin(i, H, P), h1 = window_end(i, H, P);
    const int64_t w0 = window_begin(j, W, Q), w1 = window_end(j, W, Q);
    const T* src = x + plane * H * W;
    double s = 0;
    for (int64_t h = h0; h < h1; ++h)
      for (int64_t w = w0; w < w1; ++w) s += static_cast<double>(src[h * W + w]);
    out[o] = static_cast<T>(s / static_cast<double>((h1 - h0) * (w1 - w0)));
  }
};

// One thread per input element adds the shares of the outputs whose windows
// hold it, in output order: the CPU kernel's additions in its order, without
// atomics. Rows i with begin(i) <= h < end(i) are those in
// [floor(h*P/H), floor(((h+1)*P - 1)/H)]; each is still checked.
template <class T>
struct AvgBackward {
  const T* grad_out;
  T* grad_x;
  int64_t H, W, P, Q;
  __device__ void operator()(int64_t e) const {
    const int64_t plane = e / (H * W), h = e / W % H, w = e % W;
    const int64_t i_lo = h * P / H, i_hi = min(P - 1, ((h + 1) * P - 1) / H);
    const int64_t j_lo = w * Q / W, j_hi = min(Q - 1, ((w + 1) * Q - 1) / W);
    const T* g = grad_out + plane * P * Q;
    T acc = T(0);
    for (int64_t i = i_lo; i <= i_hi; ++i) {
      const int64_t h0 = window_begin(i, H, P), h1 = window_end(i, H, P);
      if (h < h0 || h >= h1) continue;
      for (int64_t j = j_lo; j <= j_hi; ++j) {
        const int64_t w0 = window_begin(j, W, Q), w1 = window_end(j, W, Q);
        if (w < w0 || w >= w1) continue;
        acc += static_cast<T>(static_cast<double>(g[i * Q + j]) / static_cast<double>((h1 - h0) * (w1 - w0)));
      }
    }
    grad_x[e] = acc;
  }
};

}  // namespace

void CudaBackend::adaptive_avg_pool2d(const Tensor& x, Tensor& out) {
  dispatch_floating(x.dtype(), "adaptive_avg_pool2d", [&]<class T>() {
    for_each(out.numel(), AvgForward<T>{x.data<T>(), out.data<T>(), x.size(2), x.size(3), out.size(2), out.size(3)});
  });
}

void CudaBackend::adaptive_avg_pool2d_backward(const Tensor& grad_out, Tensor& grad_x) {
  dispatch_floating(grad_x.dtype(), "adaptive_avg_pool2d_backward", [&]<class T>() {
    for_each(grad_x.numel(), AvgBackward<T>{grad_out.data<T>(), grad_x.data<T>(), grad_x.size(2), grad_x.size(3),
                                            grad_out.size(2), grad_out.size(3)});
  });
}

}  // namespace pn::cuda
