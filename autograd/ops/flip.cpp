// flip: reverses one dimension; its own backward.
#include "autograd/ops.h"
#include "autograd/ops/checks.h"
#include "autograd/record.h"

namespace pn {

namespace {

Tensor flip_copy(const Tensor& x, int64_t dim) {
  Tensor out = empty_like(x);
  backend(x.device()).flip(x, dim, out);
  return out;
}

}  // namespace

// Any dtype: flipping copies elements (uint8 images and masks included).
Tensor flip(const Tensor& x, int64_t dim) {
  check_defined("flip", x, "input");
  int64_t d = wrap_dim("flip", dim, x.dim());
  Tensor out = flip_copy(x, d);
  record(Op::flip, out, {&x}, [d](const Tensor& g, const Node&) { return std::vector<Tensor>{flip_copy(g, d)}; });
  return out;
}

}  // namespace pn
