// Contours: border following, areas and filling against cv2's findContours,
// contourArea and drawContours (tests/reference/make_post_reference.py).
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "post_test_util.h"
#include "pneumo/post/contours.h"

namespace pn::post {

using namespace pn::post::test;

namespace {

struct Case {
  std::string name;
  data::GrayImage mask;
  std::vector<Contour> contours;
  std::vector<double> areas;
  std::vector<std::pair<double, data::GrayImage>> filled;   // min area (-1: all) -> mask
  std::vector<std::pair<int, data::GrayImage>> largest;     // n -> mask
};

std::vector<Case> reference_cases() {
  std::vector<Case> cases;
  for (const std::string& line : reference_lines(post_dir() / "contours.txt")) {
    const auto w = split_words(line);
    size_t at = 1;
    if (w[0] == "mask") {
      cases.emplace_back();
      cases.back().name = w[1];
      at = 2;
      cases.back().mask = mask_from_runs(w, at);
      continue;
    }
    REQUIRE(!cases.empty());
    Case& c = cases.back();
    if (w[0] == "contour") {
      c.areas.push_back(std::stod(w[1]));
      const size_t n = std::stoul(w[2]);
      REQUIRE(w.size() == 3 + 2 * n);
      Contour pts;
      for (size_t i = 0; i < n; ++i) pts.push_back({std::stoi(w[3 + 2 * i]), std::stoi(w[4 + 2 * i])});
      c.contours.push_back(pts);
    } else if (w[0] == "filled") {
      at = 2;
      c.filled.emplace_back(std::stod(w[1]), mask_from_runs(w, at));
    } else if (w[0] == "largest") {
      at = 2;
      c.largest.emplace_back(std::stoi(w[1]), mask_from_runs(w, at));
    } else {
      FAIL("unknown line ", line);
    }
  }
  return cases;
}

}  // namespace

TEST_CASE("contours: the same points as cv2.findContours, areas as cv2.contourArea") {
  const auto cases = reference_cases();
  REQUIRE(cases.size() >= 20);
  size_t compared = 0;
  for (const Case& c : cases) {
    INFO("mask ", c.name);
    std::vector<Contour> ours = find_contours(c.mask);
    REQUIRE(ours.size() == c.contours.size());
    // cv2 lists them in its hierarchy's order; each must be there point for
    // point (same start, same direction).
    for (size_t i = 0; i < c.contours.size(); ++i) {
      INFO("cv2 contour ", i, " of ", c.contours.size());
      const auto it = std::find(ours.begin(), ours.end(), c.contours[i]);
      REQUIRE(it != ours.end());
      CHECK(contour_area(*it) == c.areas[i]);
      ours.erase(it);
      ++compared;
    }
  }
  CHECK(compared > 100);
}

TEST_CASE("contours: filling equals cv2.drawContours, remove_smallest and extract_largest the reference's") {
  size_t masks = 0;
  for (const Case& c : reference_cases()) {
    INFO("mask ", c.name);
    for (const auto& [min_area, expected] : c.filled) {
      INFO("min area ", min_area);
      data::GrayImage ours(c.mask.width, c.mask.height, 0);
      if (min_area < 0) {
        fill_contours(ours, find_contours(c.mask), 255);
      } else {
        ours = remove_smallest(c.mask, min_area);
      }
      CHECK(differing_pixels(ours, expected) == 0);
      CHECK(std::all_of(ours.pixels.begin(), ours.pixels.end(), [](uint8_t v) { return v == 0 || v == 255; }));
      ++masks;
    }
    for (const auto& [n, expected] : c.largest) {
      INFO("largest ", n);
      CHECK(differing_pixels(extract_largest(c.mask, n), expected) == 0);
      ++masks;
    }
  }
  CHECK(masks > 150);
}

TEST_CASE("contours: hand-made shapes") {
  // A filled 3x3 square: one contour through the corner pixels, area 4.
  data::GrayImage sq = mask_from_rows("00000/01110/01110/01110/00000", 5, 5);
  auto c = find_contours(sq);
  REQUIRE(c.size() == 1);
  CHECK(c[0] == Contour{{1, 1}, {1, 3}, {3, 3}, {3, 1}});
  CHECK(contour_area(c[0]) == 4.0);
  // A lone pixel and a line have area 0 and are removed by any positive area,
  // as is a square of area 4 by an area of 4 (the test is "> min area").
  CHECK(contour_area(Contour{{2, 2}}) == 0.0);
  data::GrayImage line = mask_from_rows("11111/00000/00000/00000/00001", 5, 5);
  CHECK(remove_smallest(line, 0.5) == data::GrayImage(5, 5, 0));
  CHECK(remove_smallest(sq, 4.0) == data::GrayImage(5, 5, 0));
  CHECK(remove_smallest(sq, 3.9) == sq);
  // A ring: the outer border and the hole's border; both drawn keep the hole,
  // the hole's border dropped fills it.
  data::GrayImage ring = mask_from_rows("11111/10001/10001/10001/11111", 5, 5);
  auto rc = find_contours(ring);
  REQUIRE(rc.size() == 2);
  CHECK(contour_area(rc[0]) == 16.0);
  CHECK(contour_area(rc[1]) == 14.0);  // an octagon: the hole border cuts the corners
  data::GrayImage both(5, 5, 0);
  fill_contours(both, rc, 255);
  CHECK(both == ring);
  data::GrayImage outer(5, 5, 0);
  fill_contours(outer, {rc[0]}, 255);
  CHECK(outer == data::GrayImage(5, 5, 255));
  CHECK(remove_smallest(ring, 15) == data::GrayImage(5, 5, 255));
  CHECK(remove_smallest(ring, 5) == ring);
  // Empty images have no contours.
  CHECK(find_contours(data::GrayImage(4, 3, 0)).empty());
  CHECK(find_contours(data::GrayImage()).empty());
}

}  // namespace pn::post
