#pragma once
// 8-bit grayscale PNG reading (through stb_image) and writing (our own
// encoder: Sub-filtered rows, pneumo/data/deflate.h).
//
// The prepared dataset (train/, mask/, test/) is 8-bit gray PNG, as the
// reference's cv2.imwrite wrote it.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nn/io/atomic_file.h"
#include "pneumo/data/image.h"

namespace pn::data {

struct PngLimits {
  std::size_t max_file_bytes = std::size_t{256} << 20;  // 256 MiB
  int max_dimension = 32768;                           // width and height each
  std::size_t max_pixels = std::size_t{1} << 28;        // 256 Mi pixels
};

// Reads a PNG as 8-bit gray.  The header is read first and the width, height
// and pixel count are checked against `limits` before anything is decoded, so
// a small file that claims a huge image is refused without allocating for it.
// Gray PNGs come back as stored; other PNGs are converted by stb: colour to
// gray as (77 R + 150 G + 29 B) >> 8, alpha dropped, 16-bit samples >> 8.
// Throws pn::Error naming the file when it is missing, not a PNG, corrupt
// (a chunk's CRC included) or truncated, or over the limits.
GrayImage read_png(const std::filesystem::path& path, const PngLimits& limits = {});

// As read_png, from bytes in memory; `name` names them in errors.
GrayImage decode_png(std::string_view bytes, std::string_view name, const PngLimits& limits = {});

// 8-bit pixels with `channels` interleaved channels (1: gray, 3: RGB): channel
// c of the pixel in column x of row y is data[(y * width + x) * channels + c].
struct PngPixels {
  int width = 0;
  int height = 0;
  int channels = 1;
  std::vector<std::uint8_t> data;
};

// As decode_png (the same checks and errors), but converted by stb to
// `channels` channels, 1 or 3: a gray PNG read as RGB has three equal
// channels, a colour PNG keeps its colours.
PngPixels decode_png_pixels(std::string_view bytes, std::string_view name, int channels,
                            const PngLimits& limits = {});

// The width and height a PNG file's header states, from its first 24 bytes
// only (nothing is decoded); nullopt when the file is missing, shorter, or
// not a PNG.  Cheap enough to check many finished outputs.
std::optional<std::pair<int, int>> png_size(const std::filesystem::path& path);

// Encodes a valid, non-empty image as an 8-bit gray PNG.
std::string encode_png(const GrayImage& image);

// Encodes width * height pixels of `channels` (1 or 3) interleaved 8-bit
// channels, laid out as in PngPixels, as a PNG.  Requires width, height >= 1
// and `data` to hold width * height * channels bytes.
std::string encode_png_pixels(int width, int height, int channels, const std::uint8_t* data);

// Writes encode_png(image) atomically (see write_file_atomic): a reader never
// sees a half-written PNG.  Throws pn::Error naming the file on failure.
void write_png(const std::filesystem::path& path, const GrayImage& image,
               nn::io::Durability durability = nn::io::Durability::Synced);

// True when the file ends with the IEND chunk every complete PNG ends with
// (reads the last 12 bytes only): a file cut short, as a Deferred write may
// leave one after a power loss, does not.
bool png_has_end(const std::filesystem::path& path);

}  // namespace pn::data
