#include "pneumo/data/resize.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <vector>

#include "tensor/error.h"

namespace pn::data {
namespace {

// One output coordinate's two source taps and their weights; a tap outside
// the input has weight applied to the constant 0, so it is simply dropped.
struct Taps {
  int i0 = 0;          // first tap (may be -1 or n-1 .. n when out of range)
  double w0 = 0, w1 = 0;  // weights of i0 and i0 + 1
};

std::vector<Taps> make_taps(int in, int out) {
  std::vector<Taps> taps(static_cast<std::size_t>(out));
  const double scale = static_cast<double>(in) / static_cast<double>(out);
  for (int o = 0; o < out; ++o) {
    const double s = (o + 0.5) * scale - 0.5;
    const double f = std::floor(s);
    Taps& t = taps[static_cast<std::size_t>(o)];
    t.i0 = static_cast<int>(f);
    t.w1 = s - f;
    t.w0 = 1.0 - t.w1;
  }
  return taps;
}

// Row r of the input interpolated horizontally at every output column:
// h[x] = w0 * in(i0, r) + w1 * in(i0 + 1, r), with 0 outside the image.
// The same products and sum as the 2-D formula's `top` and `bottom`, so the
// separable computation gives the same doubles bit for bit.
void horizontal(const GrayImage& src, int r, const std::vector<Taps>& xs, std::vector<double>& h) {
  h.resize(xs.size());
  if (r < 0 || r >= src.height) {
    for (std::size_t x = 0; x < xs.size(); ++x) h[x] = xs[x].w0 * 0.0 + xs[x].w1 * 0.0;
    return;
  }
  const std::uint8_t* row = src.pixels.data() + static_cast<std::size_t>(r) * static_cast<std::size_t>(src.width);
  auto edge = [&](std::size_t x) {
    const Taps& t = xs[x];
    const double p0 = t.i0 >= 0 && t.i0 < src.width ? row[t.i0] : 0.0;
    const double p1 = t.i0 + 1 >= 0 && t.i0 + 1 < src.width ? row[t.i0 + 1] : 0.0;
    h[x] = t.w0 * p0 + t.w1 * p1;
  };
  // i0 grows with x: only the first and last few taps can fall outside.
  std::size_t x = 0, end = xs.size();
  for (; x < end && xs[x].i0 < 0; ++x) edge(x);
  while (end > x && xs[end - 1].i0 + 1 >= src.width) edge(--end);
  for (; x < end; ++x) {
    const Taps& t = xs[x];
    h[x] = t.w0 * static_cast<double>(row[t.i0]) + t.w1 * static_cast<double>(row[t.i0 + 1]);
  }
}

// Round half to even, as nearbyint in the default rounding mode, for
// 0 <= v < 2^51: adding 1.5 * 2^52 leaves no fraction bits, so the FPU rounds
// (without a library call per pixel where SSE4.1's roundsd is not assumed).
double round_half_even(double v) {
  constexpr double kShift = 6755399441055744.0;  // 1.5 * 2^52
  return (v + kShift) - kShift;
}

}  // namespace

GrayImage resize_like_reference(const GrayImage& src, int width, int height) {
  PN_CHECK(src.valid() && !src.empty(), "resize: needs a valid non-empty image, got ",
           src.width, "x", src.height);
  PN_CHECK(width >= 1 && height >= 1, "resize: output size must be positive, got ", width, "x",
           height);
  if (width == src.width && height == src.height) return src;

  const auto xs = make_taps(src.width, width);
  const auto ys = make_taps(src.height, height);
  // Plain min/max (not std::minmax_element, whose iterators keep it scalar):
  // vectorised, it is a small part of the time instead of most of it.
  std::uint8_t mn = 255, mx = 0;
  for (const std::uint8_t v : src.pixels) {
    mn = std::min(mn, v);
    mx = std::max(mx, v);
  }
  const double lo = mn, hi = mx;
  const bool keep_zero = !(lo <= 0.0 && 0.0 <= hi);  // only when lo > 0

  GrayImage out(width, height, 0);
  // The two interpolated input rows output row y needs (ty.i0 and ty.i0 + 1),
  // kept while consecutive output rows share them.
  std::vector<double> upper, lower;
  int upper_row = INT_MIN, lower_row = INT_MIN;
  for (int y = 0; y < height; ++y) {
    const Taps& ty = ys[static_cast<std::size_t>(y)];
    if (upper_row != ty.i0) {
      if (lower_row == ty.i0) {
        std::swap(upper, lower);
        upper_row = lower_row;
        lower_row = INT_MIN;
      } else {
        horizontal(src, ty.i0, xs, upper);
        upper_row = ty.i0;
      }
    }
    if (lower_row != ty.i0 + 1) {
      horizontal(src, ty.i0 + 1, xs, lower);
      lower_row = ty.i0 + 1;
    }
    std::uint8_t* o = out.pixels.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(width);
    for (int x = 0; x < width; ++x) {
      double v = ty.w0 * upper[static_cast<std::size_t>(x)] + ty.w1 * lower[static_cast<std::size_t>(x)];
      if (!(keep_zero && v == 0.0)) v = std::clamp(v, lo, hi);
      // cv2's conversion: round half to even (the default FP rounding mode),
      // then saturate; v is within [0, 255] here.
      o[x] = static_cast<std::uint8_t>(std::clamp(round_half_even(v), 0.0, 255.0));
    }
  }
  return out;
}

}  // namespace pn::data
