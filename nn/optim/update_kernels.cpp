#include "nn/optim/update_kernels.h"

#include <cmath>
#include <limits>
#include <vector>

#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/parallel.h"
#include "tensor/storage.h"

namespace pn::nn::optim {

namespace {

// Elements per thread below which a loop stays on the calling thread.
constexpr int64_t kGrain = int64_t{1} << 15;

// The single device gate of this file (see the header).
void require_cpu(const char* op, const Tensor& t) {
  PN_CHECK(t.device().is_cpu(), op, ": not yet on cuda (a tensor of shape ", t.shape(), " is on ",
           t.device(), "; the optimizer update has only a CPU kernel so far)");
}

void require_like(const char* op, const Tensor& param, const Tensor& t, const char* what) {
  PN_CHECK(t.defined(), op, ": ", what, " is undefined");
  PN_CHECK(t.shape() == param.shape() && t.dtype() == param.dtype() && t.device() == param.device(),
           op, ": ", what, " is ", t.shape(), " ", t.dtype(), " on ", t.device(),
           ", the parameter ", param.shape(), " ", param.dtype(), " on ", param.device());
  require_cpu(op, t);
}

// The update wrote through raw pointers; record it as an in-place change so
// that a tensor saved for a backward that has not run yet is detected.
void bump(const Tensor& t) {
  if (t.defined()) t.impl()->storage->bump_version();
}

// Weight decay: kDecay 0 none, 1 L2 (Adam), 2 decoupled (AdamW). The flags are
// template arguments so that the loop body has no branches of its own (GCC
// still keeps it scalar unless -fno-math-errno lets it vectorise sqrt; the
// loop is memory-bound either way: 7 streams of the parameter's size).
template <class T, int kDecay, bool kAmsgrad>
void adam_cpu(const AdamStepArgs& a, T* p, const T* g, T* m, T* v, T* vmax, int64_t n) {
  const T wd = static_cast<T>(a.weight_decay);
  const T decay = static_cast<T>(1.0 - a.lr * a.weight_decay);
  const T beta1 = static_cast<T>(a.beta1), one_minus_beta1 = static_cast<T>(1.0 - a.beta1);
  const T beta2 = static_cast<T>(a.beta2), one_minus_beta2 = static_cast<T>(1.0 - a.beta2);
  const T bc2_sqrt = static_cast<T>(a.bias_correction2_sqrt);
  const T eps = static_cast<T>(a.eps);
  const T neg_step_size = static_cast<T>(-a.step_size);
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      T pi = p[i], gi = g[i];
      if constexpr (kDecay == 1) gi = gi + wd * pi;
      if constexpr (kDecay == 2) pi = pi * decay;
      const T mi = m[i] * beta1 + one_minus_beta1 * gi;
      const T vi = v[i] * beta2 + one_minus_beta2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      T second = vi;
      if constexpr (kAmsgrad) {
        second = vmax[i] > vi ? vmax[i] : vi;
        vmax[i] = second;
      }
      const T denom = std::sqrt(second) / bc2_sqrt + eps;
      p[i] = pi + neg_step_size * mi / denom;
    }
  });
}

template <class T>
void sgd_cpu(const SgdStepArgs& a, bool first, T* p, const T* g, T* buf, int64_t n) {
  const T wd = static_cast<T>(a.weight_decay);
  const T momentum = static_cast<T>(a.momentum);
  const T one_minus_dampening = static_cast<T>(1.0 - a.dampening);
  const T neg_lr = static_cast<T>(-a.lr);
  const bool use_wd = a.weight_decay != 0.0, use_momentum = a.momentum != 0.0;
  parallel_for(n, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      T d = g[i];
      if (use_wd) d = d + wd * p[i];
      if (use_momentum) {
        const T b = first ? d : buf[i] * momentum + one_minus_dampening * d;
        buf[i] = b;
        d = a.nesterov ? d + momentum * b : b;
      }
      p[i] = p[i] + neg_lr * d;
    }
  });
}

}  // namespace

void adam_update(const Tensor& param, const Tensor& grad, Tensor& exp_avg, Tensor& exp_avg_sq,
                 Tensor& max_exp_avg_sq, const AdamStepArgs& a) {
  const char* op = a.decoupled ? "AdamW update" : "Adam update";
  PN_CHECK(param.defined(), op, ": the parameter is undefined");
  require_cpu(op, param);
  require_like(op, param, grad, "the gradient");
  for (Tensor* b : {&exp_avg, &exp_avg_sq, &max_exp_avg_sq}) {
    if (!b->defined() && (b != &max_exp_avg_sq || a.amsgrad)) *b = zeros_like(param);
  }
  require_like(op, param, exp_avg, "exp_avg");
  require_like(op, param, exp_avg_sq, "exp_avg_sq");
  if (a.amsgrad) require_like(op, param, max_exp_avg_sq, "max_exp_avg_sq");
  dispatch_floating(param.dtype(), op, [&]<class T>() {
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* m = exp_avg.data<T>();
    T* v = exp_avg_sq.data<T>();
    T* vm = a.amsgrad ? max_exp_avg_sq.data<T>() : nullptr;
    const int64_t n = param.numel();
    // PyTorch's Adam skips the L2 term when weight_decay is 0; AdamW always
    // multiplies (by exactly 1 then).
    const int decay = a.decoupled ? 2 : a.weight_decay != 0.0 ? 1 : 0;
    auto run = [&]<int kDecay>() {
      if (a.amsgrad) adam_cpu<T, kDecay, true>(a, p, g, m, v, vm, n);
      else adam_cpu<T, kDecay, false>(a, p, g, m, v, vm, n);
    };
    if (decay == 0) run.template operator()<0>();
    else if (decay == 1) run.template operator()<1>();
    else run.template operator()<2>();
  });
  bump(param);
  bump(exp_avg);
  bump(exp_avg_sq);
  if (a.amsgrad) bump(max_exp_avg_sq);
}

void sgd_update(const Tensor& param, const Tensor& grad, Tensor& momentum_buffer,
                const SgdStepArgs& a) {
  const char* op = "SGD update";
  PN_CHECK(param.defined(), op, ": the parameter is undefined");
  require_cpu(op, param);
  require_like(op, param, grad, "the gradient");
  const bool use_momentum = a.momentum != 0.0;
  const bool first = use_momentum && !momentum_buffer.defined();
  if (first) momentum_buffer = empty_like(param);
  if (use_momentum) require_like(op, param, momentum_buffer, "momentum_buffer");
  dispatch_floating(param.dtype(), op, [&]<class T>() {
    sgd_cpu<T>(a, first, param.data<T>(), grad.data<T>(),
               use_momentum ? momentum_buffer.data<T>() : nullptr, param.numel());
  });
  bump(param);
  if (use_momentum) bump(momentum_buffer);
}

double tensor_norm(const Tensor& t, double p) {
  const char* op = "clip_grad_norm";
  PN_CHECK(t.defined(), op, ": a gradient is undefined");
  require_cpu(op, t);
  PN_CHECK(p > 0, op, ": norm_type must be positive (or inf), got ", p);
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
