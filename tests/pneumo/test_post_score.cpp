// The competition metric on hand-made submissions whose score is worked out
// by hand.
#include <doctest/doctest.h>

#include "error_text.h"
#include "post_test_util.h"
#include "pneumo/data/rle_table.h"
#include "pneumo/post/score.h"

namespace pn::post {

using namespace pn::post::test;
using pn::test::check_message;
using pn::test::error_of;

TEST_CASE("dice: 2 |P & T| / (|P| + |T|), 1 for two empty masks") {
  CHECK(dice_from_counts(0, 0, 0) == 1.0);
  CHECK(dice_from_counts(0, 5, 0) == 0.0);
  CHECK(dice_from_counts(0, 0, 5) == 0.0);
  CHECK(dice_from_counts(3, 4, 6) == 0.6);
  check_message(error_of([] { dice_from_counts(5, 4, 6); }), {"inconsistent"});
  const data::GrayImage a = mask_from_rows("110/000", 3, 2), b = mask_from_rows("011/001", 3, 2);
  CHECK(dice(a, b) == doctest::Approx(2.0 * 1 / (2 + 3)));
  check_message(error_of([&] { dice(a, data::GrayImage(2, 3)); }), {"different sizes"});
}

TEST_CASE("score: mean Dice over images, rows of one image united, either RLE format") {
  // 4x4 images; pixel number = x * 4 + y (column-major).
  //   A: truth pixels 0-3, predicted 2-5: 2 common -> 2*2/(4+4) = 0.5
  //   B: both empty -> 1
  //   C: truth 0-1, predicted empty -> 0
  //   D: truth rows {0} and {5}, predicted {0, 2} -> 2*1/(2+2) = 0.5
  //   E: truth empty, predicted {3} -> 0
  // Mean: (0.5 + 1 + 0 + 0.5 + 0) / 5 = 0.4.
  TempDir dir;
  write_bytes(dir / "truth.csv", "ImageId,EncodedPixels\nA,0 4\nB,-1\nC,0 2\nD,0 1\nD,5 1\nE,-1\n");
  write_bytes(dir / "sub1.csv", "ImageId,EncodedPixels\nE,3 1\nD,0 1 1 1\nC,-1\nB,-1\nA,2 4\n");
  write_bytes(dir / "sub2.csv", "ImageId,EncodedPixels\nA,3 4\nB,-1\nC,-1\nD,1 1 3 1\nE,4 1\n");
  const auto stage1 = data::RleFormat::Stage1Relative, stage2 = data::RleFormat::Stage2Absolute;
  const data::RleTable truth = data::read_rle_csv(dir / "truth.csv", stage1, 4, 4);
  ScoreReport r = score_submission(data::read_rle_csv(dir / "sub1.csv", stage1, 4, 4), truth, 4, 4);
  CHECK(r.submission_images == 5);
  CHECK(r.truth_images == 5);
  CHECK(r.score == doctest::Approx(0.4).epsilon(1e-12));
  r = score_submission(data::read_rle_csv(dir / "sub2.csv", stage2, 4, 4), truth, 4, 4);
  CHECK(r.score == doctest::Approx(0.4).epsilon(1e-12));
  // A perfect submission scores 1.
  CHECK(score_submission(truth, truth, 4, 4).score == 1.0);
}

TEST_CASE("score: ids on one side only, undecided formats and empty files are errors") {
  TempDir dir;
  write_bytes(dir / "truth.csv", "ImageId,EncodedPixels\nA,-1\nB,-1\nC,-1\n");
  write_bytes(dir / "sub.csv", "ImageId,EncodedPixels\nA,-1\nX,-1\nY,-1\n");
  const data::RleTable truth = data::read_rle_csv(dir / "truth.csv");
  const std::string msg = error_of([&] { score_submission(data::read_rle_csv(dir / "sub.csv"), truth); });
  check_message(msg, {"2 ImageIds of", "sub.csv", "are not in", "truth.csv", "X, Y", "B, C"});

  write_bytes(dir / "one_run.csv", "ImageId,EncodedPixels\nA,5 3\nB,-1\nC,-1\n");
  check_message(error_of([&] { score_submission(data::read_rle_csv(dir / "one_run.csv"), truth); }),
                {"one_run.csv", "give the format"});

  write_bytes(dir / "none.csv", "ImageId,EncodedPixels\n");
  const data::RleTable none = data::read_rle_csv(dir / "none.csv");
  check_message(error_of([&] { score_submission(none, none); }), {"none.csv", "no rows"});
}

}  // namespace pn::post
