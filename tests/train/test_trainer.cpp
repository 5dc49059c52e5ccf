// pneumo train end to end on a tiny data set: the files of each fold, the
// summary's columns, top-K, resumption bit for bit, parts that continue a
// previous part, and validation-only runs.
#include <doctest/doctest.h>

#include <cerrno>

#include "error_text.h"
#include "nn/io/atomic_file.h"
#include "nn/io/safetensors.h"
#include "pneumo/data/csv.h"
#include "pneumo/train/run_files.h"
#include "pneumo/train/trainer.h"
#include "tensor/error.h"
#include "train_fixture.h"

using namespace pn;
using namespace pn::train::test;
namespace fs = std::filesystem;

namespace {

train::TrainOptions quiet(int workers = 0) {
  train::TrainOptions o;
  o.progress = false;
  o.echo = false;
  o.workers = workers;
  return o;
}

// Writes the configuration into EXPERIMENT/NAME.yaml and loads it.
train::TrainConfig write_config(const fs::path& experiment, const fs::path& data, const ConfigOptions& o,
                                const std::string& file = "train_config.yaml") {
  spit(experiment / file, config_text(data, o));
  return train::load_train_config(experiment / file);
}

std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("train: two folds write the reference's files and columns") {
  TempDir dir;
  make_dataset(dir.path() / "data");
  auto config = write_config(dir.path() / "exp", dir.path() / "data", {});
  auto results = train::train_all(config, quiet());
  REQUIRE(results.size() == 2);
  for (int fold : {0, 1}) {
    INFO("fold " << fold);
    const auto& r = results[static_cast<std::size_t>(fold)];
    CHECK(r.finished);
    CHECK(r.epochs_done == 2);
    const fs::path ck = dir.path() / "exp" / "checkpoints";
    const std::string run = "tiny_fold" + std::to_string(fold);
    CHECK(fs::exists(ck / (run + ".safetensors")) == (r.best_epoch >= 0));
    // TOPK 1: one epoch checkpoint is kept, the best of the two epochs.
    int kept = 0;
    for (const auto& name : files_in(ck / ("fold" + std::to_string(fold))))
      if (name.rfind(run + "_epoch", 0) == 0) ++kept;
    CHECK(kept == 1);
    auto summary = data::read_csv(ck / ("fold" + std::to_string(fold)) / "summary.csv");
    CHECK(summary.header ==
          std::vector<std::string>{"epoch", "best_metric", "(0.75, 10, 0.3)", "(0.6, 20, 0.4)", "(0.5, 0, 0.5)"});
    REQUIRE(summary.rows.size() == 2);
    CHECK(summary.rows[0][0] == "0");
    CHECK(summary.rows[1][0] == "1");
    for (const auto& row : summary.rows) {
      const double best = std::stod(row[1]);
      CHECK(best == std::max({std::stod(row[2]), std::stod(row[3]), std::stod(row[4])}));
      CHECK(best >= 0);
      CHECK(best <= 1);
    }
    CHECK(r.best_score == doctest::Approx(std::max(std::stod(summary.rows[0][1]), std::stod(summary.rows[1][1]))));
    auto history = data::read_csv(dir.path() / "exp" / "log" / ("history_fold" + std::to_string(fold) + ".csv"));
    CHECK(history.header == std::vector<std::string>{"epoch", "train_loss", "lr", "best_metric", "seconds"});
    REQUIRE(history.rows.size() == 2);
    CHECK(std::stod(history.rows[0][2]) == doctest::Approx(0.001));  // the cosine schedule's first epoch
    CHECK(std::stod(history.rows[1][2]) == doctest::Approx(0.001 / 2 + 0.000001 / 2));
    CHECK(std::stod(history.rows[0][1]) > 0);
    CHECK(fs::exists(dir.path() / "exp" / "log" / ("train_fold" + std::to_string(fold) + ".log")));
    if (r.best_epoch >= 0) CHECK(fs::exists(ck / ("fold" + std::to_string(fold)) / "samples" / "img0_mask.png") ==
                                 (fold == 0));
  }
  CHECK(fs::exists(dir.path() / "exp" / "log" / "train_main.log"));

  // Started again, the finished folds are left as they are.
  const std::string summary0 = slurp(dir.path() / "exp" / "checkpoints" / "fold0" / "summary.csv");
  auto again = train::train_all(config, quiet());
  CHECK(again[0].finished);
  CHECK(slurp(dir.path() / "exp" / "checkpoints" / "fold0" / "summary.csv") == summary0);
}

// The files of experiment A and B that must be equal byte for byte after the
// same training (the resume file included; logs and samples excluded).
void check_same_checkpoints(const fs::path& a, const fs::path& b, int fold) {
  const std::string sub = std::string("fold").append(std::to_string(fold));
  CHECK(files_in(a / sub) == files_in(b / sub));
  for (const auto& name : files_in(a / sub)) {
    if (name == "samples") continue;
    INFO(name);
    CHECK(slurp(a / sub / name) == slurp(b / sub / name));
  }
  const std::string best = std::string("tiny_fold").append(std::to_string(fold)).append(".safetensors");
  CHECK(slurp(a / best) == slurp(b / best));
}

TEST_CASE("train: a run stopped after each epoch and restarted ends bit for bit as an uninterrupted one") {
  TempDir dir;
  make_dataset(dir.path() / "data");
  ConfigOptions o;
  o.epochs = 3;
  o.folds = "[1]";
  o.top_k = 2;
  auto straight = write_config(dir.path() / "a", dir.path() / "data", o);
  train::train_all(straight, quiet(0));

  auto stopped = write_config(dir.path() / "b", dir.path() / "data", o);
  int runs = 0;
  for (;; ++runs) {
    REQUIRE(runs < 5);
    train::TrainOptions opts = quiet(runs % 2 ? 2 : 0);  // the loader's worker count must not matter either
    opts.stop_after_epochs = 1;
    auto r = train::train_all(stopped, opts);
    if (r.back().finished) break;
  }
  CHECK(runs == 2);  // epochs 0, 1 and 2 in three runs

  const fs::path b = dir.path() / "b" / "checkpoints";
  // The resume files too: the same state after the same epochs.
  check_same_checkpoints(dir.path() / "a" / "checkpoints", b, 1);
  // History rows: one per epoch, none repeated.
  CHECK(data::read_csv(dir.path() / "b" / "log" / "history_fold1.csv").rows.size() == 3);
  for (const auto& name : files_in(b / "fold1")) CHECK(name.find(".tmp-") == std::string::npos);
}

TEST_CASE("train: the same seed gives the same checkpoints bit for bit whatever the loader's worker count") {
  TempDir dir;
  make_dataset(dir.path() / "data");
  ConfigOptions o;
  o.epochs = 2;
  o.folds = "[0]";
  const int workers[] = {0, 1, 3};
  auto experiment = [&](int w) { return dir.path() / std::string("w").append(std::to_string(w)); };
  for (int w : workers) train::train_all(write_config(experiment(w), dir.path() / "data", o), quiet(w));
  for (int w : {1, 3}) {
    INFO("workers " << w);
    check_same_checkpoints(experiment(0) / "checkpoints", experiment(w) / "checkpoints", 0);
  }
}

TEST_CASE("train: a failing write stops the run with the file named and leaves the last checkpoint intact") {
  namespace io = nn::io;
  TempDir dir;
  make_dataset(dir.path() / "data");
  ConfigOptions o;
  o.epochs = 3;
  o.folds = "[0]";
  train::train_all(write_config(dir.path() / "straight", dir.path() / "data", o), quiet());

  auto config = write_config(dir.path() / "exp", dir.path() / "data", o);
  train::TrainOptions first = quiet();
  first.stop_after_epochs = 1;
  train::train_all(config, first);
  const fs::path fold_dir = dir.path() / "exp" / "checkpoints" / "fold0";
  const fs::path resume = fold_dir / "resume-train_config.safetensors";
  const fs::path best = dir.path() / "exp" / "checkpoints" / "tiny_fold0.safetensors";
  const std::string resume_before = slurp(resume);

  struct Failure {
    io::testing::FailPoint point;
    int error;
    const char* file;  // part of the path that fails
    const char* text;  // in the message
  };
  const Failure failures[] = {
      {io::testing::FailPoint::Write, ENOSPC, "resume-train_config", "the disk is full"},   // the epoch's commit
      {io::testing::FailPoint::Rename, EROFS, "tiny_fold0_epoch1", "read-only"},            // an epoch checkpoint
      {io::testing::FailPoint::Create, EROFS, "summary.csv", "Read-only file system"},      // a summary row
  };
  for (const Failure& f : failures) {
    INFO(f.file);
    io::testing::inject_failure(f.point, f.error, f.file);
    const std::string msg = pn::test::error_of([&] { train::train_all(config, quiet()); });
    io::testing::clear_injected_failure();
    INFO(msg);
    CHECK(msg.find(f.file) != std::string::npos);
    CHECK(msg.find(f.text) != std::string::npos);
    CHECK(msg.find("previous file is unchanged") != std::string::npos);
    // The last committed state is the one after epoch 0, whole.
    CHECK(slurp(resume) == resume_before);
    CHECK(io::load_safetensors(best.string()).tensors.size() > 0);
    for (const auto& name : files_in(fold_dir)) CHECK(name.find(".tmp-") == std::string::npos);
  }
  // Once the disk has room again, the run continues and ends as if nothing had failed.
  auto r = train::train_all(config, quiet());
  CHECK(r[0].finished);
  check_same_checkpoints(dir.path() / "straight" / "checkpoints", dir.path() / "exp" / "checkpoints", 0);
}

TEST_CASE("train: an epoch interrupted after its files were written is redone without duplicate rows") {
  TempDir dir;
  make_dataset(dir.path() / "data");
  ConfigOptions o;
  o.epochs = 2;
  o.folds = "[0]";
  auto config = write_config(dir.path() / "exp", dir.path() / "data", o);
  train::TrainOptions opts = quiet();
  opts.stop_after_epochs = 1;
  train::train_all(config, opts);
  const fs::path fold_dir = dir.path() / "exp" / "checkpoints" / "fold0";
  // Simulate a kill after epoch 1 appended its rows but before its commit:
  // the rows are there, the resume file still says epoch 1 is next.
  train::CsvLog(fold_dir / "summary.csv").append({"epoch", "best_metric"}, {"1", "0.5"});
  train::CsvLog(dir.path() / "exp" / "log" / "history_fold0.csv").append({"epoch"}, {"1"});
  spit(fold_dir / "tiny_fold0_epoch1.safetensors.tmp-999999999-0", "half");
  auto r = train::train_all(config, quiet());
  CHECK(r[0].finished);
  auto summary = data::read_csv(fold_dir / "summary.csv");
  REQUIRE(summary.rows.size() == 2);
  CHECK(summary.rows[1][0] == "1");
  CHECK(summary.rows[1][1] != "0.5");
  CHECK(data::read_csv(dir.path() / "exp" / "log" / "history_fold0.csv").rows.size() == 2);
  CHECK_FALSE(fs::exists(fold_dir / "tiny_fold0_epoch1.safetensors.tmp-999999999-0"));
}

TEST_CASE("train: a later part starts from the previous part's best model and best score") {
  TempDir dir;
  make_dataset(dir.path() / "data");
  ConfigOptions part0;
  part0.epochs = 1;
  part0.folds = "[0]";
  auto c0 = write_config(dir.path() / "exp", dir.path() / "data", part0, "train_config_part0.yaml");
  auto r0 = train::train_all(c0, quiet());
  REQUIRE(r0[0].best_epoch == 0);  // the first epoch always beats the initial 0

  ConfigOptions part1 = part0;
  part1.extra_model = "  PRETRAINED:\n    PIPELINE_PATH: " + (dir.path() / "exp").string() +
                      "\n    CHECKPOINTS_FOLDER: checkpoints\n    PIPELINE_NAME: tiny\n";
  auto c1 = write_config(dir.path() / "exp", dir.path() / "data", part1, "train_config_part1.yaml");
  REQUIRE(c1.pretrained_dir);
  auto r1 = train::train_all(c1, quiet());
  CHECK(r1[0].finished);
  CHECK(r1[0].best_score >= r0[0].best_score);
  const std::string log = slurp(dir.path() / "exp" / "log" / "train_fold0.log");
  CHECK(log.find("load model from " + (dir.path() / "exp" / "checkpoints" / "tiny_fold0.safetensors").string()) !=
        std::string::npos);
  CHECK(log.find("Pretrained best score is") != std::string::npos);
  // summary.csv gathers both parts' rows, as the reference's appends do.
  CHECK(data::read_csv(dir.path() / "exp" / "checkpoints" / "fold0" / "summary.csv").rows.size() == 2);
}

TEST_CASE("train: MODEL.FREEZE validates without training or saving") {
  TempDir dir;
  make_dataset(dir.path() / "data");
  ConfigOptions o;
  o.epochs = 1;
  o.folds = "[1]";
  auto config = write_config(dir.path() / "exp", dir.path() / "data", o);
  spit(dir.path() / "exp" / "train_config.yaml",
       std::string(slurp(dir.path() / "exp" / "train_config.yaml")).replace(
           slurp(dir.path() / "exp" / "train_config.yaml").find("FREEZE: False"), 13, "FREEZE: True"));
  config = train::load_train_config(dir.path() / "exp" / "train_config.yaml");
  REQUIRE(config.freeze_model);
  auto r = train::train_all(config, quiet());
  CHECK(r[0].finished);
  CHECK(data::read_csv(dir.path() / "exp" / "checkpoints" / "fold1" / "summary.csv").rows.size() == 1);
  CHECK_FALSE(fs::exists(dir.path() / "exp" / "checkpoints" / "tiny_fold1.safetensors"));
  auto history = data::read_csv(dir.path() / "exp" / "log" / "history_fold1.csv");
  CHECK(history.rows[0][1].empty());  // no training loss
}

TEST_CASE("train: configuration errors name the file, line and key") {
  TempDir dir;
  make_dataset(dir.path() / "data");
  auto error_of = [&](ConfigOptions o) {
    spit(dir.path() / "bad.yaml", config_text(dir.path() / "data", o));
    try {
      train::load_train_config(dir.path() / "bad.yaml");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  ConfigOptions o;
  o.folds = "[0, 2]";
  std::string e = error_of(o);
  CHECK(e.find("bad.yaml:") != std::string::npos);
  CHECK(e.find("fold 2 is not below FOLD.NUMBER = 2") != std::string::npos);
  o = {};
  o.extra = "NONFINITE: sometimes\n";
  CHECK(error_of(o).find("expected stop or skip") != std::string::npos);
  o = {};
  o.extra_model = "  FREEZE_ENCODER_EPOCHS: -1\n";
  CHECK(error_of(o).find("MODEL.FREEZE_ENCODER_EPOCHS") != std::string::npos);
  o = {};
  o.scheduler = "SCHEDULER:\n  CLASS: CosineAnnealingLR\n  ARGS:\n    Tmax: 2\n";
  CHECK(error_of(o).find("unknown argument 'Tmax'") != std::string::npos);
}
