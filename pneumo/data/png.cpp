#include "pneumo/data/png.h"

#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>

namespace pn::data {
namespace {

// The largest block stb_image may allocate while this thread decodes.  stb
// grows its inflate buffer as long as the compressed data go on (up to 4 GiB),
// so a small PNG claiming 8x8 pixels could make it allocate gigabytes before
// it notices the excess; decode_png_pixels sets the cap from the header's size.
thread_local std::size_t stb_allocation_cap = SIZE_MAX;
thread_local bool stb_allocation_refused = false;

void* stb_malloc(std::size_t n) {
  if (n > stb_allocation_cap) {
    stb_allocation_refused = true;
    return nullptr;
  }
  return std::malloc(n);
}

void* stb_realloc(void* p, std::size_t n) {
  if (n > stb_allocation_cap) {
    stb_allocation_refused = true;
    return nullptr;
  }
  return std::realloc(p, n);
}

}  // namespace
}  // namespace pn::data

// The one translation unit that holds stb_image's implementation (the writer
// is our own, below, with pneumo/data/deflate.h).  Only the PNG decoder is
// compiled in, so other formats (which stb would otherwise accept
// silently) are refused, and the decoders' attack surface stays small.
#define STBI_MALLOC(n) pn::data::stb_malloc(n)
#define STBI_REALLOC(p, n) pn::data::stb_realloc(p, n)
#define STBI_FREE(p) std::free(p)
#define STBI_ONLY_PNG
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>

#include "nn/io/zip_reader.h"  // crc32
#include "pneumo/data/deflate.h"
#include "pneumo/data/file_io.h"
#include "pneumo/data/scratch.h"
#include "tensor/error.h"

namespace pn::data {
namespace {

constexpr unsigned char kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

struct StbFree {
  void operator()(stbi_uc* p) const { stbi_image_free(p); }
};

// Walks the chunk list before stb sees the file: every chunk must lie inside
// the file and match its CRC (stb_image checks no CRC, so a damaged file would
// otherwise decode to wrong pixels, where libpng and cv2 refuse it), and an
// empty IDAT chunk (legal, but written by no encoder) is refused, because
// stb_image hands it to memcpy with a null buffer.
void check_chunks(std::string_view bytes, std::string_view name) {
  auto u32 = [&](std::size_t at) {
    const auto* b = reinterpret_cast<const unsigned char*>(bytes.data()) + at;
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
  };
  std::size_t at = sizeof(kPngSignature);
  while (at + 8 <= bytes.size()) {
    const std::uint32_t length = u32(at);
    const std::string_view type = bytes.substr(at + 4, 4);
    PN_CHECK(length <= bytes.size() - at - 8 && bytes.size() - at - 8 - length >= 4, "cannot read PNG ", name,
             ": chunk at byte ", at, " runs past the end of the file (truncated)");
    PN_CHECK(!(type == "IDAT" && length == 0), "cannot read PNG ", name, ": empty IDAT chunk at byte ", at,
             " (not supported)");
    PN_CHECK(nn::io::crc32(bytes.data() + at + 4, 4 + std::size_t{length}) == u32(at + 8 + length),
             "cannot read PNG ", name, ": chunk ", type, " at byte ", at, " fails its CRC check (corrupt file)");
    if (type == "IEND") return;
    at += 12 + static_cast<std::size_t>(length);
  }
  fail("cannot read PNG ", name, ": the file ends before its IEND chunk (truncated)");
}

// The fields of the IHDR chunk as stored, or nullopt when the file does not
// start with one of the right length (stb then says what is wrong). From the
// bytes, not from stb: stb refuses a size over its own cap, or a field it
// does not know, without saying which.
struct Ihdr {
  std::uint32_t width = 0, height = 0;
  int bit_depth = 0, color_type = 0, compression = 0, filter = 0, interlace = 0;
};

std::optional<Ihdr> read_ihdr(std::string_view bytes) {
  // Signature (8), IHDR length (4), "IHDR" (4), then 13 bytes of fields.
  if (bytes.size() < 8 + 8 + 13 || bytes.substr(12, 4) != "IHDR") return std::nullopt;
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  auto be32 = [&](std::size_t at) {
    return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) |
           std::uint32_t{b[at + 3]};
  };
  if (be32(8) != 13) return std::nullopt;
  return Ihdr{be32(16), be32(20), b[24], b[25], b[26], b[27], b[28]};
}

// The IHDR's fields against the PNG specification (11.2.2), naming the
// field that is wrong.
void check_ihdr(const Ihdr& h, std::string_view name, const PngLimits& limits) {
  PN_CHECK(h.width > 0 && h.height > 0 && h.width <= static_cast<std::uint32_t>(limits.max_dimension) &&
               h.height <= static_cast<std::uint32_t>(limits.max_dimension),
           "cannot read PNG ", name, ": size ", h.width, "x", h.height, " is outside 1..", limits.max_dimension);
  const int d = h.bit_depth;
  const bool wide = d == 8 || d == 16;  // what every colour type takes
  bool depth_ok = false;
  const char* allowed = nullptr;
  switch (h.color_type) {
    case 0:
      depth_ok = wide || d == 1 || d == 2 || d == 4;
      allowed = "1, 2, 4, 8 or 16 (grayscale)";
      break;
    case 3:
      depth_ok = d == 1 || d == 2 || d == 4 || d == 8;
      allowed = "1, 2, 4 or 8 (palette)";
      break;
    case 2:
    case 4:
    case 6:
      depth_ok = wide;
      allowed = "8 or 16 (RGB, gray with alpha, RGBA)";
      break;
    default:
      fail("cannot read PNG ", name, ": IHDR colour type ", h.color_type, " is not 0, 2, 3, 4 or 6");
  }
  PN_CHECK(depth_ok, "cannot read PNG ", name, ": IHDR bit depth ", d, " is not valid for colour type ",
           h.color_type, ", which takes ", allowed);
  PN_CHECK(h.compression == 0, "cannot read PNG ", name, ": IHDR compression method ", h.compression,
           " is not 0 (deflate)");
  PN_CHECK(h.filter == 0, "cannot read PNG ", name, ": IHDR filter method ", h.filter, " is not 0");
  PN_CHECK(h.interlace == 0 || h.interlace == 1, "cannot read PNG ", name, ": IHDR interlace method ",
           h.interlace, " is not 0 (none) or 1 (Adam7)");
}

void put_be32(std::string& out, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out[at + static_cast<std::size_t>(i)] = static_cast<char>((v >> (24 - 8 * i)) & 0xFF);
}

}  // namespace

