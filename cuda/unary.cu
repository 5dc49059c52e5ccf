// Elementwise functions of one tensor on the GPU; the math is the CPU's, in
// tensor/functors.h. out may be x itself: element i is read before written.
#include "cuda/backend.h"
#include "cuda/launch.cuh"
#include "tensor/cpu/dispatch.h"
#include "tensor/functors.h"
#include "tensor/tensor.h"

namespace pn::cuda {

namespace {

template <class F, class T>
struct UnaryForward {
  const T* x;
  T* out;
  T p0, p1;
  __device__ void operator()(int64_t i) const { out[i] = F::f(x[i], p0, p1); }
};

// grad_x = grad * df(x, y); x or y is null when the op's derivative does not
// read it (Unary<op>::uses_x / uses_y).
template <class F, class T>
struct UnaryBackward {
  const T* x;
  const T* y;
  const T* grad;
  T* grad_x;
  T p0, p1;
  __device__ void operator()(int64_t i) const {
    T xi = F::uses_x ? x[i] : T(0), yi = F::uses_y ? y[i] : T(0);
    grad_x[i] = grad[i] * F::df(xi, yi, p0, p1);
  }
};

}  // namespace

void CudaBackend::unary(UnaryOp op, const Tensor& x, Tensor& out, double p0, double p1) {
  dispatch_floating(x.dtype(), "unary", [&]<class T>() {
    dispatch_unary(op, [&]<class F>() {
      for_each(x.numel(), UnaryForward<F, T>{x.data<T>(), out.data<T>(), static_cast<T>(p0), static_cast<T>(p1)});
    });
  });
}

void CudaBackend::unary_backward(UnaryOp op, const Tensor& x, const Tensor& y, const Tensor& grad, Tensor& grad_x,
                                 double p0, double p1) {
  dispatch_floating(grad.dtype(), "unary_backward", [&]<class T>() {
    const T* xs = x.defined() ? x.data<T>() : nullptr;
    const T* ys = y.defined() ? y.data<T>() : nullptr;
    dispatch_unary(op, [&]<class F>() {
      for_each(grad.numel(), UnaryBackward<F, T>{xs, ys, grad.data<T>(), grad_x.data<T>(), static_cast<T>(p0),
                                                 static_cast<T>(p1)});
    });
  });
}

}  // namespace pn::cuda
