#pragma once
// The cross-backend harness: an op runs on CPU copies and on device copies of
// the same inputs, forward and backward, and the device's output and input
// gradients must match the CPU's (the reference) within a norm-wise
// relative tolerance.
//
//   check_against_cpu("conv2d", Device::cuda(), [](auto& in) { return conv2d(in[0], in[1]); },
//                     {random_input({2, 3, 8, 8}, DType::Float32, 1), ...}, 1e-5);
//
// Backward: L = sum(g * f(inputs)) with g a fixed seeded normal tensor of the
// output's shape, the same on both devices; every input that requires grad
// has its gradient compared. Integer outputs (comparisons) must be equal.
#include <functional>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace pn::test {

using OpFn = std::function<Tensor(const std::vector<Tensor>&)>;

// ||got - want|| / max(||want||, 1e-30); +inf when the sizes differ; NaN when
// either holds a NaN (so `error <= tol` fails).
double relative_error(const std::vector<double>& got, const std::vector<double>& want);

struct DeviceRun {
  Shape shape;
  DType dtype = DType::Float32;
  std::vector<double> out;
  std::vector<std::vector<double>> grads;  // one per input; empty when it needs no grad
};

// Runs f on copies of the (CPU) inputs moved to `device`; inputs that require
// grad become leaves there.
DeviceRun run_on(Device device, const OpFn& f, const std::vector<Tensor>& inputs);

// The worst of the output's and the gradients' errors of `device` against
// the CPU (+inf when shapes or dtypes differ).
double error_against_cpu(Device device, const OpFn& f, const std::vector<Tensor>& inputs);

// A doctest check that error_against_cpu(...) <= tol, naming `what`.
void check_against_cpu(const std::string& what, Device device, const OpFn& f, const std::vector<Tensor>& inputs,
                       double tol);

// A CPU tensor, uniform in [lo, hi), from a fixed seed; requires grad when
// `grad` and the dtype is floating.
Tensor random_input(const Shape& shape, DType dtype, uint64_t seed, double lo = -1.0, double hi = 1.0,
                    bool grad = true);

}  // namespace pn::test
