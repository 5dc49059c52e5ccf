// conv2d and its two gradients on the CPU, lowered to GEMM.
//
// x [N,C,H,W], w [K,C/g,R,S], out [N,K,P,Q]. For one image and one group g,
// with Cg = C/groups, Kg = K/groups and L = Cg*R*S:
//   out_g [Kg, P*Q]  = w_g [Kg, L] @ col_g [L, P*Q]
//   col[(c,r,s), (p,q)] = x[c, p*sh - ph + r*dh, q*sw - pw + s*dw]   (0 in the padding)
// backward weight:  grad_w_g += grad_out_g @ col_g^T, summed over images;
// backward input:   the transpose of the forward map (below).
// col is never stored: the GEMM packs its panels straight from the image
// (tensor/cpu/im2col_panels.h). A 1x1 convolution with stride 1 and no
// padding has col == x, so it is a plain GEMM on the image itself. Small
// feature maps put several images side by side in one GEMM (col of each
// image as consecutive columns) so that it has enough columns to run well.
//
// Backward input with stride 1 is itself a convolution, so it takes the same
// path: grad_x = conv(grad_out, w'), where w'[c, k, r, s] =
// w[k, c, R-1-r, S-1-s] (flipped, input and output channels swapped), with
// padding dilation*(R-1) - padding. With a larger stride the transposed
// convolution would read grad_out at fractional positions; there the kernel
// computes col_g = w_g^T @ grad_out_g into a buffer, a tile of output
// positions at a time, and col2im adds every entry of col back onto the
// pixel of x it was read from. Those layers (a network's few downsampling
// convolutions) are small.
//
// P and Q are taken from the output (or grad_out) tensor, H and W from the
// input (or grad_x) tensor, not recomputed from the size formula: every index
// is bounds-checked, so an output smaller than the formula's is computed
// correctly. conv_transpose2d relies on this: with output_padding its
// "convolution" input can be larger than the one the formula would invert.
//
// Determinism: packing is a copy; col2im gives each (channel, input row) to
// one thread, which adds its contributions in a fixed order; GEMM results do
// not depend on the thread count (tensor/cpu/gemm.h); tiles and images are
// processed in order. So no result depends on the number of threads.
#include <omp.h>

#include <algorithm>
#include <memory>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/gemm.h"
#include "tensor/cpu/im2col_panels.h"
#include "tensor/cpu/parallel.h"
#include "tensor/cpu/winograd.h"
#include "tensor/conv_geometry.h"
#include "tensor/tensor.h"

