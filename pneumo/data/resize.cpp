#include "pneumo/data/resize.h"

#include <algorithm>
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

}  // namespace

GrayImage resize_like_reference(const GrayImage& src, int width, int height) {
  PN_CHECK(src.valid() && !src.empty(), "resize: needs a valid non-empty image, got ",
           src.width, "x", src.height);
  PN_CHECK(width >= 1 && height >= 1, "resize: output size must be positive, got ", width, "x",
           height);
  if (width == src.width && height == src.height) return src;

  const auto xs = make_taps(src.width, width);
  const auto ys = make_taps(src.height, height);
  auto pixel = [&src](int x, int y) -> double {
    if (x < 0 || y < 0 || x >= src.width || y >= src.height) return 0.0;  // cval
    return src.at(x, y);
  };
  const auto [mn_it, mx_it] = std::minmax_element(src.pixels.begin(), src.pixels.end());
  const double lo = *mn_it, hi = *mx_it;
  const bool keep_zero = !(lo <= 0.0 && 0.0 <= hi);  // only when lo > 0

  GrayImage out(width, height, 0);
  for (int y = 0; y < height; ++y) {
    const Taps& ty = ys[static_cast<std::size_t>(y)];
    for (int x = 0; x < width; ++x) {
      const Taps& tx = xs[static_cast<std::size_t>(x)];
      const double top = tx.w0 * pixel(tx.i0, ty.i0) + tx.w1 * pixel(tx.i0 + 1, ty.i0);
      const double bottom =
          tx.w0 * pixel(tx.i0, ty.i0 + 1) + tx.w1 * pixel(tx.i0 + 1, ty.i0 + 1);
      double v = ty.w0 * top + ty.w1 * bottom;
      if (!(keep_zero && v == 0.0)) v = std::clamp(v, lo, hi);
      // cv2's conversion: round half to even (the default FP rounding mode),
      // then saturate.
      const double r = std::nearbyint(v);
      out.at(x, y) = static_cast<std::uint8_t>(std::clamp(r, 0.0, 255.0));
    }
  }
  return out;
}

}  // namespace pn::data
