#pragma once
// The dashboard's page: one self-contained HTML file (inline CSS, no script)
// that shows the results table and, per experiment, its training curves, a
// table of its folds (best metric, epochs, triplet, checkpoints, what is
// missing) and its validation samples.  Pictures are referenced by relative
// file names, so the page and its PNGs move together.
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pneumo/report/experiments.h"
#include "pneumo/report/results_table.h"

namespace pn::report {

// The PNG files the page shows, as names relative to the page.
struct PageFigures {
  std::string table;                                    // "" when none
  std::vector<std::string> curves;                      // per experiment
  std::vector<std::map<int, std::string>> samples;      // per experiment: fold -> file
};

// Requires figures.curves and figures.samples to have one entry per
// experiment.  `source` is the folder the experiments were read from.
std::string dashboard_html(const std::vector<Experiment>& experiments, const ResultsTable& table,
                           const PageFigures& figures, const std::filesystem::path& source);

// `text` with &, <, >, " and ' written as character references.
std::string escape_html(std::string_view text);

}  // namespace pn::report
