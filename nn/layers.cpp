#include "nn/layers.h"

namespace pn::nn {

MaxPool2d::MaxPool2d(int64_t kernel, int64_t stride, int64_t padding, bool ceil_mode) {
  args_.kernel[0] = args_.kernel[1] = kernel;
  args_.stride[0] = args_.stride[1] = stride > 0 ? stride : kernel;
  args_.padding[0] = args_.padding[1] = padding;
  args_.ceil_mode = ceil_mode;
}

Sequential::Sequential(std::initializer_list<std::shared_ptr<Module>> modules) {
  for (const auto& m : modules) push_back(m);
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor h = x;
  for (const auto& [n, m] : children()) h = m->forward(h);
  return h;
}

}  // namespace pn::nn
