// Filling tensors on the GPU: constants, ranges, dtype conversion, and
// counter-based random numbers that equal the CPU's (tensor/philox.h).
#include "cuda/backend.h"
#include "cuda/launch.cuh"
#include "tensor/cpu/dispatch.h"
#include "tensor/philox.h"
#include "tensor/tensor.h"

namespace pn::cuda {

namespace {

template <class T>
struct Fill {
  T* out;
  T value;
  __device__ void operator()(int64_t i) const { out[i] = value; }
};

template <class T>
struct Arange {
  T* out;
  double start, step;
  __device__ void operator()(int64_t i) const { out[i] = static_cast<T>(start + static_cast<double>(i) * step); }
};

template <class S, class D>
struct Cast {
  const S* x;
  D* out;
  __device__ void operator()(int64_t i) const { out[i] = static_cast<D>(x[i]); }
};

// The CPU's formulas (tensor/cpu/creation.cpp), in double, per element.
template <class T>
struct Random {
  T* out;
  Backend::Distribution d;
  double p0, p1;
  uint64_t seed, offset;
  __device__ void operator()(int64_t i) const {
    uint64_t counter = offset + static_cast<uint64_t>(i);
    double v = 0;
    switch (d) {
      case Backend::Distribution::Uniform: v = p0 + (p1 - p0) * philox_uniform(counter, seed); break;
      case Backend::Distribution::Normal: v = p0 + p1 * philox_normal(counter, seed); break;
      case Backend::Distribution::Bernoulli: v = philox_uniform(counter, seed) < p0 ? 1.0 : 0.0; break;
    }
    out[i] = static_cast<T>(v);
  }
};

}  // namespace

void CudaBackend::fill(Tensor& out, double value) {
  dispatch_all(out.dtype(), [&]<class T>() { for_each(out.numel(), Fill<T>{out.data<T>(), static_cast<T>(value)}); });
}

void CudaBackend::arange(Tensor& out, double start, double step) {
  dispatch_all(out.dtype(), [&]<class T>() { for_each(out.numel(), Arange<T>{out.data<T>(), start, step}); });
}

void CudaBackend::cast(const Tensor& x, Tensor& out) {
  dispatch_all(x.dtype(), [&]<class S>() {
    dispatch_all(out.dtype(), [&]<class D>() { for_each(x.numel(), Cast<S, D>{x.data<S>(), out.data<D>()}); });
  });
}

void CudaBackend::random(Tensor& out, Distribution d, double p0, double p1, uint64_t seed, uint64_t offset) {
  dispatch_floating(out.dtype(), "random", [&]<class T>() {
    for_each(out.numel(), Random<T>{out.data<T>(), d, p0, p1, seed, offset});
  });
}

}  // namespace pn::cuda
