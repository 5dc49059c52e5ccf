// The synthetic radiographs: geometry helpers, masks inside the lungs, and a
// pneumothorax that looks as intended (darker, without lung texture).
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "pneumo/augment/rng.h"
#include "pneumo/data/image.h"
#include "pneumo/synth/anatomy.h"
#include "pneumo/synth/lung_shape.h"
#include "pneumo/synth/render.h"
#include "tensor/error.h"

namespace pn::synth {
namespace {

using data::GrayImage;

ChestAnatomy anatomy(std::uint64_t index, int regions) {
  augment::Rng rng = augment::Rng::for_sample(1234, 0, index);
  return draw_anatomy(rng, regions);
}

std::size_t count(const GrayImage& m) {
  std::size_t n = 0;
  for (auto v : m.pixels) n += v != 0;
  return n;
}

// The mask shrunk by r pixels (a pixel stays when its whole (2r+1)^2
// neighbourhood is in the mask).
GrayImage erode(const GrayImage& m, int r) {
  GrayImage out(m.width, m.height, 0);
  for (int y = r; y < m.height - r; ++y)
    for (int x = r; x < m.width - r; ++x) {
      bool all = true;
      for (int dy = -r; dy <= r && all; ++dy)
        for (int dx = -r; dx <= r && all; ++dx) all = m.at(x + dx, y + dy) != 0;
      out.at(x, y) = all ? 255 : 0;
    }
  return out;
}

GrayImage minus(const GrayImage& a, const GrayImage& b) {
  GrayImage out = a;
  for (std::size_t i = 0; i < out.pixels.size(); ++i)
    if (b.pixels[i]) out.pixels[i] = 0;
  return out;
}

double mean_in(const GrayImage& image, const GrayImage& mask) {
  double sum = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < mask.pixels.size(); ++i)
    if (mask.pixels[i]) sum += image.pixels[i], ++n;
  REQUIRE(n > 0);
  return sum / static_cast<double>(n);
}

}  // namespace

TEST_CASE("synth: fast_atan2 and angle_difference") {
  for (double y = -2; y <= 2; y += 0.037)
    for (double x = -2; x <= 2; x += 0.041) CHECK(std::abs(fast_atan2(y, x) - std::atan2(y, x)) < 1e-5);
  CHECK(fast_atan2(0, 0) == 0);
  const double pi = std::numbers::pi;
  CHECK(angle_difference(0.1, 2 * pi - 0.1) == doctest::Approx(0.2));
  CHECK(angle_difference(-pi / 2, pi) == doctest::Approx(pi / 2));
}

TEST_CASE("synth: the pose maps body to canvas and back") {
  Pose pose;
  pose.shift_x = 0.03, pose.shift_y = -0.02, pose.scale = 0.93, pose.angle = 0.05;
  for (const Point2 p : {Point2{0.1, 0.9}, Point2{0.5, 0.5}, Point2{0.77, 0.2}}) {
    const Point2 back = pose.to_body(pose.to_canvas(p));
    CHECK(back.x == doctest::Approx(p.x).epsilon(1e-12));
    CHECK(back.y == doctest::Approx(p.y).epsilon(1e-12));
  }
  // The centre moves by the shift only.
  const Point2 c = pose.to_canvas({0.5, 0.5});
  CHECK(c.x == doctest::Approx(0.53));
  CHECK(c.y == doctest::Approx(0.48));
}

TEST_CASE("synth: a lung outline through points of a circle is that circle") {
  std::vector<Point2> pts;
  for (int k = 0; k < 16; ++k) {
    const double t = 2 * std::numbers::pi * k / 16;
    pts.push_back({0.4 + 0.2 * std::cos(t), 0.5 + 0.2 * std::sin(t)});
  }
  const LungShape shape({0.4, 0.5}, pts);
  for (double t = -3.1; t < 3.1; t += 0.05) CHECK(shape.radius(t) == doctest::Approx(0.2).epsilon(0.005));
  CHECK(shape.polar(0.4, 0.35).rho == doctest::Approx(0.75).epsilon(0.01));
  CHECK(shape.polar(0.4, 0.35).theta == doctest::Approx(-std::numbers::pi / 2).epsilon(1e-4));
  CHECK(shape.min_corner().x == doctest::Approx(0.2).epsilon(0.01));
  CHECK(shape.max_corner().y == doctest::Approx(0.7).epsilon(0.01));
  // A centre outside the outline leaves directions without a crossing.
  CHECK_THROWS_WITH_AS(LungShape({0.9, 0.5}, pts), doctest::Contains("not star-shaped"), pn::Error);
  CHECK_THROWS_AS(LungShape({0.4, 0.5}, std::vector<Point2>(pts.begin(), pts.begin() + 2)), pn::Error);
}

