#pragma once
// `pneumo demo`: the whole first-place workflow on a generated stand-in for
// the competition's data, with the commands a user runs on the real one.
//
//   1 synth      OUT/raw: DICOMs at 1024 x 1024, train-rle.csv, a sample
//                submission and the test set's truth (pneumo/synth)
//   2 prepare    OUT/dataset<S>: PNGs at S x S and a folds file
//   3 train      OUT/experiments/demo/train_config.yaml, in the reference's
//                format: the small UNet, the combo loss, the sampler, top-K
//   4 infer      out-of-fold maps of each fold's best model, and the test
//                maps of all folds' best models with flip TTA
//   5 search     the triplet thresholds that score best out of fold
//   6 submit     OUT/submission.csv with those thresholds (submit.yaml)
//   7 score      the submission and the all-empty sample submission against
//                the held-out truth
//   8 dashboard  OUT/dashboard/index.html
// and OUT/result.json: {"score", "empty_score", "positive_dice", "seconds",
// the chosen thresholds and the counts}. The configurations are left in
// OUT/experiments/demo for a user to read and rerun.
#include <cstdint>
#include <filesystem>
#include <ostream>

#include "tensor/device.h"

namespace pn::demo {

struct DemoOptions {
  std::filesystem::path out_dir = "demo";
  int train_images = 600, test_images = 100;
  int size = 128;        // training resolution
  int folds = 2;
  int epochs = 12;  // validated every second epoch
  int num_filters = 16;  // UNet width
  uint64_t seed = 42;
  Device device = Device::cpu();
  bool progress = true;  // progress bars on stderr
  bool echo = true;      // the training log on stdout too
};

struct DemoResult {
  double score = 0;          // the competition metric of the submission
  double empty_score = 0;    // of the all-empty submission on the same images
  double positive_dice = 0;  // mean Dice over the test images with pneumothorax
  double seconds = 0;
  double top = 0, area = 0, bottom = 0;  // the thresholds the search chose
  std::size_t test_images = 0, positive_test_images = 0;
};

// Runs the eight steps, printing each to `log`; writes OUT/result.json.
// Throws pn::Error from the step that failed.
DemoResult run_demo(const DemoOptions& options, std::ostream& log);

}  // namespace pn::demo
