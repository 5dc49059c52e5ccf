#pragma once
// The CUDA backend: every kernel of tensor/backend.h on the GPU, tested
// against the CPU backend (tests/cuda/). Each kernel is defined in the file
// named for its op (cuda/conv2d.cu defines conv2d, conv2d_backward_input,
// ...), as the kernel, its launcher and the entry. All work is queued on one
// stream (cuda/context.h); memory comes from the caching allocator
// (cuda/allocator.h). Results never depend on timing: no reduction uses
// floating-point atomics.
#include "tensor/backend.h"

namespace pn::cuda {

class CudaBackend final : public Backend {
 public:
  const char* name() const override { return "cuda"; }
  std::string device_name() const override;                 // cuda/context.cpp
  DeviceMemory memory() const override;                      // cuda/memory.cpp
  void reset_peak_memory() override;                         // cuda/memory.cpp
  bool set_allow_tf32(bool on) override;                     // cuda/context.cpp

#include "tensor/backend_kernels.inc"
};

// The backend, created on first use; throws pn::Error when no GPU is
// visible. register_cuda_backend() installs it with pn::register_backend;
// tensor/backend.cpp does that lazily (load_cuda_backend), so programs need
// not call it.
CudaBackend& cuda_backend();
void register_cuda_backend();

}  // namespace pn::cuda
