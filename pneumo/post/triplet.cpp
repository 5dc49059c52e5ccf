#include "pneumo/post/triplet.h"

#include "pneumo/data/rle.h"
#include "pneumo/post/contours.h"
#include "pneumo/post/cv_resize.h"

namespace pn::post {

namespace {

void check_map(const Tensor& map, const char* what) {
  PN_CHECK(map.defined() && map.dim() == 2 && map.dtype() == DType::Float32 && map.device().is_cpu(), what,
           ": expected a float32 CPU map [H, W]", map.defined() ? ", got shape " : "",
           map.defined() ? map.shape() : Shape{});
}

}  // namespace

data::GrayImage above(const Tensor& map, double threshold) {
  check_map(map, "above");
  const auto t = static_cast<float>(threshold);
  data::GrayImage mask(static_cast<int>(map.size(1)), static_cast<int>(map.size(0)));
  const float* p = map.data<float>();
  for (size_t i = 0; i < mask.pixels.size(); ++i) mask.pixels[i] = p[i] > t ? 255 : 0;
  return mask;
}

data::GrayImage apply_triplet(const Tensor& map, int n_objects, const TripletRule& rule) {
  check_map(map, "apply_triplet");
  PN_CHECK(n_objects >= 1, "apply_triplet: n_objects must be at least 1, got ", n_objects);
  data::GrayImage mask;
  if (n_objects == 1) {
    const auto top = static_cast<float>(rule.top_score);
    const float* p = map.data<float>();
    int64_t count = 0;
    for (int64_t i = 0; i < map.numel(); ++i) count += p[i] > top;
    if (static_cast<double>(count) < rule.area)
      return data::GrayImage(static_cast<int>(map.size(1)), static_cast<int>(map.size(0)), 0);
    mask = above(map, rule.bottom_score);
  } else {
    mask = above(map, rule.leak_score);
  }
  if (rule.min_contour_area > 0) return remove_smallest(mask, rule.min_contour_area);
  if (rule.use_contours) return extract_largest(mask, n_objects);
  return mask;
}

std::string submission_rle(const data::GrayImage& mask) {
  PN_CHECK(mask.valid() && !mask.empty(), "submission_rle: needs a valid, non-empty mask");
  if (mask.width == kSubmissionSize && mask.height == kSubmissionSize)
    return data::rle_encode(mask, data::RleFormat::Stage1Relative);
  data::GrayImage big = cv_resize_linear(mask, kSubmissionSize, kSubmissionSize);
  for (uint8_t& v : big.pixels) v = v > 127 ? 255 : 0;
  return data::rle_encode(big, data::RleFormat::Stage1Relative);
}

}  // namespace pn::post
