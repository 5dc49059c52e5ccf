#pragma once
// Every differentiable op of the framework, device independent.
//
// Each op checks its arguments (a wrong rank, shape, dtype or a mix of
// devices throws pn::Error naming the op and the shapes), allocates its
// output on the inputs' device, runs that device's kernel (tensor/backend.h)
// and, when an input requires grad, records its backward on the tape. The
// implementation of op `foo` is autograd/ops/foo.cpp, its CPU kernel
// tensor/cpu/foo.cpp, its CUDA kernel cuda/foo.cu and its tests
// tests/ops/test_foo.cpp.
//
// Floating-point ops take float32 or float64; the inputs of one op must share
// dtype and device.
#include <array>
#include <vector>

#include "tensor/backend.h"
#include "tensor/tensor.h"

namespace pn {

// ---- elementwise, two tensors with broadcasting (NumPy rules) ----
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
// max(a, b) elementwise; where a == b the gradient goes half to each.
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);

// ---- comparisons and selection (no gradient through cond) ----
// uint8 tensors of 0/1 with the broadcast shape.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
// cond ? a : b elementwise; cond uint8; all three broadcast; differentiable in a and b.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);

// ---- elementwise, one tensor ----
Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sqrt(const Tensor& x);
// min(max(x, lo), hi); the gradient is 1 strictly inside [lo, hi] and 0 outside.
Tensor clamp(const Tensor& x, double lo, double hi);
Tensor pow(const Tensor& x, double exponent);
Tensor add(const Tensor& x, double s);
Tensor mul(const Tensor& x, double s);

// ---- reductions ----
// Sum / mean over all elements: a one-element tensor of shape [].
Tensor sum(const Tensor& x);
Tensor mean(const Tensor& x);
// Over the given dims (negative counts from the end); keepdim keeps them as 1.
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
// Sums a broadcast gradient back to `shape` (the inverse of broadcasting).
Tensor sum_to(const Tensor& x, const Shape& shape);

// ---- linear algebra ----
// a [M,K] @ b [K,N] -> [M,N].
Tensor matmul(const Tensor& a, const Tensor& b);

// ---- convolution ----
// x [N,C,H,W], weight [K,C/groups,R,S], bias [K] or undefined -> [N,K,P,Q] with
// P = (H + 2*pad - dil*(R-1) - 1)/stride + 1 (PyTorch's Conv2d).
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
              const Conv2dArgs& args = {});
// x [N,C,H,W], weight [C,K/groups,R,S], bias [K] or undefined -> [N,K,P,Q] with
// P = (H-1)*stride - 2*pad + dil*(R-1) + output_padding + 1 (PyTorch's ConvTranspose2d).
Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
                        const Conv2dArgs& args = {},
                        std::array<int64_t, 2> output_padding = {0, 0});

// ---- normalisation ----
// x [N,C,H,W] (or [N,C]); weight, bias [C] or undefined (then 1 and 0).
// training: normalises with batch statistics and, when running_mean/var are
// defined, updates them in place: r = (1-momentum)*r + momentum*batch, with
// the unbiased variance. eval: normalises with running_mean/var.
Tensor batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor running_mean,
                  Tensor running_var, bool training, double momentum = 0.1, double eps = 1e-5);

// ---- pooling and resampling ----
// x [N,C,H,W]; PyTorch's MaxPool2d (padding is -inf; with ceil_mode a window
// may start in the right/bottom padding only if it starts inside the input).
Tensor max_pool2d(const Tensor& x, const Pool2dArgs& args);
// x [N,C,H,W] -> [N,C,P,Q], window i covering [floor(i*H/P), ceil((i+1)*H/P)).
Tensor adaptive_avg_pool2d(const Tensor& x, int64_t out_h = 1, int64_t out_w = 1);
// x [N,C,H,W] -> [N,C,H*scale,W*scale]; bilinear with align_corners=false.
Tensor upsample2d(const Tensor& x, int64_t scale, UpsampleMode mode);

// ---- shape ----
// Concatenation along dim (negative counts from the end); all other extents equal.
Tensor concat(const std::vector<Tensor>& xs, int64_t dim);
// Reverses the order of elements along dim.
Tensor flip(const Tensor& x, int64_t dim);
// x[..., start:start+length, ...] along dim, as a new tensor.
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);

// ---- losses ----
enum class Reduction { None, Mean, Sum };
// Binary cross-entropy on logits x against targets t (same shape, values in
// [0,1]), computed as max(x,0) - x*t + log(1 + exp(-|x|)) so that no large
// logit overflows.
Tensor binary_cross_entropy_with_logits(const Tensor& x, const Tensor& t,
                                        Reduction reduction = Reduction::Mean);

// The binary Lovasz hinge (Berman et al. 2018) of logits x [B, ...] against
// 0/1 labels of the same shape: the Lovasz extension of the Jaccard loss
// applied to the hinge errors 1 - x*(2*label - 1), sorted in decreasing order.
// per_image: the mean over images of each image's loss; else one loss over
// all pixels. Returns a scalar; differentiable in x (a subgradient where
// errors tie). Computed on the host, whatever the device.
Tensor lovasz_hinge(const Tensor& x, const Tensor& labels, bool per_image);

// ---- operators ----
inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& a) { return neg(a); }
inline Tensor operator+(const Tensor& a, double s) { return add(a, s); }
inline Tensor operator-(const Tensor& a, double s) { return add(a, -s); }
inline Tensor operator*(const Tensor& a, double s) { return mul(a, s); }
inline Tensor operator/(const Tensor& a, double s) { return mul(a, 1.0 / s); }
inline Tensor operator*(double s, const Tensor& a) { return mul(a, s); }
inline Tensor operator+(double s, const Tensor& a) { return add(a, s); }

}  // namespace pn
