// binary_cross_entropy_with_logits with None, Mean or Sum reduction.
//
// Only the logits are differentiated. A target that requires grad is refused
// rather than silently given no gradient: detach() it first.
#include <limits>

#include "autograd/ops.h"
#include "autograd/ops/checks.h"
#include "autograd/record.h"

namespace pn {

Tensor binary_cross_entropy_with_logits(const Tensor& x, const Tensor& t, Reduction reduction) {
  constexpr const char* kOp = "binary_cross_entropy_with_logits";
  check_defined(kOp, x, "logits");
  check_defined(kOp, t, "target");
  check_floating_same(kOp, {&x, &t});
  PN_CHECK(x.shape() == t.shape(), kOp, ": target of shape ", t.shape(), " differs from logits of shape ",
           x.shape());
  PN_CHECK(!(grad_enabled() && t.requires_grad()), kOp, ": the target of shape ", t.shape(),
           " requires grad, but only the logits are differentiated; pass target.detach()");
  PN_CHECK(reduction == Reduction::None || reduction == Reduction::Mean || reduction == Reduction::Sum, kOp,
           ": unknown reduction ", static_cast<int>(reduction));

  Backend& be = backend(x.device());
  Tensor loss = empty_like(x);
  be.bce_with_logits(x, t, loss);
  Tensor out = loss;
  double scale = 1.0;
  if (reduction != Reduction::None) {
    out = Tensor({}, x.dtype(), x.device());
    int64_t n = x.numel();
    if (n == 0) {
      // PyTorch's values for an empty batch: the mean is 0/0.
      be.fill(out, reduction == Reduction::Mean ? std::numeric_limits<double>::quiet_NaN() : 0.0);
    } else {
      be.sum_dim(loss, 1, n, 1, out);
      if (reduction == Reduction::Mean) {
        scale = 1.0 / static_cast<double>(n);
        be.unary(UnaryOp::MulScalar, out, out, scale, 0.0);
      }
    }
  }
  record(Op::binary_cross_entropy_with_logits, out, {&x},
         [scale, sx = SavedTensor(x, Op::binary_cross_entropy_with_logits),
          st = SavedTensor(t, Op::binary_cross_entropy_with_logits)](const Tensor& g, const Node&) {
           Tensor gx = empty_like(sx.get());
           backend(g.device()).bce_with_logits_backward(sx.get(), st.get(), g, scale, gx);
           return std::vector<Tensor>{gx};
         });
  return out;
}

}  // namespace pn
