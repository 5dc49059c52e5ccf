#include "pneumo/post/submit.h"

#include <unordered_map>

#include "pneumo/data/csv.h"
#include "pneumo/data/rle.h"
#include "pneumo/data/rle_table.h"
#include "pneumo/post/cv_resize.h"
#include "tensor/error.h"

namespace pn::post {

namespace fs = std::filesystem;

namespace {

fs::path resolve(const fs::path& base, const std::string& p) {
  const fs::path path(p);
  return path.is_absolute() ? path : base / path;
}

double non_negative(const config::Node& n) {
  const double v = n.number();
  PN_CHECK(v >= 0, n.where(), ": expected a number >= 0, got ", v);
  return v;
}

// The sample submission's images in order of first row, with their row counts.
std::vector<std::pair<std::string, int>> sample_images(const fs::path& path) {
  const data::CsvTable csv = data::read_csv(path);
  const std::size_t col = csv.column("ImageId");
  std::vector<std::pair<std::string, int>> images;
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < csv.rows.size(); ++i) {
    const std::string& id = csv.rows[i][col];
    PN_CHECK(!id.empty(), csv.where(i), ": empty ImageId");
    auto [it, inserted] = index.try_emplace(id, images.size());
    if (inserted) images.emplace_back(id, 0);
    ++images[it->second].second;
  }
  return images;
}

void check_2d(const Tensor& m, const fs::path& file, const std::string& id) {
  PN_CHECK(m.dim() == 2, file.string(), ": the map of image '", id, "' has shape ", m.shape(),
           "; expected a 2-D map [H, W]");
}

}  // namespace

SubmitConfig read_submit_config(const config::Node& root, const fs::path& base) {
  PN_CHECK(root.is_mapping(), root.where(), ": expected a mapping of submission settings");
  SubmitConfig c;
  if (const config::Node* one = root.find("MASK_DICT")) {
    c.results.emplace_back(data::npz_path_for(resolve(base, one->str())), 1.0);
  } else if (const config::Node* weights = root.find("RESULT_WEIGHTS")) {
    PN_CHECK(weights->is_mapping() && weights->size() > 0, weights->where(),
             ": expected a mapping of result files to weights");
    for (const auto& [file, weight] : weights->entries())
      c.results.emplace_back(data::npz_path_for(resolve(base, file)), weight.number());
    c.blend = true;
    if (const config::Node* r = root.find("RESHAPE_MODE")) c.reshape = r->boolean();
  } else {
    fail(root.where(), ": neither MASK_DICT (one result file) nor RESULT_WEIGHTS (result files and weights) is set");
  }
  c.rule.area = non_negative(root["AREA_THRESHOLD"]);
  c.rule.top_score = root["TOP_SCORE_THRESHOLD"].number();
  c.rule.bottom_score = root["BOTTOM_SCORE_THRESHOLD"].number();
  c.rule.leak_score = root["USELEAK"].boolean() ? root["LEAK_SCORE_THRESHOLD"].number() : c.rule.bottom_score;
  c.rule.use_contours = root["USECONTOURS"].boolean();
  if (const config::Node* m = root.find("MIN_CONTOUR_AREA")) c.rule.min_contour_area = non_negative(*m);
  c.sample_submission = resolve(base, root["SAMPLE_SUB"].str());
  c.submission = resolve(base, root["SUB_FILE"].str());
  return c;
}

MapBlender::MapBlender(const SubmitConfig& config) : config_(config) {
  PN_CHECK(!config.results.empty(), "submit: no result files");
  for (const auto& [path, weight] : config.results) readers_.push_back(std::make_unique<data::NpzReader>(path));
}

MapBlender::~MapBlender() = default;

Tensor MapBlender::map(const std::string& id) const {
  Tensor sum;
  fs::path first_file;
  for (std::size_t k = 0; k < readers_.size(); ++k) {
    const data::NpzReader& reader = *readers_[k];
    PN_CHECK(reader.has(id), reader.path().string(), ": no map for image '", id, "' of the sample submission");
    Tensor m = reader.read(id);
    check_2d(m, reader.path(), id);
    if (!config_.blend) return m;
    if (config_.reshape && m.size(0) != kSubmissionSize) m = cv_resize_linear(m, kSubmissionSize, kSubmissionSize);
    // NumPy multiplies a float32 array by a Python float in float32.
    const auto w = static_cast<float>(config_.results[k].second);
    float* p = m.data<float>();
    if (!sum.defined()) {
      for (int64_t i = 0; i < m.numel(); ++i) p[i] = p[i] * w;
      sum = m;
      first_file = reader.path();
      continue;
    }
    PN_CHECK(m.shape() == sum.shape(), "submit: the maps of image '", id, "' differ in shape: ", sum.shape(), " in ",
             first_file.string(), ", ", m.shape(), " in ", reader.path().string(),
             config_.reshape ? "" : " (RESHAPE_MODE: True resizes maps to 1024x1024 before blending)");
    float* s = sum.data<float>();
    for (int64_t i = 0; i < m.numel(); ++i) s[i] = s[i] + p[i] * w;
  }
  return sum;
}

SubmitReport write_submission(const SubmitConfig& config) {
  const auto images = sample_images(config.sample_submission);
  const MapBlender blender(config);
  std::vector<std::pair<std::string, std::string>> rows;
  rows.reserve(images.size());
  SubmitReport report;
  for (const auto& [id, n_objects] : images) {
    std::string rle = submission_rle(apply_triplet(blender.map(id), n_objects, config.rule));
    report.non_empty += !data::rle_is_empty(rle);
    rows.emplace_back(id, std::move(rle));
  }
  data::write_rle_csv(config.submission, rows);
  report.rows = rows.size();
  return report;
}

}  // namespace pn::post
