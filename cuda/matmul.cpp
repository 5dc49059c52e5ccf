// matmul on the GPU: one cuBLAS GEMM (cuda/gemm.h).
#include "cuda/backend.h"
#include "cuda/gemm.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/tensor.h"

namespace pn::cuda {

void CudaBackend::matmul(const Tensor& a, bool trans_a, const Tensor& b, bool trans_b, Tensor& out) {
  const int64_t m = out.size(0), n = out.size(1), k = trans_a ? a.size(0) : a.size(1);
  dispatch_floating(a.dtype(), "matmul", [&]<class T>() {
    if (k == 0) {  // an empty sum: cuBLAS would leave C as it was
      fill(out, 0.0);
      return;
    }
    gemm<T>(m, n, k, T(1), a.data<T>(), {trans_a, a.size(1), 0}, b.data<T>(), {trans_b, b.size(1), 0}, T(0),
            out.data<T>(), n, 0);
  });
}

}  // namespace pn::cuda
