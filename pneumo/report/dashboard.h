#pragma once
// The core of `pneumo dashboard`: read the training experiments and write a
// page and figures that summarise them.
//
//   OUT/index.html                  the page (html.h)
//   OUT/table.png                   the results table (results_table.h)
//   OUT/curves_{E}.png              per experiment: loss, metric, lr per fold
//   OUT/samples_{E}_fold{I}.png     per fold with validation samples
//
// {E} is the experiment's folder name with every character other than
// letters, digits, '.', '-' and '_' replaced by '_' (and a number appended
// should two names become the same).  Every file is written atomically.
#include <filesystem>
#include <string>
#include <vector>

#include "pneumo/report/experiments.h"

namespace pn::report {

struct DashboardOptions {
  std::filesystem::path experiments;  // a folder of experiments, or one experiment
  std::filesystem::path out_dir;      // created when missing
  int samples_per_fold = 8;           // at most this many samples per figure (>= 1)
};

struct DashboardReport {
  std::vector<Experiment> experiments;
  std::vector<std::filesystem::path> written;  // in the order written
};

// Throws pn::Error for a missing experiments folder, one without
// experiments, a malformed CSV (naming the file and line), an unreadable
// sample PNG, or an output that cannot be written.
DashboardReport write_dashboard(const DashboardOptions& options);

// The file-name form {E} of an experiment name (without the collision number).
std::string file_stem(const std::string& name);

}  // namespace pn::report
