#pragma once
// Optimizers and learning-rate schedulers from a configuration's OPTIMIZER
// and SCHEDULER sections, as the reference's Train.py makes them:
// getattr(torch.optim, CLASS)(model.parameters(), **ARGS) and
// getattr(torch.optim.lr_scheduler, CLASS)(optimizer, **ARGS).
//
//   OPTIMIZER: {CLASS: Adam | AdamW | SGD, ARGS: {lr, weight_decay, betas: [b1, b2], eps, amsgrad,
//                                                  momentum, dampening, nesterov}}
//   SCHEDULER: {CLASS: ReduceLROnPlateau | CosineAnnealingLR | CosineAnnealingWarmRestarts |
//                      StepLR | MultiStepLR, ARGS: {... PyTorch's names ...}}
// Each class takes the arguments of its PyTorch constructor with PyTorch's
// defaults; an unknown class or argument, or a value of the wrong type, is a
// pn::Error naming the file, line and key.
#include <memory>
#include <vector>

#include "nn/optim/optimizer.h"
#include "nn/sched/scheduler.h"
#include "pneumo/config/yaml.h"
#include "tensor/tensor.h"

namespace pn::train {

std::unique_ptr<nn::optim::Optimizer> make_optimizer(const config::Node& section, std::vector<Tensor> params);

std::unique_ptr<nn::sched::Scheduler> make_scheduler(const config::Node& section, nn::optim::Optimizer& optimizer);

// The learning rate of each of `epochs` epochs that the sections give, as
// the training loop uses them: the lr during epoch e, then the scheduler's
// epoch_end(metric) (ReduceLROnPlateau sees the constant `metric`).
std::vector<double> lr_schedule(const config::Node& optimizer, const config::Node& scheduler, int64_t epochs,
                                double metric = 0.0);

}  // namespace pn::train
