#include "pneumo/augment/exact_fp.h"  // first: before any floating-point code
#include "pneumo/augment/warp.h"

#include <algorithm>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdint>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace pn::augment {

namespace {

constexpr int kInterBits = 5;                 // OpenCV's INTER_BITS
constexpr int kTabSize = 1 << kInterBits;     // INTER_TAB_SIZE: 1/32 pixel
constexpr int kRemapBits = 15;                // INTER_REMAP_COEF_BITS
constexpr int kAbBits = 10;                   // warpAffine's fixed point: max(10, INTER_BITS)
constexpr int kResizeBits = 11;               // INTER_RESIZE_COEF_BITS
constexpr int kResizeScale = 1 << kResizeBits;

// cvRound / saturate_cast<int> of a float or double as OpenCV does it on x86:
// round half to even; NaN and values outside int give INT_MIN (what
// cvtss2si / cvtsd2si return).  On x86 those very instructions (the default
// rounding mode is to nearest even); elsewhere the same rule spelled out.
#if defined(__SSE2__)
int round_to_int(double v) { return _mm_cvtsd_si32(_mm_set_sd(v)); }
int round_to_int(float v) { return _mm_cvtss_si32(_mm_set_ss(v)); }
#else
int round_to_int(double v) {
  if (!(v > static_cast<double>(INT_MIN) - 0.5 && v < static_cast<double>(INT_MAX) + 0.5)) return INT_MIN;
  return static_cast<int>(std::nearbyint(v));
}
int round_to_int(float v) { return round_to_int(static_cast<double>(v)); }
#endif

int saturate_short(int v) { return std::clamp(v, -32768, 32767); }

std::uint8_t saturate_u8(double v) {
  const int r = round_to_int(v);
  return static_cast<std::uint8_t>(std::clamp(r, 0, 255));
}

// The bilinear weights of OpenCV's remap for each of the 32 x 32 sub-pixel
// positions (entry fy * 32 + fx): weights of (x0, y0), (x1, y0), (x0, y1),
// (x1, y1).  Each weight is round((1 - fy/32 or fy/32) * (1 - fx/32 or fx/32)
// * 2^15), an exact integer, saturated to a short: only the entry (0, 0)
// saturates (32768 -> 32767), and OpenCV's correction of the sum gives the
// missing unit to its last weight.
struct BilinearTable {
  std::int32_t w[kTabSize * kTabSize][4];
  BilinearTable() {
    for (int i = 0; i < kTabSize; ++i) {
      for (int j = 0; j < kTabSize; ++j) {
        const float vy[2] = {1.f - static_cast<float>(i) / kTabSize, static_cast<float>(i) / kTabSize};
        const float vx[2] = {1.f - static_cast<float>(j) / kTabSize, static_cast<float>(j) / kTabSize};
        std::int32_t* e = w[i * kTabSize + j];
        int sum = 0;
        for (int k1 = 0; k1 < 2; ++k1) {
          for (int k2 = 0; k2 < 2; ++k2) {
            e[k1 * 2 + k2] = saturate_short(round_to_int(vy[k1] * vx[k2] * float(1 << kRemapBits)));
            sum += e[k1 * 2 + k2];
          }
        }
        e[3] += (1 << kRemapBits) - sum;
      }
    }
  }
};

const BilinearTable& bilinear_table() {
  static const BilinearTable table;
  return table;
}

std::array<std::uint8_t, 4> border_values(const Border& border) {
  std::array<std::uint8_t, 4> v{};
  for (int c = 0; c < 4; ++c) v[static_cast<std::size_t>(c)] = saturate_u8(border.value[static_cast<std::size_t>(c)]);
  return v;
}

// The source of the pixels of one destination row: integer position (x, y)
// and, for bilinear, the sub-pixel index (fy * 32 + fx).
struct RowCoords {
  std::vector<int> x, y;
  std::vector<std::uint16_t> frac;
  explicit RowCoords(int n) : x(static_cast<std::size_t>(n)), y(static_cast<std::size_t>(n)), frac(static_cast<std::size_t>(n)) {}
};

// OpenCV's remapBilinear for one row of n pixels (channels cn; CN > 0 fixes
// it at compile time for the common cases).
template <int CN>
void bilinear_row(const Image& src, std::uint8_t* dst, const RowCoords& rc, int n, const Border& border,
                  const std::array<std::uint8_t, 4>& cval) {
  const int cn = CN > 0 ? CN : src.channels;
  const int W = src.width, H = src.height;
  const unsigned w1 = static_cast<unsigned>(std::max(W - 1, 0));
  const unsigned h1 = static_cast<unsigned>(std::max(H - 1, 0));
  const std::size_t stride = src.row_stride();
  const std::uint8_t* S0 = src.data.data();
  const auto& tab = bilinear_table().w;
  constexpr int kDelta = 1 << (kRemapBits - 1);
  for (int i = 0; i < n; ++i, dst += cn) {
    const int sx = rc.x[static_cast<std::size_t>(i)], sy = rc.y[static_cast<std::size_t>(i)];
    const std::int32_t* w = tab[rc.frac[static_cast<std::size_t>(i)]];
    if (static_cast<unsigned>(sx) < w1 && static_cast<unsigned>(sy) < h1) {
      const std::uint8_t* S = S0 + static_cast<std::size_t>(sy) * stride + static_cast<std::size_t>(sx) * static_cast<std::size_t>(cn);
      for (int c = 0; c < cn; ++c) {
        const int v = S[c] * w[0] + S[c + cn] * w[1] + S[stride + static_cast<std::size_t>(c)] * w[2] +
                      S[stride + static_cast<std::size_t>(c + cn)] * w[3];
        dst[c] = static_cast<std::uint8_t>((v + kDelta) >> kRemapBits);
      }
      continue;
    }
    if (border.mode == BorderMode::Constant && (sx >= W || sx + 1 < 0 || sy >= H || sy + 1 < 0)) {
      for (int c = 0; c < cn; ++c) dst[c] = cval[static_cast<std::size_t>(std::min(c, 3))];
      continue;
    }
    const int x0 = border_index(sx, W, border.mode), x1 = border_index(sx + 1, W, border.mode);
    const int y0 = border_index(sy, H, border.mode), y1 = border_index(sy + 1, H, border.mode);
    auto px = [&](int x, int y, int c) -> int {
      if (x < 0 || y < 0) return cval[static_cast<std::size_t>(std::min(c, 3))];
      return S0[static_cast<std::size_t>(y) * stride + static_cast<std::size_t>(x) * static_cast<std::size_t>(cn) + static_cast<std::size_t>(c)];
    };
    for (int c = 0; c < cn; ++c) {
      const int v = px(x0, y0, c) * w[0] + px(x1, y0, c) * w[1] + px(x0, y1, c) * w[2] + px(x1, y1, c) * w[3];
      dst[c] = static_cast<std::uint8_t>(std::clamp((v + kDelta) >> kRemapBits, 0, 255));
    }
  }
}

// OpenCV's remapNearest for one row.
void nearest_row(const Image& src, std::uint8_t* dst, const RowCoords& rc, int n, const Border& border,
                 const std::array<std::uint8_t, 4>& cval) {
  const int cn = src.channels;
  const int W = src.width, H = src.height;
  const std::size_t stride = src.row_stride();
  for (int i = 0; i < n; ++i, dst += cn) {
    int sx = rc.x[static_cast<std::size_t>(i)], sy = rc.y[static_cast<std::size_t>(i)];
    if (static_cast<unsigned>(sx) >= static_cast<unsigned>(W) || static_cast<unsigned>(sy) >= static_cast<unsigned>(H)) {
      if (border.mode == BorderMode::Constant) {
        for (int c = 0; c < cn; ++c) dst[c] = cval[static_cast<std::size_t>(std::min(c, 3))];
        continue;
      }
      sx = border_index(sx, W, border.mode);
      sy = border_index(sy, H, border.mode);
    }
    const std::uint8_t* S = src.data.data() + static_cast<std::size_t>(sy) * stride + static_cast<std::size_t>(sx) * static_cast<std::size_t>(cn);
    std::copy_n(S, cn, dst);
  }
}

void sample_row(const Image& src, std::uint8_t* dst, const RowCoords& rc, int n, Interpolation interpolation,
                const Border& border, const std::array<std::uint8_t, 4>& cval) {
  if (interpolation == Interpolation::Nearest) {
    nearest_row(src, dst, rc, n, border, cval);
  } else if (src.channels == 1) {
    bilinear_row<1>(src, dst, rc, n, border, cval);
  } else if (src.channels == 3) {
    bilinear_row<3>(src, dst, rc, n, border, cval);
  } else {
    bilinear_row<0>(src, dst, rc, n, border, cval);
  }
}

void check_src(const Image& src, const char* what) {
  PN_CHECK(src.valid() && !src.empty(), what, ": needs a valid, non-empty image, got ", src.width, "x",
           src.height, "x", src.channels);
}

void check_interpolation(Interpolation i, const char* what) {
  PN_CHECK(i == Interpolation::Nearest || i == Interpolation::Linear, what, ": unsupported interpolation ",
           static_cast<int>(i));
}

// Parallel rows only when there is enough work to pay for the threads.
bool worth_threads(int width, int height) { return static_cast<long>(width) * height >= 128L * 128L; }

}  // namespace