PngPixels decode_png_pixels(std::string_view bytes, std::string_view name, int channels,
                            const PngLimits& limits) {
  PN_CHECK(channels == 1 || channels == 3, "cannot read PNG ", name, ": ", channels,
           " channels asked for (1 or 3)");
  PN_CHECK(bytes.size() <= limits.max_file_bytes, "cannot read PNG ", name, ": ", bytes.size(),
           " bytes is more than the limit of ", limits.max_file_bytes);
  PN_CHECK(bytes.size() >= sizeof(kPngSignature) &&
               std::memcmp(bytes.data(), kPngSignature, sizeof(kPngSignature)) == 0,
           "cannot read PNG ", name, ": not a PNG file (no PNG signature)");
  PN_CHECK(bytes.size() <= static_cast<std::size_t>(INT_MAX), "cannot read PNG ", name,
           ": file too large");
  if (const auto ihdr = read_ihdr(bytes)) check_ihdr(*ihdr, name, limits);
  const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int len = static_cast<int>(bytes.size());

  int w = 0, h = 0, comp = 0;
  PN_CHECK(stbi_info_from_memory(data, len, &w, &h, &comp) == 1, "cannot read PNG ", name,
           ": corrupt header (", stbi_failure_reason(), ")");
  PN_CHECK(w > 0 && h > 0 && w <= limits.max_dimension && h <= limits.max_dimension,
           "cannot read PNG ", name, ": size ", w, "x", h, " is outside 1..",
           limits.max_dimension);
  const std::size_t count = static_cast<std::size_t>(w) * static_cast<std::size_t>(h);
  PN_CHECK(count <= limits.max_pixels, "cannot read PNG ", name, ": ", w, "x", h,
           " pixels is more than the limit of ", limits.max_pixels);

  check_chunks(bytes, name);
  // No block stb needs for a valid file is larger than the inflated rows (at
  // most 8 bytes a pixel and a filter byte a row) twice over, or the file.
  const std::size_t cap = 2 * static_cast<std::size_t>(h) * (1 + 8 * static_cast<std::size_t>(w)) +
                          bytes.size() + (std::size_t{1} << 20);
  int w2 = 0, h2 = 0, comp2 = 0;
  stb_allocation_cap = cap;
  stb_allocation_refused = false;
  std::unique_ptr<stbi_uc, StbFree> pixels(stbi_load_from_memory(data, len, &w2, &h2, &comp2, channels));
  stb_allocation_cap = SIZE_MAX;
  PN_CHECK(!stb_allocation_refused, "cannot read PNG ", name, ": its image data inflate to more than ", cap,
           " bytes, more than a ", w, "x", h, " image holds (corrupt, or a decompression bomb)");
  PN_CHECK(pixels != nullptr, "cannot read PNG ", name, ": corrupt or truncated (",
           stbi_failure_reason(), ")");
  PN_CHECK(w2 == w && h2 == h, "cannot read PNG ", name, ": decoded size ", w2, "x", h2,
           " differs from the header's ", w, "x", h);
  PngPixels out;
  out.width = w;
  out.height = h;
  out.channels = channels;
  out.data.assign(pixels.get(), pixels.get() + count * static_cast<std::size_t>(channels));
  return out;
}

GrayImage decode_png(std::string_view bytes, std::string_view name, const PngLimits& limits) {
  PngPixels gray = decode_png_pixels(bytes, name, 1, limits);
  GrayImage image;
  image.width = gray.width;
  image.height = gray.height;
  image.pixels = std::move(gray.data);
  return image;
}

