#include "pneumo/report/results_table.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace pn::report {

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, value);
  return buffer;
}

Rgb score_colour(double value, double worst, double best) {
  constexpr Rgb kRed = hex(0xE67C73), kWhite{255, 255, 255}, kGreen = hex(0x57BB8A);
  if (!(best > worst)) return kWhite;
  const double t = std::clamp((value - worst) / (best - worst), 0.0, 1.0);
  return t < 0.5 ? mix(kRed, kWhite, 2 * t) : mix(kWhite, kGreen, 2 * t - 1);
}

std::vector<int> fold_numbers(const std::vector<Experiment>& experiments) {
  std::set<int> folds;
  for (const Experiment& e : experiments) {
    for (const FoldRun& f : e.folds) folds.insert(f.fold);
  }
  return {folds.begin(), folds.end()};
}

namespace {

TableCell fold_cell(const FoldRun* run) {
  TableCell cell;
  if (run == nullptr) {
    cell.lines = {"missing"};
    cell.muted = true;
    return cell;
  }
  const std::optional<int> epochs = run->epochs();
  const std::string of = epochs ? " of " + std::to_string(*epochs) : "";
  if (const ValidationEpoch* best = run->best()) {
    cell.lines = {fixed(best->best_metric, 4), "epoch " + std::to_string(best->epoch) + of};
    if (!best->best_triplet.empty()) cell.lines.push_back(best->best_triplet);
    cell.emphasised = true;
  } else {
    cell.lines = {"not validated"};
    if (epochs) cell.lines.push_back(std::to_string(*epochs) + (*epochs == 1 ? " epoch" : " epochs"));
    cell.muted = true;
  }
  return cell;
}

}  // namespace

ResultsTable build_results_table(const std::vector<Experiment>& experiments) {
  ResultsTable t;
  const std::vector<int> folds = fold_numbers(experiments);
  t.header.push_back("Experiment");
  for (int f : folds) t.header.push_back("Fold " + std::to_string(f));
  t.header.push_back("Mean by folds");

  std::vector<double> means;
  for (const Experiment& e : experiments) {
    if (const std::optional<double> m = e.mean_best_metric()) means.push_back(*m);
  }
  const double worst = means.empty() ? 0 : *std::min_element(means.begin(), means.end());
  const double best = means.empty() ? 0 : *std::max_element(means.begin(), means.end());

  for (const Experiment& e : experiments) {
    std::vector<TableCell> row;
    row.push_back({{e.name}, true, false, std::nullopt});
    int validated = 0;
    for (int f : folds) {
      row.push_back(fold_cell(e.fold(f)));
      const FoldRun* run = e.fold(f);
      validated += run != nullptr && run->best() != nullptr;
    }
    TableCell mean;
    if (const std::optional<double> m = e.mean_best_metric()) {
      mean.lines = {fixed(*m, 5)};
      if (validated < static_cast<int>(folds.size())) {
        mean.lines.push_back(std::to_string(validated) + " of " + std::to_string(folds.size()) + " folds");
      }
      mean.emphasised = true;
      if (means.size() >= 2) mean.fill = score_colour(*m, worst, best);
    } else {
      mean.lines = {"no validation"};
      mean.muted = true;
    }
    row.push_back(std::move(mean));
    t.rows.push_back(std::move(row));
  }
  return t;
}

}  // namespace pn::report
