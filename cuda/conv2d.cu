// conv2d and its two gradients on the GPU: cuDNN when the build has it and
// the problem suits it (cuda/conv2d_cudnn.h), else im2col + cuBLAS GEMM,
// which is the CPU kernel's lowering (tensor/cpu/conv2d.cpp) on the GPU:
//
// x [N,C,H,W], w [K,C/g,R,S], out [N,K,P,Q]. Per image, for a tile of output
// positions j = p*Q + q in [j0, j1), with Cg = C/g, Kg = K/g, L = Cg*R*S:
//   col [C*R*S, n]  = im2col(x)                (0 in the padding)
//   out_g [Kg, n]   = w_g [Kg, L] @ col_g [L, n]          (one batched GEMM over groups)
//   backward input:   col_g = w_g^T @ grad_out_g, then col2im adds col onto grad_x
//   backward weight:  grad_w_g += grad_out_g @ col_g^T, over images and tiles
// P, Q come from the output-side tensor and H, W from the image-side one, and
// every tap is bounds-checked, as the Backend contract asks.
//
// col2im is a gather: one thread per input pixel adds the col entries that
// read it in a fixed (r, s) order, so there are no atomics and the result is
// the same on every run.
#include <algorithm>

#include "cuda/allocator.h"
#include "cuda/backend.h"
#include "cuda/conv2d_cudnn.h"
#include "cuda/gemm.h"
#include "cuda/launch.cuh"
#include "tensor/conv_geometry.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/tensor.h"

namespace pn::cuda {

namespace {

bool g_use_cudnn = true;

// The column buffer's cap: tiles of output positions keep C*R*S*tile under it.
constexpr int64_t kColumnBytes = int64_t{256} << 20;

using Geometry = ConvGeometry;

// col[row, jj] for row = (c, r, s) and jj = j - j0, j in [j0, j0 + n).
template <class T>
struct Im2col {
  Geometry d;
  const T* x;  // one image [C, H, W]
  int64_t j0, n;
  T* col;
  __device__ void operator()(int64_t i) const {
    const int64_t row = i / n, j = j0 + i % n;
    const int64_t p = j / d.Q, q = j % d.Q;
    const int64_t c = row / (d.R * d.S), r = row / d.S % d.R, s = row % d.S;
    const int64_t ih = p * d.sh - d.ph + r * d.dh, iw = q * d.sw - d.pw + s * d.dw;
    const bool inside = ih >= 0 && ih < d.H && iw >= 0 && iw < d.W;
    col[i] = inside ? x[(c * d.H + ih) * d.W + iw] : T(0);
  }
};

// x[c, ih, iw] += every col entry of the tile that im2col read from it.
template <class T>
struct Col2imAdd {
  Geometry d;
  const T* col;
  int64_t j0, n;
  T* x;  // one image [C, H, W]
  __device__ void operator()(int64_t i) const {
    const int64_t c = i / d.HW(), ih = i / d.W % d.H, iw = i % d.W;
    T acc = x[i];
    for (int64_t r = 0; r < d.R; ++r) {
      const int64_t t = ih + d.ph - r * d.dh;
      if (t < 0 || t % d.sh != 0 || t / d.sh >= d.P) continue;
      const int64_t p = t / d.sh;
      for (int64_t s = 0; s < d.S; ++s) {
        const int64_t u = iw + d.pw - s * d.dw;
        if (u < 0 || u % d.sw != 0 || u / d.sw >= d.Q) continue;
        const int64_t j = p * d.Q + u / d.sw;
        if (j < j0 || j >= j0 + n) continue;
        acc += col[((c * d.R + r) * d.S + s) * n + (j - j0)];
      }
    }
    x[i] = acc;
  }
};

// out[n, k, j] += bias[k].
template <class T>
struct AddBias {
  const T* bias;
  T* out;
  int64_t K, PQ;
  __device__ void operator()(int64_t i) const { out[i] += bias[i / PQ % K]; }
};

template <class T>
void add_bias(const Tensor& bias, Tensor& out) {
  if (!bias.defined()) return;
  for_each(out.numel(), AddBias<T>{bias.data<T>(), out.data<T>(), out.size(1), out.size(2) * out.size(3)});
}

}  // namespace

bool cudnn_built() {
#if defined(PNEUMO_CUDNN)
  return true;
#else
  return false;
#endif
}

void set_use_cudnn(bool on) { g_use_cudnn = on; }
bool use_cudnn() { return g_use_cudnn && cudnn_built(); }

void CudaBackend::conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dArgs& a, Tensor& out) {
  const Geometry d(x, out, w.size(2), w.size(3), a);
  dispatch_floating(x.dtype(), "conv2d", [&]<class T>() {
#if defined(PNEUMO_CUDNN)
    if (use_cudnn() && cudnn_conv2d(x, w, a, out)) {
      add_bias<T>(bias, out);
      return;
    }
#endif
    const T* xs = x.data<T>();
    const T* ws = w.data<T>();
    T* os = out.data<T>();
    const int64_t Kg = d.Kg(), L = d.L(), PQ = d.PQ(), tile = d.tile(sizeof(T), kColumnBytes);
    if (d.N == 0 || PQ == 0) return;
    if (L == 0) {  // no input channels: an empty sum
      fill(out, 0.0);
      add_bias<T>(bias, out);
      return;
    }
    Buffer col(d.direct() ? 0 : static_cast<size_t>(d.C * d.R * d.S * tile) * sizeof(T));
    for (int64_t img = 0; img < d.N; ++img) {
      const T* xi = xs + img * d.C * d.HW();
      T* oi = os + img * d.K * PQ;
      if (d.direct()) {
        gemm<T>(Kg, PQ, L, T(1), ws, {false, L, Kg * L}, xi, {false, d.HW(), d.Cg() * d.HW()}, T(0), oi, PQ, Kg * PQ,
                d.groups);
        continue;
      }
      for (int64_t j0 = 0; j0 < PQ; j0 += tile) {
        const int64_t n = std::min(PQ, j0 + tile) - j0;
        for_each(d.C * d.R * d.S * n, Im2col<T>{d, xi, j0, n, col.as<T>()});
        gemm<T>(Kg, n, L, T(1), ws, {false, L, Kg * L}, col.as<T>(), {false, n, L * n}, T(0), oi + j0, PQ, Kg * PQ,
                d.groups);
      }
    }
    add_bias<T>(bias, out);
  });
}

