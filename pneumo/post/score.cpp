#include "pneumo/post/score.h"

#include <string>
#include <vector>

#include "tensor/error.h"

namespace pn::post {

namespace {

// "ID1, ID2, ... (N in all)" for up to `shown` ids.
std::string some_ids(const std::vector<std::string>& ids, std::size_t shown = 5) {
  std::string out;
  for (std::size_t i = 0; i < ids.size() && i < shown; ++i) out += (i ? ", " : "") + ids[i];
  if (ids.size() > shown) out += ", ...";
  return out;
}

// The ids of `a` that `b` lacks, in a's order.
std::vector<std::string> missing_from(const data::RleTable& a, const data::RleTable& b) {
  std::vector<std::string> out;
  for (const std::string& id : a.image_ids)
    if (!b.contains(id)) out.push_back(id);
  return out;
}

}  // namespace

double dice_from_counts(int64_t intersection, int64_t predicted, int64_t truth) {
  PN_CHECK(intersection >= 0 && intersection <= predicted && intersection <= truth, "dice: inconsistent counts (",
           intersection, " common, ", predicted, " predicted, ", truth, " true)");
  if (predicted + truth == 0) return 1.0;
  return 2.0 * static_cast<double>(intersection) / static_cast<double>(predicted + truth);
}

double dice(const data::GrayImage& predicted, const data::GrayImage& truth) {
  PN_CHECK(predicted.valid() && truth.valid() && predicted.width == truth.width && predicted.height == truth.height,
           "dice: masks of different sizes, ", predicted.width, "x", predicted.height, " and ", truth.width, "x",
           truth.height);
  int64_t both = 0, p = 0, t = 0;
  for (std::size_t i = 0; i < predicted.pixels.size(); ++i) {
    const bool a = predicted.pixels[i] != 0, b = truth.pixels[i] != 0;
    p += a;
    t += b;
    both += a && b;
  }
  return dice_from_counts(both, p, t);
}

ScoreReport score_submission(const data::RleTable& submission, const data::RleTable& truth, int width, int height) {
  PN_CHECK(width >= 1 && height >= 1, "score: the image size ", width, "x", height, " must be positive");
  const std::vector<std::string> extra = missing_from(submission, truth), lacking = missing_from(truth, submission);
  PN_CHECK(extra.empty() && lacking.empty(), "score: the files name different images: ",
           extra.empty() ? "" : std::to_string(extra.size()) + " ImageIds of " + submission.source + " are not in " +
                                    truth.source + " (" + some_ids(extra) + ")",
           !extra.empty() && !lacking.empty() ? "; " : "",
           lacking.empty() ? "" : std::to_string(lacking.size()) + " ImageIds of " + truth.source +
                                      " are not in " + submission.source + " (" + some_ids(lacking) + ")");
  ScoreReport r;
  r.submission_images = submission.image_ids.size();
  r.truth_images = truth.image_ids.size();
  PN_CHECK(!truth.image_ids.empty(), "score: ", truth.source, " has no rows");
  double sum = 0;
  for (const std::string& id : truth.image_ids)
    sum += dice(submission.mask(id, width, height), truth.mask(id, width, height));
  r.score = sum / static_cast<double>(truth.image_ids.size());
  return r;
}

}  // namespace pn::post
