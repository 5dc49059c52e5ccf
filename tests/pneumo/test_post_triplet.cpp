// The triplet rule and the submission row, on hand-made maps.
#include <doctest/doctest.h>

#include "error_text.h"
#include "post_test_util.h"
#include "pneumo/data/rle.h"
#include "pneumo/post/triplet.h"

namespace pn::post {

using namespace pn::post::test;
using pn::test::check_message;
using pn::test::error_of;

namespace {

// A 4x4 map, row-major.
Tensor map4(std::vector<float> v) { return from_vector<float>(v, {4, 4}); }

}  // namespace

TEST_CASE("triplet: the area test on p > top, then the mask p > bottom") {
  const Tensor m = map4({0.9f, 0.8f, 0.1f, 0.0f,  //
                         0.5f, 0.35f, 0.0f, 0.0f,  //
                         0.0f, 0.0f, 0.0f, 0.0f,  //
                         0.0f, 0.0f, 0.0f, 0.25f});
  TripletRule r;
  r.top_score = 0.7;
  r.bottom_score = 0.3;
  r.leak_score = 0.3;
  r.area = 3;  // only two pixels above 0.7
  CHECK(apply_triplet(m, 1, r) == data::GrayImage(4, 4, 0));
  r.area = 2;
  CHECK(apply_triplet(m, 1, r) == mask_from_rows("1100/1100/0000/0000", 4, 4));
  r.area = 0;
  r.top_score = 0.95;  // nothing above top, but an area of 0 lets it through
  CHECK(apply_triplet(m, 1, r) == mask_from_rows("1100/1100/0000/0000", 4, 4));
  // Several rows in the sample: p > leak, no area test.
  r.area = 100;
  r.leak_score = 0.2;
  CHECK(apply_triplet(m, 2, r) == mask_from_rows("1100/1100/0000/0001", 4, 4));
}

TEST_CASE("triplet: comparisons in float32, as NumPy compares a float32 map with a Python float") {
  const float third = 0.3f;  // 0.300000011920928955...: above the double 0.3
  const Tensor m = map4(std::vector<float>(16, third));
  TripletRule r;
  r.top_score = 0.3;
  r.bottom_score = 0.3;
  r.area = 1;
  CHECK(apply_triplet(m, 1, r) == data::GrayImage(4, 4, 0));  // float32(0.3) > float32(0.3) is false
  r.top_score = 0.29999;
  r.bottom_score = 0.29999;
  CHECK(apply_triplet(m, 1, r) == data::GrayImage(4, 4, 255));
  CHECK(above(m, 0.3) == data::GrayImage(4, 4, 0));
}

TEST_CASE("triplet: the contour steps") {
  // Two regions above 0.5: a 3x3 square (area 4) and a lone pixel (area 0).
  std::vector<float> v(36, 0.f);
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 3; ++x) v[static_cast<size_t>(y * 6 + x)] = 0.9f;
  v[5 * 6 + 5] = 0.9f;
  const Tensor m = from_vector<float>(v, {6, 6});
  TripletRule r;
  r.top_score = 0.5;
  r.bottom_score = 0.5;
  r.area = 1;
  const data::GrayImage square = mask_from_rows("111000/111000/111000/000000/000000/000000", 6, 6);
  const data::GrayImage both = mask_from_rows("111000/111000/111000/000000/000000/000001", 6, 6);
  CHECK(apply_triplet(m, 1, r) == both);
  r.min_contour_area = 1;
  CHECK(apply_triplet(m, 1, r) == square);
  r.min_contour_area = 4;  // "> min area": the square goes too
  CHECK(apply_triplet(m, 1, r) == data::GrayImage(6, 6, 0));
  r.min_contour_area = 0;
  r.use_contours = true;  // the n_objects largest
  CHECK(apply_triplet(m, 1, r) == square);
  r.leak_score = 0.5;
  CHECK(apply_triplet(m, 2, r) == both);
}

TEST_CASE("triplet: bad maps") {
  check_message(error_of([] { apply_triplet(zeros({1, 4, 4}), 1, {}); }), {"[H, W]", "[1, 4, 4]"});
  check_message(error_of([] { apply_triplet(zeros({4, 4}), 0, {}); }), {"n_objects"});
}

TEST_CASE("submission rows: 1024x1024 as it is, other sizes resized, stage 1 RLE") {
  data::GrayImage big(1024, 1024, 0);
  big.at(0, 5) = big.at(0, 6) = big.at(1, 0) = 255;  // pixels 5, 6 and 1024 in column-major order
  CHECK(submission_rle(big) == "5 2 1017 1");
  CHECK(submission_rle(data::GrayImage(64, 64, 0)) == "-1");
  CHECK(submission_rle(data::GrayImage(512, 512, 255)) == "0 1048576");
  // One pixel of a 2x2 mask covers about a quarter of the image.
  data::GrayImage corner(2, 2, 0);
  corner.at(0, 0) = 255;
  const data::GrayImage up = data::rle_decode(submission_rle(corner), data::RleFormat::Stage1Relative, 1024, 1024);
  size_t on = 0;
  for (uint8_t p : up.pixels) on += p != 0;
  CHECK(on > 1024 * 1024 / 5);
  CHECK(on < 1024 * 1024 / 3);
  CHECK(up.at(0, 0) == 255);
  CHECK(up.at(1023, 1023) == 0);
}

}  // namespace pn::post
