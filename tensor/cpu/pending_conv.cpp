// Placeholders for kernels under construction; each is removed when its real
// kernel lands in tensor/cpu/<op>.cpp.
#include "tensor/cpu/cpu_backend.h"
#include "tensor/tensor.h"

namespace pn {
void CpuBackend::conv2d(const Tensor&, const Tensor&, const Tensor&, const Conv2dArgs&, Tensor&) { fail("conv2d: not implemented on cpu"); }
void CpuBackend::conv2d_backward_input(const Tensor&, const Tensor&, const Conv2dArgs&, Tensor&) { fail("conv2d: not implemented on cpu"); }
void CpuBackend::conv2d_backward_weight(const Tensor&, const Tensor&, const Conv2dArgs&, Tensor&) { fail("conv2d: not implemented on cpu"); }
}  // namespace pn
