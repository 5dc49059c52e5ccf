#include "pneumo/report/experiments.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <system_error>

#include "pneumo/data/csv.h"
#include "tensor/error.h"

namespace pn::report {
namespace fs = std::filesystem;
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The number in cell (row, col); NaN for an empty cell when `empty_ok`.
// pandas writes floats as Python's repr ("0.85", "1e-05", "nan", "inf").
double number(const data::CsvTable& t, std::size_t row, std::size_t col, bool empty_ok) {
  const std::string& cell = t.rows[row][col];
  if (cell.empty() && empty_ok) return kNaN;
  double v = 0;
  const char* end = cell.data() + cell.size();
  auto [ptr, ec] = std::from_chars(cell.data(), end, v);
  PN_CHECK(!cell.empty() && ec == std::errc() && ptr == end, t.where(row), ": column '", t.header[col], "': '", cell,
           "' is not a number");
  return v;
}

int epoch_number(const data::CsvTable& t, std::size_t row, std::size_t col) {
  const std::string& cell = t.rows[row][col];
  int v = 0;
  const char* end = cell.data() + cell.size();
  auto [ptr, ec] = std::from_chars(cell.data(), end, v);
  PN_CHECK(!cell.empty() && ec == std::errc() && ptr == end && v >= 0, t.where(row), ": column '", t.header[col],
           "': '", cell, "' is not an epoch number (an integer >= 0)");
  return v;
}

// The integer after `prefix` at the start of `s` up to `suffix` at its end
// ("fold3" with "fold", ""); nullopt when `s` is not of that form.
std::optional<int> number_between(std::string_view s, std::string_view prefix, std::string_view suffix) {
  if (s.size() <= prefix.size() + suffix.size() || !s.starts_with(prefix) || !s.ends_with(suffix)) {
    return std::nullopt;
  }
  const std::string_view digits = s.substr(prefix.size(), s.size() - prefix.size() - suffix.size());
  int v = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || v < 0) return std::nullopt;
  return v;
}

// The entries of `dir` (none when it is absent or unreadable), by name.
std::vector<fs::directory_entry> entries(const fs::path& dir) {
  std::vector<fs::directory_entry> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) out.push_back(*it);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path() < b.path(); });
  return out;
}

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

// The fold of "{NAME}_fold{I}.safetensors".
std::optional<int> best_checkpoint_fold(const std::string& file) {
  const std::size_t at = file.rfind("_fold");
  if (at == std::string::npos) return std::nullopt;
  return number_between(std::string_view(file).substr(at), "_fold", ".safetensors");
}

// The epoch of "{NAME}_fold{I}_epoch{K}.safetensors".
std::optional<int> topk_epoch(const std::string& file, int fold) {
  const std::string tag = "_fold" + std::to_string(fold) + "_epoch";
  const std::size_t at = file.rfind(tag);
  if (at == std::string::npos) return std::nullopt;
  return number_between(std::string_view(file).substr(at), tag, ".safetensors");
}

void read_samples(const fs::path& dir, FoldRun& run) {
  static constexpr std::string_view kKinds[] = {"_image.png", "_mask.png", "_prob.png"};
  std::map<std::string, std::array<std::optional<fs::path>, 3>> found;
  for (const fs::directory_entry& e : entries(dir)) {
    const std::string name = e.path().filename().string();
    for (std::size_t k = 0; k < 3; ++k) {
      if (name.size() > kKinds[k].size() && name.ends_with(kKinds[k]) && is_file(e.path())) {
        found[name.substr(0, name.size() - kKinds[k].size())][k] = e.path();
      }
    }
  }
  for (const auto& [id, files] : found) {
    if (files[0] && files[1] && files[2]) {
      run.samples.push_back({id, *files[0], *files[1], *files[2]});
    } else {
      run.incomplete_samples.push_back(id);
    }
  }
}

}  // namespace

