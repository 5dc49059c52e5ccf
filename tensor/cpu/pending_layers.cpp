// Placeholders for kernels under construction; each is removed when its real
// kernel lands in tensor/cpu/<op>.cpp.
#include "tensor/cpu/cpu_backend.h"
#include "tensor/tensor.h"

namespace pn {
void CpuBackend::batch_norm_train(const Tensor&, const Tensor&, const Tensor&, Tensor&, Tensor&, double, double, Tensor&, Tensor&, Tensor&) { fail("not implemented"); }
void CpuBackend::batch_norm_eval(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&, Tensor&) { fail("not implemented"); }
void CpuBackend::batch_norm_backward(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&, bool, Tensor&, Tensor&, Tensor&) { fail("not implemented"); }
void CpuBackend::max_pool2d(const Tensor&, const Pool2dArgs&, Tensor&, Tensor&) { fail("not implemented"); }
void CpuBackend::max_pool2d_backward(const Tensor&, const Tensor&, Tensor&) { fail("not implemented"); }
void CpuBackend::adaptive_avg_pool2d(const Tensor&, Tensor&) { fail("not implemented"); }
void CpuBackend::adaptive_avg_pool2d_backward(const Tensor&, Tensor&) { fail("not implemented"); }
void CpuBackend::upsample2d(const Tensor&, UpsampleMode, Tensor&) { fail("not implemented"); }
void CpuBackend::upsample2d_backward(const Tensor&, UpsampleMode, Tensor&) { fail("not implemented"); }
void CpuBackend::concat(const Tensor* const*, size_t, int64_t, Tensor&) { fail("not implemented"); }
void CpuBackend::flip(const Tensor&, int64_t, Tensor&) { fail("not implemented"); }
void CpuBackend::narrow(const Tensor&, int64_t, int64_t, Tensor&) { fail("not implemented"); }
void CpuBackend::bce_with_logits(const Tensor&, const Tensor&, Tensor&) { fail("not implemented"); }
void CpuBackend::bce_with_logits_backward(const Tensor&, const Tensor&, const Tensor&, double, Tensor&) { fail("not implemented"); }
}  // namespace pn
