#pragma once
// The pictures the augmentations work on.
//
// The reference reads a training image with cv2.imread(path, 1): an 8-bit
// image with 3 interleaved channels (B, G, R; all equal for the gray PNGs of
// the prepared dataset) and its mask with cv2.imread(path, 0): 8 bits, one
// channel, 0/255.  Image holds either, in OpenCV's layout (row-major,
// channels interleaved: HWC), so that a transform is written once for both.
//
// The last step of the reference's pipelines (Normalize) turns the image into
// float32; PlanarImage holds that result in the layout a network batch wants
// (channels first: CHW).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "pneumo/data/image.h"
#include "tensor/error.h"

namespace pn::augment {

// An 8-bit image, row-major with interleaved channels: channel c of the pixel
// in column x of row y is data[(y * width + x) * channels + c].
//
// Invariant (checked by valid()): width, height >= 0, channels >= 1 and
// data.size() == width * height * channels.
struct Image {
  int width = 0;
  int height = 0;
  int channels = 1;
  std::vector<std::uint8_t> data;

  Image() = default;
  // width x height x channels filled with `fill`; requires width, height >= 0
  // and channels >= 1.
  Image(int w, int h, int c, std::uint8_t fill = 0);

  bool valid() const {
    return width >= 0 && height >= 0 && channels >= 1 &&
           data.size() == static_cast<std::size_t>(width) * static_cast<std::size_t>(height) *
                              static_cast<std::size_t>(channels);
  }
  bool empty() const { return data.empty(); }
  std::size_t row_stride() const {
    return static_cast<std::size_t>(width) * static_cast<std::size_t>(channels);
  }
  // Unchecked access; requires 0 <= x < width, 0 <= y < height, 0 <= c < channels.
  std::uint8_t& at(int x, int y, int c = 0) {
    return data[static_cast<std::size_t>(y) * row_stride() +
                static_cast<std::size_t>(x) * static_cast<std::size_t>(channels) +
                static_cast<std::size_t>(c)];
  }
  std::uint8_t at(int x, int y, int c = 0) const {
    return data[static_cast<std::size_t>(y) * row_stride() +
                static_cast<std::size_t>(x) * static_cast<std::size_t>(channels) +
                static_cast<std::size_t>(c)];
  }

  friend bool operator==(const Image&, const Image&) = default;
};

// A one-channel Image with the pixels of `gray`.
Image from_gray(const data::GrayImage& gray);
// The same picture with `channels` copies of the single channel of `gray`
// (what cv2.imread(path, 1) makes of a gray PNG when channels == 3).
// Requires gray.channels == 1 and channels >= 1.
Image replicate_channels(const Image& gray, int channels);
// Channel `c` of `image` as a GrayImage; requires 0 <= c < image.channels.
data::GrayImage to_gray(const Image& image, int c = 0);

// float32, channels first: channel c of pixel (x, y) is
// data[(c * height + y) * width + x].
struct PlanarImage {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<float> data;

  float at(int x, int y, int c) const {
    return data[(static_cast<std::size_t>(c) * static_cast<std::size_t>(height) +
                 static_cast<std::size_t>(y)) *
                    static_cast<std::size_t>(width) +
                static_cast<std::size_t>(x)];
  }
};

// What a pipeline transforms: an image and, optionally, its mask.
//
// Contract of every transform: `mask` is either empty or a one-channel image
// of the image's size, and stays so; geometric transforms move image and mask
// alike (the image with its interpolation, the mask with nearest neighbour),
// intensity transforms leave the mask alone.  Once `normalized` is set (by
// Normalize, the reference's last step) the image must not change any more:
// a transform that would change it throws pn::Error.
struct Sample {
  Image image;
  Image mask;
  std::optional<PlanarImage> normalized;
};

}  // namespace pn::augment
