#include "nn/optim/update_kernels.h"

#include <cmath>
#include <limits>
#include <vector>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/parallel.h"
#include "tensor/backend.h"
#include "tensor/storage.h"

namespace pn::nn::optim {

namespace {

// The norm of a tensor off the CPU, from the device's own kernels: float64
// elementwise ops and a sum (deterministic on every device), one value read
// back. The max-norm has no reduction kernel; it reads the tensor back.
double device_norm(const Tensor& t, double p) {
  NoGradGuard no_grad;
  if (std::isinf(p)) return tensor_norm(t.to(Device::cpu()), p);
  Tensor a = abs(t.detach().to(DType::Float64));
  Tensor powered = p == 1.0 ? a : p == 2.0 ? mul(a, a) : pow(a, p);
  const double total = sum(powered).item();
  if (p == 1.0) return total;
  if (p == 2.0) return std::sqrt(total);
  return std::pow(total, 1.0 / p);
}

void require_like(const char* op, const Tensor& param, const Tensor& t, const char* what) {
  PN_CHECK(t.defined(), op, ": ", what, " is undefined");
  PN_CHECK(t.shape() == param.shape() && t.dtype() == param.dtype() && t.device() == param.device(),
           op, ": ", what, " is ", t.shape(), " ", t.dtype(), " on ", t.device(),
           ", the parameter ", param.shape(), " ", param.dtype(), " on ", param.device());
}

// The update wrote through raw pointers; record it as an in-place change so
// that a tensor saved for a backward that has not run yet is detected.
void bump(const Tensor& t) {
  if (t.defined()) t.impl()->storage->bump_version();
}

}  // namespace

void adam_update(const Tensor& param, const Tensor& grad, Tensor& exp_avg, Tensor& exp_avg_sq,
                 Tensor& max_exp_avg_sq, const AdamStepArgs& a) {
  const char* op = a.decoupled ? "AdamW update" : "Adam update";
  PN_CHECK(param.defined(), op, ": the parameter is undefined");
  require_like(op, param, grad, "the gradient");
  for (Tensor* b : {&exp_avg, &exp_avg_sq, &max_exp_avg_sq}) {
    if (!b->defined() && (b != &max_exp_avg_sq || a.amsgrad)) *b = zeros_like(param);
  }
  require_like(op, param, exp_avg, "exp_avg");
  require_like(op, param, exp_avg_sq, "exp_avg_sq");
  if (a.amsgrad) require_like(op, param, max_exp_avg_sq, "max_exp_avg_sq");
  PN_CHECK(is_floating(param.dtype()), op, ": needs float32 or float64, got ", param.dtype());
  backend(param.device()).adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, a);
  bump(param);
  bump(exp_avg);
  bump(exp_avg_sq);
  if (a.amsgrad) bump(max_exp_avg_sq);
}

void sgd_update(const Tensor& param, const Tensor& grad, Tensor& momentum_buffer,
                const SgdStepArgs& a) {
  const char* op = "SGD update";
  PN_CHECK(param.defined(), op, ": the parameter is undefined");
  require_like(op, param, grad, "the gradient");
  const bool use_momentum = a.momentum != 0.0;
  const bool first = use_momentum && !momentum_buffer.defined();
  if (first) momentum_buffer = empty_like(param);
  if (use_momentum) require_like(op, param, momentum_buffer, "momentum_buffer");
  PN_CHECK(is_floating(param.dtype()), op, ": needs float32 or float64, got ", param.dtype());
  backend(param.device()).sgd_step(param, grad, momentum_buffer, first, a);
  bump(param);
  if (use_momentum) bump(momentum_buffer);
}

double tensor_norm(const Tensor& t, double p) {
  const char* op = "clip_grad_norm";
  PN_CHECK(t.defined(), op, ": a gradient is undefined");
  PN_CHECK(p > 0, op, ": norm_type must be positive (or inf), got ", p);
  PN_CHECK(is_floating(t.dtype()), op, ": needs float32 or float64, got ", t.dtype());
  if (!t.device().is_cpu()) return device_norm(t, p);
  const bool is_inf = std::isinf(p);
  // Fixed blocks, each reduced serially, then the block results in order:
  // the same sum whatever the number of threads.
  constexpr int64_t kBlock = int64_t{1} << 16;
  const int64_t n = t.numel(), blocks = (n + kBlock - 1) / kBlock;
  std::vector<double> partial(static_cast<size_t>(blocks), 0.0);
  std::vector<unsigned char> has_nan(static_cast<size_t>(blocks), 0);
  dispatch_floating(t.dtype(), op, [&]<class T>() {
    const T* x = t.data<T>();
    parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        const int64_t begin = b * kBlock, end = std::min(n, begin + kBlock);
        double acc = 0;
        bool nan = false;
        for (int64_t i = begin; i < end; ++i) {
          const double a = std::fabs(static_cast<double>(x[i]));
          if (is_inf) {
            nan = nan || std::isnan(a);
            if (a > acc) acc = a;
          } else if (p == 2.0) {
            acc += a * a;
          } else if (p == 1.0) {
            acc += a;
          } else {
            acc += std::pow(a, p);
          }
        }
        partial[static_cast<size_t>(b)] = acc;
        has_nan[static_cast<size_t>(b)] = nan;
      }
    });
  });
  double total = 0;
  for (size_t b = 0; b < partial.size(); ++b) {
    if (is_inf) {
      if (has_nan[b]) return std::numeric_limits<double>::quiet_NaN();
      if (partial[b] > total) total = partial[b];
    } else {
      total += partial[b];
    }
  }
  if (is_inf || p == 1.0) return total;
  if (p == 2.0) return std::sqrt(total);
  return std::pow(total, 1.0 / p);
}

}  // namespace pn::nn::optim
