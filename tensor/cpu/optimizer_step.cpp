// The optimizers' fused updates on the CPU: the per-element math of
// tensor/optimizer_math.h over OpenMP threads. The loops are elementwise, so
// results do not depend on the number of threads. (GCC keeps the Adam loop
// scalar unless -fno-math-errno lets it vectorise sqrt; it is memory-bound
// either way: 7 streams of the parameter's size.)
#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/parallel.h"
#include "tensor/optimizer_math.h"
#include "tensor/tensor.h"

namespace pn {

namespace {

// Elements per thread below which a loop stays on the calling thread.
constexpr int64_t kGrain = int64_t{1} << 15;

}  // namespace

void CpuBackend::adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                           const Tensor& max_exp_avg_sq, const AdamStepArgs& a) {
  dispatch_floating(param.dtype(), "adam_step", [&]<class T>() {
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* m = exp_avg.data<T>();
    T* v = exp_avg_sq.data<T>();
    T* vm = a.amsgrad ? max_exp_avg_sq.data<T>() : nullptr;
    dispatch_adam(a, [&]<int kDecay, bool kAmsgrad>() {
      const AdamElement<T, kDecay, kAmsgrad> update(a);
      parallel_for(param.numel(), kGrain, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) update(p, g, m, v, vm, i);
      });
    });
  });
}

void CpuBackend::sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer, bool first,
                          const SgdStepArgs& a) {
  dispatch_floating(param.dtype(), "sgd_step", [&]<class T>() {
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* buf = a.momentum != 0.0 ? momentum_buffer.data<T>() : nullptr;
    const SgdElement<T> update(a, first);
    parallel_for(param.numel(), kGrain, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) update(p, g, buf, i);
    });
  });
}

}  // namespace pn
