#include "cuda/gemm.h"

#include <limits>

#include "cuda/check.h"
#include "cuda/context.h"
#include "tensor/error.h"

namespace pn::cuda {

namespace {

int as_int(int64_t v, const char* what) {
  PN_CHECK(v >= 0 && v <= std::numeric_limits<int>::max(), "cuda gemm: ", what, " = ", v,
           " does not fit cuBLAS's 32-bit int");
  return static_cast<int>(v);
}

cublasStatus_t gemm_call(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                         const float* alpha, const float* A, int lda, long long sa, const float* B, int ldb,
                         long long sb, const float* beta, float* C, int ldc, long long sc, int batch) {
  return cublasSgemmStridedBatched(h, ta, tb, m, n, k, alpha, A, lda, sa, B, ldb, sb, beta, C, ldc, sc, batch);
}

cublasStatus_t gemm_call(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                         const double* alpha, const double* A, int lda, long long sa, const double* B, int ldb,
                         long long sb, const double* beta, double* C, int ldc, long long sc, int batch) {
  return cublasDgemmStridedBatched(h, ta, tb, m, n, k, alpha, A, lda, sa, B, ldb, sb, beta, C, ldc, sc, batch);
}

}  // namespace

// cuBLAS is column-major, and a row-major matrix is its transpose in
// column-major order. So row-major C = op(A) op(B) is column-major
// C^T = op(B)^T op(A)^T: swap the operands and the extents M and N, and keep
// each operand's own transpose flag.
template <class T>
void gemm(int64_t M, int64_t N, int64_t K, T alpha, const T* A, GemmOperand a, const T* B, GemmOperand b, T beta,
          T* C, int64_t ldc, int64_t stride_c, int64_t batch) {
  if (M == 0 || N == 0 || batch == 0) return;
  PN_CUBLAS_CHECK(gemm_call(cublas(), b.trans ? CUBLAS_OP_T : CUBLAS_OP_N, a.trans ? CUBLAS_OP_T : CUBLAS_OP_N,
                            as_int(N, "N"), as_int(M, "M"), as_int(K, "K"), &alpha, B, as_int(b.ld, "ldb"),
                            b.batch_stride, A, as_int(a.ld, "lda"), a.batch_stride, &beta, C, as_int(ldc, "ldc"),
                            stride_c, as_int(batch, "batch")));
}

template void gemm<float>(int64_t, int64_t, int64_t, float, const float*, GemmOperand, const float*, GemmOperand,
                          float, float*, int64_t, int64_t, int64_t);
template void gemm<double>(int64_t, int64_t, int64_t, double, const double*, GemmOperand, const double*,
                           GemmOperand, double, double*, int64_t, int64_t, int64_t);

}  // namespace pn::cuda
