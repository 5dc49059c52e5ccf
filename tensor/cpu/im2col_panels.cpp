// Packing GEMM panels straight from the image (the contract is in
// im2col_panels.h and PanelSource in gemm.h).
//
// Both orientations are built on one walk, for_each_run: a stretch of one row
// of col over consecutive output positions j = p*Q + q splits at the ends of
// output rows into runs, each of which is either padding (zeros) or pixels
// x[ih, iw0 + q*sw] at a fixed stride. The walk calls back once per run, so
// the per-value work is a plain (usually unit-stride) copy.
#include "tensor/cpu/im2col_panels.h"

#include <algorithm>

namespace pn::cpu {
namespace {

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }  // b > 0
int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

// Calls run(offset, count, src, stride) for the values col[row, j0 + offset
// .. j0 + offset + count) of a group: src == nullptr for zeros, else value i
// of the run is src[i * stride]. Position j belongs to image j / (P*Q),
// which starts d.C*H*W values after the one before it.
template <class T, class Run>
void for_each_run(const ConvGeometry& d, const T* x, int64_t row, int64_t j0, int64_t n, Run&& run) {
  const int64_t c = row / (d.R * d.S), r = row / d.S % d.R, s = row % d.S;
  const int64_t ih_off = r * d.dh - d.ph, iw_off = s * d.dw - d.pw;
  // Output columns q whose input column q*sw + iw_off lies inside [0, W).
  const int64_t q_lo = std::max<int64_t>(0, ceil_div(-iw_off, d.sw));
  const int64_t q_hi = std::max(q_lo, std::min(d.Q, floor_div(d.W - 1 - iw_off, d.sw) + 1));
  const T* channel = x + c * d.HW();
  for (int64_t off = 0; off < n;) {
    const int64_t image = (j0 + off) / d.PQ(), j = (j0 + off) % d.PQ();
    const int64_t p = j / d.Q, q0 = j % d.Q, q1 = std::min(d.Q, q0 + (n - off));
    const int64_t ih = p * d.sh + ih_off;
    if (ih < 0 || ih >= d.H) {
      run(off, q1 - q0, static_cast<const T*>(nullptr), int64_t{0});
    } else {
      const int64_t lo = std::clamp(q_lo, q0, q1), hi = std::clamp(q_hi, lo, q1);
      const T* pixels = channel + image * d.C * d.HW() + ih * d.W + iw_off;  // pixels[q * sw] is column q's
      if (lo > q0) run(off, lo - q0, static_cast<const T*>(nullptr), int64_t{0});
      if (hi > lo) run(off + lo - q0, hi - lo, pixels + lo * d.sw, d.sw);
      if (q1 > hi) run(off + hi - q0, q1 - hi, static_cast<const T*>(nullptr), int64_t{0});
    }
    off += q1 - q0;
  }
}

}  // namespace

// Step k of column l goes to dst[(l / nr) * kb * nr + k * nr + l % nr]: a
// row of col is written nr values at a time, one piece per strip.
template <class T>
void Im2colPanels<T>::pack(int64_t k0, int64_t kb, int64_t j0, int64_t nb, int nr, T* dst) const {
  const int64_t strip_size = kb * nr;
  for (int64_t k = 0; k < kb; ++k) {
    T* step = dst + k * nr;
    for_each_run(d_, x_, k0 + k, j0, nb, [&](int64_t l, int64_t count, const T* src, int64_t stride) {
      for (const int64_t end = l + count; l < end;) {
        const int64_t lane = l % nr, piece = std::min<int64_t>(nr - lane, end - l);
        T* out = step + l / nr * strip_size + lane;
        if (src == nullptr) {
          std::fill_n(out, piece, T(0));
        } else if (stride == 1) {
          std::copy_n(src, piece, out);
          src += piece;
        } else {
          for (int64_t i = 0; i < piece; ++i) out[i] = src[i * stride];
          src += piece * stride;
        }
        l += piece;
      }
    });
    if (const int64_t tail = nb % nr; tail != 0) std::fill_n(step + nb / nr * strip_size + tail, nr - tail, T(0));
  }
}

// Line l of op(B) = col^T is row j0 + l of col, output positions k0 .. k0+kb.
template <class T>
void Im2colLines<T>::lines(int64_t k0, int64_t kb, int64_t j0, int64_t nb, T* dst, int64_t ld) const {
  for (int64_t l = 0; l < nb; ++l) {
    T* line = dst + l * ld;
    for_each_run(d_, x_, j0 + l, k0, kb, [&](int64_t k, int64_t count, const T* src, int64_t stride) {
      if (src == nullptr) {
        std::fill_n(line + k, count, T(0));
      } else if (stride == 1) {
        std::copy_n(src, count, line + k);
      } else {
        for (int64_t i = 0; i < count; ++i) line[k + i] = src[i * stride];
      }
    });
  }
}

template class Im2colPanels<float>;
template class Im2colPanels<double>;
template class Im2colLines<float>;
template class Im2colLines<double>;

}  // namespace pn::cpu
