// Binary cross-entropy on logits, elementwise (the reduction is the entry
// point's); the per-element math is bce_with_logits_value in tensor/functors.h.
#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/parallel.h"
#include "tensor/functors.h"
#include "tensor/tensor.h"

namespace pn {

namespace {

constexpr int64_t kGrain = 1 << 14;

}  // namespace

void CpuBackend::bce_with_logits(const Tensor& x, const Tensor& t, Tensor& out) {
  dispatch_floating(x.dtype(), "binary_cross_entropy_with_logits", [&]<class T>() {
    const T* xs = x.data<T>();
    const T* ts = t.data<T>();
    T* ys = out.data<T>();
    parallel_for(x.numel(), kGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) ys[i] = bce_with_logits_value(xs[i], ts[i]);
    });
  });
}

// d/dx = sigmoid(x) - t; the two-branch sigmoid keeps large |x| finite.
void CpuBackend::bce_with_logits_backward(const Tensor& x, const Tensor& t, const Tensor& grad, double scale,
                                          Tensor& grad_x) {
  dispatch_floating(x.dtype(), "binary_cross_entropy_with_logits_backward", [&]<class T>() {
    const T* xs = x.data<T>();
    const T* ts = t.data<T>();
    const T* gs = grad.data<T>();
    T* gx = grad_x.data<T>();
    bool broadcast = grad.numel() == 1;  // a reduced loss: one gradient for every element
    T s = static_cast<T>(scale);
    parallel_for(x.numel(), kGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        T sig = Unary<UnaryOp::Sigmoid>::f(xs[i], T(0), T(0));
        gx[i] = s * (broadcast ? gs[0] : gs[i]) * (sig - ts[i]);
      }
    });
  });
}

}  // namespace pn
