// Filling tensors: constants, ranges, dtype conversion, random numbers.
#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/parallel.h"
#include "tensor/philox.h"
#include "tensor/tensor.h"

namespace pn {

void CpuBackend::fill(Tensor& out, double value) {
  dispatch_all(out.dtype(), [&]<class T>() {
    T* p = out.data<T>();
    T v = static_cast<T>(value);
    parallel_for(out.numel(), 1 << 16, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) p[i] = v;
    });
  });
}

void CpuBackend::arange(Tensor& out, double start, double step) {
  dispatch_all(out.dtype(), [&]<class T>() {
    T* p = out.data<T>();
    for (int64_t i = 0; i < out.numel(); ++i) p[i] = static_cast<T>(start + static_cast<double>(i) * step);
  });
}

void CpuBackend::cast(const Tensor& x, Tensor& out) {
  dispatch_all(x.dtype(), [&]<class S>() {
    dispatch_all(out.dtype(), [&]<class D>() {
      const S* src = x.data<S>();
      D* dst = out.data<D>();
      parallel_for(x.numel(), 1 << 16, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) dst[i] = static_cast<D>(src[i]);
      });
    });
  });
}

void CpuBackend::random(Tensor& out, Distribution d, double p0, double p1, uint64_t seed, uint64_t offset) {
  dispatch_floating(out.dtype(), "random", [&]<class T>() {
    T* p = out.data<T>();
    parallel_for(out.numel(), 1 << 12, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        uint64_t counter = offset + static_cast<uint64_t>(i);
        double v = 0;
        switch (d) {
          case Distribution::Uniform: v = p0 + (p1 - p0) * philox_uniform(counter, seed); break;
          case Distribution::Normal: v = p0 + p1 * philox_normal(counter, seed); break;
          case Distribution::Bernoulli: v = philox_uniform(counter, seed) < p0 ? 1.0 : 0.0; break;
        }
        p[i] = static_cast<T>(v);
      }
    });
  });
}

}  // namespace pn
