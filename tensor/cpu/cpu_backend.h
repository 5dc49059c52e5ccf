#pragma once
// The CPU backend: the readable reference every other backend is tested
// against. Each kernel is defined in the file named for its op
// (tensor/cpu/conv2d.cpp defines conv2d, conv2d_backward_input, ...).
// Kernels run on OpenMP threads; results never depend on the thread count.
#include <atomic>

#include "tensor/backend.h"

namespace pn {

class CpuBackend final : public Backend {
 public:
  const char* name() const override { return "cpu"; }
  // Bytes held by tensors (not by kernels' scratch vectors or the C library's
  // free lists: the process's resident size counts those).
  DeviceMemory memory() const override { return {allocated_.load(), peak_.load()}; }
  void reset_peak_memory() override { peak_.store(allocated_.load()); }

#include "tensor/backend_kernels.inc"

 private:
  std::atomic<size_t> allocated_{0}, peak_{0};
};

CpuBackend& cpu_backend();

}  // namespace pn
