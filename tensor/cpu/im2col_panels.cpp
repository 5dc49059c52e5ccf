// Packing GEMM panels straight from the image (the contract is in
// im2col_panels.h and PanelSource in gemm.h).
//
// Both orientations walk rows of col over a stretch of consecutive output
// positions j = image*P*Q + p*Q + q. The stretch is cut once per call into
// segments, each inside one output row (and, for the panels, inside one
// strip of nr columns); every row (c,r,s) of col then maps a segment to a
// run of pixels x[ih, iw0 + q*sw] at a fixed stride, with zeros where the
// run leaves the image. So the per-row work is a few comparisons and a copy:
// the divisions that locate a position are done per segment, not per value
// (done per value, they took longer than the copies).
#include "tensor/cpu/im2col_panels.h"

#include <algorithm>
#include <vector>

namespace pn::cpu {
namespace {

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }  // b > 0
int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

// Output positions [j, j + count) of one output row: offset is j minus the
// stretch's first position, `pixel` the offset of (image, row p, column 0)
// of the input's first channel relative to x, before the tap's shift.
struct Segment {
  int64_t offset, count;
  int64_t image_offset;  // image * C*H*W
  int64_t p, q0;
};

// Cuts positions [j0, j0 + n) at the ends of output rows and, when split > 0,
// at the multiples of `split` counted from j0 (the strips of a panel).
std::vector<Segment> segments(const ConvGeometry& d, int64_t j0, int64_t n, int64_t split) {
  std::vector<Segment> out;
  const int64_t PQ = d.PQ();
  for (int64_t off = 0; off < n;) {
    const int64_t image = (j0 + off) / PQ, j = (j0 + off) % PQ, p = j / d.Q, q0 = j % d.Q;
    int64_t count = std::min(d.Q - q0, n - off);
    if (split > 0) count = std::min(count, split - off % split);
    out.push_back({off, count, image * d.C * d.HW(), p, q0});
    off += count;
  }
  return out;
}

// One row (c,r,s) of col: the channel's offset and the shifts of the tap.
struct Tap {
  int64_t channel_offset, ih_off, iw_off;
  int64_t q_lo, q_hi;  // output columns q whose input column q*sw + iw_off lies in [0, W)

  Tap(const ConvGeometry& d, int64_t row) {
    const int64_t c = row / (d.R * d.S), r = row / d.S % d.R, s = row % d.S;
    channel_offset = c * d.HW();
    ih_off = r * d.dh - d.ph;
    iw_off = s * d.dw - d.pw;
    q_lo = std::max<int64_t>(0, ceil_div(-iw_off, d.sw));
    q_hi = std::max(q_lo, std::min(d.Q, floor_div(d.W - 1 - iw_off, d.sw) + 1));
  }
};

// Writes the values of col at tap t over segment g to out[0, g.count): zeros
// in the padding, the pixels elsewhere.
template <class T>
void put(const ConvGeometry& d, const T* x, const Tap& t, const Segment& g, T* out) {
  const int64_t ih = g.p * d.sh + t.ih_off;
  const int64_t q1 = g.q0 + g.count;
  if (ih < 0 || ih >= d.H) {
    std::fill_n(out, g.count, T(0));
    return;
  }
  const int64_t lo = std::clamp(t.q_lo, g.q0, q1), hi = std::clamp(t.q_hi, lo, q1);
  const T* pixels = x + g.image_offset + t.channel_offset + ih * d.W + t.iw_off;  // pixels[q*sw]: column q's
  std::fill_n(out, lo - g.q0, T(0));
  out += lo - g.q0;
  if (d.sw == 1) {
    std::copy(pixels + lo, pixels + hi, out);
  } else {
    for (int64_t q = lo; q < hi; ++q) out[q - lo] = pixels[q * d.sw];
  }
  std::fill_n(out + (hi - lo), q1 - hi, T(0));
}

}  // namespace

// Step k of column l goes to dst[(l / nr) * kb * nr + k * nr + l % nr]: each
// segment lies in one strip, so it is one contiguous piece of a step.
template <class T>
void Im2colPanels<T>::pack(int64_t k0, int64_t kb, int64_t j0, int64_t nb, int nr, T* dst) const {
  const std::vector<Segment> parts = segments(d_, j0, nb, nr);
  const int64_t strip_size = kb * nr;
  for (int64_t k = 0; k < kb; ++k) {
    const Tap tap(d_, k0 + k);
    T* step = dst + k * nr;
    for (const Segment& g : parts) put(d_, x_, tap, g, step + g.offset / nr * strip_size + g.offset % nr);
    if (const int64_t tail = nb % nr; tail != 0) std::fill_n(step + nb / nr * strip_size + tail, nr - tail, T(0));
  }
}

// Line l of op(B) = col^T is row j0 + l of col, output positions k0 .. k0+kb.
template <class T>
void Im2colLines<T>::lines(int64_t k0, int64_t kb, int64_t j0, int64_t nb, T* dst, int64_t ld) const {
  const std::vector<Segment> parts = segments(d_, k0, kb, 0);
  for (int64_t l = 0; l < nb; ++l) {
    const Tap tap(d_, j0 + l);
    for (const Segment& g : parts) put(d_, x_, tap, g, dst + l * ld + g.offset);
  }
}

template class Im2colPanels<float>;
template class Im2colPanels<double>;
template class Im2colLines<float>;
template class Im2colLines<double>;

}  // namespace pn::cpu
