// Max pooling on the GPU over each (n, c) plane of x [N, C, H, W] -> [N, C,
// P, Q], with the CPU kernel's rules (tensor/cpu/max_pool2d.cpp): windows
// clipped to the input, the first maximum in scan order wins a tie, a NaN
// always wins; indices hold the flat position h*W + w in the plane.
#include <math.h>

#include "cuda/backend.h"
#include "cuda/launch.cuh"
#include "tensor/cpu/dispatch.h"
#include "tensor/tensor.h"

namespace pn::cuda {

namespace {

struct Pool {
  int64_t H, W, P, Q;
  int64_t kh, kw, sh, sw, ph, pw;
};

Pool pool_of(const Tensor& x, const Tensor& out, const Pool2dArgs& a) {
  return {x.size(2), x.size(3), out.size(2), out.size(3), a.kernel[0], a.kernel[1],
          a.stride[0], a.stride[1], a.padding[0], a.padding[1]};
}

// One thread per output element.
template <class T>
struct MaxPoolForward {
  Pool g;
  const T* x;
  T* out;
  int64_t* indices;
  __device__ void operator()(int64_t i) const {
    const int64_t plane = i / (g.P * g.Q), ph = i / g.Q % g.P, pw = i % g.Q;
    const T* src = x + plane * g.H * g.W;
    int64_t h0 = ph * g.sh - g.ph, w0 = pw * g.sw - g.pw;
    const int64_t h1 = min(h0 + g.kh, g.H), w1 = min(w0 + g.kw, g.W);
    h0 = max(h0, int64_t{0});
    w0 = max(w0, int64_t{0});
    T best = static_cast<T>(-INFINITY);
    int64_t best_at = h0 * g.W + w0;
    for (int64_t h = h0; h < h1; ++h) {
      for (int64_t w = w0; w < w1; ++w) {
        const T v = src[h * g.W + w];
        if (v > best || isnan(v)) {
          best = v;
          best_at = h * g.W + w;
        }
      }
    }
    out[i] = best;
    indices[i] = best_at;
  }
};

// One thread per input element: it adds, in output order, the gradients of
// the outputs whose window holds it and whose maximum it was. A gather, so no
// atomics, and the order of additions is the CPU kernel's.
template <class T>
struct MaxPoolBackward {
  Pool g;
  const T* grad_out;
  const int64_t* indices;
  T* grad_x;
  __device__ void operator()(int64_t i) const {
    const int64_t plane = i / (g.H * g.W), h = i / g.W % g.H, w = i % g.W;
    const int64_t at = h * g.W + w;
    // Outputs ph whose window [ph*sh - pad, ph*sh - pad + kh) holds h.
    const int64_t ph_lo = max(int64_t{0}, (h + g.ph - g.kh + g.sh) / g.sh);
    const int64_t ph_hi = min(g.P - 1, (h + g.ph) / g.sh);
    const int64_t pw_lo = max(int64_t{0}, (w + g.pw - g.kw + g.sw) / g.sw);
    const int64_t pw_hi = min(g.Q - 1, (w + g.pw) / g.sw);
    const T* gp = grad_out + plane * g.P * g.Q;
    const int64_t* ip = indices + plane * g.P * g.Q;
    T acc = T(0);
    for (int64_t ph = ph_lo; ph <= ph_hi; ++ph)
      for (int64_t pw = pw_lo; pw <= pw_hi; ++pw)
        if (ip[ph * g.Q + pw] == at) acc += gp[ph * g.Q + pw];
    grad_x[i] = acc;
  }
};

}  // namespace

void CudaBackend::max_pool2d(const Tensor& x, const Pool2dArgs& a, Tensor& out, Tensor& indices) {
  dispatch_floating(x.dtype(), "max_pool2d", [&]<class T>() {
    for_each(out.numel(), MaxPoolForward<T>{pool_of(x, out, a), x.data<T>(), out.data<T>(), indices.data<int64_t>()});
  });
}

void CudaBackend::max_pool2d_backward(const Tensor& grad_out, const Tensor& indices, const Pool2dArgs& a,
                                      Tensor& grad_x) {
  dispatch_floating(grad_x.dtype(), "max_pool2d_backward", [&]<class T>() {
    for_each(grad_x.numel(), MaxPoolBackward<T>{pool_of(grad_x, grad_out, a), grad_out.data<T>(),
                                                indices.data<int64_t>(), grad_x.data<T>()});
  });
}

}  // namespace pn::cuda
