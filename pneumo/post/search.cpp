#include "pneumo/post/search.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>
#include <unordered_map>

#include "pneumo/data/csv.h"
#include "pneumo/data/npz.h"
#include "pneumo/data/png.h"
#include "pneumo/post/contours.h"
#include "pneumo/post/score.h"
#include "pneumo/post/triplet.h"
#include "tensor/error.h"

namespace pn::post {

namespace fs = std::filesystem;

namespace {

void check_grid(const SearchGrid& g) {
  auto check = [](const std::vector<double>& values, const char* name, bool non_negative) {
    PN_CHECK(!values.empty(), "search: the list of ", name, " values is empty");
    for (double v : values) {
      PN_CHECK(std::isfinite(v), "search: ", name, " value ", v, " is not a finite number");
      PN_CHECK(!non_negative || v >= 0, "search: ", name, " value ", v, " is negative");
    }
  };
  check(g.top, "top score", false);
  check(g.area, "area", true);
  check(g.bottom, "bottom score", false);
  check(g.min_contour_area, "min contour area", true);
}

// Pixel counts of one mask: its size and its overlap with the truth.
struct Counts {
  int64_t predicted = 0, common = 0;
};

Counts count(const data::GrayImage& mask, const data::GrayImage& truth) {
  Counts c;
  for (size_t i = 0; i < mask.pixels.size(); ++i) {
    const bool m = mask.pixels[i] != 0;
    c.predicted += m;
    c.common += m && truth.pixels[i] != 0;
  }
  return c;
}

// "exist_labels" of the folds file by image id (fname without ".png").
std::unordered_map<std::string, bool> read_labels(const fs::path& path) {
  const data::CsvTable csv = data::read_csv(path);
  const size_t fname = csv.column("fname"), labels = csv.column("exist_labels");
  std::unordered_map<std::string, bool> out;
  for (size_t i = 0; i < csv.rows.size(); ++i) {
    std::string id = csv.rows[i][fname];
    if (id.ends_with(".png")) id.resize(id.size() - 4);
    const std::string& v = csv.rows[i][labels];
    PN_CHECK(v == "0" || v == "1", csv.where(i), ": exist_labels must be 0 or 1, got '", v, "'");
    out[id] = v == "1";
  }
  return out;
}

std::string format_number(double v, const char* format) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

}  // namespace

std::vector<double> evaluate_image(const Tensor& map, const data::GrayImage& truth, const SearchGrid& grid) {
  PN_CHECK(map.defined() && map.dim() == 2 && map.dtype() == DType::Float32 && map.device().is_cpu(),
           "evaluate_image: expected a float32 CPU map [H, W]");
  PN_CHECK(truth.valid() && truth.width == map.size(1) && truth.height == map.size(0),
           "evaluate_image: the truth mask is ", truth.width, "x", truth.height, ", the map ", map.size(1), "x",
           map.size(0));
  // The thresholds as the comparisons see them (float32), sorted, once each.
  std::vector<float> cuts;
  for (double t : grid.top) cuts.push_back(static_cast<float>(t));
  for (double t : grid.bottom) cuts.push_back(static_cast<float>(t));
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  auto cut_index = [&](double t) {
    return static_cast<size_t>(std::lower_bound(cuts.begin(), cuts.end(), static_cast<float>(t)) - cuts.begin());
  };

  // bin k holds the pixels above exactly k cuts (a NaN is above none).
  std::vector<int64_t> total(cuts.size() + 1, 0), common(cuts.size() + 1, 0);
  int64_t truth_count = 0;
  const float* p = map.data<float>();
  for (size_t i = 0; i < truth.pixels.size(); ++i) {
    const auto k = static_cast<size_t>(std::lower_bound(cuts.begin(), cuts.end(), p[i]) - cuts.begin());
    const bool t = truth.pixels[i] != 0;
    ++total[k];
    common[k] += t;
    truth_count += t;
  }
  // above_cut[j]: the pixels above cut j, with those in the truth.
  std::vector<Counts> above_cut(cuts.size());
  Counts run;
  for (size_t j = cuts.size(); j-- > 0;) {
    run.predicted += total[j + 1];
    run.common += common[j + 1];
    above_cut[j] = run;
  }

  // The contour step, per bottom threshold and positive contour area.
  const size_t nb = grid.bottom.size(), nm = grid.min_contour_area.size();
  std::vector<Counts> filtered(nb * nm);
  for (size_t b = 0; b < nb; ++b) {
    std::vector<Contour> contours;
    std::vector<double> areas;
    bool traced = false;
    for (size_t m = 0; m < nm; ++m) {
      const double min_area = grid.min_contour_area[m];
      if (min_area <= 0) continue;
      if (!traced) {
        contours = find_contours(above(map, grid.bottom[b]));
        for (const Contour& c : contours) areas.push_back(contour_area(c));
        traced = true;
      }
      std::vector<Contour> kept;
      for (size_t c = 0; c < contours.size(); ++c)
        if (areas[c] > min_area) kept.push_back(contours[c]);
      data::GrayImage mask(truth.width, truth.height, 0);
      fill_contours(mask, kept, 255);
      filtered[b * nm + m] = count(mask, truth);
    }
  }

  std::vector<double> out;
  out.reserve(grid.size());
  for (double top : grid.top) {
    const int64_t strong = above_cut[cut_index(top)].predicted;
    for (double area : grid.area) {
      const bool empty = static_cast<double>(strong) < area;
      for (size_t b = 0; b < nb; ++b) {
        for (size_t m = 0; m < nm; ++m) {
          Counts c;
          if (!empty) c = grid.min_contour_area[m] > 0 ? filtered[b * nm + m] : above_cut[cut_index(grid.bottom[b])];
          out.push_back(dice_from_counts(c.common, c.predicted, truth_count));
        }
      }
    }
  }
  return out;
}

std::vector<SearchResult> search_thresholds(const SearchOptions& o) {
  check_grid(o.grid);
  PN_CHECK(o.block >= 1, "search: the block size must be positive");
  const data::NpzReader reader(o.predictions);
  const std::vector<std::string>& ids = reader.names();
  PN_CHECK(!ids.empty(), o.predictions.string(), ": holds no maps");
  std::unordered_map<std::string, bool> labels;
  if (o.folds) labels = read_labels(*o.folds);

  auto truth_of = [&](const std::string& id, const Tensor& map) {
    const fs::path file = o.masks / (id + ".png");
    const int w = static_cast<int>(map.size(1)), h = static_cast<int>(map.size(0));
    if (!fs::exists(file)) {
      const auto it = labels.find(id);
      PN_CHECK(it != labels.end() && !it->second, "search: no truth mask ", file.string(), " for image '", id, "'",
               !o.folds ? " (with --folds, images whose exist_labels is 0 may lack one)"
               : it == labels.end() ? " (and the folds file does not list it)"
                                    : " (the folds file says it has a label)");
      return data::GrayImage(w, h, 0);
    }
    data::GrayImage truth = data::read_png(file);
    PN_CHECK(truth.width == w && truth.height == h, file.string(), ": the truth mask is ", truth.width, "x",
             truth.height, " but the map of image '", id, "' in ", o.predictions.string(), " is ", w, "x", h);
    for (uint8_t& v : truth.pixels) v = v > 127 ? 255 : 0;
    return truth;
  };

  std::vector<double> sums(o.grid.size(), 0.0);
  for (size_t start = 0; start < ids.size(); start += o.block) {
    const size_t n = std::min(o.block, ids.size() - start);
    std::vector<std::vector<double>> dice(n);
    std::vector<std::string> errors(n);
#pragma omp parallel for schedule(dynamic)
    for (int64_t i = 0; i < static_cast<int64_t>(n); ++i) {
      const auto k = static_cast<size_t>(i);
      const std::string& id = ids[start + k];
      try {
        const Tensor map = reader.read(id);
        PN_CHECK(map.dim() == 2, o.predictions.string(), ": the map of image '", id, "' has shape ", map.shape(),
                 "; expected a 2-D map [H, W]");
        dice[k] = evaluate_image(map, truth_of(id, map), o.grid);
      } catch (const std::exception& e) {  // an exception may not leave the parallel region
        errors[k] = e.what();
      }
    }
    for (size_t k = 0; k < n; ++k) PN_CHECK(errors[k].empty(), errors[k]);
    for (size_t k = 0; k < n; ++k)
      for (size_t c = 0; c < sums.size(); ++c) sums[c] += dice[k][c];
  }

  std::vector<SearchResult> results;
  results.reserve(sums.size());
  size_t c = 0;
  for (double top : o.grid.top)
    for (double area : o.grid.area)
      for (double bottom : o.grid.bottom)
        for (double min_area : o.grid.min_contour_area)
          results.push_back({top, area, bottom, min_area, sums[c++] / static_cast<double>(ids.size()), ids.size()});
  std::stable_sort(results.begin(), results.end(),
                   [](const SearchResult& a, const SearchResult& b) { return a.score > b.score; });
  return results;
}

void write_search_table(const fs::path& path, const std::vector<SearchResult>& results) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(results.size());
  for (const SearchResult& r : results)
    rows.push_back({format_number(r.top, "%.10g"), format_number(r.area, "%.10g"), format_number(r.bottom, "%.10g"),
                    format_number(r.min_contour_area, "%.10g"), format_number(r.score, "%.6f"),
                    std::to_string(r.n_images)});
  data::write_csv(path,
                  {"top_score_threshold", "area_threshold", "bottom_score_threshold", "min_contour_area", "score",
                   "n_images"},
                  rows);
}

}  // namespace pn::post
