#include "pneumo/report/canvas.h"

#include <algorithm>
#include <cmath>

#include "pneumo/data/file_io.h"
#include "pneumo/data/png.h"
#include "tensor/error.h"

namespace pn::report {

Rgb mix(Rgb a, Rgb b, double t) {
  t = std::clamp(t, 0.0, 1.0);
  auto channel = [t](std::uint8_t u, std::uint8_t v) {
    return static_cast<std::uint8_t>(std::lround(u + (v - u) * t));
  };
  return {channel(a.r, b.r), channel(a.g, b.g), channel(a.b, b.b)};
}

Canvas::Canvas(int width, int height, Rgb background) : width_(width), height_(height) {
  PN_CHECK(width >= 1 && height >= 1, "Canvas: size must be at least 1x1, got ", width, "x", height);
  rgb_.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3);
  for (std::size_t i = 0; i < rgb_.size(); i += 3) {
    rgb_[i] = background.r;
    rgb_[i + 1] = background.g;
    rgb_[i + 2] = background.b;
  }
}

Rgb Canvas::pixel(int x, int y) const {
  const std::size_t i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(width_) + static_cast<std::size_t>(x)) * 3;
  return {rgb_[i], rgb_[i + 1], rgb_[i + 2]};
}

void Canvas::set(int x, int y, Rgb colour) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return;
  const std::size_t i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(width_) + static_cast<std::size_t>(x)) * 3;
  rgb_[i] = colour.r;
  rgb_[i + 1] = colour.g;
  rgb_[i + 2] = colour.b;
}

void Canvas::blend(int x, int y, Rgb colour, double coverage) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_ || coverage <= 0) return;
  set(x, y, coverage >= 1 ? colour : mix(pixel(x, y), colour, coverage));
}

void Canvas::fill(const Rect& r, Rgb colour) {
  const int x0 = std::max(r.x, 0), x1 = std::min(r.right(), width_);
  const int y0 = std::max(r.y, 0), y1 = std::min(r.bottom(), height_);
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) set(x, y, colour);
  }
}

void Canvas::frame(const Rect& r, Rgb colour) {
  fill({r.x, r.y, r.w, 1}, colour);
  fill({r.x, r.bottom() - 1, r.w, 1}, colour);
  fill({r.x, r.y, 1, r.h}, colour);
  fill({r.right() - 1, r.y, 1, r.h}, colour);
}

void Canvas::line(double x0, double y0, double x1, double y1, double width, Rgb colour) {
  if (!std::isfinite(x0) || !std::isfinite(y0) || !std::isfinite(x1) || !std::isfinite(y1)) return;
  const double half = width / 2;
  // The bounding box, clamped to the canvas before any conversion to int (a
  // far-off coordinate must not overflow it).
  auto clamped = [](double v, int hi) { return static_cast<int>(std::clamp(v, -1.0, static_cast<double>(hi))); };
  const int left = std::max(0, clamped(std::floor(std::min(x0, x1) - half - 1), width_));
  const int right = std::min(width_ - 1, clamped(std::ceil(std::max(x0, x1) + half + 1), width_));
  const int top = std::max(0, clamped(std::floor(std::min(y0, y1) - half - 1), height_));
  const int bottom = std::min(height_ - 1, clamped(std::ceil(std::max(y0, y1) + half + 1), height_));
  const double dx = x1 - x0, dy = y1 - y0, length2 = dx * dx + dy * dy;
  for (int y = top; y <= bottom; ++y) {
    for (int x = left; x <= right; ++x) {
      // Distance from the pixel centre to the nearest point of the segment.
      const double px = x + 0.5 - x0, py = y + 0.5 - y0;
      const double t = length2 > 0 ? std::clamp((px * dx + py * dy) / length2, 0.0, 1.0) : 0.0;
      const double distance = std::hypot(px - t * dx, py - t * dy);
      blend(x, y, colour, half + 0.5 - distance);
    }
  }
}

void Canvas::dot(double x, double y, double radius, Rgb colour) { line(x, y, x, y, 2 * radius, colour); }

void Canvas::draw_gray(const data::GrayImage& gray, int x, int y) {
  for (int j = 0; j < gray.height; ++j) {
    for (int i = 0; i < gray.width; ++i) {
      const std::uint8_t v = gray.at(i, j);
      set(x + i, y + j, {v, v, v});
    }
  }
}

void Canvas::paste(const Canvas& other, int x, int y) {
  for (int j = 0; j < other.height(); ++j) {
    for (int i = 0; i < other.width(); ++i) set(x + i, y + j, other.pixel(i, j));
  }
}

std::string Canvas::encode_png() const { return data::encode_png_pixels(width_, height_, 3, rgb_.data()); }

void Canvas::write_png(const std::filesystem::path& path) const { data::write_file_atomic(path, encode_png()); }

}  // namespace pn::report
