#pragma once
// The per-element math of the optimizers' fused updates, written once for
// both devices (tensor/cpu/optimizer_step.cpp, cuda/optimizer_step.cu); the
// formulas are stated in nn/optim/update_kernels.h. Arithmetic is in the
// element type T with the scalars rounded to T once, in the order of
// PyTorch's per-tensor code.
#include <cmath>

#include "tensor/backend.h"
#include "tensor/functors.h"  // PN_HD

namespace pn {

// kDecay: 0 none, 1 L2 (Adam: g += wd*p), 2 decoupled (AdamW: p *= 1 - lr*wd).
// Template flags keep the loop body free of branches.
template <class T, int kDecay, bool kAmsgrad>
struct AdamElement {
  T wd, decay, beta1, one_minus_beta1, beta2, one_minus_beta2, bc2_sqrt, eps, neg_step_size;

  explicit AdamElement(const AdamStepArgs& a)
      : wd(static_cast<T>(a.weight_decay)), decay(static_cast<T>(1.0 - a.lr * a.weight_decay)),
        beta1(static_cast<T>(a.beta1)), one_minus_beta1(static_cast<T>(1.0 - a.beta1)),
        beta2(static_cast<T>(a.beta2)), one_minus_beta2(static_cast<T>(1.0 - a.beta2)),
        bc2_sqrt(static_cast<T>(a.bias_correction2_sqrt)), eps(static_cast<T>(a.eps)),
        neg_step_size(static_cast<T>(-a.step_size)) {}

  // Updates element i of the parameter p and the buffers m, v (and vmax).
  PN_HD void operator()(T* p, const T* g, T* m, T* v, T* vmax, int64_t i) const {
    using std::sqrt;
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
    const T denom = sqrt(second) / bc2_sqrt + eps;
    p[i] = pi + neg_step_size * mi / denom;
  }
};

// Calls f.template operator()<kDecay, kAmsgrad>() for the step's options.
// PyTorch's Adam skips the L2 term when weight_decay is 0; AdamW always
// multiplies (by exactly 1 then).
template <class F>
void dispatch_adam(const AdamStepArgs& a, F&& f) {
  auto with_decay = [&]<int kDecay>() {
    if (a.amsgrad) f.template operator()<kDecay, true>();
    else f.template operator()<kDecay, false>();
  };
  if (a.decoupled) with_decay.template operator()<2>();
  else if (a.weight_decay != 0.0) with_decay.template operator()<1>();
  else with_decay.template operator()<0>();
}

template <class T>
struct SgdElement {
  T wd, momentum, one_minus_dampening, neg_lr;
  bool use_wd, use_momentum, nesterov, first;  // first: the buffer is new and starts as d

  SgdElement(const SgdStepArgs& a, bool is_first)
      : wd(static_cast<T>(a.weight_decay)), momentum(static_cast<T>(a.momentum)),
        one_minus_dampening(static_cast<T>(1.0 - a.dampening)), neg_lr(static_cast<T>(-a.lr)),
        use_wd(a.weight_decay != 0.0), use_momentum(a.momentum != 0.0), nesterov(a.nesterov), first(is_first) {}

  PN_HD void operator()(T* p, const T* g, T* buf, int64_t i) const {
    T d = g[i];
    if (use_wd) d = d + wd * p[i];
    if (use_momentum) {
      const T b = first ? d : buf[i] * momentum + one_minus_dampening * d;
      buf[i] = b;
      d = nesterov ? d + momentum * b : b;
    }
    p[i] = p[i] + neg_lr * d;
  }
};

}  // namespace pn
