#pragma once
// The reference's post-processing of one probability map (TripletSubmit.py's
// apply_thresholds, MaskBinarizers.py's TripletMaskBinarization): the triplet
// rule, the optional contour step, and the submission's 1024x1024 RLE row.
//
// The triplet rule on a map p [H, W], for an image with one row in the sample
// submission (n_objects == 1):
//   if count(p > top_score) < area: the mask is empty (no pneumothorax);
//   else mask = p > bottom_score.
// For an image with several rows (n_objects > 1, the "leak" of the sample
// submission): mask = p > leak_score, without the area test (leak_score is
// bottom_score unless USELEAK is set).
// Then, if min_contour_area > 0, contours of area <= min_contour_area are
// removed (remove_smallest); else if use_contours, the n_objects largest
// contours are kept (extract_largest). See contours.h.
//
// Comparisons are made in float32, as NumPy and PyTorch compare a float32
// array with a Python float (the threshold is rounded to float32 first): with
// threshold 0.3, a pixel of float32(0.3) is not above it.
#include <string>

#include "pneumo/data/image.h"
#include "tensor/tensor.h"

namespace pn::post {

struct TripletRule {
  double top_score = 0.75;       // TOP_SCORE_THRESHOLD
  double area = 800;             // AREA_THRESHOLD: pixels above top_score, at the map's size
  double bottom_score = 0.4;     // BOTTOM_SCORE_THRESHOLD
  double leak_score = 0.4;       // LEAK_SCORE_THRESHOLD with USELEAK, else bottom_score
  double min_contour_area = 0;   // MIN_CONTOUR_AREA
  bool use_contours = false;     // USECONTOURS (only when min_contour_area is 0)
};

// The 0/255 mask at the map's size that the rule gives (all 0 when the area
// test rejects the image). Requires a float32 CPU map [H, W] and n_objects >= 1
// (pn::Error otherwise).
data::GrayImage apply_triplet(const Tensor& map, int n_objects, const TripletRule& rule);

// Pixels of `map` (a float32 CPU map [H, W]) above `threshold` (compared in
// float32), as a 0/255 mask.
data::GrayImage above(const Tensor& map, double threshold);

// The submission row of a mask: resized to 1024x1024 with cv2's INTER_LINEAR
// and kept where > 127 when it is another size, then encoded as stage 1 RLE
// (data/rle.h: "-1" when empty). Requires a valid, non-empty mask.
std::string submission_rle(const data::GrayImage& mask);

// The competition's image size.
constexpr int kSubmissionSize = 1024;

}  // namespace pn::post
