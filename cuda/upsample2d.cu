// Upsampling on the GPU, x [N, C, H, W] -> [N, C, P, Q], with the CPU
// kernel's source positions (tensor/cpu/upsample2d.cpp):
//   nearest:  src = floor(dst * in / out)
//   bilinear: src = (dst + 0.5) * in / out - 0.5, clamped at 0
//             (align_corners=false), blending floor(src) and the next cell.
#include "cuda/backend.h"
#include "cuda/launch.cuh"
#include "tensor/cpu/dispatch.h"
#include "tensor/tensor.h"

namespace pn::cuda {

namespace {

// Output position d reads inputs i0 and i1 with weights l0 and l1 (nearest:
// only i0, with weight 1).
struct Tap {
  int64_t i0, i1;
  double l0, l1;
};

__device__ inline Tap tap(bool bilinear, int64_t d, int64_t in, int64_t out) {
  if (!bilinear) {
    const int64_t a = min(d * in / out, in - 1);
    return {a, a, 1.0, 0.0};
  }
  double src = (static_cast<double>(d) + 0.5) * static_cast<double>(in) / static_cast<double>(out) - 0.5;
  src = src > 0.0 ? src : 0.0;
  const int64_t a = static_cast<int64_t>(src);
  const double wb = src - static_cast<double>(a);
  return {a, a + (a < in - 1 ? 1 : 0), 1.0 - wb, wb};
}

template <class T>
struct UpsampleForward {
  const T* x;
  T* out;
  int64_t H, W, P, Q;
  bool bilinear;
  __device__ void operator()(int64_t o) const {
    const int64_t plane = o / (P * Q), i = o / Q % P, j = o % Q;
    const T* src = x + plane * H * W;
    const Tap r = tap(bilinear, i, H, P), c = tap(bilinear, j, W, Q);
    if (!bilinear) {
      out[o] = src[r.i0 * W + c.i0];
      return;
    }
    const double v = r.l0 * (c.l0 * static_cast<double>(src[r.i0 * W + c.i0]) +
                             c.l1 * static_cast<double>(src[r.i0 * W + c.i1])) +
                     r.l1 * (c.l0 * static_cast<double>(src[r.i1 * W + c.i0]) +
                             c.l1 * static_cast<double>(src[r.i1 * W + c.i1]));
    out[o] = static_cast<T>(v);
  }
};

// Candidate outputs that may read input position h: a superset, from the
// source formula's slope out/in, of those whose taps name h (checked exactly).
__device__ inline void candidates(int64_t h, int64_t in, int64_t out, int64_t& lo, int64_t& hi) {
  lo = max(int64_t{0}, (h - 1) * out / in - 1);
  hi = min(out - 1, ((h + 2) * out + in - 1) / in + 1);
}

// One thread per input element gathers the gradient of every output that
// read it, in the order the CPU kernel scatters them (outputs in row-major
// order; within one output its four taps in order), so the sums agree with
// the CPU's and no atomics are needed.
template <class T>
struct UpsampleBackward {
  const T* grad_out;
  T* grad_x;
  int64_t H, W, P, Q;
  bool bilinear;
  __device__ void operator()(int64_t e) const {
    const int64_t plane = e / (H * W), h = e / W % H, w = e % W;
    const T* g = grad_out + plane * P * Q;
    int64_t i_lo, i_hi, j_lo, j_hi;
    candidates(h, H, P, i_lo, i_hi);
    candidates(w, W, Q, j_lo, j_hi);
    T acc = T(0);
    for (int64_t i = i_lo; i <= i_hi; ++i) {
      const Tap r = tap(bilinear, i, H, P);
      if (r.i0 != h && r.i1 != h) continue;
      for (int64_t j = j_lo; j <= j_hi; ++j) {
        const Tap c = tap(bilinear, j, W, Q);
        if (c.i0 != w && c.i1 != w) continue;
        const T gv = g[i * Q + j];
        if (!bilinear) {
          acc += gv;
          continue;
        }
        const double v = static_cast<double>(gv), lw0 = c.l0 * v, lw1 = c.l1 * v;
        if (r.i0 == h && c.i0 == w) acc += static_cast<T>(r.l0 * lw0);
        if (r.i0 == h && c.i1 == w) acc += static_cast<T>(r.l0 * lw1);
        if (r.i1 == h && c.i0 == w) acc += static_cast<T>(r.l1 * lw0);
        if (r.i1 == h && c.i1 == w) acc += static_cast<T>(r.l1 * lw1);
      }
    }
    grad_x[e] = acc;
  }
};

}  // namespace

void CudaBackend::upsample2d(const Tensor& x, UpsampleMode mode, Tensor& out) {
  dispatch_floating(x.dtype(), "upsample2d", [&]<class T>() {
    for_each(out.numel(), UpsampleForward<T>{x.data<T>(), out.data<T>(), x.size(2), x.size(3), out.size(2),
                                             out.size(3), mode == UpsampleMode::Bilinear});
  });
}

void CudaBackend::upsample2d_backward(const Tensor& grad_out, UpsampleMode mode, Tensor& grad_x) {
  dispatch_floating(grad_x.dtype(), "upsample2d_backward", [&]<class T>() {
    for_each(grad_x.numel(), UpsampleBackward<T>{grad_out.data<T>(), grad_x.data<T>(), grad_x.size(2),
                                                 grad_x.size(3), grad_out.size(2), grad_out.size(3),
                                                 mode == UpsampleMode::Bilinear});
  });
}

}  // namespace pn::cuda