const char* interpolation_name(Interpolation i) {
  switch (i) {
    case Interpolation::Nearest: return "nearest";
    case Interpolation::Linear: return "linear";
  }
  return "?";
}

const char* border_mode_name(BorderMode b) {
  switch (b) {
    case BorderMode::Constant: return "BORDER_CONSTANT";
    case BorderMode::Replicate: return "BORDER_REPLICATE";
    case BorderMode::Reflect: return "BORDER_REFLECT";
    case BorderMode::Wrap: return "BORDER_WRAP";
    case BorderMode::Reflect101: return "BORDER_REFLECT_101";
  }
  return "?";
}

int border_index(int p, int len, BorderMode mode) {
  if (static_cast<unsigned>(p) < static_cast<unsigned>(len)) return p;
  switch (mode) {
    case BorderMode::Constant: return -1;
    case BorderMode::Replicate: return p < 0 ? 0 : len - 1;
    case BorderMode::Reflect:
    case BorderMode::Reflect101: {
      if (len == 1) return 0;
      const int delta = mode == BorderMode::Reflect101 ? 1 : 0;
      do {
        if (p < 0) {
          p = -p - 1 + delta;
        } else {
          p = len - 1 - (p - len) - delta;
        }
      } while (static_cast<unsigned>(p) >= static_cast<unsigned>(len));
      return p;
    }
    case BorderMode::Wrap:
      if (p < 0) p -= ((p - len + 1) / len) * len;
      if (p >= len) p %= len;
      return p;
  }
  return -1;
}

