#pragma once
// The competition metric: the mean over images of the Dice coefficient
// between the predicted and the true mask, 2 |P & T| / (|P| + |T|), where an
// image whose two masks are both empty scores 1 (and one empty against one
// not scores 0).
#include <cstddef>
#include <cstdint>

#include "pneumo/data/image.h"
#include "pneumo/data/rle_table.h"

namespace pn::post {

// The Dice term from pixel counts: `intersection` pixels in both masks,
// `predicted` and `truth` pixels in each. Requires 0 <= intersection <=
// min(predicted, truth).
double dice_from_counts(int64_t intersection, int64_t predicted, int64_t truth);

// The Dice term of two masks of one size (nonzero = in the mask).
double dice(const data::GrayImage& predicted, const data::GrayImage& truth);

struct ScoreReport {
  std::size_t submission_images = 0;  // distinct ImageIds in the submission
  std::size_t truth_images = 0;       // and in the truth
  double score = 0;                   // the metric
};

// Scores `submission` against `truth`: each image's rows united into one mask
// of width x height (RleTable::mask), one Dice term per image, averaged over
// the images in file order of the truth. Throws pn::Error when an ImageId is
// on one side only (naming both files, the number of such ids and the first
// ones), when there are no images, or when a row cannot be decoded (naming
// its file and line).
ScoreReport score_submission(const data::RleTable& submission, const data::RleTable& truth, int width = 1024,
                             int height = 1024);

}  // namespace pn::post
