#pragma once
// The one check family of the CUDA backend. Every CUDA runtime, cuBLAS and
// cuDNN call is wrapped in its macro, and every kernel launch is followed by
// PN_CUDA_LAUNCH_CHECK() (tests/cuda/test_launch_checks.cpp enforces it for
// cuda/*.cu). A failure throws pn::Error naming the call, the file and line,
// and the library's own error string:
//
//   PN_CUDA_CHECK(cudaMemcpyAsync(dst, src, n, cudaMemcpyDefault, stream));
//   kernel<<<grid, block, 0, stream>>>(...);
//   PN_CUDA_LAUNCH_CHECK();
//
// The launch check reads cudaGetLastError(): it catches bad launch
// configurations at once; faults inside a kernel surface at the next
// synchronising call, which is checked the same way.
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include "tensor/error.h"

#if defined(PNEUMO_CUDNN)
#include <cudnn.h>
#endif

namespace pn::cuda {

[[noreturn]] inline void fail_call(const char* library, const char* call, const char* file, int line,
                                   const char* error) {
  fail(library, " call failed: ", call, " at ", file, ":", line, ": ", error);
}

inline void check_cuda(cudaError_t e, const char* call, const char* file, int line) {
  if (e != cudaSuccess) fail_call("CUDA", call, file, line, cudaGetErrorString(e));
}

inline void check_cublas(cublasStatus_t s, const char* call, const char* file, int line) {
  if (s != CUBLAS_STATUS_SUCCESS) fail_call("cuBLAS", call, file, line, cublasGetStatusString(s));
}

#if defined(PNEUMO_CUDNN)
inline void check_cudnn(cudnnStatus_t s, const char* call, const char* file, int line) {
  if (s != CUDNN_STATUS_SUCCESS) fail_call("cuDNN", call, file, line, cudnnGetErrorString(s));
}
#endif

}  // namespace pn::cuda

#define PN_CUDA_CHECK(call) ::pn::cuda::check_cuda((call), #call, __FILE__, __LINE__)
#define PN_CUBLAS_CHECK(call) ::pn::cuda::check_cublas((call), #call, __FILE__, __LINE__)
#define PN_CUDNN_CHECK(call) ::pn::cuda::check_cudnn((call), #call, __FILE__, __LINE__)
#define PN_CUDA_LAUNCH_CHECK() ::pn::cuda::check_cuda(cudaGetLastError(), "kernel launch", __FILE__, __LINE__)
