#include "nn/optim/grad_accumulator.h"

#include "autograd/ops.h"
#include "nn/optim/state_io.h"

namespace pn::nn::optim {

GradAccumulator::GradAccumulator(int64_t steps, LossScaling scaling) : steps_(steps), scaling_(scaling) {
  PN_CHECK(steps >= 1, "GradAccumulator: the number of accumulation steps must be >= 1, got ", steps);
}

double GradAccumulator::loss_scale() const {
  return scaling_ == LossScaling::Mean ? 1.0 / static_cast<double>(steps_) : 1.0;
}

Tensor GradAccumulator::scale(const Tensor& loss) const {
  PN_CHECK(loss.defined(), "GradAccumulator::scale: the loss is undefined");
  const double s = loss_scale();
  return s == 1.0 ? loss : mul(loss, s);
}

bool GradAccumulator::backward_done() {
  if (++pending_ < steps_) return false;
  pending_ = 0;
  return true;
}

StateDict GradAccumulator::state_dict(const std::string& prefix) const {
  StateDict out;
  StateWriter w(out, prefix);
  w.put("steps", steps_);
  w.put("pending", pending_);
  return out;
}

void GradAccumulator::load_state_dict(const StateDict& state, const std::string& prefix) {
  StateReader r(state, prefix, "GradAccumulator.load_state_dict");
  const int64_t steps = r.get<int64_t>("steps"), pending = r.get<int64_t>("pending");
  r.finish();
  PN_CHECK(steps == steps_, r.owner(), ": the state counts groups of ", steps,
           " backward passes, this accumulator ", steps_);
  PN_CHECK(pending >= 0 && pending < steps, r.owner(), ": pending count ", pending,
           " outside [0, ", steps, ")");
  pending_ = pending;
}

}  // namespace pn::nn::optim
