#pragma once
// `pneumo train`: the reference's Train.py and Learning.py.
//
// For each fold of FOLD.USEFOLDS: build the model (seeded by SEED and the
// fold), load the previous part's best model of the fold when
// MODEL.PRETRAINED names one that exists, then per epoch
//   - unless MODEL.FREEZE: train on the sampler's epoch (positives and
//     resampled negatives, NON_EMPTY_MASK_PROBA) with the combo loss,
//     gradient accumulation and clipping;
//   - every VALIDATION_FREQUENCY epochs: validate (TripletMetrics), append a
//     row to summary.csv, and unless MODEL.FREEZE: save the epoch's model,
//     keep the TOPK best of the run, save the best of the fold (the best
//     score starts from the fold's summary.csv, so a later part only replaces
//     a better one), step the scheduler; stop early when the best epoch is
//     more than EARLY_STOPPING epochs behind.
// Files: see run_files.h.
//
// Resuming. After every epoch the whole state (model, optimizer, scheduler,
// epoch, best score and epoch, the top-K list, the rows of summary.csv and
// history.csv) is written atomically to the fold's resume file; that write is
// the epoch's commit point. Started again with the same configuration, a
// fold resumes from its last committed epoch, drops rows that an
// interrupted epoch appended, and redoes that epoch exactly: the sampler's
// epochs, the augmentations (seeded per sample and epoch) and the CPU
// kernels are deterministic, so the result is bitwise that of an
// uninterrupted run. A finished fold is skipped.
//
// Differences from the reference, on purpose: gradients left over from an
// incomplete accumulation at the end of an epoch are dropped (the reference
// carries them into the next epoch), so an epoch boundary is a clean resume
// point; a non-finite loss or gradient stops the run naming the epoch and
// step (or, with NONFINITE: skip, skips the step) instead of training on.
#include <cstdint>
#include <functional>
#include <vector>

#include "pneumo/train/train_config.h"
#include "tensor/device.h"

namespace pn::train {

struct TrainOptions {
  Device device = Device::cpu();
  int workers = -1;        // loader threads; -1: the configuration's WORKERS, capped at the cores
  bool progress = true;    // progress bars on stderr
  bool echo = true;        // log messages on stdout as well as in the log files
  // For tests of resumption: leave (as if killed) after this many epochs
  // committed by this call; -1: never.
  int64_t stop_after_epochs = -1;
};

struct FoldResult {
  int fold = 0;
  double best_score = 0;
  int64_t best_epoch = -1;   // of this run; -1 when no epoch beat the starting best score
  int64_t epochs_done = 0;   // epochs committed, over all runs of this configuration
  bool finished = false;     // all epochs done or stopped early
  bool early_stopped = false;
};

// Trains one fold (resuming when its resume file exists).
FoldResult train_fold(const TrainConfig& config, int fold, const TrainOptions& options = {});

// Trains every fold of FOLD.USEFOLDS in order; a main log (train_main.log)
// records the configuration and each fold's result.
std::vector<FoldResult> train_all(const TrainConfig& config, const TrainOptions& options = {});

// The seed of a fold's model initialisation and sampler, from SEED.
uint64_t fold_seed(uint64_t seed, int fold);

}  // namespace pn::train
