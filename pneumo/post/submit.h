#pragma once
// `pneumo submit`: the reference's TripletSubmit.py. Probability maps (one
// .npz result file, or several blended with weights) become a submission CSV
// through the triplet rule (triplet.h).
//
// The configuration is the reference's YAML, read unchanged
// (experiments/*/2nd_stage_submit.yaml, blend_configs/*.yaml):
//   SAMPLE_SUB              the sample submission: which images, in which
//                           order, and how many rows each has (n_objects)
//   MASK_DICT               one result file, its maps used as stored, or
//   RESULT_WEIGHTS          result file -> weight; the maps blended as
//                           sum of weight * map (float32, in file order)
//   RESHAPE_MODE            (RESULT_WEIGHTS only; default False) maps that
//                           are not 1024 high resized to 1024x1024 (cv2
//                           INTER_LINEAR, cv_resize.h) before blending
//   AREA_THRESHOLD, TOP_SCORE_THRESHOLD, BOTTOM_SCORE_THRESHOLD
//   USELEAK                 if True, LEAK_SCORE_THRESHOLD (then required) is
//                           the threshold of images with several rows; else
//                           BOTTOM_SCORE_THRESHOLD is
//   USECONTOURS             keep the n_objects largest contours (when
//                           MIN_CONTOUR_AREA is 0)
//   MIN_CONTOUR_AREA        (default 0) remove contours of at most this area
//   SUB_FILE                the CSV written
// MASK_DICT wins when both are given, as in the reference. Result paths go
// through data::npz_path_for (the reference's "result_top3.pkl" is read as
// "result_top3.npz"). Relative paths are resolved against a base folder: the
// reference ran from its pipeline folder, so `pneumo submit` uses the current
// directory unless told otherwise.
//
// Unlike the reference, the submission has one row per image of SAMPLE_SUB in
// its order (the reference wrote the result file's order and skipped images
// without maps); an image without a map in some result file is an error.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pneumo/config/yaml.h"
#include "pneumo/data/npz.h"
#include "pneumo/post/triplet.h"

namespace pn::post {

struct SubmitConfig {
  // The result files with their weights; MASK_DICT gives one with weight 1.
  std::vector<std::pair<std::filesystem::path, double>> results;
  bool blend = false;    // RESULT_WEIGHTS: maps multiplied by their weights and summed
  bool reshape = false;  // RESHAPE_MODE
  TripletRule rule;
  std::filesystem::path sample_submission;
  std::filesystem::path submission;
};

// Reads the keys above from a parsed configuration; relative paths are
// resolved against `base`. Throws pn::Error naming the file, line and key for
// a missing key, a value of the wrong type, a negative weight or area, or a
// configuration with neither MASK_DICT nor RESULT_WEIGHTS (or an empty
// RESULT_WEIGHTS).
SubmitConfig read_submit_config(const config::Node& root, const std::filesystem::path& base);

struct SubmitReport {
  std::size_t rows = 0;       // rows written: one per image of the sample
  std::size_t non_empty = 0;  // rows with a mask (not "-1")
};

// The maps of a configuration's result files, one image at a time: MASK_DICT's
// map as stored, or the sum of weight * map over RESULT_WEIGHTS (in float32,
// each map first resized to 1024x1024 under RESHAPE_MODE when it is not 1024
// high).
class MapBlender {
 public:
  // Opens every result file (reading their directories only).
  explicit MapBlender(const SubmitConfig& config);
  ~MapBlender();
  // The map [H, W] of image `id`. Throws pn::Error naming the file and the id
  // when a file lacks the image or its map is not 2-D, and naming both files
  // when the maps' shapes differ.
  Tensor map(const std::string& id) const;

 private:
  const SubmitConfig& config_;
  std::vector<std::unique_ptr<data::NpzReader>> readers_;
};

// Writes config.submission atomically: header "ImageId,EncodedPixels", one row
// per image of the sample submission in its order, the stage 1 RLE of the
// triplet rule's mask (n_objects = the image's rows in the sample) or "-1".
// Reads one map per result file at a time. Throws pn::Error for unreadable
// files, a sample without an ImageId column, or an image of the sample
// without a map (naming it and the file).
SubmitReport write_submission(const SubmitConfig& config);

}  // namespace pn::post
