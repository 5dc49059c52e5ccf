#pragma once
// Convolutions through cuDNN (built with PNEUMO_CUDNN), used by cuda/conv2d.cu
// before its im2col + cuBLAS path. Each function returns false when cuDNN
// cannot take the problem as given, and the caller computes it in full: an
// output extent that is not cuDNN's formula (conv_transpose2d with
// output_padding >= stride gives such shapes), extents beyond cuDNN's 32-bit
// ints, or no algorithm that qualifies (the measurement may then have written
// the output).
//
// The algorithm of each problem (shapes, arguments, dtype, kind, the TF32 and
// deterministic switches of cuda/context.h) is chosen once by measurement
// (cudnnFind*AlgorithmEx) and cached; with deterministic() only
// deterministic algorithms qualify. Workspaces come from the caching
// allocator. Bias is not handled here.
#include "tensor/backend.h"

namespace pn::cuda {

// Same tensors and contracts as the Backend kernels, without bias.
bool cudnn_conv2d(const Tensor& x, const Tensor& w, const Conv2dArgs& a, Tensor& out);
bool cudnn_conv2d_backward_input(const Tensor& grad_out, const Tensor& w, const Conv2dArgs& a, Tensor& grad_x);
bool cudnn_conv2d_backward_weight(const Tensor& grad_out, const Tensor& x, const Conv2dArgs& a, Tensor& grad_w);

// Test hook: whether convolutions may use cuDNN at all (default true). Off,
// they run the im2col + cuBLAS path, so tests can check both on one build.
void set_use_cudnn(bool on);
bool use_cudnn();
bool cudnn_built();  // whether this build has cuDNN

}  // namespace pn::cuda
