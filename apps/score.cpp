// pneumo score: the competition metric of a submission against the truth.
#include <cstdio>
#include <iostream>
#include <optional>

#include "apps/args.h"
#include "apps/commands.h"
#include "pneumo/data/rle_table.h"
#include "pneumo/post/score.h"

namespace pn::apps {

namespace {

std::optional<data::RleFormat> format_option(const Args& args, const std::string& name) {
  if (!args.has(name)) return std::nullopt;
  return data::parse_rle_format(args.str(name), "option --" + name);
}

}  // namespace

int run_score(int argc, char** argv) {
  Args args(argc, argv, 0, {"submission", "truth", "size", "submission-format", "truth-format"});
  const auto size = args.integer("size", 1024);
  PN_CHECK(size >= 1 && size <= 65536, "option --size: expected a size from 1 to 65536, got ", size);
  const int s = static_cast<int>(size);
  const data::RleTable submission =
      data::read_rle_csv(args.str("submission"), format_option(args, "submission-format"), s, s);
  const data::RleTable truth = data::read_rle_csv(args.str("truth"), format_option(args, "truth-format"), s, s);
  const post::ScoreReport r = post::score_submission(submission, truth, s, s);
  std::cout << "score: " << r.submission_images << " images in " << submission.source << ", " << r.truth_images
            << " in " << truth.source << "\n";
  char line[64];
  std::snprintf(line, sizeof line, "score: %.6f", r.score);
  std::cout << line << "\n";
  return 0;
}

}  // namespace pn::apps
