#pragma once
// The CUDA backend's process-wide state: the device, its one stream, the
// cuBLAS handle, and the two global switches that trade exactness for speed.
//
// All work of the backend (kernels, copies, cuBLAS, cuDNN) is queued on
// stream(), so operations run in the order they were issued and memory freed
// to the caching allocator can be reused by the next operation without a
// synchronisation (cuda/allocator.h). Only cuda:0 is used for now.
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

namespace pn::cuda {

// Number of visible CUDA devices; 0 when there is no driver or no GPU (never
// throws).
int device_count();

// Created on first use (selects device 0). Throw pn::Error on failure.
cudaStream_t stream();
cublasHandle_t cublas();  // bound to stream(); its math mode follows allow_tf32()

// Waits until every queued operation has finished; throws on a device fault.
void synchronize();

// TF32 tensor-core math for float32 matmul and convolution (10-bit mantissa
// inputs, ~1e-3 relative error, several times faster on Ampere and Hopper).
// Off by default, so that float32 results match the CPU to ~1e-6.
void set_allow_tf32(bool on);
bool allow_tf32();

// Deterministic convolutions: only cuDNN algorithms whose results do not
// vary between runs are chosen. On by default (every CPU kernel is
// deterministic too); off lets the measurement pick any algorithm.
void set_deterministic(bool on);
bool deterministic();

}  // namespace pn::cuda
