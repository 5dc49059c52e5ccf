#pragma once
// Modules without parameters: activations, pooling, resampling, and the
// containers Sequential and Identity.
#include <initializer_list>

#include "autograd/ops.h"
#include "nn/module.h"

namespace pn::nn {

class ReLU : public Module {
 public:
  Tensor forward(const Tensor& x) override { return relu(x); }
  std::string name() const override { return "ReLU"; }
};

class Sigmoid : public Module {
 public:
  Tensor forward(const Tensor& x) override { return sigmoid(x); }
  std::string name() const override { return "Sigmoid"; }
};

class Identity : public Module {
 public:
  Tensor forward(const Tensor& x) override { return x; }
  std::string name() const override { return "Identity"; }
};

class MaxPool2d : public Module {
 public:
  // stride defaults to the kernel size, as in PyTorch.
  explicit MaxPool2d(int64_t kernel, int64_t stride = 0, int64_t padding = 0, bool ceil_mode = false);
  Tensor forward(const Tensor& x) override { return max_pool2d(x, args_); }
  std::string name() const override { return "MaxPool2d"; }

 private:
  Pool2dArgs args_;
};

class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(int64_t out_h = 1, int64_t out_w = 1) : out_h_(out_h), out_w_(out_w) {}
  Tensor forward(const Tensor& x) override { return adaptive_avg_pool2d(x, out_h_, out_w_); }
  std::string name() const override { return "AdaptiveAvgPool2d"; }

 private:
  int64_t out_h_, out_w_;
};

class Upsample : public Module {
 public:
  // Integer scale factor; bilinear uses align_corners=false (PyTorch's default).
  explicit Upsample(int64_t scale = 2, UpsampleMode mode = UpsampleMode::Nearest) : scale_(scale), mode_(mode) {}
  Tensor forward(const Tensor& x) override { return upsample2d(x, scale_, mode_); }
  std::string name() const override { return "Upsample"; }

 private:
  int64_t scale_;
  UpsampleMode mode_;
};

// Applies its modules in order; they are named "0", "1", ... as in PyTorch.
class Sequential : public Module {
 public:
  Sequential() = default;
  Sequential(std::initializer_list<std::shared_ptr<Module>> modules);
  // Appends a module under the next index and returns it.
  template <class M> std::shared_ptr<M> push_back(std::shared_ptr<M> m) {
    std::string key = std::to_string(size_++);
    return register_module(key, std::move(m));
  }
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Sequential"; }
  size_t size() const { return size_; }
  const std::shared_ptr<Module>& operator[](size_t i) const { return children().at(i).second; }

 private:
  size_t size_ = 0;
};

}  // namespace pn::nn