namespace pn {

namespace {

using cpu::gemm;
using cpu::Trans;

// The cap on the column buffer of the strided backward input (the only
// kernel that still stores col). At 32 MiB a 3x3 layer with 64 input channels
// still gets tiles of ~14,500 output positions (14 rows of a 1024-wide image),
// so GEMM's N stays in the thousands, while memory stays far below the
// activations themselves (one 64x1024x1024 float32 image is 256 MiB; its full
// column buffer would be 2.4 GB). A tile is never narrower than one column,
// so the cap could only be exceeded if C*R*S alone passed 8M floats.
constexpr int64_t kColumnBytes = int64_t{32} << 20;

// Elements of work below which a parallel loop stays on the calling thread.
constexpr int64_t kGrain = int64_t{1} << 15;
// Multiply-adds below which the GEMMs of all groups run on the calling thread.
constexpr int64_t kGroupGrain = int64_t{1} << 16;

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }  // b > 0
int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

struct Geometry : ConvGeometry {
  using ConvGeometry::ConvGeometry;
  int64_t tile(size_t elem) const { return ConvGeometry::tile(elem, kColumnBytes); }
  // Output columns q whose input column q*sw - pw + s*dw lies inside [0, W).
  void valid_q(int64_t s, int64_t& lo, int64_t& hi) const {
    int64_t off = s * dw - pw;
    lo = std::max<int64_t>(0, ceil_div(-off, sw));
    hi = std::max(lo, std::min(Q, floor_div(W - 1 - off, sw) + 1));
  }
};

// Runs body(g) for every group, where each group's GEMM does `macs`
// multiply-adds. With at least as many groups as threads (as in ResNeXt's 32
// or a depthwise convolution) the groups' GEMMs are small and run one per
// thread, single-threaded (gemm.h); otherwise they run one after another,
// each on all threads. Tiny problems (the gradient checks' shapes) stay on the
// calling thread: waking threads would cost more than the arithmetic.
template <class F>
void for_each_group(int64_t groups, int64_t macs, F&& body) {
  if (groups > 1 && groups >= omp_get_max_threads() && groups * macs >= kGroupGrain) {
    parallel_for(groups, 1, [&](int64_t g0, int64_t g1) {
      for (int64_t g = g0; g < g1; ++g) body(g);
    });
  } else {
    for (int64_t g = 0; g < groups; ++g) body(g);
  }
}

// Adds col [C*R*S, j1-j0] (output positions [j0, j1)) onto image x [C,H,W]:
// the transpose of im2col. Written as a gather over input rows, so that each
// input row has one writer and the loop parallelises without atomics.
template <class T>
void col2im_add(const Geometry& d, const T* col, int64_t j0, int64_t j1, T* x) {
  const int64_t n = j1 - j0, p_first = j0 / d.Q, p_last = (j1 - 1) / d.Q;
  parallel_for(d.C * d.H, std::max<int64_t>(1, kGrain / (d.W * d.R * d.S)), [&](int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; ++u) {
      const int64_t c = u / d.H, ih = u % d.H;
      T* dst = x + u * d.W;
      for (int64_t r = 0; r < d.R; ++r) {
        // The output row p that reads input row ih through kernel row r.
        const int64_t t = ih + d.ph - r * d.dh;
        if (t < 0 || t % d.sh != 0) continue;
        const int64_t p = t / d.sh;
        if (p < p_first || p > p_last) continue;
        const int64_t q0 = std::max(j0 - p * d.Q, int64_t{0}), q1 = std::min(j1 - p * d.Q, d.Q);
        for (int64_t s = 0; s < d.S; ++s) {
          int64_t lo, hi;
          d.valid_q(s, lo, hi);
          lo = std::clamp(lo, q0, q1);
          hi = std::clamp(hi, lo, q1);
          const T* src = col + ((c * d.R + r) * d.S + s) * n + (p * d.Q - j0);
          T* out = dst + (s * d.dw - d.pw);
          if (d.sw == 1) {
            for (int64_t q = lo; q < hi; ++q) out[q] += src[q];
          } else {
            for (int64_t q = lo; q < hi; ++q) out[q * d.sw] += src[q];
          }
        }
      }
    }
  });
}

template <class T>
void fill_zero(T* p, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) { std::fill(p + b, p + e, T(0)); });
}

template <class T>
std::unique_ptr<T[]> column_buffer(const Geometry& d) {
  if (d.direct() || d.N == 0) return nullptr;
  return std::make_unique_for_overwrite<T[]>(static_cast<size_t>(d.C * d.R * d.S * d.tile(sizeof(T))));
}

// Images per GEMM. The GEMM packs its A operand (the weights, or grad_out
// for the weight gradient) once per call and reuses each packed value once
// per column; a deep layer's 8x8 image gives it only 64 columns, too few to
// repay the packing. Images placed side by side, as im2col_panels.h allows,
// give it at least kMinColumns columns where the batch has enough images.
constexpr int64_t kMinColumns = 1024;

int64_t images_per_gemm(const Geometry& d) {
  if (d.direct()) return 1;  // col == x: the GEMM reads each image in place
  return std::clamp<int64_t>(kMinColumns / std::max<int64_t>(d.PQ(), 1), 1, std::max<int64_t>(d.N, 1));
}

// dst [b, a, n] = src [a, b, n] with the two outer dimensions swapped: the
// layout [images, channels, P*Q] of a batch to [channels, images, P*Q], the
// side-by-side matrix of several images' GEMM, and back.
template <class T>
void swap_outer(const T* src, int64_t a, int64_t b, int64_t n, T* dst) {
  parallel_for(a * b, std::max<int64_t>(1, kGrain / std::max<int64_t>(n, 1)), [&](int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; ++u) std::copy_n(src + u * n, n, dst + (u % b * a + u / b) * n);
  });
}

