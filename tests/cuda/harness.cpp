#include "harness.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "autograd/ops.h"
#include "tensor/random.h"

namespace pn::test {

double relative_error(const std::vector<double>& got, const std::vector<double>& want) {
  if (got.size() != want.size()) return std::numeric_limits<double>::infinity();
  double diff = 0, ref = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    diff += (got[i] - want[i]) * (got[i] - want[i]);
    ref += want[i] * want[i];
  }
  return std::sqrt(diff) / std::max(std::sqrt(ref), 1e-30);
}

DeviceRun run_on(Device device, const OpFn& f, const std::vector<Tensor>& inputs) {
  std::vector<Tensor> xs;
  for (const Tensor& in : inputs) {
    if (!in.defined()) {
      xs.push_back(Tensor());
      continue;
    }
    Tensor x = in.detach().to(device);
    if (device.is_cpu()) x = x.clone();  // its own leaf, not the caller's storage
    if (in.requires_grad()) x.set_requires_grad(true);
    xs.push_back(x);
  }
  Tensor out = f(xs);
  DeviceRun run;
  run.shape = out.shape();
  run.dtype = out.dtype();
  run.out = out.to_vector<double>();
  run.grads.resize(xs.size());
  if (!is_floating(out.dtype()) || !out.requires_grad()) return run;
  Generator gen(4321);
  Tensor g = normal(out.shape(), 0.0, 1.0, DType::Float64, Device::cpu(), &gen).to(out.dtype()).to(device);
  sum(mul(out, g)).backward();
  for (size_t i = 0; i < xs.size(); ++i) {
    if (xs[i].defined() && xs[i].requires_grad()) {
      Tensor gx = xs[i].grad();
      run.grads[i] = gx.defined() ? gx.to_vector<double>() : std::vector<double>(static_cast<size_t>(xs[i].numel()), 0.0);
    }
  }
  return run;
}

double error_against_cpu(Device device, const OpFn& f, const std::vector<Tensor>& inputs) {
  DeviceRun want = run_on(Device::cpu(), f, inputs);
  DeviceRun got = run_on(device, f, inputs);
  if (got.shape != want.shape || got.dtype != want.dtype) return std::numeric_limits<double>::infinity();
  double worst = 0;
  if (!is_floating(want.dtype)) {
    worst = got.out == want.out ? 0.0 : std::numeric_limits<double>::infinity();
  } else {
    worst = relative_error(got.out, want.out);
  }
  for (size_t i = 0; i < want.grads.size(); ++i) {
    double e = relative_error(got.grads[i], want.grads[i]);
    if (std::isnan(e) || e > worst) worst = e;
    if (std::isnan(worst)) break;
  }
  return worst;
}

void check_against_cpu(const std::string& what, Device device, const OpFn& f, const std::vector<Tensor>& inputs,
                       double tol) {
  double e = error_against_cpu(device, f, inputs);
  INFO(what, " on ", device, ": relative error ", e, " (tolerance ", tol, ")");
  CHECK(e <= tol);
}

Tensor random_input(const Shape& shape, DType dtype, uint64_t seed, double lo, double hi, bool grad) {
  Generator gen(seed);
  Tensor t = uniform(shape, lo, hi, DType::Float64, Device::cpu(), &gen).to(dtype);
  if (grad && is_floating(dtype)) t.set_requires_grad(true);
  return t;
}

}  // namespace pn::test
