// Elementwise functions of two or three broadcast tensors.
#include "tensor/broadcast.h"
#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/parallel.h"
#include "tensor/functors.h"
#include "tensor/tensor.h"

namespace pn {

namespace {

// Runs body(out_index, offsets...) over a broadcast output, row by row. Rows
// are split across threads; within a row the inner loop has unit or zero
// strides, which the compiler vectorises for the common cases.
template <size_t K, class Body>
void for_each_broadcast(const Shape& out, const std::array<const Shape*, K>& ins, Body&& body) {
  BroadcastPlan<K> plan(out, ins);
  int64_t grain = std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(plan.cols, 1));
  parallel_for(plan.rows, grain, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) body(r * plan.cols, plan.row_offset(r), plan);
  });
}

}  // namespace

void CpuBackend::binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& out) {
  dispatch_all(a.dtype(), [&]<class T>() {
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    dispatch_binary(op, [&]<class F>() {
      auto run = [&]<class O>(O* po) {
        if (a.shape() == b.shape()) {  // the common case: one flat loop
          parallel_for(out.numel(), 1 << 15, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) po[i] = static_cast<O>(F::f(pa[i], pb[i]));
          });
          return;
        }
        for_each_broadcast<2>(out.shape(), {&a.shape(), &b.shape()}, [&](int64_t o, auto off, auto& plan) {
          const T* ra = pa + off[0];
          const T* rb = pb + off[1];
          int64_t sa = plan.col_stride[0], sb = plan.col_stride[1];
          for (int64_t c = 0; c < plan.cols; ++c) po[o + c] = static_cast<O>(F::f(ra[c * sa], rb[c * sb]));
        });
      };
      if (is_comparison(op)) {
        run(out.data<uint8_t>());
      } else {
        run(out.data<T>());
      }
    });
  });
}

void CpuBackend::where(const Tensor& cond, const Tensor& a, const Tensor& b, Tensor& out) {
  dispatch_all(a.dtype(), [&]<class T>() {
    const uint8_t* pc = cond.data<uint8_t>();
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* po = out.data<T>();
    for_each_broadcast<3>(out.shape(), {&cond.shape(), &a.shape(), &b.shape()},
                          [&](int64_t o, auto off, auto& plan) {
                            for (int64_t c = 0; c < plan.cols; ++c) {
                              bool take_a = pc[off[0] + c * plan.col_stride[0]] != 0;
                              po[o + c] = take_a ? pa[off[1] + c * plan.col_stride[1]]
                                                 : pb[off[2] + c * plan.col_stride[2]];
                            }
                          });
  });
}

void CpuBackend::axpy(double alpha, const Tensor& y, Tensor& x) {
  dispatch_floating(x.dtype(), "axpy", [&]<class T>() {
    const T* py = y.data<T>();
    T* px = x.data<T>();
    T a = static_cast<T>(alpha);
    parallel_for(x.numel(), 1 << 15, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) px[i] += a * py[i];
    });
  });
}

}  // namespace pn
