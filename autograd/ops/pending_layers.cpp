// Placeholders for op entry points under construction.
#include "autograd/ops.h"

namespace pn {
Tensor batch_norm(const Tensor&, const Tensor&, const Tensor&, Tensor, Tensor, bool, double, double) { fail("not implemented"); }
Tensor max_pool2d(const Tensor&, const Pool2dArgs&) { fail("not implemented"); }
Tensor adaptive_avg_pool2d(const Tensor&, int64_t, int64_t) { fail("not implemented"); }
Tensor upsample2d(const Tensor&, int64_t, UpsampleMode) { fail("not implemented"); }
Tensor concat(const std::vector<Tensor>&, int64_t) { fail("not implemented"); }
Tensor flip(const Tensor&, int64_t) { fail("not implemented"); }
Tensor narrow(const Tensor&, int64_t, int64_t, int64_t) { fail("not implemented"); }
Tensor binary_cross_entropy_with_logits(const Tensor&, const Tensor&, Reduction) { fail("not implemented"); }
}  // namespace pn
