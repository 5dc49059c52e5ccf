// conv_transpose2d: PyTorch's ConvTranspose2d, as the adjoint of conv2d.
//
// A transposed convolution of x with w is the input gradient of the
// convolution that maps its output [N,K,P,Q] to x [N,C,H,W] with the same
// weight [C,K/groups,R,S] and arguments. So the three conv2d kernels serve
// with their roles swapped:
//   forward          = conv2d_backward_input(grad_out = x)
//   gradient of x    = conv2d(g)
//   gradient of w    = conv2d_backward_weight(grad_out = x, x = g)
// output_padding only enlarges the output: the extra rows and columns get no
// contribution (only the bias), and the conv2d kernels take their sizes from
// the tensors, so nothing else changes.
#include <algorithm>

#include "autograd/ops.h"
#include "autograd/ops/checks.h"
#include "autograd/record.h"

namespace pn {

namespace {

Shape pair(const int64_t (&v)[2]) { return Shape{v[0], v[1]}; }

// x [N,C,H,W], w [C,K/groups,R,S]: the output's [P, Q], after checking every
// argument against those shapes.
Shape check_conv_transpose2d(const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dArgs& a,
                             const std::array<int64_t, 2>& output_padding) {
  const char* op = "conv_transpose2d";
  check_rank(op, x, 4, "input (N, C, H, W)");
  check_rank(op, w, 4, "weight (C, K/groups, R, S)");
  check_floating_same(op, {&x, &w, &bias});
  PN_CHECK(a.stride[0] > 0 && a.stride[1] > 0, op, ": stride must be positive, got ", pair(a.stride));
  PN_CHECK(a.dilation[0] > 0 && a.dilation[1] > 0, op, ": dilation must be positive, got ", pair(a.dilation));
  PN_CHECK(a.padding[0] >= 0 && a.padding[1] >= 0, op, ": padding must be non-negative, got ", pair(a.padding));
  PN_CHECK(a.groups > 0, op, ": groups must be positive, got ", a.groups);
  for (size_t i = 0; i < 2; ++i) {
    PN_CHECK(output_padding[i] >= 0 && output_padding[i] < std::max(a.stride[i], a.dilation[i]), op,
             ": output_padding ", Shape{output_padding[0], output_padding[1]},
             " must be non-negative and smaller than stride ", pair(a.stride), " or dilation ", pair(a.dilation));
  }
  PN_CHECK(x.size(1) > 0 && x.size(2) > 0 && x.size(3) > 0, op, ": input ", x.shape(),
           " has an empty channel or spatial dimension");
  PN_CHECK(w.numel() > 0, op, ": weight ", w.shape(), " is empty");
  PN_CHECK(x.size(1) == w.size(0), op, ": input ", x.shape(), " has ", x.size(1), " channels but weight ",
           w.shape(), " expects ", w.size(0));
  PN_CHECK(w.size(0) % a.groups == 0, op, ": weight ", w.shape(), " has ", w.size(0),
           " input channels, not divisible by groups=", a.groups);
  const int64_t k = w.size(1) * a.groups;
  if (bias.defined()) {
    PN_CHECK(bias.shape() == Shape{k}, op, ": bias ", bias.shape(), " must be [", k, "] for weight ", w.shape(),
             " with groups=", a.groups);
  }
  Shape pq(2);
  for (size_t i = 0; i < 2; ++i) {
    pq[i] = (x.size(2 + static_cast<int64_t>(i)) - 1) * a.stride[i] - 2 * a.padding[i] +
            a.dilation[i] * (w.size(2 + static_cast<int64_t>(i)) - 1) + output_padding[i] + 1;
  }
  PN_CHECK(pq[0] > 0 && pq[1] > 0, op, ": output size ", pq, " is not positive for input ", x.shape(),
           " and weight ", w.shape(), " with stride ", pair(a.stride), ", padding ", pair(a.padding),
           ", dilation ", pair(a.dilation), " (the padding removes more than the whole output)");
  return pq;
}

}  // namespace

Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dArgs& args,
                        std::array<int64_t, 2> output_padding) {
  Shape pq = check_conv_transpose2d(x, weight, bias, args, output_padding);
  const int64_t k = weight.size(1) * args.groups;
  Tensor out({x.size(0), k, pq[0], pq[1]}, x.dtype(), x.device());
  Backend& be = backend(x.device());
  be.conv2d_backward_input(x, weight, args, out);
  // In place, element by element: each output element reads only itself, so
  // no second output-sized buffer is needed.
  if (bias.defined()) be.binary(BinaryOp::Add, out, bias.detach().reshape({1, k, 1, 1}), out);
  record(Op::conv_transpose2d, out, {&x, &weight, &bias},
         [args, x_shape = x.shape(), w_shape = weight.shape(),
          sx = SavedTensor(weight.requires_grad() ? x : Tensor(), Op::conv_transpose2d),
          sw = SavedTensor(x.requires_grad() ? weight : Tensor(), Op::conv_transpose2d)](const Tensor& g,
                                                                                          const Node& node) {
           Tensor gx, gw, gb;
           if (node.needs_grad(0)) {
             gx = Tensor(x_shape, g.dtype(), g.device());
             backend(g.device()).conv2d(g, sw.get(), Tensor(), args, gx);
           }
           if (node.needs_grad(1)) {
             gw = Tensor(w_shape, g.dtype(), g.device());
             backend(g.device()).conv2d_backward_weight(sx.get(), g, args, gw);
           }
           if (node.needs_grad(2)) gb = sum(g, {0, 2, 3});
           return std::vector<Tensor>{gx, gw, gb};
         });
  return out;
}

}  // namespace pn
