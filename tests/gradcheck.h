#pragma once
// The one gradient checker for every differentiable op.
//
// check_gradients(f, inputs) compares the gradients autograd computes for
// L = sum(g * f(inputs)), with g a fixed random tensor, against central finite
// differences of L, in float64. The error is norm-wise:
//   ||analytic - numeric|| / max(||numeric||, tiny)  <=  tol (1e-6 by default)
// for every input that requires grad. Inputs must be float64 CPU tensors;
// keep them small (every element costs two evaluations of f) and away from
// kinks (ReLU at 0, max-pool ties, clamp bounds).
//
// Each op's checks are declared with GRADCHECK_CASE("op", "what"), a doctest
// test case that also records the op's name, so that
// tests/ops/test_gradcheck_coverage.cpp can fail for any op in
// autograd/op_list.h that has no gradient check.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "autograd/ops.h"
#include "tensor/random.h"

namespace pn::test {

inline std::set<std::string>& gradcheck_registry() {
  static std::set<std::string> names;
  return names;
}

inline bool register_gradcheck(const char* op) {
  gradcheck_registry().insert(op);
  return true;
}

using TestFn = std::function<Tensor(const std::vector<Tensor>&)>;

// Random float64 leaf in [lo, hi) that requires grad (a fixed seed per call site
// keeps failures reproducible).
inline Tensor rand64(const Shape& shape, uint64_t seed, double lo = -1.0, double hi = 1.0) {
  Generator gen(seed);
  Tensor t = uniform(shape, lo, hi, DType::Float64, Device::cpu(), &gen);
  t.set_requires_grad(true);
  return t;
}

// A float64 leaf with the given values that requires grad.
inline Tensor leaf64(const std::vector<double>& values, const Shape& shape) {
  Tensor t = from_vector(values, shape);
  t.set_requires_grad(true);
  return t;
}

inline double norm(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x * x;
  return std::sqrt(s);
}

inline void check_gradients(const TestFn& f, const std::vector<Tensor>& inputs, double step = 1e-6,
                            double tol = 1e-6) {
  for (const Tensor& x : inputs)
    REQUIRE_MESSAGE((!x.defined() || (x.dtype() == DType::Float64 && x.device().is_cpu())),
                    "gradcheck inputs must be float64 CPU tensors");
  Tensor out = f(inputs);
  Generator gen(1234);
  Tensor g = normal(out.shape(), 0.0, 1.0, DType::Float64, Device::cpu(), &gen);
  for (const Tensor& x : inputs)
    if (x.defined()) x.set_grad(Tensor());
  sum(mul(out, g)).backward();

  NoGradGuard no_grad;
  auto loss = [&]() { return sum(mul(f(inputs), g)).item(); };
  int checked = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (!x.defined() || !x.requires_grad()) continue;
    ++checked;
    REQUIRE_MESSAGE(x.grad().defined(), "input ", i, " got no gradient");
    std::vector<double> analytic = x.grad().to_vector<double>();
    std::vector<double> numeric(analytic.size());
    double* p = x.data<double>();
    for (size_t j = 0; j < numeric.size(); ++j) {
      double saved = p[j];
      p[j] = saved + step;
      double up = loss();
      p[j] = saved - step;
      double down = loss();
      p[j] = saved;
      numeric[j] = (up - down) / (2 * step);
    }
    std::vector<double> diff(analytic.size());
    for (size_t j = 0; j < diff.size(); ++j) diff[j] = analytic[j] - numeric[j];
    double err = norm(diff) / std::max(norm(numeric), 1e-12);
    INFO("input ", i, " of shape ", x.shape(), ": relative error ", err);
    CHECK(err <= tol);
  }
  REQUIRE_MESSAGE(checked > 0, "no input requires grad: nothing was checked");
}

}  // namespace pn::test

#define PN_GC_CAT2(a, b) a##b
#define PN_GC_CAT(a, b) PN_GC_CAT2(a, b)
#define GRADCHECK_CASE(op, what)                                                                   \
  static const bool PN_GC_CAT(pn_gradcheck_registered_, __LINE__) = ::pn::test::register_gradcheck(op); \
  TEST_CASE("gradcheck " op ": " what)
