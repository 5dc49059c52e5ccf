// cv2.resize INTER_LINEAR of uint8 images, float32 maps and 0/255 masks
// (tests/reference/make_post_reference.py).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "error_text.h"
#include "post_test_util.h"
#include "pneumo/post/cv_resize.h"

namespace pn::post {

using namespace pn::post::test;

namespace {

// "W H v..." starting at words[at] into a w x h list of values.
std::vector<double> values_at(const std::vector<std::string>& w, size_t& at, int& width, int& height) {
  width = std::stoi(w[at]);
  height = std::stoi(w[at + 1]);
  at += 2;
  std::vector<double> v;
  for (int i = 0; i < width * height; ++i) v.push_back(std::stod(w[at++]));
  return v;
}

}  // namespace

TEST_CASE("cv_resize_linear: pixel-exact against cv2.resize INTER_LINEAR") {
  size_t u8 = 0, f32 = 0, masks = 0;
  for (const std::string& line : reference_lines(post_dir() / "resize.txt")) {
    const auto w = split_words(line);
    INFO(line.substr(0, 60));
    size_t at = 1;
    if (w[0] == "mask") {
      const data::GrayImage src = mask_from_runs(w, at);
      REQUIRE(w[at++] == "->");
      const data::GrayImage expected = mask_from_runs(w, at);
      data::GrayImage big = cv_resize_linear(src, expected.width, expected.height);
      for (uint8_t& v : big.pixels) v = v > 127 ? 255 : 0;
      CHECK(differing_pixels(big, expected) == 0);
      ++masks;
      continue;
    }
    int sw = 0, sh = 0, dw = 0, dh = 0;
    const std::vector<double> src = values_at(w, at, sw, sh);
    REQUIRE(w[at++] == "->");
    const std::vector<double> expected = values_at(w, at, dw, dh);
    INFO(sw, "x", sh, " -> ", dw, "x", dh);
    if (w[0] == "u8") {
      data::GrayImage in(sw, sh);
      for (size_t i = 0; i < src.size(); ++i) in.pixels[i] = static_cast<uint8_t>(src[i]);
      const data::GrayImage out = cv_resize_linear(in, dw, dh);
      REQUIRE(out.pixels.size() == expected.size());
      size_t wrong = 0;
      for (size_t i = 0; i < expected.size(); ++i) wrong += out.pixels[i] != expected[i];
      CHECK(wrong == 0);
      ++u8;
    } else {
      std::vector<float> fs;
      for (double v : src) fs.push_back(static_cast<float>(v));
      const Tensor out = cv_resize_linear(from_vector<float>(fs, {sh, sw}), dw, dh);
      CHECK(out.shape() == Shape{dh, dw});
      const std::vector<float> o = out.to_vector<float>();
      size_t wrong = 0;
      for (size_t i = 0; i < expected.size(); ++i) wrong += o[i] != static_cast<float>(expected[i]);
      CHECK(wrong == 0);
      ++f32;
    }
  }
  CHECK(u8 >= 8);
  CHECK(f32 >= 8);
  CHECK(masks >= 3);
}

TEST_CASE("cv_resize_linear: sizes are checked") {
  pn::test::check_message(pn::test::error_of([] { cv_resize_linear(data::GrayImage(), 4, 4); }), {"empty input"});
  pn::test::check_message(pn::test::error_of([] { cv_resize_linear(data::GrayImage(2, 2), 0, 4); }), {"0x4"});
  pn::test::check_message(pn::test::error_of([] { cv_resize_linear(zeros({2, 2, 2}), 4, 4); }), {"[H, W]"});
}

}  // namespace pn::post