void CudaBackend::conv2d_backward_input(const Tensor& grad_out, const Tensor& w, const Conv2dArgs& a,
                                        Tensor& grad_x) {
  const Geometry d(grad_x, grad_out, w.size(2), w.size(3), a);
  dispatch_floating(grad_out.dtype(), "conv2d_backward_input", [&]<class T>() {
#if defined(PNEUMO_CUDNN)
    if (use_cudnn() && cudnn_conv2d_backward_input(grad_out, w, a, grad_x)) return;
#endif
    fill(grad_x, 0.0);
    const T* gs = grad_out.data<T>();
    const T* ws = w.data<T>();
    T* xs = grad_x.data<T>();
    const int64_t Kg = d.Kg(), L = d.L(), PQ = d.PQ(), tile = d.tile(sizeof(T), kColumnBytes);
    if (d.N == 0 || PQ == 0 || L == 0 || Kg == 0) return;
    Buffer col(d.direct() ? 0 : static_cast<size_t>(d.C * d.R * d.S * tile) * sizeof(T));
    for (int64_t img = 0; img < d.N; ++img) {
      const T* gi = gs + img * d.K * PQ;
      T* xi = xs + img * d.C * d.HW();
      if (d.direct()) {
        gemm<T>(L, PQ, Kg, T(1), ws, {true, L, Kg * L}, gi, {false, PQ, Kg * PQ}, T(0), xi, d.HW(), d.Cg() * d.HW(),
                d.groups);
        continue;
      }
      for (int64_t j0 = 0; j0 < PQ; j0 += tile) {
        const int64_t n = std::min(PQ, j0 + tile) - j0;
        gemm<T>(L, n, Kg, T(1), ws, {true, L, Kg * L}, gi + j0, {false, PQ, Kg * PQ}, T(0), col.as<T>(), n, L * n,
                d.groups);
        for_each(d.C * d.HW(), Col2imAdd<T>{d, col.as<T>(), j0, n, xi});
      }
    }
  });
}

void CudaBackend::conv2d_backward_weight(const Tensor& grad_out, const Tensor& x, const Conv2dArgs& a,
                                         Tensor& grad_w) {
  const Geometry d(x, grad_out, grad_w.size(2), grad_w.size(3), a);
  dispatch_floating(x.dtype(), "conv2d_backward_weight", [&]<class T>() {
#if defined(PNEUMO_CUDNN)
    if (use_cudnn() && cudnn_conv2d_backward_weight(grad_out, x, a, grad_w)) return;
#endif
    const T* gs = grad_out.data<T>();
    const T* xs = x.data<T>();
    T* ws = grad_w.data<T>();
    const int64_t Kg = d.Kg(), L = d.L(), PQ = d.PQ(), tile = d.tile(sizeof(T), kColumnBytes);
    if (d.N == 0 || PQ == 0 || L == 0 || Kg == 0) {
      fill(grad_w, 0.0);
      return;
    }
    Buffer col(d.direct() ? 0 : static_cast<size_t>(d.C * d.R * d.S * tile) * sizeof(T));
    T beta = T(0);  // the first product overwrites grad_w, the rest accumulate
    for (int64_t img = 0; img < d.N; ++img) {
      const T* gi = gs + img * d.K * PQ;
      const T* xi = xs + img * d.C * d.HW();
      if (d.direct()) {
        gemm<T>(Kg, L, PQ, T(1), gi, {false, PQ, Kg * PQ}, xi, {true, d.HW(), d.Cg() * d.HW()}, beta, ws, L, Kg * L,
                d.groups);
        beta = T(1);
        continue;
      }
      for (int64_t j0 = 0; j0 < PQ; j0 += tile) {
        const int64_t n = std::min(PQ, j0 + tile) - j0;
        for_each(d.C * d.R * d.S * n, Im2col<T>{d, xi, j0, n, col.as<T>()});
        gemm<T>(Kg, L, n, T(1), gi + j0, {false, PQ, Kg * PQ}, col.as<T>(), {true, n, L * n}, beta, ws, L, Kg * L,
                d.groups);
        beta = T(1);
      }
    }
  });
}

}  // namespace pn::cuda