// Forward convolution of every image: out_g = w_g @ col_g, or w_g @ x_g when
// col == x, or Winograd's F(4x4, 3x3) for the 3x3 stride-1 layers large
// enough to gain from it (tensor/cpu/winograd.h). Shared by conv2d and the
// stride-1 backward input.
template <class T>
void convolve(const Geometry& d, const T* xs, const T* ws, T* os) {
  if (cpu::winograd_suits(d)) {
    cpu::conv_winograd(d, xs, ws, os);
    return;
  }
  const int64_t Kg = d.Kg(), L = d.L(), PQ = d.PQ(), batch = images_per_gemm(d);
  std::unique_ptr<T[]> wide;  // [K, images, P*Q] for several images at once
  if (batch > 1) wide = std::make_unique_for_overwrite<T[]>(static_cast<size_t>(d.K * batch * PQ));
  for (int64_t img = 0; img < d.N; img += batch) {
    const T* xi = xs + img * d.C * d.HW();
    T* oi = os + img * d.K * PQ;
    const int64_t images = std::min(batch, d.N - img), cols = images * PQ;
    // One image's out_g is a block of its output; several images' go to `wide` first.
    T* dst = images == 1 ? oi : wide.get();
    for_each_group(d.groups, Kg * L * cols, [&](int64_t g) {
      if (d.direct()) {
        gemm(Trans::No, Trans::No, Kg, PQ, L, T(1), ws + g * Kg * L, L, xi + g * d.Cg() * d.HW(), d.HW(), T(0),
             dst + g * Kg * PQ, PQ);
      } else {
        gemm(Trans::No, Kg, cols, L, T(1), ws + g * Kg * L, L, cpu::Im2colPanels<T>(d, xi, g), T(0),
             dst + g * Kg * cols, cols);
      }
    });
    if (images > 1) swap_outer(wide.get(), d.K, images, PQ, oi);
  }
}

// The geometry of the stride-1 backward input seen as a forward convolution
// (see the top of the file): grad_out is its input and grad_x its output.
Geometry transposed_geometry(const Geometry& d) {
  Geometry t = d;
  t.C = d.K, t.H = d.P, t.W = d.Q;
  t.K = d.C, t.P = d.H, t.Q = d.W;
  t.ph = d.dh * (d.R - 1) - d.ph;
  t.pw = d.dw * (d.S - 1) - d.pw;
  return t;
}

// w' [C, Kg, R, S] from w [K, Cg, R, S], group by group: w'[g*Cg + c, k, r, s]
// = w[g*Kg + k, c, R-1-r, S-1-s]. For the widest layers (512 x 512 x 3 x 3)
// this gather takes as long as a third of the GEMM it feeds, so it is
// spread over the threads, one row of w' (one c) at a time.
template <class T>
std::unique_ptr<T[]> flipped_transposed_weights(const Geometry& d, const T* w) {
  const int64_t Kg = d.Kg(), Cg = d.Cg(), RS = d.R * d.S;
  auto out = std::make_unique_for_overwrite<T[]>(static_cast<size_t>(d.K * Cg * RS));
  parallel_for(d.C, std::max<int64_t>(1, kGrain / (Kg * RS)), [&](int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; ++u) {
      const int64_t g = u / Cg, c = u % Cg;
      for (int64_t k = 0; k < Kg; ++k) {
        const T* src = w + ((g * Kg + k) * Cg + c) * RS;
        T* dst = out.get() + (u * Kg + k) * RS;
        for (int64_t i = 0; i < RS; ++i) dst[i] = src[RS - 1 - i];
      }
    }
  });
  return out;
}

}  // namespace

void CpuBackend::conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dArgs& a, Tensor& out) {
  const Geometry d(x, out, w.size(2), w.size(3), a);
  dispatch_floating(x.dtype(), "conv2d", [&]<class T>() {
    T* os = out.data<T>();
    convolve(d, x.data<T>(), w.data<T>(), os);
    if (bias.defined()) {
      const T* b = bias.data<T>();
      const int64_t PQ = d.PQ();
      parallel_for(d.N * d.K, std::max<int64_t>(1, kGrain / PQ), [&](int64_t u0, int64_t u1) {
        for (int64_t u = u0; u < u1; ++u)
          for (T *o = os + u * PQ, *e = o + PQ; o < e; ++o) *o += b[u % d.K];
      });
    }
  });
}