std::vector<ValidationEpoch> read_summary(const fs::path& path) {
  const data::CsvTable t = data::read_csv(path);
  const std::size_t epoch = t.column("epoch"), best = t.column("best_metric");
  std::vector<ValidationEpoch> out;
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    ValidationEpoch v;
    v.epoch = epoch_number(t, i, epoch);
    v.best_metric = number(t, i, best, false);
    double top = -std::numeric_limits<double>::infinity();
    for (std::size_t c = 0; c < t.header.size(); ++c) {
      if (c == epoch || c == best) continue;
      const double m = number(t, i, c, false);
      if (m > top) {
        top = m;
        v.best_triplet = t.header[c];
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<HistoryEpoch> read_history(const fs::path& path) {
  const data::CsvTable t = data::read_csv(path);
  const std::size_t epoch = t.column("epoch"), loss = t.column("train_loss"), lr = t.column("lr");
  const std::optional<std::size_t> best = t.find_column("best_metric"), seconds = t.find_column("seconds");
  std::vector<HistoryEpoch> out;
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    HistoryEpoch h;
    h.epoch = epoch_number(t, i, epoch);
    h.train_loss = number(t, i, loss, false);
    h.lr = number(t, i, lr, false);
    h.best_metric = best ? number(t, i, *best, true) : kNaN;
    h.seconds = seconds ? number(t, i, *seconds, true) : kNaN;
    out.push_back(h);
  }
  return out;
}

const ValidationEpoch* FoldRun::best() const {
  const ValidationEpoch* top = nullptr;
  for (const ValidationEpoch& v : validation) {
    if (!std::isnan(v.best_metric) && (top == nullptr || v.best_metric > top->best_metric)) top = &v;
  }
  return top;
}

std::optional<int> FoldRun::epochs() const {
  if (!history_file) return std::nullopt;
  return static_cast<int>(history.size());
}

std::vector<std::string> FoldRun::missing() const {
  std::vector<std::string> out;
  if (!summary_file) out.push_back("no summary.csv");
  if (!history_file) out.push_back("no history_fold" + std::to_string(fold) + ".csv");
  if (samples.empty()) out.push_back("no validation samples");
  for (const std::string& id : incomplete_samples) out.push_back("sample " + id + " lacks one of its three PNGs");
  if (!best_checkpoint) out.push_back("no best checkpoint");
  return out;
}

std::optional<double> Experiment::mean_best_metric() const {
  double sum = 0;
  int n = 0;
  for (const FoldRun& f : folds) {
    if (const ValidationEpoch* b = f.best()) {
      sum += b->best_metric;
      ++n;
    }
  }
  if (n == 0) return std::nullopt;
  return sum / n;
}

const FoldRun* Experiment::fold(int fold) const {
  for (const FoldRun& f : folds) {
    if (f.fold == fold) return &f;
  }
  return nullptr;
}

Experiment read_experiment(const fs::path& dir) {
  Experiment e;
  e.dir = dir;
  e.name = dir.filename().empty() ? dir.parent_path().filename().string() : dir.filename().string();
  std::map<int, FoldRun> runs;
  auto run = [&runs](int fold) -> FoldRun& {
    FoldRun& r = runs[fold];
    r.fold = fold;
    return r;
  };
  const fs::path checkpoints = dir / "checkpoints";
  for (const fs::directory_entry& entry : entries(checkpoints)) {
    const std::string name = entry.path().filename().string();
    if (const std::optional<int> fold = number_between(name, "fold", ""); fold && is_dir(entry.path())) {
      FoldRun& r = run(*fold);
      if (is_file(entry.path() / "summary.csv")) {
        r.summary_file = entry.path() / "summary.csv";
        r.validation = read_summary(*r.summary_file);
      }
      read_samples(entry.path() / "samples", r);
      std::vector<std::pair<int, fs::path>> topk;
      for (const fs::directory_entry& file : entries(entry.path())) {
        if (const std::optional<int> k = topk_epoch(file.path().filename().string(), *fold)) {
          topk.emplace_back(*k, file.path());
        }
      }
      std::sort(topk.begin(), topk.end());
      for (auto& [k, p] : topk) r.topk_checkpoints.push_back(p);
    } else if (const std::optional<int> best = best_checkpoint_fold(name); best && is_file(entry.path())) {
      run(*best).best_checkpoint = entry.path();
    }
  }
  for (const fs::directory_entry& entry : entries(dir / "log")) {
    const std::string name = entry.path().filename().string();
    if (const std::optional<int> fold = number_between(name, "history_fold", ".csv"); fold && is_file(entry.path())) {
      FoldRun& r = run(*fold);
      r.history_file = entry.path();
      r.history = read_history(entry.path());
    }
  }
  for (auto& [fold, r] : runs) e.folds.push_back(std::move(r));
  return e;
}

std::vector<Experiment> find_experiments(const fs::path& dir) {
  PN_CHECK(is_dir(dir), "dashboard: ", dir.string(), " is not a folder");
  if (is_dir(dir / "checkpoints")) return {read_experiment(dir)};
  std::vector<Experiment> out;
  for (const fs::directory_entry& entry : entries(dir)) {
    if (is_dir(entry.path() / "checkpoints") || is_dir(entry.path() / "log")) {
      out.push_back(read_experiment(entry.path()));
    }
  }
  PN_CHECK(!out.empty(), "dashboard: no experiment in ", dir.string(),
           " (an experiment is a folder holding checkpoints/ or log/)");
  return out;
}

}  // namespace pn::report