Image remap(const Image& src, const std::vector<float>& map_x, const std::vector<float>& map_y, int dst_width,
            int dst_height, Interpolation interpolation, const Border& border) {
  check_src(src, "remap");
  check_interpolation(interpolation, "remap");
  PN_CHECK(dst_width >= 1 && dst_height >= 1, "remap: bad destination size ", dst_width, "x", dst_height);
  const std::size_t n = static_cast<std::size_t>(dst_width) * static_cast<std::size_t>(dst_height);
  PN_CHECK(map_x.size() == n && map_y.size() == n, "remap: maps of ", map_x.size(), " and ", map_y.size(),
           " values for a ", dst_width, "x", dst_height, " destination");
  Image dst(dst_width, dst_height, src.channels);
  const auto cval = border_values(border);
  const bool nearest = interpolation == Interpolation::Nearest;
#pragma omp parallel if (worth_threads(dst_width, dst_height))
  {
    RowCoords rc(dst_width);
#pragma omp for schedule(static)
    for (int y = 0; y < dst_height; ++y) {
      const float* mx = map_x.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(dst_width);
      const float* my = map_y.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(dst_width);
      for (int x = 0; x < dst_width; ++x) {
        const auto i = static_cast<std::size_t>(x);
        if (nearest) {
          rc.x[i] = saturate_short(round_to_int(mx[x]));
          rc.y[i] = saturate_short(round_to_int(my[x]));
        } else {
          // mx * 32 is exact in float (a power of two), then rounded half to even.
          const int X = round_to_int(mx[x] * static_cast<float>(kTabSize));
          const int Y = round_to_int(my[x] * static_cast<float>(kTabSize));
          rc.x[i] = saturate_short(X >> kInterBits);
          rc.y[i] = saturate_short(Y >> kInterBits);
          rc.frac[i] = static_cast<std::uint16_t>((Y & (kTabSize - 1)) * kTabSize + (X & (kTabSize - 1)));
        }
      }
      sample_row(src, dst.data.data() + static_cast<std::size_t>(y) * dst.row_stride(), rc, dst_width,
                 interpolation, border, cval);
    }
  }
  return dst;
}