void CpuBackend::conv2d_backward_input(const Tensor& grad_out, const Tensor& w, const Conv2dArgs& a,
                                       Tensor& grad_x) {
  const Geometry d(grad_x, grad_out, w.size(2), w.size(3), a);
  dispatch_floating(grad_out.dtype(), "conv2d_backward_input", [&]<class T>() {
    const T* gs = grad_out.data<T>();
    const T* ws = w.data<T>();
    T* xs = grad_x.data<T>();
    const int64_t Kg = d.Kg(), L = d.L(), PQ = d.PQ(), tile = d.tile(sizeof(T));
    if (d.sh == 1 && d.sw == 1 && !d.direct()) {
      convolve(transposed_geometry(d), gs, flipped_transposed_weights(d, ws).get(), xs);
      return;
    }
    std::unique_ptr<T[]> col = column_buffer<T>(d);
    for (int64_t img = 0; img < d.N; ++img) {
      const T* gi = gs + img * d.K * PQ;
      T* xi = xs + img * d.C * d.HW();
      if (d.direct()) {
        for_each_group(d.groups, Kg * L * PQ, [&](int64_t g) {
          gemm(Trans::Yes, Trans::No, L, PQ, Kg, T(1), ws + g * Kg * L, L, gi + g * Kg * PQ, PQ, T(0),
               xi + g * d.Cg() * d.HW(), d.HW());
        });
        continue;
      }
      fill_zero(xi, d.C * d.HW());
      for (int64_t j0 = 0; j0 < PQ; j0 += tile) {
        const int64_t j1 = std::min(PQ, j0 + tile), n = j1 - j0;
        for_each_group(d.groups, Kg * L * n, [&](int64_t g) {
          gemm(Trans::Yes, Trans::No, L, n, Kg, T(1), ws + g * Kg * L, L, gi + g * Kg * PQ + j0, PQ, T(0),
               col.get() + g * L * n, n);
        });
        col2im_add(d, col.get(), j0, j1, xi);
      }
    }
  });
}

void CpuBackend::conv2d_backward_weight(const Tensor& grad_out, const Tensor& x, const Conv2dArgs& a,
                                        Tensor& grad_w) {
  const Geometry d(x, grad_out, grad_w.size(2), grad_w.size(3), a);
  dispatch_floating(x.dtype(), "conv2d_backward_weight", [&]<class T>() {
    const T* gs = grad_out.data<T>();
    const T* xs = x.data<T>();
    T* ws = grad_w.data<T>();
    const int64_t Kg = d.Kg(), L = d.L(), PQ = d.PQ();
    if (d.N == 0) {
      fill_zero(ws, grad_w.numel());
      return;
    }
    if (cpu::winograd_suits_weight_gradient(d)) {
      cpu::conv_winograd_backward_weight(d, gs, xs, ws);
      return;
    }
    const int64_t batch = images_per_gemm(d);
    std::unique_ptr<T[]> wide;  // grad_out [K, images, P*Q] for several images at once
    if (batch > 1) wide = std::make_unique_for_overwrite<T[]>(static_cast<size_t>(d.K * batch * PQ));
    for (int64_t img = 0; img < d.N; img += batch) {
      const T* gi = gs + img * d.K * PQ;
      const T* xi = xs + img * d.C * d.HW();
      const int64_t images = std::min(batch, d.N - img), cols = images * PQ;
      if (images > 1) {
        swap_outer(gi, images, d.K, PQ, wide.get());
        gi = wide.get();
      }
      // The first images overwrite grad_w (the kernel writes it in full), the rest accumulate.
      const T beta = img == 0 ? T(0) : T(1);
      for_each_group(d.groups, Kg * L * cols, [&](int64_t g) {
        if (d.direct()) {
          gemm(Trans::No, Trans::Yes, Kg, L, PQ, T(1), gi + g * Kg * PQ, PQ, xi + g * d.Cg() * d.HW(), d.HW(),
               beta, ws + g * Kg * L, L);
        } else {
          gemm(Trans::No, Kg, L, cols, T(1), gi + g * Kg * cols, cols, cpu::Im2colLines<T>(d, xi, g), beta,
               ws + g * Kg * L, L);
        }
      });
    }
  });
}

}  // namespace pn
