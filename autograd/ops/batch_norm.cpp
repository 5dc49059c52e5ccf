// batch_norm: training (batch statistics, running-statistics update) and
// evaluation (running statistics), with one backward for both.
#include "autograd/ops.h"
#include "autograd/ops/checks.h"
#include "autograd/record.h"
#include "tensor/storage.h"

namespace pn {

namespace {

constexpr const char* kOp = "batch_norm";

void check_channel_vector(const Tensor& t, const Tensor& x, const char* what) {
  if (!t.defined()) return;
  PN_CHECK(t.dim() == 1 && t.size(0) == x.size(1), kOp, ": ", what, " must have shape [", x.size(1),
           "] for input of shape ", x.shape(), ", got ", t.shape());
}

// The running statistics are buffers, changed in place and never
// differentiated; the version bump is what lets a backward that saved them
// (evaluation mode) detect the change.
void check_running(const Tensor& t, const char* what) {
  if (!t.defined()) return;
  PN_CHECK(!t.requires_grad(), kOp, ": ", what, " of shape ", t.shape(),
           " requires grad; running statistics are buffers updated in place");
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor running_mean,
                  Tensor running_var, bool training, double momentum, double eps) {
  check_defined(kOp, x, "input");
  PN_CHECK(x.dim() == 2 || x.dim() == 4, kOp, ": input must be [N, C] or [N, C, H, W], got shape ", x.shape());
  check_floating_same(kOp, {&x, &weight, &bias, &running_mean, &running_var});
  check_channel_vector(weight, x, "weight");
  check_channel_vector(bias, x, "bias");
  check_channel_vector(running_mean, x, "running_mean");
  check_channel_vector(running_var, x, "running_var");
  check_running(running_mean, "running_mean");
  check_running(running_var, "running_var");
  PN_CHECK(running_mean.defined() == running_var.defined(), kOp,
           ": running_mean and running_var must be given together or not at all");
  PN_CHECK(eps >= 0, kOp, ": eps must be >= 0, got ", eps);

  int64_t channels = x.size(1);
  Tensor out = empty_like(x);
  Tensor mean, invstd;
  if (training) {
    PN_CHECK(x.numel() > channels, kOp, ": training needs more than one value per channel, got input of shape ",
             x.shape());
    mean = Tensor({channels}, x.dtype(), x.device());
    invstd = Tensor({channels}, x.dtype(), x.device());
    backend(x.device()).batch_norm_train(x, weight, bias, running_mean, running_var, momentum, eps, out, mean,
                                         invstd);
    if (running_mean.defined()) {
      running_mean.impl()->storage->bump_version();
      running_var.impl()->storage->bump_version();
    }
  } else {
    PN_CHECK(running_mean.defined(), kOp, ": evaluation mode needs running_mean and running_var (input of shape ",
             x.shape(), ")");
    mean = running_mean;
    {
      NoGradGuard no_grad;
      invstd = pow(add(running_var, eps), -0.5);
    }
    backend(x.device()).batch_norm_eval(x, weight, bias, mean, invstd, out);
  }

  // In evaluation `mean` is running_mean itself: a training step between this
  // forward and its backward would change it, and SavedTensor reports that.
  record(Op::batch_norm, out, {&x, &weight, &bias},
         [training, sx = SavedTensor(x, Op::batch_norm), sw = SavedTensor(weight, Op::batch_norm),
          smean = SavedTensor(mean, Op::batch_norm),
          sinvstd = SavedTensor(invstd, Op::batch_norm)](const Tensor& g, const Node& n) {
           const Tensor& m = smean.get();
           Tensor gx = n.needs_grad(0) ? empty_like(g) : Tensor();
           Tensor gw = n.needs_grad(1) ? empty_like(m) : Tensor();
           Tensor gb = n.needs_grad(2) ? empty_like(m) : Tensor();
           backend(g.device()).batch_norm_backward(g, sx.get(), sw.get(), m, sinvstd.get(), training, gx, gw, gb);
           return std::vector<Tensor>{gx, gw, gb};
         });
  return out;
}

}  // namespace pn
