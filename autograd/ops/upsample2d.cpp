// upsample2d: nearest or bilinear (align_corners=false) by an integer scale.
#include "autograd/ops.h"
#include "autograd/ops/checks.h"
#include "autograd/record.h"

namespace pn {

Tensor upsample2d(const Tensor& x, int64_t scale, UpsampleMode mode) {
  constexpr const char* kOp = "upsample2d";
  check_rank(kOp, x, 4, "input");
  check_floating_same(kOp, {&x});
  PN_CHECK(scale >= 1, kOp, ": scale must be >= 1, got ", scale, " for input of shape ", x.shape());
  PN_CHECK(mode == UpsampleMode::Nearest || mode == UpsampleMode::Bilinear, kOp, ": unknown mode ",
           static_cast<int>(mode));
  Tensor out({x.size(0), x.size(1), x.size(2) * scale, x.size(3) * scale}, x.dtype(), x.device());
  backend(x.device()).upsample2d(x, mode, out);
  record(Op::upsample2d, out, {&x}, [x_shape = x.shape(), mode](const Tensor& g, const Node&) {
    Tensor gx(x_shape, g.dtype(), g.device());
    backend(g.device()).upsample2d_backward(g, mode, gx);
    return std::vector<Tensor>{gx};
  });
  return out;
}

}  // namespace pn
