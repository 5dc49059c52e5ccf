#pragma once
// An RGB drawing surface for the dashboard's figures: filled rectangles,
// antialiased lines and dots, gray pictures, and PNG output.  Text is drawn
// by font.h.
//
// Coordinates are pixels, x to the right and y down, (0, 0) the top-left
// corner; the centre of pixel (x, y) is (x + 0.5, y + 0.5).  Everything drawn
// outside the canvas is clipped, never an error.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "pneumo/data/image.h"

namespace pn::report {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
  friend bool operator==(const Rgb&, const Rgb&) = default;
};

// 0xRRGGBB as a colour.
constexpr Rgb hex(std::uint32_t rgb) {
  return {static_cast<std::uint8_t>(rgb >> 16), static_cast<std::uint8_t>(rgb >> 8), static_cast<std::uint8_t>(rgb)};
}

// `a` moved towards `b` by t in [0, 1] (t = 0: a, t = 1: b), per channel.
Rgb mix(Rgb a, Rgb b, double t);

struct Rect {
  int x = 0, y = 0, w = 0, h = 0;
  int right() const { return x + w; }
  int bottom() const { return y + h; }
};

class Canvas {
 public:
  // A width x height canvas filled with `background`; requires width, height >= 1.
  Canvas(int width, int height, Rgb background);

  int width() const { return width_; }
  int height() const { return height_; }
  // Requires 0 <= x < width and 0 <= y < height.
  Rgb pixel(int x, int y) const;
  // The pixels, RGB interleaved, row-major (width * height * 3 bytes).
  const std::vector<std::uint8_t>& rgb() const { return rgb_; }

  void set(int x, int y, Rgb colour);
  // The pixel moved towards `colour` by coverage in [0, 1].
  void blend(int x, int y, Rgb colour, double coverage);
  void fill(const Rect& r, Rgb colour);
  // A one-pixel frame along the inside of r.
  void frame(const Rect& r, Rgb colour);
  // A line from (x0, y0) to (x1, y1) of the given width with round ends,
  // antialiased: pixels whose centre lies within width / 2 of the segment get
  // the colour, those up to one pixel further a blend that fades out.
  void line(double x0, double y0, double x1, double y1, double width, Rgb colour);
  // A filled, antialiased disc.
  void dot(double x, double y, double radius, Rgb colour);
  // `gray` copied with its top-left corner at (x, y), gray values as RGB.
  void draw_gray(const data::GrayImage& gray, int x, int y);
  // Copies `other` with its top-left corner at (x, y).
  void paste(const Canvas& other, int x, int y);

  std::string encode_png() const;
  // encode_png() written atomically to `path`.
  void write_png(const std::filesystem::path& path) const;

 private:
  int width_, height_;
  std::vector<std::uint8_t> rgb_;
};

}  // namespace pn::report
