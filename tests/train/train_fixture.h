#pragma once
// A small prepared data set and configuration for the training tests:
// 16 gray 64x64 images in 2 folds, every other one with a bright square as
// its pneumothorax, and a configuration in the reference's format that
// trains a small UNet on it on the CPU.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "pneumo/data/png.h"
#include "pneumo/data_test_util.h"  // tests/pneumo: TempDir, read_bytes, write_bytes

namespace pn::train::test {

namespace fs = std::filesystem;

using data::test::TempDir;

inline std::string slurp(const fs::path& p) { return data::test::read_bytes(p); }

// Writes a file, making its folder.
inline void spit(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  data::test::write_bytes(p, text);
}

// DIR/train_transforms.json (a horizontal flip) and DIR/valid_transforms.json (nothing).
inline void write_transforms(const fs::path& dir) {
  spit(dir / "train_transforms.json",
       R"({"__version__": "0.3.1", "transform": {"__class_fullname__": "albumentations.core.composition.Compose", )"
       R"("p": 1.0, "transforms": [{"__class_fullname__": "albumentations.augmentations.transforms.HorizontalFlip", )"
       R"("always_apply": false, "p": 0.5}], "bbox_params": {}, "keypoint_params": {}, "additional_targets": {}}})");
  spit(dir / "valid_transforms.json",
       R"({"__version__": "0.3.1", "transform": {"__class_fullname__": "albumentations.core.composition.Compose", )"
       R"("p": 1.0, "transforms": [], "bbox_params": {}, "keypoint_params": {}, "additional_targets": {}}})");
}

// DATA/train, DATA/mask, DATA/test, DATA/folds.csv and the transforms.
inline void make_dataset(const fs::path& data) {
  constexpr int kSize = 64;
  fs::create_directories(data / "train");
  fs::create_directories(data / "mask");
  std::string folds = "fname,fold,exist_labels\n";
  for (int i = 0; i < 16; ++i) {
    const std::string name = "img" + std::to_string(i) + ".png";
    const bool positive = i % 2 == 0;
    data::GrayImage img(kSize, kSize), mask(kSize, kSize);
    for (int y = 0; y < kSize; ++y)
      for (int x = 0; x < kSize; ++x) img.at(x, y) = static_cast<std::uint8_t>(60 + (x * 7 + y * 13 + i * 31) % 50);
    if (positive) {
      const int x0 = 8 + (i * 5) % 24, y0 = 10 + (i * 3) % 20;
      for (int y = y0; y < y0 + 20; ++y)
        for (int x = x0; x < x0 + 20; ++x) {
          img.at(x, y) = 220;
          mask.at(x, y) = 255;
        }
    }
    data::write_png(data / "train" / name, img);
    data::write_png(data / "mask" / name, mask);
    folds += name + "," + std::to_string(i / 2 % 2) + "," + (positive ? "1" : "0") + "\n";
  }
  spit(data / "folds.csv", folds);
  fs::create_directories(data / "test");
  for (int i = 0; i < 3; ++i) {
    data::GrayImage img(kSize, kSize, static_cast<std::uint8_t>(70 + 10 * i));
    for (int y = 20; y < 40; ++y)
      for (int x = 5 + 10 * i; x < 25 + 10 * i; ++x) img.at(x, y) = 230;
    data::write_png(data / "test" / ("test" + std::to_string(i) + ".png"), img);
  }
  write_transforms(data);
}

struct ConfigOptions {
  std::string name = "tiny";
  int epochs = 2;
  std::string folds = "[0, 1]";
  int top_k = 1;
  std::string extra_model;  // more lines under MODEL:
  std::string extra;        // more top-level lines
  std::string scheduler = "SCHEDULER:\n  CLASS: CosineAnnealingLR\n  ARGS:\n    T_max: 2\n    eta_min: 0.000001\n";
};

// The configuration text, inputs under `data` (absolute).
inline std::string config_text(const fs::path& data, const ConfigOptions& o) {
  return "PIPELINE_NAME: " + o.name + "\nDATA_DIRECTORY: '" + data.string() +
         "'\nLOGGER_DIR: 'log'\nSEED: 7\nDEVICE: cpu\nDEVICE_LIST: [0]\nWORKERS: 2\n\nMODEL:\n  FREEZE: False\n"
         "  CLASS: UNet\n  ARGS:\n      seg_classes: 1\n      num_filters: 4\n      depth: 3\n" +
         o.extra_model + "\nFOLD:\n  NUMBER: 2\n  USEFOLDS: " + o.folds + "\n  FILE: " + (data / "folds.csv").string() +
         "\n\nUSE_SAMPLER: True\nNON_EMPTY_MASK_PROBA: 0.5\n\nTRAIN_TRANSFORMS:\n    " +
         (data / "train_transforms.json").string() + "\nVALID_TRANSFORMS:\n    " +
         (data / "valid_transforms.json").string() +
         "\n\nCRITERION:\n    PY: Losses\n    CLASS: ComboLoss\n    ARGS:\n        weights:\n            bce: 3\n"
         "            dice: 1\n            focal: 4\n\nOPTIMIZER:\n  CLASS: Adam\n  ARGS:\n    lr: 0.001\n"
         "    weight_decay: 0.000005\n\n" +
         o.scheduler + "\nBATCH_SIZE: 2\nGRADIENT_ACCUMULATION_STEPS: 1\nGRADIENT_CLIPPING: 0.1\nEPOCHES: " +
         std::to_string(o.epochs) + "\nEARLY_STOPPING: 10\n\nCHECKPOINTS:\n    FULL_FOLDER: checkpoints\n"
         "    BEST_FOLDER: checkpoints\n    TOPK: " + std::to_string(o.top_k) +
         "\n\nMASK_BINARIZER:\n  PY: MaskBinarizers\n  CLASS: TripletMaskBinarization\n  ARGS:\n"
         "    triplets: [[0.75, 10, 0.3], [0.6, 20, 0.4], [0.5, 0, 0.5]]\n\nEVALUATION_METRIC:\n  PY: Losses\n"
         "  CLASS: dice_metric\n  ARGS:\n    per_image: True\n" + o.extra;
}

}  // namespace pn::train::test
