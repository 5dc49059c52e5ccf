#include "nn/conv.h"

#include <cmath>

#include "nn/init.h"

namespace pn::nn {

namespace {

void check_options(const char* module, const ConvOptions& o) {
  PN_CHECK(o.in_channels > 0 && o.out_channels > 0, module, ": channels must be positive, got in ",
           o.in_channels, " out ", o.out_channels);
  PN_CHECK(o.groups > 0 && o.in_channels % o.groups == 0 && o.out_channels % o.groups == 0, module,
           ": groups ", o.groups, " must divide in_channels ", o.in_channels, " and out_channels ",
           o.out_channels);
  PN_CHECK(o.kernel > 0 && o.stride > 0 && o.dilation > 0 && o.padding >= 0, module,
           ": kernel, stride and dilation must be positive and padding non-negative");
}

Conv2dArgs to_args(const ConvOptions& o) {
  Conv2dArgs a;
  a.stride[0] = a.stride[1] = o.stride;
  a.padding[0] = a.padding[1] = o.padding;
  a.dilation[0] = a.dilation[1] = o.dilation;
  a.groups = o.groups;
  return a;
}

// PyTorch's reset_parameters for both convolution modules.
void default_init(Tensor& weight, Tensor& bias) {
  kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) uniform_(bias, 1.0 / std::sqrt(static_cast<double>(fan_in(weight))));
}

}  // namespace

Conv2d::Conv2d(const ConvOptions& o) : options_(o), args_(to_args(o)) {
  check_options("Conv2d", o);
  weight = empty({o.out_channels, o.in_channels / o.groups, o.kernel, o.kernel});
  if (o.bias) bias = empty({o.out_channels});
  default_init(weight, bias);
  register_parameter("weight", &weight);
  if (o.bias) register_parameter("bias", &bias);
}

Conv2d::Conv2d(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding, bool has_bias)
    : Conv2d(ConvOptions{in, out, kernel, stride, padding, 1, 1, has_bias, 0}) {}

Tensor Conv2d::forward(const Tensor& x) { return conv2d(x, weight, bias, args_); }

ConvTranspose2d::ConvTranspose2d(const ConvOptions& o) : options_(o), args_(to_args(o)) {
  check_options("ConvTranspose2d", o);
  weight = empty({o.in_channels, o.out_channels / o.groups, o.kernel, o.kernel});
  if (o.bias) bias = empty({o.out_channels});
  default_init(weight, bias);
  register_parameter("weight", &weight);
  if (o.bias) register_parameter("bias", &bias);
}

Tensor ConvTranspose2d::forward(const Tensor& x) {
  return conv_transpose2d(x, weight, bias, args_, {options_.output_padding, options_.output_padding});
}

}  // namespace pn::nn
