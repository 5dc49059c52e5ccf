#include "pneumo/augment/preview.h"

#include <cstdio>
#include <system_error>

#include "pneumo/augment/rng.h"
#include "pneumo/augment/transform_json.h"
#include "pneumo/data/file_io.h"
#include "pneumo/data/png.h"
#include "tensor/error.h"

namespace pn::augment {

namespace fs = std::filesystem;

Image overlay(const Image& image, const Image& mask) {
  PN_CHECK(image.valid() && !image.empty(), "overlay: needs a non-empty image");
  PN_CHECK(mask.empty() || (mask.width == image.width && mask.height == image.height && mask.channels == 1),
           "overlay: the mask must be one channel of the image's size");
  Image out(image.width, image.height, 3);
  const std::size_t n = static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height);
  const std::size_t cn = static_cast<std::size_t>(image.channels);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t v = image.data[i * cn];
    std::uint8_t* o = out.data.data() + 3 * i;
    if (!mask.empty() && mask.data[i] > 127) {
      const int dim = (v * 6 + 5) / 10;
      o[0] = static_cast<std::uint8_t>(dim + 102);  // 0.4 * 255
      o[1] = static_cast<std::uint8_t>(dim);
      o[2] = static_cast<std::uint8_t>(dim);
    } else {
      o[0] = o[1] = o[2] = v;
    }
  }
  return out;
}

std::string encode_png_rgb(const Image& image) {
  PN_CHECK(image.valid() && !image.empty() && (image.channels == 1 || image.channels == 3),
           "encode_png_rgb: needs a non-empty 1- or 3-channel image");
  return data::encode_png_pixels(image.width, image.height, image.channels, image.data.data());
}

PreviewReport write_augmented_samples(const PreviewOptions& options) {
  PN_CHECK(options.count >= 1, "augment preview: count must be >= 1, got ", options.count);
  PN_CHECK(!options.out_dir.empty(), "augment preview: no output folder");
  const TransformPtr pipeline = load_transforms(options.transforms);
  Sample input;
  input.image = from_gray(data::read_png(options.image));
  if (options.mask) {
    input.mask = from_gray(data::read_png(*options.mask));
    PN_CHECK(input.mask.width == input.image.width && input.mask.height == input.image.height,
             options.mask->string(), ": the mask is ", input.mask.width, "x", input.mask.height, " but the image ",
             options.image.string(), " is ", input.image.width, "x", input.image.height);
  }
  std::error_code ec;
  fs::create_directories(options.out_dir, ec);
  PN_CHECK(!ec && fs::is_directory(options.out_dir), options.out_dir.string(), ": cannot create the folder (",
           ec.message(), ")");

  PreviewReport report;
  report.pipeline = describe(*pipeline);
  const fs::path text = options.out_dir / "pipeline.txt";
  data::write_file_atomic(text, report.pipeline);
  report.written.push_back(text);
  for (int k = 0; k < options.count; ++k) {
    Sample s = input;
    Rng rng = Rng::for_sample(options.seed, 0, static_cast<std::uint64_t>(k));
    try {
      (*pipeline)(s, rng);
    } catch (const Error& e) {
      pn::fail(options.transforms.string(), " on ", options.image.string(), ", sample ", k, ": ", e.what());
    }
    char stem[32];
    std::snprintf(stem, sizeof stem, "sample_%03d_", k);
    auto write = [&](const std::string& what, const std::string& bytes) {
      const fs::path p = options.out_dir / (std::string(stem) + what + ".png");
      data::write_file_atomic(p, bytes);
      report.written.push_back(p);
    };
    write("image", encode_png_rgb(s.image));
    if (!s.mask.empty()) write("mask", encode_png_rgb(s.mask));
    write("overlay", encode_png_rgb(overlay(s.image, s.mask)));
  }
  return report;
}

}  // namespace pn::augment
