#pragma once
// `pneumo infer`: the reference's Inference.py. The probability maps of the
// test images, averaged over every chosen checkpoint (each with horizontal
// flip TTA when FLIP), written as a NumPy .npz keyed by image id.
//
// Configuration keys (the reference's 2nd_stage_inference.yaml, unchanged):
//   DATA_DIRECTORY (test images in DATA_DIRECTORY/test/*.png), BATCH_SIZE,
//   DEVICE, NUM_WORKERS, MODEL (as training), CHECKPOINTS {PIPELINE_PATH,
//   PIPELINE_NAME, BEST_FOLDER, FULL_FOLDER}, SUBMIT_BEST, USEFOLDS,
//   SELECTED_CHECKPOINTS {fold<I>: [epochs]}, TEST_TRANSFORMS, FLIP, RESULT,
//   RESULT_FOLDER (optional); SEED is accepted and unused.
// Checkpoints: with SUBMIT_BEST, PIPELINE_PATH/BEST_FOLDER/NAME_fold<I>
// for each fold of USEFOLDS; otherwise
// PIPELINE_PATH/FULL_FOLDER/fold<I>/NAME_fold<I>_epoch<K> for each listed
// epoch; each file .safetensors (this project) or .pth (PyTorch).
// RESULT is written into RESULT_FOLDER or else the configuration's folder;
// a name ending in .pkl is written as .npz (data/npz.h's npz_path_for).
// Input paths are relative to `root`, as in training (train_config.h).
//
// Averaging: the running mean of the reference, in float32, in checkpoint
// order: mean = (mean * k + p_k) / (k + 1). All chosen models are loaded at
// once and each batch goes through all of them, so memory is the models plus
// one batch, not every map of the set (the reference kept them all).
//
// Out-of-fold mode (for `pneumo search`): each fold's checkpoints predict
// that fold's validation images of a prepared training set.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "pneumo/config/yaml.h"
#include "pneumo/models/model_factory.h"
#include "pneumo/train/train_config.h"
#include "tensor/device.h"

namespace pn::infer {

struct InferConfig : train::ConfigFile {
  std::filesystem::path data_dir;
  int64_t batch_size = 2;
  std::string device = "cuda";
  int workers = 2;
  models::ModelSpec model;
  std::map<int, std::vector<std::filesystem::path>> checkpoints;  // by fold, in the configuration's order
  std::filesystem::path test_transforms;
  bool flip = false;
  std::filesystem::path result;  // the .npz to write
};

// Reads and checks an inference configuration: every checkpoint must exist.
// Throws pn::Error naming the file, line and key, or the missing checkpoint.
InferConfig load_infer_config(const std::filesystem::path& path, const std::filesystem::path& root = ".");

struct InferOptions {
  Device device = Device::cpu();
  int workers = -1;     // loader threads; -1: NUM_WORKERS capped at the cores
  bool float16 = false; // store the maps as float16 (half the size)
  bool progress = true;
};

// Test mode: every image of DATA_DIRECTORY/test through every checkpoint;
// writes config.result. Returns the number of images.
std::size_t infer_test(const InferConfig& config, const InferOptions& options);

// Out-of-fold mode: for each fold with checkpoints, its validation images of
// `data_dir` (by `folds_file`) through that fold's checkpoints; writes `out`.
std::size_t infer_out_of_fold(const InferConfig& config, const std::filesystem::path& data_dir,
                              const std::filesystem::path& folds_file, const std::filesystem::path& out,
                              const InferOptions& options);

}  // namespace pn::infer
