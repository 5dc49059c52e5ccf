#pragma once
// What `pneumo train` leaves in an experiment folder E, read back for the
// dashboard.  Per fold I:
//
//   E/checkpoints/fold{I}/summary.csv   the reference's summary: columns
//       epoch,best_metric, then one per (top score, area, bottom score)
//       triplet named as Python prints the tuple ("(0.75, 1000, 0.3)"); a row
//       per validated epoch (epochs count from 0)
//   E/log/history_fold{I}.csv           epoch,train_loss,lr,best_metric,seconds;
//       a row per trained epoch, best_metric empty when not validated
//   E/checkpoints/fold{I}/samples/      {ID}_image.png, {ID}_mask.png (0/255)
//       and {ID}_prob.png (probability * 255) of a few validation images
//   E/checkpoints/{NAME}_fold{I}.safetensors                the best checkpoint
//   E/checkpoints/fold{I}/{NAME}_fold{I}_epoch{K}.safetensors  the top-k ones
//
// Any of these may be missing: what is there is read, what is not is named
// by FoldRun::missing().  A file that is there but malformed is an error.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pn::report {

// One row of summary.csv.
struct ValidationEpoch {
  int epoch = 0;
  double best_metric = 0;
  // The triplet column holding the row's highest metric (the first such
  // column, as Python's max over the dict picks it); "" when there is none.
  std::string best_triplet;
};

// One row of history_fold{I}.csv; NaN where a cell is empty (best_metric of
// an epoch without validation) or the column is absent (seconds).
struct HistoryEpoch {
  int epoch = 0;
  double train_loss = 0;
  double lr = 0;
  double best_metric = 0;
  double seconds = 0;
};

// One validation sample: the three PNGs of the same ID.
struct ValidationSample {
  std::string id;
  std::filesystem::path image, mask, prob;
};

struct FoldRun {
  int fold = 0;
  std::optional<std::filesystem::path> summary_file, history_file, best_checkpoint;
  std::vector<ValidationEpoch> validation;  // summary.csv, in file order
  std::vector<HistoryEpoch> history;        // history_fold{I}.csv, in file order
  std::vector<ValidationSample> samples;    // complete triples, by ID
  std::vector<std::filesystem::path> topk_checkpoints;  // by epoch
  std::vector<std::string> incomplete_samples;           // IDs lacking a file

  // The validated epoch with the highest best_metric (the first of equals,
  // as the reference keeps the first: it saves on a strictly better score);
  // nullptr without validation rows.
  const ValidationEpoch* best() const;
  // Trained epochs: the rows of the history; nullopt without a history.
  std::optional<int> epochs() const;
  // What is absent, one short phrase each ("no summary.csv", ...).
  std::vector<std::string> missing() const;
};

struct Experiment {
  std::string name;               // the folder's name
  std::filesystem::path dir;
  std::vector<FoldRun> folds;     // every fold with any file, by fold number

  // The mean over folds of their best validation metric, over the folds that
  // have one; nullopt when none has.
  std::optional<double> mean_best_metric() const;
  // The run of fold `fold`; nullptr when the experiment has none.
  const FoldRun* fold(int fold) const;
};

// Reads summary.csv / history_fold{I}.csv.  Throws pn::Error naming the file
// and line for a missing column, a value that is not a number (an empty cell
// is allowed only in the history's best_metric and seconds), or a malformed
// CSV.
std::vector<ValidationEpoch> read_summary(const std::filesystem::path& path);
std::vector<HistoryEpoch> read_history(const std::filesystem::path& path);

// Reads the experiment folder `dir` (named by its last component).
Experiment read_experiment(const std::filesystem::path& dir);

// `dir` itself when it holds checkpoints/ (an experiment folder), otherwise
// every sub-folder holding checkpoints/ or log/, by name.  Throws pn::Error
// when `dir` is not a folder or holds no experiment.
std::vector<Experiment> find_experiments(const std::filesystem::path& dir);

}  // namespace pn::report
