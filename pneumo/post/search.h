#pragma once
// `pneumo search`: the triplet threshold search on out-of-fold validation
// predictions, the step that chose the reference's TOP_SCORE_THRESHOLD,
// AREA_THRESHOLD and BOTTOM_SCORE_THRESHOLD (its training logged the metric
// of a few triplets per epoch through TripletMaskBinarization; this searches
// a whole grid at once).
//
// For every combination (top, area, bottom, min_contour_area) of the grid, the
// competition metric (score.h) of the triplet rule (triplet.h, n_objects = 1)
// over all images of the predictions file. The truth of image ID is the PNG
// DIR/ID.png at the prediction's size (pixels > 127 are in the mask); with a
// folds CSV (the reference's fname,fold,exist_labels), an image whose
// exist_labels is 0 may lack its PNG and then counts as empty.
//
// Each map is read once and every combination evaluated on it: the pixels are
// counted per interval between the sorted thresholds (above the truth or
// not), from which every "count above t" and every intersection follows; the
// contour step runs once per bottom threshold and contour area. Images are
// processed in parallel (OpenMP), in blocks whose per-image results are added
// in image order, so the sums do not depend on the thread count; memory holds
// one map and one truth mask per thread.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <vector>

#include "pneumo/data/image.h"
#include "tensor/tensor.h"

namespace pn::post {

struct SearchGrid {
  std::vector<double> top{0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9};
  std::vector<double> area{0, 250, 500, 1000, 2000, 3000};  // pixels at the map's size
  std::vector<double> bottom{0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5};
  std::vector<double> min_contour_area{0};
  // Number of combinations: the product of the four sizes.
  std::size_t size() const { return top.size() * area.size() * bottom.size() * min_contour_area.size(); }
};

// One combination and its metric.
struct SearchResult {
  double top = 0, area = 0, bottom = 0, min_contour_area = 0;
  double score = 0;
  std::size_t n_images = 0;
};

// The Dice term of every combination on one image, in grid order: top
// outermost, then area, bottom, min_contour_area innermost. `map` is a float32
// CPU map [H, W]; `truth` a mask of the same size (nonzero = true). Equals
// dice(apply_triplet(map, 1, rule), truth) for each combination's rule.
std::vector<double> evaluate_image(const Tensor& map, const data::GrayImage& truth, const SearchGrid& grid);

struct SearchOptions {
  std::filesystem::path predictions;            // .npz of maps named by image id
  std::filesystem::path masks;                  // folder of ID.png truth masks
  std::optional<std::filesystem::path> folds;   // fname,fold,exist_labels CSV
  SearchGrid grid;
  std::size_t block = 64;                       // images per parallel block
};

// Every combination with its metric over all images, best first (ties in grid
// order). Throws pn::Error naming the file or the image for an unreadable
// file, an empty or invalid grid (thresholds must be numbers; areas >= 0), a
// map that is not 2-D, a truth mask of another size than its map, or a
// missing truth mask (unless the folds file says the image has no label).
std::vector<SearchResult> search_thresholds(const SearchOptions& options);

// Writes the results as CSV (top_score_threshold, area_threshold,
// bottom_score_threshold, min_contour_area, score, n_images), atomically.
void write_search_table(const std::filesystem::path& path, const std::vector<SearchResult>& results);

}  // namespace pn::post