Image warp_affine(const Image& src, const Affine& m, int dst_width, int dst_height, Interpolation interpolation,
                  const Border& border) {
  check_src(src, "warp_affine");
  check_interpolation(interpolation, "warp_affine");
  PN_CHECK(dst_width >= 1 && dst_height >= 1, "warp_affine: bad destination size ", dst_width, "x", dst_height);
  // cv::invertAffineTransform, operation for operation.
  double det = m[0] * m[4] - m[1] * m[3];
  det = det != 0 ? 1. / det : 0.;
  const double a11 = m[4] * det, a22 = m[0] * det;
  const double i0 = a11, i1 = m[1] * -det, i3 = m[3] * -det, i4 = a22;
  const double i2 = -i0 * m[2] - i1 * m[5];
  const double i5 = -i3 * m[2] - i4 * m[5];

  constexpr int kAbScale = 1 << kAbBits;
  const bool nearest = interpolation == Interpolation::Nearest;
  const int round_delta = nearest ? kAbScale / 2 : kAbScale / kTabSize / 2;
  std::vector<int> adelta(static_cast<std::size_t>(dst_width)), bdelta(static_cast<std::size_t>(dst_width));
  for (int x = 0; x < dst_width; ++x) {
    adelta[static_cast<std::size_t>(x)] = round_to_int(i0 * x * kAbScale);
    bdelta[static_cast<std::size_t>(x)] = round_to_int(i3 * x * kAbScale);
  }
  Image dst(dst_width, dst_height, src.channels);
  const auto cval = border_values(border);
#pragma omp parallel if (worth_threads(dst_width, dst_height))
  {
    RowCoords rc(dst_width);
#pragma omp for schedule(static)
    for (int y = 0; y < dst_height; ++y) {
      const int X0 = round_to_int((i1 * y + i2) * kAbScale) + round_delta;
      const int Y0 = round_to_int((i4 * y + i5) * kAbScale) + round_delta;
      for (int x = 0; x < dst_width; ++x) {
        const auto i = static_cast<std::size_t>(x);
        if (nearest) {
          rc.x[i] = saturate_short((X0 + adelta[i]) >> kAbBits);
          rc.y[i] = saturate_short((Y0 + bdelta[i]) >> kAbBits);
        } else {
          const int X = (X0 + adelta[i]) >> (kAbBits - kInterBits);
          const int Y = (Y0 + bdelta[i]) >> (kAbBits - kInterBits);
          rc.x[i] = saturate_short(X >> kInterBits);
          rc.y[i] = saturate_short(Y >> kInterBits);
          rc.frac[i] = static_cast<std::uint16_t>((Y & (kTabSize - 1)) * kTabSize + (X & (kTabSize - 1)));
        }
      }
      sample_row(src, dst.data.data() + static_cast<std::size_t>(y) * dst.row_stride(), rc, dst_width,
                 interpolation, border, cval);
    }
  }
  return dst;
}

namespace {

Image resize_nearest(const Image& src, int width, int height) {
  const double ifx = 1. / (static_cast<double>(width) / src.width);
  const double ify = 1. / (static_cast<double>(height) / src.height);
  const int cn = src.channels;
  std::vector<int> xofs(static_cast<std::size_t>(width));
  for (int x = 0; x < width; ++x) {
    xofs[static_cast<std::size_t>(x)] = std::min(static_cast<int>(std::floor(x * ifx)), src.width - 1);
  }
  Image dst(width, height, cn);
#pragma omp parallel for schedule(static) if (worth_threads(width, height))
  for (int y = 0; y < height; ++y) {
    const int sy = std::min(static_cast<int>(std::floor(y * ify)), src.height - 1);
    const std::uint8_t* S = src.data.data() + static_cast<std::size_t>(sy) * src.row_stride();
    std::uint8_t* D = dst.data.data() + static_cast<std::size_t>(y) * dst.row_stride();
    for (int x = 0; x < width; ++x) {
      std::copy_n(S + static_cast<std::size_t>(xofs[static_cast<std::size_t>(x)]) * static_cast<std::size_t>(cn), cn,
                  D + static_cast<std::size_t>(x) * static_cast<std::size_t>(cn));
    }
  }
  return dst;
}

// An exact halving: OpenCV's INTER_LINEAR becomes INTER_AREA's fast 2x2 mean.
Image resize_half(const Image& src, int width, int height) {
  const int cn = src.channels;
  const std::size_t stride = src.row_stride();
  Image dst(width, height, cn);
#pragma omp parallel for schedule(static) if (worth_threads(width, height))
  for (int y = 0; y < height; ++y) {
    const std::uint8_t* S = src.data.data() + static_cast<std::size_t>(2 * y) * stride;
    std::uint8_t* D = dst.data.data() + static_cast<std::size_t>(y) * dst.row_stride();
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < cn; ++c) {
        const std::size_t o = static_cast<std::size_t>(2 * x * cn + c);
        const int sum = S[o] + S[o + static_cast<std::size_t>(cn)] + S[o + stride] + S[o + stride + static_cast<std::size_t>(cn)];
        D[static_cast<std::size_t>(x * cn + c)] = static_cast<std::uint8_t>((sum + 2) >> 2);
      }
    }
  }
  return dst;
}

