// PneumoSampler on the competition's real folds file, its sliding sample-rate
// schedule, and resuming from a saved state.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "pneumo/loader/dataset.h"
#include "pneumo/loader/sampler.h"

namespace pn::loader {
namespace {

namespace fs = std::filesystem;

std::vector<FoldRow> real_folds() {
  const fs::path csv = fs::path(PN_REFERENCE_DIR) / "folds" / "train_folds_5.csv";
  INFO("the competition's folds file expected at ", csv.string());
  REQUIRE(fs::is_regular_file(csv));
  return read_folds(csv);
}

std::vector<int> train_labels(const std::vector<FoldRow>& rows, int fold) {
  std::vector<int> labels;
  for (const FoldRow& r : rows) {
    if (r.fold != fold) labels.push_back(r.exist_labels);
  }
  return labels;
}

TEST_CASE("sampler: the reference's counts on the real folds file") {
  const std::vector<FoldRow> rows = real_folds();
  REQUIRE(rows.size() == 10679);
  // (train images, positives, negatives) per validation fold, and
  // int(n_pos * (1 - p) / p) for p = 0.8, 0.6, 0.5, 0.4, as pandas and Python
  // compute them from the same file.
  struct Expect {
    std::size_t train, pos, neg, n08, n06, n05, n04;
  };
  const Expect expect[5] = {{8542, 1910, 6632, 477, 1273, 1910, 2865},
                            {8544, 1915, 6629, 478, 1276, 1915, 2872},
                            {8545, 1895, 6650, 473, 1263, 1895, 2842},
                            {8541, 1899, 6642, 474, 1266, 1899, 2848},
                            {8544, 1897, 6647, 474, 1264, 1897, 2845}};
  for (int fold = 0; fold < 5; ++fold) {
    INFO("fold ", fold);
    const std::vector<int> labels = train_labels(rows, fold);
    const Expect& e = expect[fold];
    CHECK(labels.size() == e.train);
    PneumoSampler s(labels, SampleRateSchedule::constant(0.8), 42);
    CHECK(s.positives() == e.pos);
    CHECK(s.negatives_available() == e.neg);
    CHECK(PneumoSampler::negatives_for(e.pos, 0.8) == e.n08);
    CHECK(PneumoSampler::negatives_for(e.pos, 0.6) == e.n06);
    CHECK(PneumoSampler::negatives_for(e.pos, 0.5) == e.n05);
    CHECK(PneumoSampler::negatives_for(e.pos, 0.4) == e.n04);
    CHECK(s.epoch_size(0) == e.pos + e.n08);

    const std::vector<std::size_t> epoch = s.epoch_indices(0);
    REQUIRE(epoch.size() == e.pos + e.n08);
    std::map<std::size_t, int> seen;
    std::size_t pos = 0, neg = 0;
    for (std::size_t i : epoch) {
      REQUIRE(i < labels.size());
      ++seen[i];
      (labels[i] ? pos : neg) += 1;
    }
    CHECK(pos == e.pos);
    CHECK(neg == e.n08);
    // Every positive exactly once.
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (labels[i]) REQUIRE(seen[i] == 1);
    }
    // Shuffled: positives and negatives interleave (not the hstack order).
    std::size_t first_positive = 0;
    while (!labels[epoch[first_positive]]) ++first_positive;
    CHECK(first_positive < 20);
  }
}

TEST_CASE("sampler: negatives are drawn with replacement, uniformly") {
  // 1 positive, 10 negatives, p tiny: 9999 negatives from 10.
  std::vector<int> labels(11, 0);
  labels[4] = 1;
  PneumoSampler s(labels, SampleRateSchedule::constant(1.0 / 10000), 3);
  const auto epoch = s.epoch_indices(0);
  REQUIRE(epoch.size() == 1 + PneumoSampler::negatives_for(1, 1.0 / 10000));
  std::map<std::size_t, int> count;
  for (std::size_t i : epoch) ++count[i];
  CHECK(count[4] == 1);
  for (std::size_t i = 0; i < 11; ++i) {
    if (i == 4) continue;
    INFO("negative ", i, " drawn ", count[i], " times");
    CHECK(std::abs(count[i] - 1000) < 4 * 30);  // binomial(9999, 0.1): sd 30
  }
}

TEST_CASE("sampler: epochs are reproducible, differ from each other, and resume from a saved state") {
  const std::vector<int> labels = train_labels(real_folds(), 0);
  const SampleRateSchedule slide = SampleRateSchedule::linear(0.8, 0.4, 10);
  PneumoSampler a(labels, slide, 2019), b(labels, slide, 2019), other_seed(labels, slide, 2020);
  std::vector<std::vector<std::size_t>> run;
  for (int e = 0; e < 6; ++e) run.push_back(a.next_epoch());
  CHECK(a.state() == SamplerState{2019, 6});
  CHECK(run[0] == b.epoch_indices(0));
  CHECK(run[0] != run[1]);
  CHECK(run[0] != other_seed.epoch_indices(0));
  // The sliding rate: epoch sizes follow p(epoch).
  for (int e = 0; e < 6; ++e) CHECK(run[static_cast<std::size_t>(e)].size() == a.epoch_size(e));
  CHECK(run[5].size() > run[0].size());
  // A resumed run: a fresh sampler given the saved state continues identically.
  PneumoSampler resumed(labels, slide, 1);
  resumed.set_state({2019, 3});
  CHECK(resumed.next_epoch() == run[3]);
  CHECK(resumed.next_epoch() == run[4]);
  CHECK(resumed.state().epoch == 5);
}

TEST_CASE("sampler: the sliding sample-rate schedule") {
  const SampleRateSchedule lin = SampleRateSchedule::linear(0.8, 0.4, 11);
  CHECK(lin.at(0) == doctest::Approx(0.8));
  CHECK(lin.at(5) == doctest::Approx(0.6));
  CHECK(lin.at(10) == doctest::Approx(0.4));
  CHECK(lin.at(50) == doctest::Approx(0.4));
  // The recipe's parts as steps: 0.8 for part 0, 0.6 from epoch 12, 0.4 from epoch 30.
  const SampleRateSchedule steps({{0, 0.8}, {12, 0.6}, {30, 0.4}}, SampleRateSchedule::Mode::Step);
  CHECK(steps.at(0) == 0.8);
  CHECK(steps.at(11) == 0.8);
  CHECK(steps.at(12) == 0.6);
  CHECK(steps.at(29) == 0.6);
  CHECK(steps.at(30) == 0.4);
  CHECK(steps.at(100) == 0.4);
  const SampleRateSchedule piecewise({{2, 0.8}, {6, 0.4}}, SampleRateSchedule::Mode::Linear);
  CHECK(piecewise.at(0) == 0.8);
  CHECK(piecewise.at(4) == doctest::Approx(0.6));
  CHECK(SampleRateSchedule::constant(0.5).at(7) == 0.5);
  CHECK(SampleRateSchedule::linear(0.7, 0.3, 1).at(0) == 0.3);

  using doctest::Contains;
  CHECK_THROWS_WITH(SampleRateSchedule::constant(0.0), Contains("p must be in (0, 1], got 0"));
  CHECK_THROWS_WITH(SampleRateSchedule({{3, 0.5}, {3, 0.4}}, SampleRateSchedule::Mode::Step),
                    Contains("epochs must increase"));
  CHECK_THROWS_WITH(SampleRateSchedule({}, SampleRateSchedule::Mode::Step), Contains("at least one"));
}

TEST_CASE("sampler: bad inputs") {
  using doctest::Contains;
  CHECK_THROWS_WITH(PneumoSampler({0, 0, 0}, SampleRateSchedule::constant(0.5), 1), Contains("no positive image"));
  CHECK_THROWS_WITH(PneumoSampler({0, 2}, SampleRateSchedule::constant(0.5), 1), Contains("item 1 is 2"));
  PneumoSampler only_pos({1, 1}, SampleRateSchedule::constant(0.5), 1);
  CHECK_THROWS_WITH(only_pos.epoch_indices(0), Contains("needs 2 negative images"));
  PneumoSampler all_pos({1, 1}, SampleRateSchedule::constant(1.0), 1);
  CHECK(all_pos.epoch_indices(0).size() == 2);
}

}  // namespace
}  // namespace pn::loader
