#pragma once
// Shared helpers of the post-processing tests: the committed reference files
// of tests/reference/make_post_reference.py and the run-length mask format
// they use.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "data_test_util.h"
#include "pneumo/data/image.h"

namespace pn::post::test {

using namespace pn::data::test;

// tests/data/pneumo/post.
inline fs::path post_dir() { return data_dir() / "post"; }

// A mask from "W H r0 r1 ..." words starting at words[at]: row-major runs of
// 0 and 1 pixels alternately, starting with 0; 1 becomes 255. `at` moves past
// the mask.
inline data::GrayImage mask_from_runs(const std::vector<std::string>& words, size_t& at) {
  REQUIRE(words.size() >= at + 2);
  const int w = std::stoi(words[at]), h = std::stoi(words[at + 1]);
  data::GrayImage m(w, h, 0);
  at += 2;
  size_t pixel = 0;
  bool on = false;
  while (pixel < m.pixels.size()) {
    REQUIRE(at < words.size());
    const size_t n = std::stoul(words[at++]);
    REQUIRE(pixel + n <= m.pixels.size());
    if (on) std::fill_n(m.pixels.begin() + static_cast<std::ptrdiff_t>(pixel), n, 255);
    pixel += n;
    on = !on;
  }
  return m;
}

// Pixels where two masks of one size differ.
inline size_t differing_pixels(const data::GrayImage& a, const data::GrayImage& b) {
  REQUIRE(a.width == b.width);
  REQUIRE(a.height == b.height);
  size_t n = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) n += (a.pixels[i] != 0) != (b.pixels[i] != 0);
  return n;
}

}  // namespace pn::post::test
