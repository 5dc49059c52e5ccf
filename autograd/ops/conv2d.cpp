// conv2d: PyTorch's Conv2d (cross-correlation) with stride, padding, dilation and groups.
#include "autograd/ops.h"
#include "autograd/ops/checks.h"
#include "autograd/record.h"

namespace pn {

namespace {

Shape pair(const int64_t (&v)[2]) { return Shape{v[0], v[1]}; }

// x [N,C,H,W], w [K,C/groups,R,S]: the output's [P, Q], after checking every
// argument against those shapes.
Shape check_conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dArgs& a) {
  check_rank("conv2d", x, 4, "input (N, C, H, W)");
  check_rank("conv2d", w, 4, "weight (K, C/groups, R, S)");
  check_floating_same("conv2d", {&x, &w, &bias});
  PN_CHECK(a.stride[0] > 0 && a.stride[1] > 0, "conv2d: stride must be positive, got ", pair(a.stride));
  PN_CHECK(a.dilation[0] > 0 && a.dilation[1] > 0, "conv2d: dilation must be positive, got ", pair(a.dilation));
  PN_CHECK(a.padding[0] >= 0 && a.padding[1] >= 0, "conv2d: padding must be non-negative, got ",
           pair(a.padding));
  PN_CHECK(a.groups > 0, "conv2d: groups must be positive, got ", a.groups);
  PN_CHECK(x.size(1) > 0 && x.size(2) > 0 && x.size(3) > 0, "conv2d: input ", x.shape(),
           " has an empty channel or spatial dimension");
  PN_CHECK(w.numel() > 0, "conv2d: weight ", w.shape(), " is empty");
  PN_CHECK(x.size(1) == w.size(1) * a.groups, "conv2d: input ", x.shape(), " has ", x.size(1),
           " channels but weight ", w.shape(), " with groups=", a.groups, " expects ", w.size(1) * a.groups);
  PN_CHECK(w.size(0) % a.groups == 0, "conv2d: weight ", w.shape(), " has ", w.size(0),
           " output channels, not divisible by groups=", a.groups);
  if (bias.defined()) {
    PN_CHECK(bias.shape() == Shape{w.size(0)}, "conv2d: bias ", bias.shape(), " must be [", w.size(0),
             "] for weight ", w.shape());
  }
  Shape pq(2);
  for (size_t i = 0; i < 2; ++i) {
    int64_t extent = x.size(2 + static_cast<int64_t>(i)), kernel = w.size(2 + static_cast<int64_t>(i));
    pq[i] = (extent + 2 * a.padding[i] - a.dilation[i] * (kernel - 1) - 1) / a.stride[i] + 1;
    // The numerator can be negative, where C++ division rounds towards zero.
    if (extent + 2 * a.padding[i] < a.dilation[i] * (kernel - 1) + 1) pq[i] = 0;
  }
  PN_CHECK(pq[0] > 0 && pq[1] > 0, "conv2d: output size ", pq, " is not positive for input ", x.shape(),
           " and weight ", w.shape(), " with stride ", pair(a.stride), ", padding ", pair(a.padding),
           ", dilation ", pair(a.dilation), " (the dilated kernel is larger than the padded input)");
  return pq;
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dArgs& args) {
  Shape pq = check_conv2d(x, weight, bias, args);
  Tensor out({x.size(0), weight.size(0), pq[0], pq[1]}, x.dtype(), x.device());
  backend(x.device()).conv2d(x, weight, bias, args, out);
  // grad_x reads the weight, grad_w reads x; the bias gradient reads only g.
  record(Op::conv2d, out, {&x, &weight, &bias},
         [args, x_shape = x.shape(), w_shape = weight.shape(),
          sx = SavedTensor(weight.requires_grad() ? x : Tensor(), Op::conv2d),
          sw = SavedTensor(x.requires_grad() ? weight : Tensor(), Op::conv2d)](const Tensor& g, const Node& node) {
           Tensor gx, gw, gb;
           if (node.needs_grad(0)) {
             gx = Tensor(x_shape, g.dtype(), g.device());
             backend(g.device()).conv2d_backward_input(g, sw.get(), args, gx);
           }
           if (node.needs_grad(1)) {
             gw = Tensor(w_shape, g.dtype(), g.device());
             backend(g.device()).conv2d_backward_weight(g, sx.get(), args, gw);
           }
           if (node.needs_grad(2)) gb = sum(g, {0, 2, 3});
           return std::vector<Tensor>{gx, gw, gb};
         });
  return out;
}

}  // namespace pn
