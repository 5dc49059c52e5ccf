#include "pneumo/models/linear.h"

#include <cmath>

#include "autograd/ops.h"
#include "nn/init.h"

namespace pn::models {

Linear::Linear(int64_t in_features, int64_t out_features, bool has_bias) {
  PN_CHECK(in_features > 0 && out_features > 0, "Linear: features must be positive, got in ", in_features,
           " out ", out_features);
  weight = empty({out_features, in_features});
  nn::kaiming_uniform_(weight, std::sqrt(5.0));
  register_parameter("weight", &weight);
  if (has_bias) {
    bias = empty({out_features});
    nn::uniform_(bias, 1.0 / std::sqrt(static_cast<double>(in_features)));
    register_parameter("bias", &bias);
  }
}

Tensor Linear::forward(const Tensor& x) {
  const int64_t in = weight.size(1), out = weight.size(0);
  PN_CHECK(x.defined() && x.dim() == 2 && x.size(1) == in, "Linear: expected input [N, ", in, "], got ",
           x.defined() ? x.shape() : Shape{});
  // There is no transpose op: a 1x1 convolution of x seen as [N, in, 1, 1]
  // with weight seen as [out, in, 1, 1] is exactly x @ weight^T + bias, and
  // both reshapes are differentiable views.
  Tensor y = conv2d(x.reshape({x.size(0), in, 1, 1}), weight.reshape({out, in, 1, 1}), bias);
  return y.reshape({x.size(0), out});
}

}  // namespace pn::models
