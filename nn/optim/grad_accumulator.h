#pragma once
// Gradient accumulation over N backward passes per optimizer step, as the
// reference training's GRADIENT_ACCUMULATION_STEPS:
//
//   GradAccumulator accum(config.grad_accum);
//   for (batch : loader) {
//     Tensor loss = accum.scale(loss_fn(model(x), y));
//     loss.backward();                    // gradients add up (+=) in grad()
//     if (accum.backward_done()) {        // every N-th backward
//       clip_grad_norm(params, 0.1);
//       optimizer.step();
//       optimizer.zero_grad();
//     }
//   }
//
// Backward passes add their gradients into each parameter's grad(), so the
// optimizer sees the sum of N batch gradients. With LossScaling::Mean each
// loss is multiplied by 1/N first, so it sees their mean (the gradient of
// one N-times larger batch). The reference did not scale
// (LossScaling::None, the default) and counted with its batch index, which
// restarts every epoch; call reset() at an epoch start to do the same
// (gradients of an unfinished group stay in grad() and join the next group,
// as they did in the reference, unless zero_grad() is called).
#include <cstdint>
#include <string>

#include "nn/state_dict.h"
#include "tensor/tensor.h"

namespace pn::nn::optim {

enum class LossScaling { None, Mean };

class GradAccumulator {
 public:
  // Requires steps >= 1 (1: step after every backward).
  explicit GradAccumulator(int64_t steps = 1, LossScaling scaling = LossScaling::None);

  int64_t steps() const { return steps_; }
  // The factor the loss is multiplied by: 1, or 1/steps with LossScaling::Mean.
  double loss_scale() const;
  // loss * loss_scale() (differentiable), or loss itself when that is 1.
  Tensor scale(const Tensor& loss) const;

  // Counts one backward pass; true when it completes a group of steps()
  // (the optimizer should step now), and the count restarts.
  bool backward_done();
  // Backward passes counted since the last completed group (0 .. steps-1).
  int64_t pending() const { return pending_; }
  // Restarts the count (does not touch any gradient).
  void reset() { pending_ = 0; }

  // Entries "<prefix>.steps" and "<prefix>.pending" (int64). Loading checks
  // that steps matches this accumulator's and restores the count.
  StateDict state_dict(const std::string& prefix = "grad_accumulation") const;
  void load_state_dict(const StateDict& state, const std::string& prefix = "grad_accumulation");

 private:
  int64_t steps_;
  LossScaling scaling_;
  int64_t pending_ = 0;
};

}  // namespace pn::nn::optim
