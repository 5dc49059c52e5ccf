// conv2d and its two gradients on the CPU, lowered to GEMM through im2col.
//
// x [N,C,H,W], w [K,C/g,R,S], out [N,K,P,Q]. For one image and one group g,
// with Cg = C/groups, Kg = K/groups and L = Cg*R*S:
//   out_g [Kg, P*Q]  = w_g [Kg, L] @ col_g [L, P*Q]
//   col[(c,r,s), (p,q)] = x[c, p*sh - ph + r*dh, q*sw - pw + s*dw]   (0 in the padding)
// backward input:   col_g = w_g^T @ grad_out_g, then col2im adds every entry
//                   of col back onto the pixel of x it was read from;
// backward weight:  grad_w_g += grad_out_g @ col_g^T, summed over images.
// A 1x1 convolution with stride 1 and no padding has col == x, so it is one
// GEMM per group on the image itself.
//
// The column buffer holds all C*R*S rows (every group) for a tile of
// consecutive output positions j = p*Q + q of one image. Output channel k of an
// image is a contiguous run of P*Q values, so any tile [j0, j1) of it is a
// submatrix of out (leading dimension P*Q) and the GEMM writes it in place.
//
// P and Q are taken from the output (or grad_out) tensor, H and W from the
// input (or grad_x) tensor, not recomputed from the size formula: every index
// is bounds-checked, so an output smaller than the formula's is computed
// correctly. conv_transpose2d relies on this: with output_padding its
// "convolution" input can be larger than the one the formula would invert.
//
// Determinism: im2col is a copy; col2im gives each (channel, input row) to one
// thread, which adds its contributions in a fixed order; GEMM results do not
// depend on the thread count (tensor/cpu/gemm.h); tiles and images are
// processed in order. So no result depends on the number of threads.
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/gemm.h"
#include "tensor/cpu/parallel.h"
#include "tensor/conv_geometry.h"
#include "tensor/tensor.h"

