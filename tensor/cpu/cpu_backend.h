#pragma once
// The CPU backend: the readable reference every other backend is tested
// against. Each kernel is defined in the file named for its op
// (tensor/cpu/conv2d.cpp defines conv2d, conv2d_backward_input, ...).
// Kernels run on OpenMP threads; results never depend on the thread count.
#include "tensor/backend.h"

namespace pn {

class CpuBackend final : public Backend {
 public:
  const char* name() const override { return "cpu"; }

#include "tensor/backend_kernels.inc"
};

CpuBackend& cpu_backend();

}  // namespace pn
