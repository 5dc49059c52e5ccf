#include "pneumo/report/dashboard.h"

#include <set>
#include <system_error>

#include "pneumo/data/file_io.h"
#include "pneumo/report/curves_figure.h"
#include "pneumo/report/html.h"
#include "pneumo/report/results_table.h"
#include "pneumo/report/sample_figure.h"
#include "pneumo/report/table_figure.h"
#include "tensor/error.h"

namespace pn::report {
namespace fs = std::filesystem;

std::string file_stem(const std::string& name) {
  std::string out;
  for (char c : name) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '-' || c == '_';
    out += safe ? c : '_';
  }
  return out.empty() ? "experiment" : out;
}

DashboardReport write_dashboard(const DashboardOptions& options) {
  PN_CHECK(options.samples_per_fold >= 1, "dashboard: samples per fold must be >= 1, got ", options.samples_per_fold);
  PN_CHECK(!options.out_dir.empty(), "dashboard: no output folder");
  DashboardReport report;
  report.experiments = find_experiments(options.experiments);
  std::error_code ec;
  fs::create_directories(options.out_dir, ec);
  PN_CHECK(!ec && fs::is_directory(options.out_dir), options.out_dir.string(), ": cannot create the folder (",
           ec.message(), ")");

  auto write_png = [&](const Canvas& canvas, const std::string& name) {
    canvas.write_png(options.out_dir / name);
    report.written.push_back(options.out_dir / name);
    return name;
  };

  const ResultsTable table = build_results_table(report.experiments);
  PageFigures figures;
  figures.table = write_png(draw_table(table), "table.png");

  std::set<std::string> stems;
  for (const Experiment& e : report.experiments) {
    std::string stem = file_stem(e.name);
    for (int n = 2; !stems.insert(stem).second; ++n) stem = file_stem(e.name) + "-" + std::to_string(n);
    figures.curves.push_back(write_png(draw_training_curves(e), "curves_" + stem + ".png"));
    auto& samples = figures.samples.emplace_back();
    for (const FoldRun& f : e.folds) {
      if (f.samples.empty()) continue;
      const std::size_t n = std::min(f.samples.size(), static_cast<std::size_t>(options.samples_per_fold));
      std::string title = e.name + ", fold " + std::to_string(f.fold) + ": validation samples";
      if (const ValidationEpoch* best = f.best()) title += " (best epoch " + std::to_string(best->epoch) + ")";
      const std::vector<ValidationSample> shown(f.samples.begin(), f.samples.begin() + static_cast<std::ptrdiff_t>(n));
      samples[f.fold] = write_png(draw_samples(shown, title),
                                  "samples_" + stem + "_fold" + std::to_string(f.fold) + ".png");
    }
  }

  const fs::path page = options.out_dir / "index.html";
  data::write_file_atomic(page, dashboard_html(report.experiments, table, figures, options.experiments));
  report.written.push_back(page);
  return report;
}

}  // namespace pn::report