namespace pn {

namespace {

using cpu::gemm;
using cpu::Trans;

// The column buffer's cap. At 32 MiB a 3x3 layer with 64 input channels still
// gets tiles of ~14,500 output positions (14 rows of a 1024-wide image), so
// GEMM's N stays in the thousands and runs at full speed, while memory stays
// far below the activations themselves (one 64x1024x1024 float32 image is
// 256 MiB; its full column buffer would be 2.4 GB). A tile is never narrower
// than one column, so the cap could only be exceeded if C*R*S alone passed
// 8M floats.
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

// col [C*R*S, j1-j0] = the im2col of image x [C,H,W] for output positions [j0, j1).
template <class T>
void im2col(const Geometry& d, const T* x, int64_t j0, int64_t j1, T* col) {
  const int64_t n = j1 - j0, p_first = j0 / d.Q, p_count = (j1 - 1) / d.Q - p_first + 1;
  const int64_t rows = d.C * d.R * d.S;
  // One unit is one output row p of one col row (c,r,s): a run of at most Q values.
  parallel_for(rows * p_count, std::max<int64_t>(1, kGrain / d.Q), [&](int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; ++u) {
      const int64_t row = u / p_count, p = p_first + u % p_count;
      const int64_t c = row / (d.R * d.S), r = row / d.S % d.R, s = row % d.S;
      const int64_t q0 = std::max(j0 - p * d.Q, int64_t{0}), q1 = std::min(j1 - p * d.Q, d.Q);
      T* dst = col + row * n + (p * d.Q + q0 - j0);
      const int64_t ih = p * d.sh - d.ph + r * d.dh;
      if (ih < 0 || ih >= d.H) {
        std::fill(dst, dst + (q1 - q0), T(0));
        continue;
      }
      int64_t lo, hi;
      d.valid_q(s, lo, hi);
      lo = std::clamp(lo, q0, q1);
      hi = std::clamp(hi, lo, q1);
      const T* src = x + (c * d.H + ih) * d.W + (s * d.dw - d.pw);  // src[q*sw] is column q's pixel
      std::fill(dst, dst + (lo - q0), T(0));
      T* mid = dst - q0;
      if (d.sw == 1) {
        std::copy(src + lo, src + hi, mid + lo);
      } else {
        for (int64_t q = lo; q < hi; ++q) mid[q] = src[q * d.sw];
      }
      std::fill(mid + hi, mid + q1, T(0));
    }
  });
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

}  // namespace

void CpuBackend::conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dArgs& a, Tensor& out) {
  const Geometry d(x, out, w.size(2), w.size(3), a);
  dispatch_floating(x.dtype(), "conv2d", [&]<class T>() {
    const T* xs = x.data<T>();
    const T* ws = w.data<T>();
    T* os = out.data<T>();
    const int64_t Kg = d.Kg(), L = d.L(), PQ = d.PQ(), tile = d.tile(sizeof(T));
    std::unique_ptr<T[]> col = column_buffer<T>(d);
    for (int64_t img = 0; img < d.N; ++img) {
      const T* xi = xs + img * d.C * d.HW();
      T* oi = os + img * d.K * PQ;
      if (d.direct()) {
        for_each_group(d.groups, Kg * L * PQ, [&](int64_t g) {
          gemm(Trans::No, Trans::No, Kg, PQ, L, T(1), ws + g * Kg * L, L, xi + g * d.Cg() * d.HW(), d.HW(), T(0),
               oi + g * Kg * PQ, PQ);
        });
      } else {
        for (int64_t j0 = 0; j0 < PQ; j0 += tile) {
          const int64_t j1 = std::min(PQ, j0 + tile), n = j1 - j0;
          im2col(d, xi, j0, j1, col.get());
          for_each_group(d.groups, Kg * L * n, [&](int64_t g) {
            gemm(Trans::No, Trans::No, Kg, n, L, T(1), ws + g * Kg * L, L, col.get() + g * L * n, n, T(0),
                 oi + g * Kg * PQ + j0, PQ);
          });
        }
      }
      if (bias.defined()) {
        const T* b = bias.data<T>();
        parallel_for(d.K, std::max<int64_t>(1, kGrain / PQ), [&](int64_t k0, int64_t k1) {
          for (int64_t k = k0; k < k1; ++k)
            for (T *o = oi + k * PQ, *e = o + PQ; o < e; ++o) *o += b[k];
        });
      }
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
    const int64_t Kg = d.Kg(), L = d.L(), PQ = d.PQ(), tile = d.tile(sizeof(T));
    if (d.N == 0) {
      fill_zero(ws, grad_w.numel());
      return;
    }
    std::unique_ptr<T[]> col = column_buffer<T>(d);
    // The first product overwrites grad_w (the kernel writes it in full), the rest accumulate.
    T beta = T(0);
    for (int64_t img = 0; img < d.N; ++img) {
      const T* gi = gs + img * d.K * PQ;
      const T* xi = xs + img * d.C * d.HW();
      if (d.direct()) {
        for_each_group(d.groups, Kg * L * PQ, [&](int64_t g) {
          gemm(Trans::No, Trans::Yes, Kg, L, PQ, T(1), gi + g * Kg * PQ, PQ, xi + g * d.Cg() * d.HW(), d.HW(),
               beta, ws + g * Kg * L, L);
        });
        beta = T(1);
        continue;
      }
      for (int64_t j0 = 0; j0 < PQ; j0 += tile) {
        const int64_t j1 = std::min(PQ, j0 + tile), n = j1 - j0;
        im2col(d, xi, j0, j1, col.get());
        for_each_group(d.groups, Kg * L * n, [&](int64_t g) {
          gemm(Trans::No, Trans::Yes, Kg, L, n, T(1), gi + g * Kg * PQ + j0, PQ, col.get() + g * L * n, n, beta,
               ws + g * Kg * L, L);
        });
        beta = T(1);
      }
    }
  });
}

}  // namespace pn
