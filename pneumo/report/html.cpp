#include "pneumo/report/html.h"

#include <cstdio>
#include <sstream>

#include "tensor/error.h"

namespace pn::report {
namespace {

constexpr std::string_view kStyle = R"(
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 19px; margin-top: 36px; border-bottom: 1px solid #ccc; }
h3 { font-size: 15px; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid #9a9a9a; padding: 5px 9px; vertical-align: bottom; }
th { background: #f1f3f4; text-align: left; }
td.value { text-align: right; font-variant-numeric: tabular-nums; }
td.name { vertical-align: top; font-weight: bold; }
td.muted { color: #999; }
.path { color: #666; font-family: monospace; }
.missing { color: #b3261e; }
img { max-width: 100%; border: 1px solid #ddd; }
)";

std::string css_colour(Rgb c) {
  char buffer[8];
  std::snprintf(buffer, sizeof(buffer), "#%02x%02x%02x", c.r, c.g, c.b);
  return buffer;
}

void write_cell(std::ostringstream& os, const TableCell& cell, bool name) {
  os << "<td class=\"" << (name ? "name" : "value") << (cell.muted ? " muted" : "") << "\"";
  if (cell.fill) os << " style=\"background:" << css_colour(*cell.fill) << "\"";
  os << ">";
  for (std::size_t i = 0; i < cell.lines.size(); ++i) {
    if (i > 0) os << "<br>";
    const bool bold = cell.emphasised && i == 0 && !name;
    os << (bold ? "<b>" : "") << escape_html(cell.lines[i]) << (bold ? "</b>" : "");
  }
  os << "</td>";
}

// A row per fold of `folds` (every fold of the page), so that a fold this
// experiment lacks altogether is named too.
void write_folds(std::ostringstream& os, const Experiment& e, const std::vector<int>& folds) {
  os << "<table class=\"folds\"><tr><th>Fold</th><th>Best metric</th><th>Best epoch</th><th>Epochs</th>"
        "<th>Best triplet</th><th>Checkpoints</th><th>Missing</th></tr>\n";
  for (int fold : folds) {
    if (e.fold(fold) == nullptr) {
      os << "<tr><td>" << fold << "</td><td class=\"value\">-</td><td class=\"value\">-</td><td class=\"value\">-"
         << "</td><td>-</td><td></td><td class=\"missing\">nothing: no checkpoints/fold" << fold << "/, history_fold"
         << fold << ".csv or checkpoint</td></tr>\n";
      continue;
    }
    const FoldRun& f = *e.fold(fold);
    const ValidationEpoch* best = f.best();
    const std::optional<int> epochs = f.epochs();
    os << "<tr><td>" << f.fold << "</td>";
    os << "<td class=\"value\">" << (best ? fixed(best->best_metric, 4) : "-") << "</td>";
    os << "<td class=\"value\">" << (best ? std::to_string(best->epoch) : "-") << "</td>";
    os << "<td class=\"value\">" << (epochs ? std::to_string(*epochs) : "-") << "</td>";
    os << "<td>" << escape_html(best ? best->best_triplet : "-") << "</td><td>";
    if (f.best_checkpoint) os << "best: " << escape_html(f.best_checkpoint->filename().string());
    if (!f.topk_checkpoints.empty()) {
      os << (f.best_checkpoint ? "<br>" : "") << "top " << f.topk_checkpoints.size() << ":";
      for (const auto& p : f.topk_checkpoints) os << "<br>" << escape_html(p.filename().string());
    }
    os << "</td><td class=\"missing\">";
    const std::vector<std::string> missing = f.missing();
    for (std::size_t i = 0; i < missing.size(); ++i) os << (i ? "<br>" : "") << escape_html(missing[i]);
    os << "</td></tr>\n";
  }
  os << "</table>\n";
}

}  // namespace

std::string escape_html(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string dashboard_html(const std::vector<Experiment>& experiments, const ResultsTable& table,
                           const PageFigures& figures, const std::filesystem::path& source) {
  PN_CHECK(figures.curves.size() == experiments.size() && figures.samples.size() == experiments.size(),
           "dashboard_html: figures for ", figures.curves.size(), " experiments, but ", experiments.size(),
           " experiments");
  std::ostringstream os;
  os << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>pneumo: training experiments</title>\n<style>"
     << kStyle << "</style>\n</head>\n<body>\n<h1>Training experiments</h1>\n<p class=\"path\">"
     << escape_html(source.string()) << "</p>\n";

  os << "<table class=\"results\">\n<tr>";
  for (const std::string& h : table.header) os << "<th>" << escape_html(h) << "</th>";
  os << "</tr>\n";
  for (const auto& row : table.rows) {
    os << "<tr>";
    for (std::size_t c = 0; c < row.size(); ++c) write_cell(os, row[c], c == 0);
    os << "</tr>\n";
  }
  os << "</table>\n";
  if (!figures.table.empty()) {
    os << "<p>The same table as a picture: <a href=\"" << escape_html(figures.table) << "\">"
       << escape_html(figures.table) << "</a></p>\n";
  }

  const std::vector<int> folds = fold_numbers(experiments);
  for (std::size_t i = 0; i < experiments.size(); ++i) {
    const Experiment& e = experiments[i];
    os << "<section>\n<h2>" << escape_html(e.name) << "</h2>\n<p class=\"path\">" << escape_html(e.dir.string())
       << "</p>\n";
    if (e.folds.empty()) os << "<p class=\"missing\">no folds: nothing under checkpoints/ or log/</p>\n";
    write_folds(os, e, folds);
    os << "<h3>Training curves</h3>\n<img src=\"" << escape_html(figures.curves[i]) << "\" alt=\"training curves of "
       << escape_html(e.name) << "\">\n";
    for (const auto& [fold, file] : figures.samples[i]) {
      os << "<h3>Fold " << fold << ": validation samples</h3>\n<img src=\"" << escape_html(file)
         << "\" alt=\"validation samples of " << escape_html(e.name) << " fold " << fold << "\">\n";
    }
    os << "</section>\n";
  }
  os << "</body>\n</html>\n";
  return os.str();
}

}  // namespace pn::report
