// Elementwise functions of two or three broadcast tensors on the GPU (math in
// tensor/functors.h), and axpy. out may be an input of out's shape.
#include "cuda/backend.h"
#include "cuda/broadcast.cuh"
#include "cuda/launch.cuh"
#include "tensor/cpu/dispatch.h"
#include "tensor/functors.h"
#include "tensor/tensor.h"

namespace pn::cuda {

namespace {

// O is T, or uint8_t for comparisons.
template <class F, class T, class O>
struct BinarySame {
  const T* a;
  const T* b;
  O* out;
  __device__ void operator()(int64_t i) const { out[i] = static_cast<O>(F::f(a[i], b[i])); }
};

template <class F, class T, class O>
struct BinaryBroadcast {
  const T* a;
  const T* b;
  O* out;
  BroadcastIndex<2> index;
  __device__ void operator()(int64_t i) const {
    out[i] = static_cast<O>(F::f(a[index.offset(0, i)], b[index.offset(1, i)]));
  }
};

template <class T>
struct Where {
  const uint8_t* cond;
  const T* a;
  const T* b;
  T* out;
  BroadcastIndex<3> index;
  __device__ void operator()(int64_t i) const {
    out[i] = cond[index.offset(0, i)] != 0 ? a[index.offset(1, i)] : b[index.offset(2, i)];
  }
};

template <class T>
struct Axpy {
  T alpha;
  const T* y;
  T* x;
  __device__ void operator()(int64_t i) const { x[i] += alpha * y[i]; }
};

}  // namespace

void CudaBackend::binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& out) {
  dispatch_all(a.dtype(), [&]<class T>() {
    dispatch_binary(op, [&]<class F>() {
      auto run = [&]<class O>(O* po) {
        if (a.shape() == b.shape()) {
          for_each(out.numel(), BinarySame<F, T, O>{a.data<T>(), b.data<T>(), po});
        } else {
          for_each(out.numel(), BinaryBroadcast<F, T, O>{a.data<T>(), b.data<T>(), po,
                                                         BroadcastIndex<2>(out.shape(), {&a.shape(), &b.shape()})});
        }
      };
      if (is_comparison(op)) {
        run(out.data<uint8_t>());
      } else {
        run(out.data<T>());
      }
    });
  });
}

void CudaBackend::where(const Tensor& cond, const Tensor& a, const Tensor& b, Tensor& out) {
  dispatch_all(a.dtype(), [&]<class T>() {
    for_each(out.numel(), Where<T>{cond.data<uint8_t>(), a.data<T>(), b.data<T>(), out.data<T>(),
                                   BroadcastIndex<3>(out.shape(), {&cond.shape(), &a.shape(), &b.shape()})});
  });
}

void CudaBackend::axpy(double alpha, const Tensor& y, Tensor& x) {
  dispatch_floating(x.dtype(), "axpy", [&]<class T>() {
    for_each(x.numel(), Axpy<T>{static_cast<T>(alpha), y.data<T>(), x.data<T>()});
  });
}

}  // namespace pn::cuda
