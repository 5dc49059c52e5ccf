#pragma once
// The elementwise work of the optimizers and of gradient clipping: one fused
// pass over the elements of one parameter tensor per call, instead of a chain
// of whole-tensor temporaries (Adam touches ~25M parameters every step).
//
// The updates check their arguments here and run on the tensors' device
// through the backend's adam_step / sgd_step kernels (tensor/cpu/
// optimizer_step.cpp, cuda/optimizer_step.cu). tensor_norm runs its CPU loop
// for CPU tensors and the device's float64 elementwise and sum kernels
// otherwise.
//
// Arithmetic is done in the tensor's element type T with the scalars rounded
// to T, in the order PyTorch's per-tensor (foreach=False) code uses, so that
// float32 results follow PyTorch's float32 rounding closely and float64
// results agree to ~1e-15. The loops are elementwise, so the result does not
// depend on the number of threads.
#include "tensor/backend.h"
#include "tensor/tensor.h"

namespace pn::nn::optim {

// One Adam / AdamW step's scalars (tensor/backend.h, where the kernels of
// every device receive them).
using AdamStepArgs = ::pn::AdamStepArgs;

// Requires: param and grad of one shape, floating dtype and device; each
// buffer (max_exp_avg_sq only when a.amsgrad) either undefined, when it is
// created here as zeros (a parameter's first update), or like param. Runs
// on param's device. Updates, per element i:
//   g  = grad + wd*p                    (Adam, when wd != 0)
//   p  = p * (1 - lr*wd)                (AdamW)
//   m  = m*beta1 + (1-beta1)*g
//   v  = v*beta2 + (1-beta2)*g*g
//   vm = max(vm, v)                     (amsgrad; then vm replaces v below)
//   p  = p + (-step_size)*m / (sqrt(v)/bias_correction2_sqrt + eps)
// Bumps the version of param and of the buffers.
void adam_update(const Tensor& param, const Tensor& grad, Tensor& exp_avg, Tensor& exp_avg_sq,
                 Tensor& max_exp_avg_sq, const AdamStepArgs& a);

using SgdStepArgs = ::pn::SgdStepArgs;

// Requires param and grad of one shape, floating dtype and device;
// momentum_buffer (used only when a.momentum != 0) undefined, when it is
// created here and starts as d (PyTorch's first step), or like param. Per
// element:
//   d = grad + wd*p                                 (when wd != 0)
//   b = new ? d : b*momentum + (1-dampening)*d      (when momentum != 0)
//   d = nesterov ? d + momentum*b : b               (when momentum != 0)
//   p = p + (-lr)*d
void sgd_update(const Tensor& param, const Tensor& grad, Tensor& momentum_buffer,
                const SgdStepArgs& a);

// The p-norm of all elements of t (floating, any device), accumulated in double:
// (sum |x|^p)^(1/p), or max |x| when p is +inf; NaN when an element is NaN.
// The sum is formed from fixed blocks added in order, so the result does not
// depend on the number of threads (a resumed run clips identically).
double tensor_norm(const Tensor& t, double p);

}  // namespace pn::nn::optim
