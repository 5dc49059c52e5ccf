// clip_grad_norm against PyTorch 1.13's clip_grad_norm_ (optim.bin, written by
// tests/reference/make_optim_reference.py).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "nn/optim/clip_grad.h"
#include "reference.h"

using namespace pn;
using namespace pn::nn::optim;

namespace {

const test::Reference& ref() {
  static const test::Reference r("optim.bin");
  return r;
}

}  // namespace

TEST_CASE("clip_grad_norm equals PyTorch for the 1, 2, 3 and inf norms, clipped or not") {
  for (const char* name : {"l2_clipped", "l2_unclipped", "l1_clipped", "l3_clipped", "inf_clipped",
                           "inf_unclipped"}) {
    for (DType dt : {DType::Float64, DType::Float32}) {
      const std::string base = std::string("clip.") + name + (dt == DType::Float32 ? ".f32" : "");
      CAPTURE(base);
      std::vector<double> args = ref()[std::string("clip.") + name + ".args"].to_vector<double>();
      const double max_norm = args[0], norm_type = args[1] < 0 ? INFINITY : args[1];
      std::vector<Tensor> params;
      for (int i = 0; i < 3; ++i) {
        Tensor g = ref()[base + ".g" + std::to_string(i)].to(dt);
        Tensor p = zeros(g.shape(), dt).set_requires_grad();
        p.set_grad(g);
        params.push_back(p);
      }
      params.push_back(zeros({2}, dt).set_requires_grad());  // no gradient: ignored
      const double norm = clip_grad_norm(params, max_norm, norm_type);
      const double want = ref()[base + ".norm"].item();
      const double tol = dt == DType::Float64 ? 1e-12 : 1e-6;
      CHECK(std::fabs(norm - want) <= tol * want);
      const bool clipped = std::string(name).find("unclipped") == std::string::npos;
      CHECK((max_norm < want) == clipped);
      for (int i = 0; i < 3; ++i) {
        const Tensor out = ref()[base + ".out.g" + std::to_string(i)];
        const double err = test::relative_error(params[static_cast<size_t>(i)].grad().to(DType::Float64), out.to(DType::Float64));
        CHECK(err <= tol);
        if (!clipped) {  // untouched, bit for bit
          CHECK(params[static_cast<size_t>(i)].grad().to_vector<double>() ==
                ref()[base + ".g" + std::to_string(i)].to_vector<double>());
        }
      }
      CHECK(!params[3].grad().defined());
    }
  }
}

TEST_CASE("clip_grad_norm: no gradients, non-finite norms, bad arguments") {
  Tensor p = zeros({3}).set_requires_grad();
  CHECK(clip_grad_norm({p}, 1.0) == 0.0);  // no gradient at all

  p.set_grad(from_vector<float>({3.0f, NAN, 4.0f}, {3}));
  CHECK(std::isnan(clip_grad_norm({p}, 1.0)));  // NaN spreads to every gradient, as in PyTorch
  for (float v : p.grad().to_vector<float>()) CHECK(std::isnan(v));

  p.set_grad(from_vector<float>({3.0f, INFINITY, 4.0f}, {3}));
  CHECK_THROWS_WITH_AS(clip_grad_norm({p}, 1.0, 2.0, NonFinite::Error),
                       doctest::Contains("clip_grad_norm: the total 2-norm of the gradients is inf"), Error);
  CHECK(p.grad().to_vector<float>()[0] == 3.0f);  // unchanged by the refusal

  p.set_grad(from_vector<float>({3.0f, 0.0f, 4.0f}, {3}));
  CHECK_THROWS_WITH_AS(clip_grad_norm({p}, -1.0), doctest::Contains("max_norm must be >= 0, got -1"), Error);
  CHECK_THROWS_WITH_AS(clip_grad_norm({p}, 1.0, 0.0), doctest::Contains("norm_type must be positive"), Error);
  CHECK(clip_grad_norm({p}, 1.0, 2.0, NonFinite::Error) == 5.0);
  CHECK(p.grad().to_vector<float>()[2] == doctest::Approx(4.0 / (5.0 + 1e-6)).epsilon(1e-7));
}

TEST_CASE("clip_grad_norm over a large gradient does not depend on the blocking") {
  // Over several reduction blocks the norm is the straightforward one.
  const int64_t n = (int64_t{1} << 17) + 123;
  std::vector<double> v(static_cast<size_t>(n));
  double sq = 0;
  for (int64_t i = 0; i < n; ++i) {
    v[static_cast<size_t>(i)] = std::sin(0.001 * static_cast<double>(i)) * 1e-3;
    sq += v[static_cast<size_t>(i)] * v[static_cast<size_t>(i)];
  }
  Tensor p = zeros({n}, DType::Float64).set_requires_grad();
  p.set_grad(from_vector<double>(v, {n}));
  CHECK(clip_grad_norm({p}, 1e9) == doctest::Approx(std::sqrt(sq)).epsilon(1e-13));
}
