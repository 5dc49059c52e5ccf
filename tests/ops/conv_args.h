#pragma once
// Building Conv2dArgs in the convolution tests.
#include <array>

#include "tensor/backend.h"

namespace pn::test {

inline Conv2dArgs conv_args(std::array<int64_t, 2> stride, std::array<int64_t, 2> padding = {0, 0},
                            std::array<int64_t, 2> dilation = {1, 1}, int64_t groups = 1) {
  Conv2dArgs a;
  for (size_t i = 0; i < 2; ++i) {
    a.stride[i] = stride[i];
    a.padding[i] = padding[i];
    a.dilation[i] = dilation[i];
  }
  a.groups = groups;
  return a;
}

}  // namespace pn::test