// One axis of cv::resize's bilinear coefficients: source index and the two
// 11-bit weights of each destination index.  `clamp` is OpenCV's treatment of
// the horizontal axis (outside the image: weight 1 on the edge pixel); the
// vertical axis keeps its weights and clamps the rows instead.
void linear_coefficients(int dst_len, int src_len, double scale, bool clamp, std::vector<int>& ofs,
                         std::vector<int>& w0, std::vector<int>& w1) {
  ofs.resize(static_cast<std::size_t>(dst_len));
  w0.resize(static_cast<std::size_t>(dst_len));
  w1.resize(static_cast<std::size_t>(dst_len));
  for (int d = 0; d < dst_len; ++d) {
    float f = static_cast<float>((d + 0.5) * scale - 0.5);
    int s = static_cast<int>(std::floor(f));
    f -= static_cast<float>(s);
    if (clamp && s < 0) f = 0.f, s = 0;
    if (clamp && s >= src_len - 1) f = 0.f, s = src_len - 1;
    const auto i = static_cast<std::size_t>(d);
    ofs[i] = s;
    w0[i] = saturate_short(round_to_int((1.f - f) * static_cast<float>(kResizeScale)));
    w1[i] = saturate_short(round_to_int(f * static_cast<float>(kResizeScale)));
  }
}

Image resize_linear(const Image& src, int width, int height) {
  const double inv_x = static_cast<double>(width) / src.width, inv_y = static_cast<double>(height) / src.height;
  const double scale_x = 1. / inv_x, scale_y = 1. / inv_y;
  const int iscale_x = round_to_int(scale_x), iscale_y = round_to_int(scale_y);
  if (std::abs(scale_x - iscale_x) < DBL_EPSILON && std::abs(scale_y - iscale_y) < DBL_EPSILON && iscale_x == 2 &&
      iscale_y == 2) {
    return resize_half(src, width, height);
  }
  std::vector<int> xofs, xa0, xa1, yofs, yb0, yb1;
  linear_coefficients(width, src.width, scale_x, true, xofs, xa0, xa1);
  linear_coefficients(height, src.height, scale_y, false, yofs, yb0, yb1);
  const int cn = src.channels;
  const std::size_t stride = src.row_stride();
  const std::size_t out_row = static_cast<std::size_t>(width) * static_cast<std::size_t>(cn);
  Image dst(width, height, cn);
#pragma omp parallel if (worth_threads(width, height))
  {
    std::vector<int> h0(out_row), h1(out_row);
    // The horizontal pass of source row sy: S[sx] * a0 + S[sx + 1] * a1.
    auto horizontal = [&](int sy, std::vector<int>& out) {
      const std::uint8_t* S = src.data.data() + static_cast<std::size_t>(sy) * stride;
      for (int x = 0; x < width; ++x) {
        const auto i = static_cast<std::size_t>(x);
        const std::size_t s = static_cast<std::size_t>(xofs[i]) * static_cast<std::size_t>(cn);
        for (int c = 0; c < cn; ++c) {
          int v = S[s + static_cast<std::size_t>(c)] * xa0[i];
          if (xa1[i] != 0) v += S[s + static_cast<std::size_t>(c + cn)] * xa1[i];
          out[i * static_cast<std::size_t>(cn) + static_cast<std::size_t>(c)] = v;
        }
      }
    };
#pragma omp for schedule(static)
    for (int y = 0; y < height; ++y) {
      const auto j = static_cast<std::size_t>(y);
      const int r0 = std::clamp(yofs[j], 0, src.height - 1), r1 = std::clamp(yofs[j] + 1, 0, src.height - 1);
      horizontal(r0, h0);
      horizontal(r1, h1);
      const int b0 = yb0[j], b1 = yb1[j];
      std::uint8_t* D = dst.data.data() + j * out_row;
      for (std::size_t i = 0; i < out_row; ++i) {
        const int v = (((b0 * (h0[i] >> 4)) >> 16) + ((b1 * (h1[i] >> 4)) >> 16) + 2) >> 2;
        D[i] = static_cast<std::uint8_t>(std::clamp(v, 0, 255));
      }
    }
  }
  return dst;
}

}  // namespace

Image resize(const Image& src, int width, int height, Interpolation interpolation) {
  check_src(src, "resize");
  check_interpolation(interpolation, "resize");
  PN_CHECK(width >= 1 && height >= 1, "resize: bad size ", width, "x", height);
  if (width == src.width && height == src.height) return src;
  return interpolation == Interpolation::Nearest ? resize_nearest(src, width, height)
                                                 : resize_linear(src, width, height);
}

}  // namespace pn::augment
