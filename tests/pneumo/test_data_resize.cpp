// Resize: the reference's prepare_png.py step (skimage 0.14.2 resize +
// cv2.imwrite), on outputs made by scikit-image and OpenCV themselves.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "data_test_util.h"
#include "pneumo/data/png.h"
#include "pneumo/data/resize.h"
#include "tensor/error.h"

namespace pn::data {

using namespace pn::data::test;

namespace {

// The exact bilinear value at output pixel (x, y), before clipping and
// rounding, in long double: used only to tell whether a pixel is a tie.
long double exact_value(const GrayImage& in, int out_w, int out_h, int x, int y) {
  const long double sx = (x + 0.5L) * in.width / out_w - 0.5L;
  const long double sy = (y + 0.5L) * in.height / out_h - 0.5L;
  const long double fx = std::floor(sx), fy = std::floor(sy);
  long double v = 0;
  for (int dy = 0; dy < 2; ++dy) {
    for (int dx = 0; dx < 2; ++dx) {
      const int px = static_cast<int>(fx) + dx, py = static_cast<int>(fy) + dy;
      if (px < 0 || py < 0 || px >= in.width || py >= in.height) continue;
      const long double wx = dx ? sx - fx : 1 - (sx - fx);
      const long double wy = dy ? sy - fy : 1 - (sy - fy);
      v += wx * wy * in.at(px, py);
    }
  }
  return v;
}

}  // namespace

TEST_CASE("resize: matches scikit-image + OpenCV outputs") {
  const auto lines = reference_lines(data_dir() / "resize_reference.txt");
  const fs::path dir = data_dir() / "resize";
  int cases = 0;
  for (const std::string& line : lines) {
    const auto w = split_words(line);
    REQUIRE(w.size() == 5);
    INFO(line);
    const GrayImage in = read_png(dir / w[1]);
    const GrayImage expected = read_png(dir / w[4]);
    const GrayImage out = resize_like_reference(in, std::stoi(w[2]), std::stoi(w[3]));
    REQUIRE(out.width == expected.width);
    REQUIRE(out.height == expected.height);
    // Exact except where the true value is a tie (x.5) that the reference's
    // floating point noise rounds the other way.
    CHECK(max_abs_diff(out, expected) <= 1);
    std::size_t differ = 0, untied = 0;
    for (int y = 0; y < out.height; ++y) {
      for (int x = 0; x < out.width; ++x) {
        if (out.at(x, y) == expected.at(x, y)) continue;
        ++differ;
        const long double v = exact_value(in, out.width, out.height, x, y);
        if (std::fabs(v - std::floor(v) - 0.5L) > 1e-9L) ++untied;
      }
    }
    CHECK(untied == 0);
    CHECK(differ * 4 <= out.pixels.size());
    if (out.width == in.width && out.height == in.height) CHECK(out == expected);
    ++cases;
  }
  CHECK(cases == 13);
}

TEST_CASE("resize: hand-computed values") {
  // 4x4 -> 2x2 samples the centre of each 2x2 block: its mean.
  GrayImage a(4, 4, 0);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) a.at(x, y) = static_cast<std::uint8_t>(10 * (4 * y + x));
  const GrayImage b = resize_like_reference(a, 2, 2);
  CHECK(b.pixels == std::vector<std::uint8_t>{25, 45, 105, 125});
  // Enlarging blends the border with the constant 0 outside: 2x1 -> 4x1
  // samples at -0.25, 0.25, 0.75, 1.25.
  GrayImage c(2, 1, 0);
  c.at(0, 0) = 100;
  c.at(1, 0) = 200;
  const GrayImage d = resize_like_reference(c, 4, 1);
  // Row: the single source row sits at y = 0 exactly, so only x blends;
  // -0.25 -> 0.75 * 100 = 75, clipped up to the input's minimum 100.
  CHECK(d.pixels == std::vector<std::uint8_t>{100, 125, 175, 150});
  CHECK_THROWS_AS(resize_like_reference(GrayImage(), 2, 2), pn::Error);
  CHECK_THROWS_AS(resize_like_reference(a, 0, 2), pn::Error);
}

}  // namespace pn::data
