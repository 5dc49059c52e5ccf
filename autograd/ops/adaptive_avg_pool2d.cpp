// adaptive_avg_pool2d: average pooling to a given output size.
#include "autograd/ops.h"
#include "autograd/ops/checks.h"
#include "autograd/record.h"

namespace pn {

Tensor adaptive_avg_pool2d(const Tensor& x, int64_t out_h, int64_t out_w) {
  constexpr const char* kOp = "adaptive_avg_pool2d";
  check_rank(kOp, x, 4, "input");
  check_floating_same(kOp, {&x});
  PN_CHECK(out_h >= 1 && out_w >= 1, kOp, ": output size must be positive, got ", out_h, "x", out_w,
           " for input of shape ", x.shape());
  // An empty input plane would leave every window empty.
  PN_CHECK(x.size(2) >= 1 && x.size(3) >= 1, kOp, ": input of shape ", x.shape(), " has an empty plane");
  Tensor out({x.size(0), x.size(1), out_h, out_w}, x.dtype(), x.device());
  backend(x.device()).adaptive_avg_pool2d(x, out);
  record(Op::adaptive_avg_pool2d, out, {&x}, [x_shape = x.shape()](const Tensor& g, const Node&) {
    Tensor gx(x_shape, g.dtype(), g.device());
    backend(g.device()).adaptive_avg_pool2d_backward(g, gx);
    return std::vector<Tensor>{gx};
  });
  return out;
}

}  // namespace pn
