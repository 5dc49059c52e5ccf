// Elementwise functions of one tensor (math in tensor/functors.h).
#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/parallel.h"
#include "tensor/functors.h"
#include "tensor/tensor.h"

namespace pn {

namespace {

constexpr int64_t kGrain = 1 << 15;

}  // namespace

// out may be x itself (in-place ops use that).
void CpuBackend::unary(UnaryOp op, const Tensor& x, Tensor& out, double p0, double p1) {
  dispatch_floating(x.dtype(), "unary", [&]<class T>() {
    const T* src = x.data<T>();
    T* dst = out.data<T>();
    T a = static_cast<T>(p0), b = static_cast<T>(p1);
    dispatch_unary(op, [&]<class F>() {
      parallel_for(x.numel(), kGrain, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) dst[i] = F::f(src[i], a, b);
      });
    });
  });
}

void CpuBackend::unary_backward(UnaryOp op, const Tensor& x, const Tensor& y, const Tensor& grad,
                                Tensor& grad_x, double p0, double p1) {
  dispatch_floating(grad.dtype(), "unary_backward", [&]<class T>() {
    const T* xs = x.defined() ? x.data<T>() : nullptr;
    const T* ys = y.defined() ? y.data<T>() : nullptr;
    const T* g = grad.data<T>();
    T* gx = grad_x.data<T>();
    T a = static_cast<T>(p0), b = static_cast<T>(p1);
    dispatch_unary(op, [&]<class F>() {
      parallel_for(grad.numel(), kGrain, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
          T xi = F::uses_x ? xs[i] : T(0), yi = F::uses_y ? ys[i] : T(0);
          gx[i] = g[i] * F::df(xi, yi, a, b);
        }
      });
    });
  });
}

}  // namespace pn