GrayImage read_png(const std::filesystem::path& path, const PngLimits& limits) {
  const std::string bytes = read_file(path, limits.max_file_bytes);
  return decode_png(bytes, path.string(), limits);
}

std::optional<std::pair<int, int>> png_size(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  char head[8 + 8 + 13];
  if (!in.read(head, sizeof(head)) || std::memcmp(head, kPngSignature, sizeof(kPngSignature)) != 0)
    return std::nullopt;
  const auto ihdr = read_ihdr(std::string_view(head, sizeof(head)));
  if (!ihdr) return std::nullopt;
  const std::uint32_t w = ihdr->width, h = ihdr->height;
  if (w == 0 || h == 0 || w > INT_MAX || h > INT_MAX) return std::nullopt;
  return std::pair<int, int>(static_cast<int>(w), static_cast<int>(h));
}

std::string encode_png_pixels(int width, int height, int channels, const std::uint8_t* data) {
  PN_CHECK(width >= 1 && height >= 1 && (channels == 1 || channels == 3) && data != nullptr,
           "encode_png: needs a non-empty image of 1 or 3 channels, got ", width, "x", height, "x",
           channels);
  PN_CHECK(static_cast<std::size_t>(width) * static_cast<std::size_t>(channels) <= static_cast<std::size_t>(INT_MAX),
           "encode_png: rows of ", width, " pixels are too long");
  // Every row with filter 1 (Sub: each byte minus the byte one pixel to its
  // left), as OpenCV's PNG writer does by default: cheap, and for radiographs
  // within 2% of the best of the five filters.
  const std::size_t stride = static_cast<std::size_t>(width) * static_cast<std::size_t>(channels);
  const std::size_t bpp = static_cast<std::size_t>(channels);
  const std::size_t filtered_size = (stride + 1) * static_cast<std::size_t>(height);
  thread_local Scratch<std::uint8_t> filtered_buffer;
  std::uint8_t* const filtered = filtered_buffer.get(filtered_size);
  for (std::size_t y = 0; y < static_cast<std::size_t>(height); ++y) {
    const std::uint8_t* row = data + y * stride;
    std::uint8_t* f = filtered + y * (stride + 1);
    f[0] = 1;
    std::memcpy(f + 1, row, bpp);
    for (std::size_t i = bpp; i < stride; ++i) f[1 + i] = static_cast<std::uint8_t>(row[i] - row[i - bpp]);
  }

  std::string out(kPngSignature, kPngSignature + sizeof(kPngSignature));
  out.reserve(filtered_size / 2 + 1024);  // about what a radiograph takes
  // A chunk: length, type, data, CRC-32 of type and data.
  auto chunk = [&out](const char* type, auto&& write_data) {
    const std::size_t at = out.size();
    out.append(4, '\0');
    out.append(type, 4);
    write_data();
    const std::size_t length = out.size() - at - 8;
    PN_CHECK(length <= 0x7FFFFFFFu, "encode_png: a chunk of ", length, " bytes is too long for PNG");
    put_be32(out, at, static_cast<std::uint32_t>(length));
    const std::uint32_t crc = nn::io::crc32(out.data() + at + 4, length + 4);
    out.append(4, '\0');
    put_be32(out, out.size() - 4, crc);
  };
  chunk("IHDR", [&] {
    out.append(8, '\0');
    put_be32(out, out.size() - 8, static_cast<std::uint32_t>(width));
    put_be32(out, out.size() - 4, static_cast<std::uint32_t>(height));
    // 8 bits per sample, gray (0) or RGB (2), deflate, adaptive filters, no interlace.
    const char rest[5] = {8, static_cast<char>(channels == 1 ? 0 : 2), 0, 0, 0};
    out.append(rest, 5);
  });
  chunk("IDAT", [&] { zlib_compress_runs(filtered, filtered_size, out); });
  chunk("IEND", [] {});
  return out;
}

std::string encode_png(const GrayImage& image) {
  PN_CHECK(image.valid() && !image.empty(), "encode_png: needs a valid non-empty image, got ",
           image.width, "x", image.height);
  return encode_png_pixels(image.width, image.height, 1, image.pixels.data());
}

void write_png(const std::filesystem::path& path, const GrayImage& image, nn::io::Durability durability) {
  PN_CHECK(image.valid() && !image.empty(), "cannot write PNG ", path.string(),
           ": invalid or empty image ", image.width, "x", image.height);
  write_file_atomic(path, encode_png(image), durability);
}

bool png_has_end(const std::filesystem::path& path) {
  // Length 0, "IEND", and the CRC-32 of "IEND".
  constexpr unsigned char kEnd[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return false;
  const std::streamoff size = in.tellg();
  if (size < static_cast<std::streamoff>(sizeof(kPngSignature) + sizeof(kEnd))) return false;
  unsigned char tail[sizeof(kEnd)];
  in.seekg(size - static_cast<std::streamoff>(sizeof(kEnd)));
  if (!in.read(reinterpret_cast<char*>(tail), sizeof(tail))) return false;
  return std::memcmp(tail, kEnd, sizeof(kEnd)) == 0;
}

}  // namespace pn::data
