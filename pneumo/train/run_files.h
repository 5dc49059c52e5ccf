#pragma once
// The files a training run writes for one fold, and the small tables and log
// it keeps, as the reference lays them out:
//
//   EXPERIMENT/BEST_FOLDER/NAME_fold<I>.safetensors              the best model of the fold
//   EXPERIMENT/FULL_FOLDER/fold<I>/NAME_fold<I>_epoch<K>.safetensors   the top-K models
//   EXPERIMENT/FULL_FOLDER/fold<I>/summary.csv                   epoch, best_metric, one column per triplet
//   EXPERIMENT/FULL_FOLDER/fold<I>/samples/ID_{image,mask,prob}.png    validation samples of the best epoch
//   EXPERIMENT/FULL_FOLDER/fold<I>/resume-CONFIG.safetensors     the state to resume this configuration's run
//   EXPERIMENT/LOGGER_DIR/train_fold<I>.log                      the log
//   EXPERIMENT/LOGGER_DIR/history_fold<I>.csv                    epoch, train_loss, lr, best_metric, seconds
//
// Model files are safetensors holding the model's state dict under PyTorch's
// names (readable by safetensors.torch.load_file); where the reference's
// files are named .pth, a .pth file of the same stem (written by PyTorch) is
// accepted as input.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "pneumo/train/python_numbers.h"
#include "pneumo/train/train_config.h"

namespace pn::train {

struct FoldPaths {
  std::filesystem::path history_dir, best, summary, history, log, resume, samples;
  std::string run_name;  // NAME_fold<I>
  std::filesystem::path epoch_checkpoint(int64_t epoch) const;
  static FoldPaths of(const TrainConfig& config, int fold);
};

// The model file "DIR/STEM.safetensors" or, when that is absent, "DIR/STEM.pth";
// nullopt when neither exists.
std::optional<std::filesystem::path> find_model_file(const std::filesystem::path& dir, const std::string& stem);

// A CSV table that grows by rows, rewritten atomically at each append.
// Columns are united as pandas' DataFrame.append does: a row with new
// columns adds them (earlier rows get empty cells), a row without some
// columns leaves them empty.
class CsvLog {
 public:
  explicit CsvLog(std::filesystem::path path) : path_(std::move(path)) {}
  // Rows in the file (0 when it does not exist).
  std::size_t rows() const;
  void append(const std::vector<std::string>& header, const std::vector<std::string>& row) const;
  // Keeps the first n rows (a resumed run drops rows of an interrupted epoch).
  void truncate(std::size_t n) const;
  // The largest number in `column` (nullopt when the file, the column or
  // any number is absent).
  std::optional<double> max_of(const std::string& column) const;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The reference's log: each message goes to stdout and, after a blank line
// and a time stamp ("\nMM/DD/YYYY HH:MM:SS\tmessage"), to the log file,
// which is appended to (a resumed run continues its log).
class RunLog {
 public:
  explicit RunLog(const std::filesystem::path& path, bool echo = true);
  void info(const std::string& message);

 private:
  std::ofstream file_;
  std::filesystem::path path_;
  bool echo_;
};

}  // namespace pn::train
