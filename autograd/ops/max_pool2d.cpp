// max_pool2d: PyTorch's MaxPool2d without dilation.
#include "autograd/ops.h"
#include "autograd/ops/checks.h"
#include "autograd/record.h"

namespace pn {

namespace {

constexpr const char* kOp = "max_pool2d";

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0); }

// PyTorch's rule. In ceil mode the extra window must start inside the input
// or its left padding; one starting in the right padding would see only -inf.
int64_t pooled_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad, bool ceil_mode) {
  int64_t out = floor_div(in + 2 * pad - kernel + (ceil_mode ? stride - 1 : 0), stride) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

}  // namespace

Tensor max_pool2d(const Tensor& x, const Pool2dArgs& a) {
  check_rank(kOp, x, 4, "input");
  check_floating_same(kOp, {&x});
  for (int i = 0; i < 2; ++i) {
    PN_CHECK(a.kernel[i] > 0 && a.stride[i] > 0 && a.padding[i] >= 0, kOp, ": kernel [", a.kernel[0], ", ",
             a.kernel[1], "] and stride [", a.stride[0], ", ", a.stride[1], "] must be positive and padding [",
             a.padding[0], ", ", a.padding[1], "] non-negative (input of shape ", x.shape(), ")");
    // A wider padding could make a whole window padding, whose max is -inf.
    PN_CHECK(a.padding[i] <= a.kernel[i] / 2, kOp, ": padding [", a.padding[0], ", ", a.padding[1],
             "] must be at most half of kernel [", a.kernel[0], ", ", a.kernel[1], "] (input of shape ", x.shape(), ")");
  }
  int64_t P = pooled_size(x.size(2), a.kernel[0], a.stride[0], a.padding[0], a.ceil_mode);
  int64_t Q = pooled_size(x.size(3), a.kernel[1], a.stride[1], a.padding[1], a.ceil_mode);
  PN_CHECK(P >= 1 && Q >= 1, kOp, ": input of shape ", x.shape(), " is too small for kernel [", a.kernel[0], ", ",
           a.kernel[1], "] with padding [", a.padding[0], ", ", a.padding[1], "] (output would be ", P, "x", Q, ")");

  Tensor out({x.size(0), x.size(1), P, Q}, x.dtype(), x.device());
  Tensor indices({x.size(0), x.size(1), P, Q}, DType::Int64, x.device());
  backend(x.device()).max_pool2d(x, a, out, indices);
  // The argmax positions are all backward reads.
  record(Op::max_pool2d, out, {&x},
         [x_shape = x.shape(), a, si = SavedTensor(indices, Op::max_pool2d)](const Tensor& g, const Node&) {
           Tensor gx(x_shape, g.dtype(), g.device());
           backend(g.device()).max_pool2d_backward(g, si.get(), a, gx);
           return std::vector<Tensor>{gx};
         });
  return out;
}

}  // namespace pn
