// Upsampling x [N, C, H, W] -> [N, C, P, Q] (P = H*scale, Q = W*scale), with
// PyTorch's source positions:
//   nearest:  src = floor(dst * in / out)
//   bilinear: src = (dst + 0.5) * in / out - 0.5, clamped at 0
//             (align_corners=false), blending floor(src) and the next cell.
// The taps of each output row and column are computed once and shared by all
// planes. Bilinear runs separably, in double: each output row first blends
// its two input rows, then the columns of that blend.
#include <algorithm>
#include <vector>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/parallel.h"
#include "tensor/tensor.h"

namespace pn {

namespace {

constexpr int64_t kGrain = 1 << 15;

// Output position i reads inputs i0[i] and i1[i] with weights l0[i] and l1[i]
// (nearest reads only i0).
struct Taps {
  std::vector<int64_t> i0, i1;
  std::vector<double> l0, l1;
};

Taps taps(UpsampleMode mode, int64_t in, int64_t out) {
  Taps t;
  for (int64_t d = 0; d < out; ++d) {
    int64_t a = 0, b = 0;
    double wb = 0;
    if (mode == UpsampleMode::Nearest) {
      a = b = std::min(d * in / out, in - 1);
    } else {
      double src = (static_cast<double>(d) + 0.5) * static_cast<double>(in) / static_cast<double>(out) - 0.5;
      src = std::max(src, 0.0);
      a = static_cast<int64_t>(src);
      b = a + (a < in - 1 ? 1 : 0);
      wb = src - static_cast<double>(a);
    }
    t.i0.push_back(a);
    t.i1.push_back(b);
    t.l0.push_back(1.0 - wb);
    t.l1.push_back(wb);
  }
  return t;
}

int64_t plane_grain(int64_t work) { return std::max<int64_t>(1, kGrain / std::max<int64_t>(work, 1)); }

}  // namespace

void CpuBackend::upsample2d(const Tensor& x, UpsampleMode mode, Tensor& out) {
  dispatch_floating(x.dtype(), "upsample2d", [&]<class T>() {
    int64_t H = x.size(2), W = x.size(3), P = out.size(2), Q = out.size(3);
    Taps rows = taps(mode, H, P), cols = taps(mode, W, Q);
    const T* xs = x.data<T>();
    T* ys = out.data<T>();
    parallel_for(x.size(0) * x.size(1), plane_grain(P * Q), [&](int64_t b, int64_t e) {
      std::vector<double> blend_row(static_cast<size_t>(W));
      double* blend = blend_row.data();
      for (int64_t plane = b; plane < e; ++plane) {
        const T* src = xs + plane * H * W;
        T* dst = ys + plane * P * Q;
        for (int64_t i = 0; i < P; ++i) {
          size_t r = static_cast<size_t>(i);
          const T* row0 = src + rows.i0[r] * W;
          const T* row1 = src + rows.i1[r] * W;
          T* out_row = dst + i * Q;
          if (mode == UpsampleMode::Nearest) {
            for (int64_t j = 0; j < Q; ++j) out_row[j] = row0[cols.i0[static_cast<size_t>(j)]];
            continue;
          }
          // Separably: the two input rows blended into one, then its
          // columns blended; half the arithmetic of the four-tap sum, and
          // the first pass runs along contiguous rows.
          const double lh0 = rows.l0[r], lh1 = rows.l1[r];
          for (int64_t w = 0; w < W; ++w)
            blend[w] = lh0 * static_cast<double>(row0[w]) + lh1 * static_cast<double>(row1[w]);
          for (int64_t j = 0; j < Q; ++j) {
            size_t c = static_cast<size_t>(j);
            out_row[j] = static_cast<T>(cols.l0[c] * blend[cols.i0[c]] + cols.l1[c] * blend[cols.i1[c]]);
          }
        }
      }
    });
  });
}

// The transpose of the forward: every output scatters its gradient to the (up
// to four) inputs it read. Those scatters collide, so a plane is accumulated
// by one thread in output order.
void CpuBackend::upsample2d_backward(const Tensor& grad_out, UpsampleMode mode, Tensor& grad_x) {
  dispatch_floating(grad_x.dtype(), "upsample2d_backward", [&]<class T>() {
    int64_t H = grad_x.size(2), W = grad_x.size(3), P = grad_out.size(2), Q = grad_out.size(3);
    Taps rows = taps(mode, H, P), cols = taps(mode, W, Q);
    const T* gs = grad_out.data<T>();
    T* gx = grad_x.data<T>();
    parallel_for(grad_x.size(0) * grad_x.size(1), plane_grain(H * W + P * Q), [&](int64_t b, int64_t e) {
      std::vector<double> blend_row(static_cast<size_t>(W));
      double* blend = blend_row.data();
      for (int64_t plane = b; plane < e; ++plane) {
        T* dst = gx + plane * H * W;
        const T* g = gs + plane * P * Q;
        std::fill(dst, dst + H * W, T(0));
        for (int64_t i = 0; i < P; ++i) {
          size_t r = static_cast<size_t>(i);
          T* row0 = dst + rows.i0[r] * W;
          T* row1 = dst + rows.i1[r] * W;
          const T* g_row = g + i * Q;
          if (mode == UpsampleMode::Nearest) {
            for (int64_t j = 0; j < Q; ++j) row0[cols.i0[static_cast<size_t>(j)]] += g_row[j];
            continue;
          }
          // The transpose of the separable forward: the row's gradient
          // gathered onto the input columns, then shared by the two rows.
          std::fill(blend, blend + W, 0.0);
          for (int64_t j = 0; j < Q; ++j) {
            size_t c = static_cast<size_t>(j);
            const double v = static_cast<double>(g_row[j]);
            blend[cols.i0[c]] += cols.l0[c] * v;
            blend[cols.i1[c]] += cols.l1[c] * v;
          }
          const double lh0 = rows.l0[r], lh1 = rows.l1[r];
          for (int64_t w = 0; w < W; ++w) {
            row0[w] += static_cast<T>(lh0 * blend[w]);
            row1[w] += static_cast<T>(lh1 * blend[w]);
          }
        }
      }
    });
  });
}

}  // namespace pn
