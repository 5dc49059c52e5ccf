#include "nn/batch_norm.h"

#include "autograd/grad_mode.h"
#include "autograd/ops.h"

namespace pn::nn {

BatchNorm2d::BatchNorm2d(int64_t channels, double eps_, double momentum_) : eps(eps_), momentum(momentum_) {
  PN_CHECK(channels > 0, "BatchNorm2d: channels must be positive, got ", channels);
  PN_CHECK(eps > 0, "BatchNorm2d: eps must be positive, got ", eps);
  PN_CHECK(momentum >= 0 && momentum <= 1, "BatchNorm2d: momentum must be in [0, 1], got ", momentum);
  weight = ones({channels});
  bias = zeros({channels});
  running_mean = zeros({channels});
  running_var = ones({channels});
  num_batches_tracked = zeros({}, DType::Int64);
  register_parameter("weight", &weight);
  register_parameter("bias", &bias);
  register_buffer("running_mean", &running_mean);
  register_buffer("running_var", &running_var);
  register_buffer("num_batches_tracked", &num_batches_tracked);
}

Tensor BatchNorm2d::forward(const Tensor& x) {
  PN_CHECK(x.defined() && x.dim() == 4 && x.size(1) == weight.size(0), "BatchNorm2d: expected input [N, ",
           weight.size(0), ", H, W], got ", x.defined() ? x.shape() : Shape{});
  Tensor out = batch_norm(x, weight, bias, running_mean, running_var, is_training(), momentum, eps);
  if (is_training()) {
    NoGradGuard no_grad;
    num_batches_tracked.fill_(num_batches_tracked.item() + 1);
  }
  return out;
}

}  // namespace pn::nn
