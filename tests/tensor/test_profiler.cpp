// The per-kernel profile.
#include <doctest/doctest.h>

#include "autograd/ops.h"
#include "tensor/profiler.h"

using namespace pn;

TEST_CASE("profiling counts kernel calls, time, bytes and the products' FLOPs, and only while on") {
  Tensor x = ones({1, 2, 8, 8});
  Tensor w = ones({3, 2, 3, 3});
  w.set_requires_grad(true);
  set_profiling(true);
  sum(conv2d(x, w)).backward();
  set_profiling(false);
  std::vector<KernelProfile> report = profile_report();
  auto find = [&](const std::string& k) {
    for (const auto& p : report)
      if (p.kernel == k) return p;
    return KernelProfile{};
  };
  CHECK(find("conv2d").calls == 1);
  CHECK(find("conv2d").bytes == doctest::Approx((64 * 2 + 54 + 3 * 36) * 4.0));
  CHECK(find("conv2d_backward_weight").calls == 1);
  CHECK(find("conv2d_backward_input").calls == 0);  // x needs no gradient
  CHECK(find("sum_dim").calls >= 1);
  // 2 x multiply-adds of the direct convolution: out [1,3,6,6] x w's 2*3*3 per value, for both kernels.
  CHECK(find("conv2d").flops == 2.0 * 108 * 18);
  CHECK(find("conv2d_backward_weight").flops == 2.0 * 108 * 18);
  CHECK(find("sum_dim").flops == 0);
  CHECK(total_flops(report) == 4.0 * 108 * 18);
  CHECK(format_profile(report).find("conv2d_backward_weight") != std::string::npos);
  CHECK(format_profile(report).find("GFLOP/s") != std::string::npos);
  conv2d(x, w);  // not counted any more
  for (const auto& p : profile_report())
    if (p.kernel == "conv2d") CHECK(p.calls == 1);
}

TEST_CASE("profiling counts a matrix product's FLOPs as 2 x M x N x K") {
  set_profiling(true);
  matmul(ones({2, 3}), ones({3, 4}));
  set_profiling(false);
  CHECK(total_flops(profile_report()) == 2.0 * 2 * 4 * 3);
}
