#pragma once
// Conv2d and ConvTranspose2d modules (PyTorch's parameters and names:
// `weight`, `bias`).
#include <array>

#include "autograd/ops.h"
#include "nn/module.h"

namespace pn::nn {

struct ConvOptions {
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t kernel = 3;
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t dilation = 1;
  int64_t groups = 1;
  bool bias = true;
  int64_t output_padding = 0;  // ConvTranspose2d only
};

// weight [out, in/groups, k, k], bias [out]; PyTorch's default initialisation
// (kaiming-uniform with a = sqrt(5), bias U(+-1/sqrt(fan_in))).
class Conv2d : public Module {
 public:
  explicit Conv2d(const ConvOptions& o);
  Conv2d(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1, int64_t padding = 0, bool bias = true);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Conv2d"; }
  const ConvOptions& options() const { return options_; }

  Tensor weight, bias;

 private:
  ConvOptions options_;
  Conv2dArgs args_;
};

// weight [in, out/groups, k, k], bias [out].
class ConvTranspose2d : public Module {
 public:
  explicit ConvTranspose2d(const ConvOptions& o);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "ConvTranspose2d"; }
  const ConvOptions& options() const { return options_; }

  Tensor weight, bias;

 private:
  ConvOptions options_;
  Conv2dArgs args_;
};

}  // namespace pn::nn
