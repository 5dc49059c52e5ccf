// PNG: round trips, other PNG kinds, limits checked before decoding, broken
// files, atomic writes.
#include <doctest/doctest.h>

#include <random>
#include <set>
#include <string>

#include "data_test_util.h"
#include "nn/io/zip_reader.h"  // crc32
#include "pneumo/data/png.h"
#include "tensor/error.h"

namespace pn::data {
namespace {

using namespace pn::data::test;

// Overwrites the width and height of a PNG's IHDR chunk (stb does not check
// chunk CRCs, so the header then claims the new size).
std::string with_claimed_size(std::string png, std::uint32_t w, std::uint32_t h) {
  REQUIRE(png.size() > 24);
  REQUIRE(png.substr(12, 4) == "IHDR");
  // The chunk's CRC is kept right, so that the size is what gets refused.
  for (int i = 0; i < 4; ++i) {
    png[16 + i] = static_cast<char>((w >> (24 - 8 * i)) & 0xFF);
    png[20 + i] = static_cast<char>((h >> (24 - 8 * i)) & 0xFF);
  }
  const std::uint32_t fixed = nn::io::crc32(png.data() + 12, 4 + 13);
  for (int i = 0; i < 4; ++i) png[29 + i] = static_cast<char>((fixed >> (24 - 8 * i)) & 0xFF);
  return png;
}

}  // namespace

TEST_CASE("png: write then read gives the same pixels") {
  TempDir tmp;
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(0, 255);
  for (auto [w, h] : {std::pair{1, 1}, {7, 3}, {3, 7}, {64, 48}, {257, 5}}) {
    GrayImage g(w, h, 0);
    for (auto& v : g.pixels) v = static_cast<std::uint8_t>(byte(rng));
    const fs::path path = tmp / ("g_" + std::to_string(w) + "x" + std::to_string(h) + ".png");
    write_png(path, g);
    CHECK(read_png(path) == g);
    CHECK(decode_png(encode_png(g), "mem") == g);
  }
  // Overwrite in place; no temporary file stays.
  write_png(tmp / "g_1x1.png", GrayImage(2, 2, 9));
  CHECK(read_png(tmp / "g_1x1.png") == GrayImage(2, 2, 9));
  for (const auto& e : fs::directory_iterator(tmp.path())) {
    CHECK(e.path().filename().string().find(".tmp.") == std::string::npos);
  }
  CHECK_THROWS_WITH_AS(write_png(tmp / "nope" / "x.png", GrayImage(2, 2, 0)),
                       has("x.png"), pn::Error);
  CHECK_THROWS_WITH_AS(write_png(tmp / "e.png", GrayImage()), has("e.png"),
                       pn::Error);
}

TEST_CASE("png: colour and 16-bit files become 8-bit gray") {
  const fs::path dir = data_dir() / "png";
  CHECK(read_png(dir / "rgb_7x5.png") == read_png(dir / "rgb_7x5_gray.png"));
  CHECK(read_png(dir / "gray16_6x4.png") == read_png(dir / "gray16_6x4_gray.png"));
  CHECK(read_png(dir / "rgb_7x5.png").width == 7);
}

TEST_CASE("png: broken files and limits") {
  TempDir tmp;
  const std::string good = encode_png(GrayImage(16, 12, 100));
  CHECK_THROWS_WITH_AS(read_png(tmp / "missing.png"), has("missing.png"),
                       pn::Error);
  write_bytes(tmp / "text.png", "not a png at all");
  CHECK_THROWS_WITH_AS(read_png(tmp / "text.png"),
                       has("text.png: not a PNG file"), pn::Error);
  write_bytes(tmp / "empty.png", "");
  CHECK_THROWS_WITH_AS(read_png(tmp / "empty.png"), has("not a PNG file"),
                       pn::Error);
  // Cut inside the IDAT chunk's data: the chunk walk sees it; cut inside
  // its 8-byte header (signature 8 + IHDR 25 + 4 bytes): stb does.
  write_bytes(tmp / "good.png", good);
  CHECK(png_has_end(tmp / "good.png"));
  CHECK_FALSE(png_has_end(tmp / "missing.png"));
  write_bytes(tmp / "cut.png", good.substr(0, good.size() / 2));
  CHECK_FALSE(png_has_end(tmp / "cut.png"));
  CHECK_THROWS_WITH_AS(read_png(tmp / "cut.png"), has("cut.png: chunk at byte 33 runs past the end of the file (truncated)"),
                       pn::Error);
  write_bytes(tmp / "cut_header.png", good.substr(0, 37));
  CHECK_THROWS_WITH_AS(read_png(tmp / "cut_header.png"), has("cut_header.png: the file ends before its IEND chunk (truncated)"),
                       pn::Error);
  write_bytes(tmp / "header_only.png", good.substr(0, 20));
  CHECK_THROWS_WITH_AS(read_png(tmp / "header_only.png"), has("header_only.png"),
                       pn::Error);
  // A small file claiming a huge image is refused before decoding.
  write_bytes(tmp / "huge.png", with_claimed_size(good, 30000, 30000));
  CHECK_THROWS_WITH_AS(read_png(tmp / "huge.png"),
                       has("30000x30000 pixels is more than the limit"), pn::Error);
  write_bytes(tmp / "wide.png", with_claimed_size(good, 1u << 20, 1));
  CHECK_THROWS_WITH_AS(read_png(tmp / "wide.png"), has("is outside 1..32768"),
                       pn::Error);
  // A claimed size that fits the limits but not the data fails in decoding.
  write_bytes(tmp / "lies.png", with_claimed_size(good, 160, 120));
  CHECK_THROWS_WITH_AS(read_png(tmp / "lies.png"), has("lies.png: corrupt or truncated"), pn::Error);

  PngLimits small;
  small.max_dimension = 15;
  CHECK_THROWS_WITH_AS(decode_png(good, "g.png", small), has("16x12"), pn::Error);
  small = PngLimits{};
  small.max_file_bytes = 10;
  CHECK_THROWS_WITH_AS(decode_png(good, "g.png", small), has("limit of 10"),
                       pn::Error);
  CHECK(decode_png(good, "g.png") == GrayImage(16, 12, 100));
}

}  // namespace pn::data

// Inputs the fuzzer (tools/fuzz) found that once reached undefined behaviour.
TEST_CASE("png: fuzzer regressions are refused cleanly") {
  // An empty IDAT chunk: stb_image passed a null buffer to memcpy.
  const std::string empty_idat(
      "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x06\x00\x00\x00\x04"
      "\x10\x00\x00\x00\x00\xd8\xff\xcd\xdc\x00\x00\x00\x00\x49\x44\x41\x54\x78\x9c\x01\x34\x00\xcb\xff"
      "\x01\xeb\xbb\xd8\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82",
      64);
  CHECK_THROWS_WITH_AS(pn::data::decode_png(empty_idat, "empty_idat.png"),
                       doctest::Contains("empty IDAT chunk at byte 33"), pn::Error);
}
