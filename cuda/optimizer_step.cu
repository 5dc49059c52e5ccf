// The optimizers' fused updates on the GPU: the per-element math of
// tensor/optimizer_math.h (the CPU's), one thread per element.
#include "cuda/backend.h"
#include "cuda/launch.cuh"
#include "tensor/cpu/dispatch.h"
#include "tensor/optimizer_math.h"
#include "tensor/tensor.h"

namespace pn::cuda {

namespace {

template <class T, int kDecay, bool kAmsgrad>
struct AdamStep {
  AdamElement<T, kDecay, kAmsgrad> update;
  T* p;
  const T* g;
  T* m;
  T* v;
  T* vmax;
  __device__ void operator()(int64_t i) const { update(p, g, m, v, vmax, i); }
};

template <class T>
struct SgdStep {
  SgdElement<T> update;
  T* p;
  const T* g;
  T* buf;
  __device__ void operator()(int64_t i) const { update(p, g, buf, i); }
};

}  // namespace

void CudaBackend::adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                            const Tensor& max_exp_avg_sq, const AdamStepArgs& a) {
  dispatch_floating(param.dtype(), "adam_step", [&]<class T>() {
    dispatch_adam(a, [&]<int kDecay, bool kAmsgrad>() {
      for_each(param.numel(), AdamStep<T, kDecay, kAmsgrad>{AdamElement<T, kDecay, kAmsgrad>(a), param.data<T>(),
                                                            grad.data<T>(), exp_avg.data<T>(), exp_avg_sq.data<T>(),
                                                            a.amsgrad ? max_exp_avg_sq.data<T>() : nullptr});
    });
  });
}

void CudaBackend::sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer, bool first,
                           const SgdStepArgs& a) {
  dispatch_floating(param.dtype(), "sgd_step", [&]<class T>() {
    for_each(param.numel(), SgdStep<T>{SgdElement<T>(a, first), param.data<T>(), grad.data<T>(),
                                       a.momentum != 0.0 ? momentum_buffer.data<T>() : nullptr});
  });
}

}  // namespace pn::cuda
