#pragma once
// The core of `pneumo augment`: run a transform pipeline K times on one image
// (and its mask) and write what the network would be trained on, for a person
// to look at.
//
//   OUT/pipeline.txt            the pipeline as loaded (describe())
//   OUT/sample_K_image.png      the augmented 8-bit image (before Normalize,
//                               which only rescales it for the network)
//   OUT/sample_K_mask.png       the augmented mask (0/255), with --mask
//   OUT/sample_K_overlay.png    RGB: the image, the mask tinted red over it
// for K = 000, 001, ...  Sample K is augmented with the stream
// Rng::for_sample(seed, 0, K): the same seed writes the same files, and
// sample K is the sample the loader would make at position K of epoch 0 with
// that seed.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pneumo/augment/image.h"
#include "pneumo/augment/transform.h"

namespace pn::augment {

struct PreviewOptions {
  std::filesystem::path transforms;          // an albumentations JSON file
  std::filesystem::path image;               // an 8-bit PNG
  std::optional<std::filesystem::path> mask; // its mask PNG (same size), if any
  std::uint64_t seed = 0;
  int count = 8;                             // K >= 1
  std::filesystem::path out_dir;             // created when missing
};

struct PreviewReport {
  std::string pipeline;                       // describe() of the loaded pipeline
  std::vector<std::filesystem::path> written; // in the order written
};

// Loads the pipeline and the inputs, then writes the files above.  Throws
// pn::Error naming the file for an unreadable pipeline, image or mask, a mask
// of another size, count < 1, or a file that cannot be written.
PreviewReport write_augmented_samples(const PreviewOptions& options);

// The overlay: gray image as RGB, mask pixels (> 127) tinted red
// (0.6 * v + 0.4 * (255, 0, 0)).  Interleaved RGB, width * height * 3.
// Requires a one-channel image (a 3-channel one uses its first channel) and
// an empty mask or one of the image's size.
Image overlay(const Image& image, const Image& mask);

// An 8-bit PNG of a 1- or 3-channel image (encoded by the project's stb).
std::string encode_png_rgb(const Image& image);

}  // namespace pn::augment
