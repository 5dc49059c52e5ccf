// reshape, slice, clone and dtype / device conversion as differentiable ops.
#include "gradcheck.h"

using namespace pn;
using pn::test::check_gradients;
using pn::test::rand64;

GRADCHECK_CASE("reshape", "") {
  check_gradients([](auto& in) { return mul(in[0].reshape({3, -1}), 2.0); }, {rand64({2, 3, 2}, 1)});
}

GRADCHECK_CASE("slice", "rows of the first dimension") {
  check_gradients([](auto& in) { return exp(in[0].slice(1, 3)); }, {rand64({4, 3}, 2)});
}

GRADCHECK_CASE("clone", "") { check_gradients([](auto& in) { return in[0].clone(); }, {rand64({5}, 3)}); }

GRADCHECK_CASE("to_dtype", "float64 -> float32 -> float64") {
  // The function is the identity up to float32 rounding (about 6e-8), so a
  // large finite-difference step keeps the rounding out of the comparison.
  check_gradients([](auto& in) { return in[0].to(DType::Float32).to(DType::Float64); }, {rand64({6}, 4)},
                  /*step=*/0.1);
  Tensor x = rand64({3}, 5);
  Tensor y = x.to(DType::Float32);
  CHECK(y.grad_fn()->name() == "to_dtype");
  sum(mul(y, 2.0)).backward();
  CHECK(x.grad().dtype() == DType::Float64);
  CHECK(x.grad().to_vector<double>() == std::vector<double>{2, 2, 2});
}

GRADCHECK_CASE("to_device", "cpu -> cuda -> cpu") {
  if (!has_backend(DeviceType::CUDA)) {
    MESSAGE("skipped: this build has no CUDA backend, so no tensor can change device");
    return;
  }
  check_gradients([](auto& in) { return in[0].to(Device::cuda()).to(Device::cpu()); }, {rand64({3}, 6)});
}
