#pragma once
// The dashboard's table of results, as text and colours, before it is drawn
// (table_figure.h) or written as HTML (html.h), so that both say the same.
//
// One row per experiment; the columns are "Experiment", "Fold I" for every
// fold any experiment has, and "Mean by folds", as in the reference's results
// sheet.  A fold cell holds the fold's best validation metric (4 decimals),
// "epoch E of N" (the best epoch, counted from 0 as the training logs do, and
// the epochs trained) and the triplet that reached it; the mean cell the mean
// of the folds' best metrics (5 decimals), on a red-white-green scale from
// the worst mean of the table to the best.
#include <optional>
#include <string>
#include <vector>

#include "pneumo/report/canvas.h"
#include "pneumo/report/experiments.h"

namespace pn::report {

struct TableCell {
  std::vector<std::string> lines;
  bool emphasised = false;    // the first line is the cell's value: bold
  bool muted = false;         // nothing to show ("missing"): gray text
  std::optional<Rgb> fill;    // background colour, when not plain
};

struct ResultsTable {
  std::vector<std::string> header;
  std::vector<std::vector<TableCell>> rows;  // each of header.size() cells
};

ResultsTable build_results_table(const std::vector<Experiment>& experiments);

// The fold numbers any experiment has, ascending.
std::vector<int> fold_numbers(const std::vector<Experiment>& experiments);

// `value` with `decimals` decimals ("0.8528").
std::string fixed(double value, int decimals);

// The colour of `value` on a scale from `worst` (red) through white to
// `best` (green), like a spreadsheet's colour scale; white when worst == best.
Rgb score_colour(double value, double worst, double best);

}  // namespace pn::report
