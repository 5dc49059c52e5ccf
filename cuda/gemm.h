#pragma once
// Row-major GEMM on the GPU through cuBLAS, for matmul and the im2col
// convolutions:
//   C_b[M,N] = alpha * op(A_b) op(B_b) + beta * C_b   for b in [0, batch)
// with op = transpose when the flag is set, leading dimensions as stored
// (row-major) and X_b = X + b * stride_x. Float32 follows allow_tf32()
// (cuda/context.h); float64 is IEEE. Queued on the backend's stream.
#include <cstdint>

namespace pn::cuda {

struct GemmOperand {
  bool trans = false;
  int64_t ld = 0;
  int64_t batch_stride = 0;
};

template <class T>
void gemm(int64_t M, int64_t N, int64_t K, T alpha, const T* A, GemmOperand a, const T* B, GemmOperand b, T beta,
          T* C, int64_t ldc, int64_t stride_c, int64_t batch = 1);

}  // namespace pn::cuda
