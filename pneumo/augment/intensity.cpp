#include "pneumo/augment/exact_fp.h"  // first: before any floating-point code
#include "pneumo/augment/intensity.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

#include "tensor/error.h"

namespace pn::augment {

namespace {

void check_image(const Image& image, const char* what) {
  PN_CHECK(image.valid() && !image.empty(), what, ": needs a valid, non-empty image, got ", image.width, "x",
           image.height, "x", image.channels);
}

Image apply_lut(const Image& image, const std::array<std::uint8_t, 256>& lut) {
  Image out = image;
  for (std::uint8_t& v : out.data) v = lut[v];
  return out;
}

// float -> uint8 as numpy's astype does for values already clipped to
// [0, 255]: truncation toward zero.
std::uint8_t truncate_u8(double v) { return static_cast<std::uint8_t>(static_cast<int>(v)); }

}  // namespace

Image brightness_contrast(const Image& image, double alpha, double beta) {
  check_image(image, "brightness_contrast");
  PN_CHECK(std::isfinite(alpha) && std::isfinite(beta), "brightness_contrast: bad alpha ", alpha, " or beta ", beta);
  float shift = 0.f;
  if (beta != 0) {
    // np.mean of uint8 sums in float64: exact for any image that fits in memory.
    std::uint64_t sum = 0;
    for (std::uint8_t v : image.data) sum += v;
    const double mean = static_cast<double>(sum) / static_cast<double>(image.data.size());
    shift = static_cast<float>(beta * mean);
  }
  const auto a = static_cast<float>(alpha);
  std::array<std::uint8_t, 256> lut{};
  for (int i = 0; i < 256; ++i) {
    float v = static_cast<float>(i);
    if (alpha != 1) v *= a;
    if (beta != 0) v += shift;
    lut[static_cast<std::size_t>(i)] = truncate_u8(std::clamp(v, 0.f, 255.f));
  }
  return apply_lut(image, lut);
}

Image gamma_transform(const Image& image, double gamma) {
  check_image(image, "gamma_transform");
  PN_CHECK(std::isfinite(gamma) && gamma > 0, "gamma_transform: gamma must be > 0, got ", gamma);
  const double inv_gamma = 1.0 / gamma;
  std::array<std::uint8_t, 256> lut{};
  for (int i = 0; i < 256; ++i) {
    // numpy's power with exponent exactly 1 copies (no pow call): the same value.
    const double base = i / 255.0;
    const double p = inv_gamma == 1.0 ? base : std::pow(base, inv_gamma);
    lut[static_cast<std::size_t>(i)] = truncate_u8(std::clamp(p * 255, 0.0, 255.0));
  }
  return apply_lut(image, lut);
}

PlanarImage normalize(const Image& image, const std::vector<double>& mean, const std::vector<double>& std,
                      double max_pixel_value) {
  check_image(image, "normalize");
  PN_CHECK(!mean.empty() && mean.size() == std.size(), "normalize: ", mean.size(), " means and ", std.size(),
           " standard deviations");
  const int planes = image.channels == 1 ? static_cast<int>(mean.size()) : image.channels;
  PN_CHECK(mean.size() == 1 || static_cast<int>(mean.size()) == planes, "normalize: ", mean.size(),
           " means for an image of ", image.channels, " channels");
  PlanarImage out;
  out.width = image.width;
  out.height = image.height;
  out.channels = planes;
  const std::size_t hw = static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height);
  out.data.resize(hw * static_cast<std::size_t>(planes));
  const auto maxv = static_cast<float>(max_pixel_value);
  for (int c = 0; c < planes; ++c) {
    const std::size_t k = mean.size() == 1 ? 0 : static_cast<std::size_t>(c);
    const float m = static_cast<float>(mean[k]) * maxv;
    const float s = static_cast<float>(std[k]) * maxv;
    PN_CHECK(s != 0.f && std::isfinite(s) && std::isfinite(m), "normalize: bad mean ", mean[k], " or std ", std[k],
             " for max_pixel_value ", max_pixel_value);
    const float inv = 1.f / s;
    // 256 possible inputs: a table of the float32 results.
    std::array<float, 256> table{};
    for (int v = 0; v < 256; ++v) table[static_cast<std::size_t>(v)] = (static_cast<float>(v) - m) * inv;
    const std::size_t src_c = image.channels == 1 ? 0 : static_cast<std::size_t>(c);
    const std::size_t cn = static_cast<std::size_t>(image.channels);
    float* dst = out.data.data() + static_cast<std::size_t>(c) * hw;
    for (std::size_t i = 0; i < hw; ++i) dst[i] = table[image.data[i * cn + src_c]];
  }
  return out;
}

PlanarImage to_unit_float(const Image& image, int channels) {
  check_image(image, "to_unit_float");
  PN_CHECK(channels == image.channels || (image.channels == 1 && channels >= 1), "to_unit_float: ", channels,
           " planes from an image of ", image.channels, " channels");
  PlanarImage out;
  out.width = image.width;
  out.height = image.height;
  out.channels = channels;
  const std::size_t hw = static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height);
  out.data.resize(hw * static_cast<std::size_t>(channels));
  std::array<float, 256> table{};
  for (int v = 0; v < 256; ++v) table[static_cast<std::size_t>(v)] = static_cast<float>(v / 255.0);
  const std::size_t cn = static_cast<std::size_t>(image.channels);
  for (int c = 0; c < channels; ++c) {
    const std::size_t src_c = image.channels == 1 ? 0 : static_cast<std::size_t>(c);
    float* dst = out.data.data() + static_cast<std::size_t>(c) * hw;
    for (std::size_t i = 0; i < hw; ++i) dst[i] = table[image.data[i * cn + src_c]];
  }
  return out;
}

}  // namespace pn::augment