TEST_CASE("synth: masks lie inside their lung, are not empty, and two regions never touch") {
  for (std::uint64_t i = 0; i < 40; ++i) {
    const int regions = i % 3 == 0 ? 2 : 1;
    const ChestAnatomy a = anatomy(i, regions);
    REQUIRE(a.regions.size() == static_cast<std::size_t>(regions));
    const ChestImage c = render_chest(a, 128);
    REQUIRE(c.regions.size() == a.regions.size());
    for (std::size_t r = 0; r < c.regions.size(); ++r) {
      INFO("anatomy ", i, " region ", r);
      const GrayImage& m = c.regions[r];
      CHECK(count(m) > 0);
      CHECK(count(minus(m, lung_field_mask(a, 128, a.regions[r].lung))) == 0);
      CHECK(m == region_mask(a, a.regions[r], 128));
    }
    if (regions == 2) {
      // Not even diagonal neighbours: the rows are two separate components.
      const GrayImage& m0 = c.regions[0];
      const GrayImage& m1 = c.regions[1];
      for (int y = 0; y < 128; ++y)
        for (int x = 0; x < 128; ++x) {
          if (!m0.at(x, y)) continue;
          for (int dy = -1; dy <= 1; ++dy)
            for (int dx = -1; dx <= 1; ++dx) {
              const int xx = x + dx, yy = y + dy;
              if (xx >= 0 && yy >= 0 && xx < 128 && yy < 128) CHECK_FALSE(m1.at(xx, yy));
            }
        }
    }
  }
  augment::Rng rng(1);
  CHECK_THROWS_AS(draw_anatomy(rng, 3), pn::Error);
}

TEST_CASE("synth: a pneumothorax is darker than its lung and has no lung texture") {
  const int n = 24, size = 256;
  int darker_than_rest = 0;
  double darker_sum = 0;
  for (int i = 0; i < n; ++i) {
    INFO("anatomy ", i);
    ChestAnatomy a = anatomy(static_cast<std::uint64_t>(100 + i), 1);
    const int lung = a.regions[0].lung;
    ChestAnatomy healthy = a;
    healthy.regions.clear();

    // As shipped: darker inside the mask than the same place without the
    // pneumothorax, and than the rest of the same lung.
    const ChestImage c = render_chest(a, size);
    const GrayImage& mask = c.regions[0];
    const double inside = mean_in(c.image, mask);
    CHECK(inside < mean_in(render_chest(healthy, size).image, mask) - 5);
    const double rest = mean_in(c.image, minus(lung_field_mask(a, size, lung), mask));
    darker_than_rest += inside < rest;
    darker_sum += rest - inside;

    // The lung's texture (vessels and parenchyma) is what changes when it is
    // switched off: nothing inside the region (away from its soft edge),
    // clearly something in the rest of the lung.
    ChestAnatomy bare = a;
    bare.vessel_density = 0;
    bare.texture_density = 0;
    const GrayImage plain = render_chest(bare, size).image;
    const GrayImage core = erode(mask, 2), healthy_lung = erode(minus(lung_field_mask(a, size, lung), mask), 2);
    double in_region = 0, in_lung = 0;
    for (std::size_t k = 0; k < plain.pixels.size(); ++k) {
      const double d = std::abs(int(c.image.pixels[k]) - int(plain.pixels[k]));
      if (core.pixels[k]) in_region = std::max(in_region, d);
      if (healthy_lung.pixels[k]) in_lung += d;
    }
    CHECK(in_region == 0);
    CHECK(in_lung / static_cast<double>(count(healthy_lung)) > 2);
  }
  // Mostly darker than the rest of the lung too, and on average clearly so
  // (in 8-bit levels).
  CHECK(darker_than_rest >= n * 9 / 10);
  CHECK(darker_sum / n > 8);
}

TEST_CASE("synth: rendering is a pure function of the anatomy and the size") {
  const ChestAnatomy a = anatomy(7, 1), b = anatomy(7, 1), other = anatomy(8, 1);
  const ChestImage ca = render_chest(a, 160), cb = render_chest(b, 160);
  CHECK(ca.image == cb.image);
  CHECK(ca.regions == cb.regions);
  CHECK(ca.image != render_chest(other, 160).image);
  CHECK(ca.image.width == 160);
  CHECK(ca.image.height == 160);
  CHECK_THROWS_AS(render_chest(a, 16), pn::Error);
}

}  // namespace pn::synth
