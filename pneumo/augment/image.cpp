#include "pneumo/augment/image.h"

#include <algorithm>

namespace pn::augment {

Image::Image(int w, int h, int c, std::uint8_t fill) : width(w), height(h), channels(c) {
  PN_CHECK(w >= 0 && h >= 0 && c >= 1, "augment::Image: bad size ", w, "x", h, "x", c);
  data.assign(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * static_cast<std::size_t>(c),
              fill);
}

Image from_gray(const data::GrayImage& gray) {
  PN_CHECK(gray.valid(), "augment::from_gray: invalid GrayImage");
  Image out;
  out.width = gray.width;
  out.height = gray.height;
  out.channels = 1;
  out.data = gray.pixels;
  return out;
}

Image replicate_channels(const Image& gray, int channels) {
  PN_CHECK(gray.valid() && gray.channels == 1, "augment::replicate_channels: needs a one-channel image, got ",
           gray.channels, " channels");
  PN_CHECK(channels >= 1, "augment::replicate_channels: channels must be >= 1, got ", channels);
  Image out(gray.width, gray.height, channels);
  const std::size_t n = gray.data.size();
  for (std::size_t i = 0; i < n; ++i) {
    std::fill_n(out.data.begin() + static_cast<std::ptrdiff_t>(i * static_cast<std::size_t>(channels)),
                channels, gray.data[i]);
  }
  return out;
}

data::GrayImage to_gray(const Image& image, int c) {
  PN_CHECK(image.valid() && c >= 0 && c < image.channels, "augment::to_gray: channel ", c,
           " of an image with ", image.channels, " channels");
  data::GrayImage out(image.width, image.height);
  const std::size_t n = out.pixels.size();
  const std::size_t cn = static_cast<std::size_t>(image.channels);
  for (std::size_t i = 0; i < n; ++i) out.pixels[i] = image.data[i * cn + static_cast<std::size_t>(c)];
  return out;
}

}  // namespace pn::augment
