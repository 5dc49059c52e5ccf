#pragma once
// The one picture type of the data code: an 8-bit grayscale image.
//
// DICOM decoding, PNG reading and writing, masks decoded from RLE and resizing
// all produce or take a GrayImage, so that they compose without conversions.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tensor/error.h"

namespace pn::data {

// An 8-bit grayscale image, row-major: the pixel in column x of row y is
// pixels[y * width + x].  Masks use the same type with the values 0 and 255.
//
// Invariant (kept by every function of pneumo/data, checked by valid()):
// width >= 0, height >= 0 and pixels.size() == width * height.
struct GrayImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;

  GrayImage() = default;
  // A width x height image filled with `fill`.  Requires width, height >= 0.
  GrayImage(int w, int h, std::uint8_t fill = 0) : width(w), height(h) {
    PN_CHECK(w >= 0 && h >= 0, "GrayImage: negative size ", w, "x", h);
    pixels.assign(static_cast<std::size_t>(w) * static_cast<std::size_t>(h), fill);
  }

  bool valid() const {
    return width >= 0 && height >= 0 &&
           pixels.size() == static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  }
  bool empty() const { return pixels.empty(); }

  // Unchecked access; requires 0 <= x < width and 0 <= y < height.
  std::uint8_t& at(int x, int y) {
    return pixels[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                  static_cast<std::size_t>(x)];
  }
  std::uint8_t at(int x, int y) const {
    return pixels[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                  static_cast<std::size_t>(x)];
  }

  friend bool operator==(const GrayImage&, const GrayImage&) = default;
};

}  // namespace pn::data
