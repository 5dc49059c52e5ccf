#include "pneumo/train/run_files.h"

#include <algorithm>
#include <ctime>
#include <iostream>

#include "pneumo/data/csv.h"
#include "tensor/error.h"

namespace pn::train {

namespace fs = std::filesystem;

FoldPaths FoldPaths::of(const TrainConfig& c, int fold) {
  FoldPaths p;
  p.run_name = c.pipeline_name + "_fold" + std::to_string(fold);
  p.history_dir = c.full_folder / ("fold" + std::to_string(fold));
  p.best = c.best_folder / (p.run_name + ".safetensors");
  p.summary = p.history_dir / "summary.csv";
  p.samples = p.history_dir / "samples";
  p.resume = p.history_dir / ("resume-" + c.config_path.stem().string() + ".safetensors");
  p.history = c.log_dir / ("history_fold" + std::to_string(fold) + ".csv");
  p.log = c.log_dir / ("train_fold" + std::to_string(fold) + ".log");
  return p;
}

fs::path FoldPaths::epoch_checkpoint(int64_t epoch) const {
  return history_dir / (run_name + "_epoch" + std::to_string(epoch) + ".safetensors");
}

std::optional<fs::path> find_model_file(const fs::path& dir, const std::string& stem) {
  for (const char* ext : {".safetensors", ".pth"}) {
    fs::path p = dir / (stem + ext);
    if (fs::is_regular_file(p)) return p;
  }
  return std::nullopt;
}

std::size_t CsvLog::rows() const {
  if (!fs::exists(path_)) return 0;
  return data::read_csv(path_).rows.size();
}

void CsvLog::append(const std::vector<std::string>& header, const std::vector<std::string>& row) const {
  PN_CHECK(header.size() == row.size(), path_.string(), ": a row of ", row.size(), " fields for ", header.size(),
           " columns");
  data::CsvTable t;
  if (fs::exists(path_)) t = data::read_csv(path_);
  else t.header = header;
  std::vector<std::string> full(t.header.size());
  for (std::size_t i = 0; i < header.size(); ++i) {
    auto it = std::find(t.header.begin(), t.header.end(), header[i]);
    if (it == t.header.end()) {
      t.header.push_back(header[i]);
      for (auto& r : t.rows) r.emplace_back();
      full.emplace_back();
      it = t.header.end() - 1;
    }
    full[static_cast<std::size_t>(it - t.header.begin())] = row[i];
  }
  t.rows.push_back(std::move(full));
  data::write_csv(path_, t.header, t.rows);
}

void CsvLog::truncate(std::size_t n) const {
  if (!fs::exists(path_)) return;
  data::CsvTable t = data::read_csv(path_);
  if (t.rows.size() <= n) return;
  t.rows.resize(n);
  data::write_csv(path_, t.header, t.rows);
}

std::optional<double> CsvLog::max_of(const std::string& column) const {
  if (!fs::exists(path_)) return std::nullopt;
  data::CsvTable t = data::read_csv(path_);
  auto c = t.find_column(column);
  if (!c) return std::nullopt;
  std::optional<double> best;
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const std::string& f = t.rows[i][*c];
    if (f.empty()) continue;
    const double v = parse_number(f, t.where(i) + ": column " + column);
    if (!best || v > *best) best = v;
  }
  return best;
}

RunLog::RunLog(const fs::path& path, bool echo) : path_(path), echo_(echo) {
  fs::create_directories(path.parent_path());
  file_.open(path, std::ios::app);
  PN_CHECK(file_.good(), path.string(), ": cannot open the log file for appending");
}

void RunLog::info(const std::string& message) {
  std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%m/%d/%Y %H:%M:%S", std::localtime(&now));
  file_ << "\n" << stamp << "\t" << message << "\n" << std::flush;
  PN_CHECK(file_.good(), path_.string(), ": writing the log failed");
  if (echo_) std::cout << message << std::endl;
}

}  // namespace pn::train
