// The `pneumo` command.
#include <cstring>
#include <exception>
#include <iostream>
#include <string>

#include "apps/commands.h"
#include "tensor/error.h"

namespace {

int usage(std::ostream& os, int code) {
  os << "usage: pneumo <command> [options]\n"
        "\n"
        "commands:\n"
        "  demo     the whole workflow (synth, prepare, train, infer, search, submit, score,\n"
        "           dashboard) on a generated data set: [--out demo] [--train 600] [--test 100]\n"
        "           [--size 128] [--folds 2] [--epochs 12] [--filters 16] [--seed 42] [--cpu] [--quiet]\n"
        "  prepare  convert the competition's DICOMs and RLE CSV into PNG folders:\n"
        "           --train DIR --test DIR --rle CSV [--rle-format stage1|stage2] --out DIR\n"
        "           [--size 1024] [--threads 2]\n"
        "           [--folds CSV [--n-folds 5] [--seed 42]] [--reference-masks]\n"
        "  augment  write K augmented samples (image, mask, overlay) of one image:\n"
        "           --transforms JSON --image PNG [--mask PNG] [--seed S] [--count K] --out DIR\n"
        "           or time the pipeline per sample, as one JSON line: --transforms JSON --image PNG\n"
        "           [--mask PNG] --bench N [--channels 1|3] [--threads 1] [--seed S]\n"
        "  predict  the probability map of one image as .npy:\n"
        "           --model CONFIG.yaml|AlbuNet|SCSEUnet|Resnet50 --weights FILE --image PNG|DCM\n"
        "           [--size N] [--tta flip] --out FILE.npy\n"
        "  bench    time a training or inference step, as one JSON line:\n"
        "           [--model albunet|scseunet|resnet50] [--size 256] [--batch 2] [--mode train|infer]\n"
        "           [--steps 5] [--device cpu|cuda] [--threads T] [--precision fp32|tf32] [--profile]\n"
        "           or the batch loader alone: --mode load --data DIR --folds CSV --transforms JSON\n"
        "           [--fold 0] [--batch 4] [--workers CORES] [--batches 50] [--seed 0]\n"
        "  train    train the folds of a configuration (resumes a stopped run):\n"
        "           CONFIG.yaml [--root DIR] [--device cpu|cuda] [--workers N] [--threads T] [--quiet]\n"
        "  infer    average the probability maps of a configuration's checkpoints (flip TTA) into .npz:\n"
        "           CONFIG.yaml [--root DIR] [--device cpu|cuda] [--float16]\n"
        "           [--oof --data DIR --folds CSV --out FILE.npz]  (each fold's validation images)\n"
        "  schedule print the learning rate per epoch of a configuration: CONFIG.yaml [--epochs N]\n"
        "  dashboard an HTML page and PNG figures (results table, training curves,\n"
        "           validation samples) of the experiments `pneumo train` wrote:\n"
        "           EXPERIMENTS_DIR --out DIR [--samples 8]\n"
        "  submit   a submission CSV from .npz probability maps and the reference's submit YAML\n"
        "           (MASK_DICT or RESULT_WEIGHTS, the triplet thresholds, SAMPLE_SUB, SUB_FILE):\n"
        "           CONFIG.yaml [--root DIR]\n"
        "  score    the competition metric (mean Dice, 1 for two empty masks) of a submission:\n"
        "           --submission CSV --truth CSV [--size 1024]\n"
        "           [--submission-format stage1|stage2] [--truth-format stage1|stage2]\n"
        "  search   the triplet threshold search on out-of-fold predictions:\n"
        "           --predictions OOF.npz --masks DIR [--folds CSV] [--top LIST] [--area LIST]\n"
        "           [--bottom LIST] [--min-contour-area LIST] --out TABLE.csv\n"
        "  synth    write a synthetic stand-in for the competition's data (DICOMs, RLE CSVs):\n"
        "           --out DIR [--train 200] [--test 50] [--size 1024] [--positive-share 0.22]\n"
        "           [--seed 42] [--threads 2] [--force]\n"
        "  help     show this message\n";
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage(std::cerr, 2);
  std::string command = argv[1];
  try {
    if (command == "demo") return pn::apps::run_demo(argc - 2, argv + 2);
    if (command == "prepare") return pn::apps::run_prepare(argc - 2, argv + 2);
    if (command == "augment") return pn::apps::run_augment(argc - 2, argv + 2);
    if (command == "predict") return pn::apps::run_predict(argc - 2, argv + 2);
    if (command == "bench") return pn::apps::run_bench(argc - 2, argv + 2);
    if (command == "train") return pn::apps::run_train(argc - 2, argv + 2);
    if (command == "infer") return pn::apps::run_infer(argc - 2, argv + 2);
    if (command == "schedule") return pn::apps::run_schedule(argc - 2, argv + 2);
    if (command == "dashboard") return pn::apps::run_dashboard(argc - 2, argv + 2);
    if (command == "submit") return pn::apps::run_submit(argc - 2, argv + 2);
    if (command == "score") return pn::apps::run_score(argc - 2, argv + 2);
    if (command == "search") return pn::apps::run_search(argc - 2, argv + 2);
    if (command == "synth") return pn::apps::run_synth(argc - 2, argv + 2);
    if (command == "help" || command == "--help" || command == "-h") return usage(std::cout, 0);
    std::cerr << "pneumo: unknown command '" << command << "'\n";
    return usage(std::cerr, 2);
  } catch (const pn::Error& e) {
    std::cerr << "pneumo " << command << ": " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "pneumo " << command << ": unexpected error: " << e.what() << "\n";
    return 1;
  }
}
