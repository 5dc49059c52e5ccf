// Binary cross-entropy on logits, elementwise, on the GPU; the per-element
// math is bce_with_logits_value in tensor/functors.h, as on the CPU.
#include "cuda/backend.h"
#include "cuda/launch.cuh"
#include "tensor/cpu/dispatch.h"
#include "tensor/functors.h"
#include "tensor/tensor.h"

namespace pn::cuda {

namespace {

template <class T>
struct BceForward {
  const T* x;
  const T* t;
  T* out;
  __device__ void operator()(int64_t i) const { out[i] = bce_with_logits_value(x[i], t[i]); }
};

// grad has x's shape, or one element that multiplies every element.
template <class T>
struct BceBackward {
  const T* x;
  const T* t;
  const T* grad;
  bool broadcast;
  T scale;
  T* grad_x;
  __device__ void operator()(int64_t i) const {
    T sig = Unary<UnaryOp::Sigmoid>::f(x[i], T(0), T(0));
    grad_x[i] = scale * (broadcast ? grad[0] : grad[i]) * (sig - t[i]);
  }
};

}  // namespace

void CudaBackend::bce_with_logits(const Tensor& x, const Tensor& t, Tensor& out) {
  dispatch_floating(x.dtype(), "binary_cross_entropy_with_logits", [&]<class T>() {
    for_each(x.numel(), BceForward<T>{x.data<T>(), t.data<T>(), out.data<T>()});
  });
}

void CudaBackend::bce_with_logits_backward(const Tensor& x, const Tensor& t, const Tensor& grad, double scale,
                                           Tensor& grad_x) {
  dispatch_floating(x.dtype(), "binary_cross_entropy_with_logits_backward", [&]<class T>() {
    for_each(x.numel(), BceBackward<T>{x.data<T>(), t.data<T>(), grad.data<T>(), grad.numel() == 1,
                                       static_cast<T>(scale), grad_x.data<T>()});
  });
}

}  // namespace pn::cuda
