#pragma once
// A training configuration: the reference's train_config_*.yaml, read
// unchanged, checked as a whole before anything trains.
//
// Keys read (the reference's meaning):
//   PIPELINE_NAME, DATA_DIRECTORY, LOGGER_DIR, SEED, DEVICE, WORKERS,
//   MODEL (PY, CLASS, ARGS, FREEZE, PRETRAINED {PIPELINE_PATH,
//   CHECKPOINTS_FOLDER, PIPELINE_NAME}), FOLD {NUMBER, USEFOLDS, FILE},
//   USE_SAMPLER, NON_EMPTY_MASK_PROBA, TRAIN_TRANSFORMS, VALID_TRANSFORMS,
//   CRITERION {CLASS ComboLoss, ARGS.weights}, OPTIMIZER, SCHEDULER,
//   BATCH_SIZE, GRADIENT_ACCUMULATION_STEPS, GRADIENT_CLIPPING, EPOCHES,
//   EARLY_STOPPING, VALIDATION_FREQUENCY (default 1), CHECKPOINTS
//   {FULL_FOLDER, BEST_FOLDER, TOPK}, MASK_BINARIZER {CLASS
//   TripletMaskBinarization, ARGS.triplets}, EVALUATION_METRIC {CLASS
//   dice_metric, ARGS.per_image}.
// Accepted and ignored: PY (the Python modules), DEVICE_LIST.
// Keys of this project (all optional):
//   MODEL.FREEZE_ENCODER_EPOCHS: N   the encoder is frozen (no gradients, no
//                                    updates) for the first N epochs of the
//                                    run, as for the 512 -> 1024 uptrain;
//   NON_EMPTY_MASK_PROBA: [[0, 0.8], [40, 0.4]]
//                                    the sliding sample rate: (epoch, p) points,
//                                    linear in between (a number: constant);
//   NONFINITE: stop | skip           a non-finite loss or gradient stops the
//                                    run (default) or skips the step;
//   DETERMINISTIC: true              (the CPU is always deterministic; on
//                                    CUDA, only deterministic algorithms).
//
// Paths. The reference runs its scripts from its pipeline folder and writes
// an experiment's outputs beside its configuration file. So do we: inputs
// (DATA_DIRECTORY, FOLD.FILE, the transforms, MODEL.PRETRAINED.PIPELINE_PATH)
// are relative to `root` (the current directory unless given); logs and
// checkpoints go under the configuration's folder.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pneumo/config/yaml.h"
#include "pneumo/loader/sampler.h"
#include "pneumo/models/model_factory.h"

namespace pn::train {

// One (top_score_threshold, area_threshold, bottom_score_threshold) of the
// TripletMaskBinarization.
struct Triplet {
  double top = 0;
  double area = 0;
  double bottom = 0;
  // The column name the reference's summary.csv gives it: Python's
  // str(tuple), e.g. "(0.75, 1000, 0.3)", numbers as the YAML wrote them
  // (integers without a point, floats in Python's repr).
  std::string name;
};

// A configuration file as read: the document, the folder its outputs go to,
// and the base of its input paths.
struct ConfigFile {
  std::filesystem::path config_path;
  std::filesystem::path experiment_dir;  // the configuration's folder
  std::filesystem::path root;            // base of the input paths
  config::Node yaml;                     // the whole document, a mapping
  // Throws pn::Error naming the file for unreadable YAML or a document that
  // is not a mapping.
  static ConfigFile load(const std::filesystem::path& path, const std::filesystem::path& root);
};

struct TrainConfig : ConfigFile {

  std::string pipeline_name;
  std::filesystem::path data_dir;
  std::filesystem::path log_dir;
  uint64_t seed = 42;
  std::string device = "cuda";
  int workers = 2;

  models::ModelSpec model;
  bool freeze_model = false;  // validate only
  int64_t freeze_encoder_epochs = 0;
  // The previous part's best checkpoint of a fold:
  // PIPELINE_PATH/CHECKPOINTS_FOLDER/PIPELINE_NAME_fold<I>.{safetensors,pth}.
  std::optional<std::filesystem::path> pretrained_dir;
  std::string pretrained_name;

  int n_folds = 5;
  std::vector<int> use_folds;
  std::filesystem::path folds_file;

  bool use_sampler = true;
  loader::SampleRateSchedule sample_rate = loader::SampleRateSchedule::constant(0.8);
  std::filesystem::path train_transforms, valid_transforms;

  std::map<std::string, double> loss_weights;
  config::Node optimizer;  // the OPTIMIZER section (see optim_factory.h)
  config::Node scheduler;  // the SCHEDULER section

  int64_t batch_size = 2;
  int64_t grad_accumulation = 1;
  double grad_clip = 0;  // 0: no clipping
  int64_t epochs = 1;
  int64_t early_stopping = 10;
  int64_t validation_frequency = 1;
  bool skip_nonfinite = false;
  bool deterministic = false;

  std::filesystem::path full_folder, best_folder;  // under experiment_dir
  int64_t top_k = 3;

  std::vector<Triplet> triplets;
  bool per_image_metric = true;
};

// Reads and checks a training configuration. Throws pn::Error naming the
// file, line and key of the first problem (a missing or mistyped key, an
// unknown class, a fold that is not below FOLD.NUMBER, ...).
TrainConfig load_train_config(const std::filesystem::path& path, const std::filesystem::path& root = ".");

// A path as the configuration means it: relative ones against `base`.
std::filesystem::path resolve_path(const std::filesystem::path& base, const std::string& value);
// The same for a path the configuration gives; errors name its file, line and key.
std::filesystem::path resolve_path(const std::filesystem::path& base, const config::Node& value);

}  // namespace pn::train
