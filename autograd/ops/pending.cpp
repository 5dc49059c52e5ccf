// Placeholders for op entry points under construction.
#include "autograd/ops.h"

namespace pn {
Tensor conv2d(const Tensor&, const Tensor&, const Tensor&, const Conv2dArgs&) { fail("conv2d: not implemented"); }
Tensor conv_transpose2d(const Tensor&, const Tensor&, const Tensor&, const Conv2dArgs&, std::array<int64_t, 2>) { fail("conv_transpose2d: not implemented"); }
}  // namespace pn
