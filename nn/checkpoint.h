#pragma once
// Training checkpoints and weight files.
//
// A checkpoint is one safetensors file (nn/io/safetensors.h), written
// atomically, holding
//   - the model's state dict under its own PyTorch names (so the file loads
//     into the PyTorch model with `safetensors.torch.load_file` and
//     `load_state_dict(strict=False)`),
//   - the optimizer's state under "optimizer." and the scheduler's under
//     "scheduler.",
//   - any other state the caller adds (random generators, the sampler) under
//     "extra.",
//   - string metadata (epoch, score, configuration).
// Restoring all of it resumes training bit for bit.
#include <string>

#include "nn/io/safetensors.h"
#include "nn/module.h"
#include "nn/optim/optimizer.h"
#include "nn/sched/scheduler.h"

namespace pn::nn {

// Writes model, optimizer and scheduler (either may be null), `extra` (names
// without the "extra." prefix) and metadata to `path` atomically. Throws if a
// model key collides with the reserved prefixes.
void save_checkpoint(const std::string& path, const Module& model, const optim::Optimizer* optimizer,
                     const sched::Scheduler* scheduler, const StateDict& extra = {},
                     const io::Metadata& metadata = {});

struct LoadedCheckpoint {
  StateDict extra;        // without the "extra." prefix
  io::Metadata metadata;
};

// Restores what save_checkpoint wrote into the given objects (the optimizer
// and scheduler must be built over the same model first). The model is
// loaded strictly; an optimizer or scheduler given but absent from the file
// is an error naming the file. The model, then the optimizer, then the
// scheduler are restored, each all or nothing: after an error, rebuild them
// before trying another file.
LoadedCheckpoint load_checkpoint(const std::string& path, Module& model, optim::Optimizer* optimizer,
                                 sched::Scheduler* scheduler);

// The model weights in a file, whatever its format: a checkpoint or plain
// safetensors file, or a PyTorch .pth (zip or legacy, state dict nested under
// "state_dict"/"model" or not, "module." prefixes stripped). The format is
// recognised from the content, not the name. Optimizer, scheduler and extra
// entries of a checkpoint are left out.
StateDict load_weights(const std::string& path);

}  // namespace pn::nn
