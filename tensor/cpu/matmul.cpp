// matmul on the CPU: one GEMM call.
#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/gemm.h"
#include "tensor/tensor.h"

namespace pn {

void CpuBackend::matmul(const Tensor& a, bool trans_a, const Tensor& b, bool trans_b, Tensor& out) {
  int64_t m = out.size(0), n = out.size(1);
  int64_t k = trans_a ? a.size(0) : a.size(1);
  dispatch_floating(a.dtype(), "matmul", [&]<class T>() {
    cpu::gemm(cpu::Trans{trans_a}, cpu::Trans{trans_b}, m, n, k, T(1), a.data<T>(), a.size(1), b.data<T>(),
              b.size(1), T(0), out.data<T>(), n);
  });
}

}  // namespace pn
