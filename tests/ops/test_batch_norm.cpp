// batch_norm: float64 gradient checks in both modes, argument errors, the
// running statistics and their version, float32 statistics of data with a
// large mean, thread-count independence, and parity with PyTorch.
#include <doctest/doctest.h>
#include <omp.h>

#include <vector>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "gradcheck.h"
#include "reference.h"
#include "tensor/random.h"

using namespace pn;
using pn::test::check_gradients;
using pn::test::rand64;

namespace {

Tensor constant64(const Shape& shape, double lo, double hi, uint64_t seed) {
  Tensor t = rand64(shape, seed, lo, hi);
  t.set_requires_grad(false);
  return t;
}

// Trains with running statistics too: they change on every call, the output must not.
test::TestFn train_fn(Tensor rm = Tensor(), Tensor rv = Tensor()) {
  return [rm, rv](const std::vector<Tensor>& in) { return batch_norm(in[0], in[1], in[2], rm, rv, true); };
}

test::TestFn eval_fn(Tensor rm, Tensor rv) {
  return [rm, rv](const std::vector<Tensor>& in) { return batch_norm(in[0], in[1], in[2], rm, rv, false); };
}

}  // namespace

GRADCHECK_CASE("batch_norm", "training, 4-D, weight and bias") {
  Tensor x = rand64({3, 2, 3, 5}, 11, -2.0, 3.0);
  check_gradients(train_fn(), {x, rand64({2}, 12, 0.5, 1.5), rand64({2}, 13)});
}

GRADCHECK_CASE("batch_norm", "training, 4-D, no weight or bias, running statistics given") {
  Tensor x = rand64({2, 3, 3, 3}, 14, -1.0, 2.0);
  check_gradients(train_fn(zeros({3}, DType::Float64), ones({3}, DType::Float64)), {x, Tensor(), Tensor()});
}

GRADCHECK_CASE("batch_norm", "training, [N, C]") {
  Tensor x = rand64({5, 4}, 15, -2.0, 2.0);
  check_gradients(train_fn(), {x, rand64({4}, 16, 0.5, 1.5), rand64({4}, 17)});
}

GRADCHECK_CASE("batch_norm", "training, only weight and bias require grad") {
  Tensor x = constant64({2, 3, 2, 3}, -1.0, 1.0, 18);
  check_gradients(train_fn(), {x, rand64({3}, 19, 0.5, 1.5), rand64({3}, 20)});
}

GRADCHECK_CASE("batch_norm", "evaluation, 4-D, weight and bias") {
  Tensor rm = constant64({3}, -0.5, 0.5, 21), rv = constant64({3}, 0.5, 2.0, 22);
  Tensor x = rand64({2, 3, 3, 5}, 23, -2.0, 2.0);
  check_gradients(eval_fn(rm, rv), {x, rand64({3}, 24, 0.5, 1.5), rand64({3}, 25)});
}

GRADCHECK_CASE("batch_norm", "evaluation, [N, C], no weight or bias") {
  Tensor rm = constant64({4}, -0.5, 0.5, 26), rv = constant64({4}, 0.5, 2.0, 27);
  check_gradients(eval_fn(rm, rv), {rand64({3, 4}, 28), Tensor(), Tensor()});
}

TEST_CASE("batch_norm normalises each channel to mean 0 and variance 1 in training") {
  Generator gen(5);
  Tensor x = normal({4, 3, 5, 6}, 2.0, 3.0, DType::Float64, Device::cpu(), &gen);
  std::vector<double> y = batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), true).to_vector<double>();
  for (int64_t c = 0; c < 3; ++c) {
    double s = 0, ss = 0;
    for (int64_t n = 0; n < 4; ++n)
      for (int64_t i = 0; i < 30; ++i) {
        double v = y[static_cast<size_t>((n * 3 + c) * 30 + i)];
        s += v;
        ss += v * v;
      }
    CHECK(s / 120 == doctest::Approx(0.0).epsilon(1e-12));
    CHECK(ss / 120 == doctest::Approx(1.0).epsilon(1e-4));  // 1 - eps*invstd^2
  }
}

TEST_CASE("batch_norm updates the running statistics in place, with the unbiased variance") {
  Tensor x = from_vector<double>({1, 2, 3, 6}, {4, 1});  // mean 3, biased var 3.5, unbiased 14/3
  Tensor rm = full({1}, 1.0, DType::Float64), rv = full({1}, 2.0, DType::Float64);
  uint64_t vm = rm.version(), vv = rv.version();
  batch_norm(x, Tensor(), Tensor(), rm, rv, true, 0.25);
  CHECK(rm.item() == doctest::Approx(0.75 * 1.0 + 0.25 * 3.0));
  CHECK(rv.item() == doctest::Approx(0.75 * 2.0 + 0.25 * 14.0 / 3.0));
  CHECK(rm.version() > vm);
  CHECK(rv.version() > vv);

  vm = rm.version();
  double before = rm.item();
  batch_norm(x, Tensor(), Tensor(), rm, rv, false);
  CHECK(rm.version() == vm);
  CHECK(rm.item() == before);
}

TEST_CASE("batch_norm evaluation backward detects running statistics changed since the forward") {
  Tensor rm = zeros({2}, DType::Float64), rv = ones({2}, DType::Float64);
  Tensor x = rand64({3, 2}, 30);
  Tensor y = batch_norm(x, Tensor(), Tensor(), rm, rv, false);
  batch_norm(x.detach(), Tensor(), Tensor(), rm, rv, true);  // a training step moves rm
  CHECK_THROWS_WITH_AS(sum(y).backward(), doctest::Contains("batch_norm"), pn::Error);
}

TEST_CASE("batch_norm float32 statistics stay accurate for data with a large mean") {
  // E[x^2] - E[x]^2 in float32 would lose every digit of this variance.
  Generator gen(6);
  Tensor x32 = add(uniform({8, 2, 16, 16}, -1.0, 1.0, DType::Float32, Device::cpu(), &gen), 1.0e4);
  Tensor y32 = batch_norm(x32, Tensor(), Tensor(), Tensor(), Tensor(), true);
  Tensor y64 = batch_norm(x32.to(DType::Float64), Tensor(), Tensor(), Tensor(), Tensor(), true);
  CHECK(test::relative_error(y32, y64) < 1e-5);
}

TEST_CASE("batch_norm results do not depend on the number of threads") {
  Generator gen(7);
  Tensor x = normal({4, 3, 40, 40}, 1.0, 2.0, DType::Float32, Device::cpu(), &gen);
  Tensor w = uniform({3}, 0.5, 1.5, DType::Float32, Device::cpu(), &gen);
  Tensor b = normal({3}, 0.0, 1.0, DType::Float32, Device::cpu(), &gen);
  Tensor g = normal(x.shape(), 0.0, 1.0, DType::Float32, Device::cpu(), &gen);
  auto run = [&](int threads) {
    int saved = omp_get_max_threads();
    omp_set_num_threads(threads);
    Tensor xl = x.clone().set_requires_grad(true), wl = w.clone().set_requires_grad(true);
    Tensor bl = b.clone().set_requires_grad(true);
    Tensor rm = zeros({3}), rv = ones({3});
    Tensor y = batch_norm(xl, wl, bl, rm, rv, true);
    y.backward(g);
    omp_set_num_threads(saved);
    return std::vector<std::vector<float>>{y.to_vector<float>(),           xl.grad().to_vector<float>(),
                                           wl.grad().to_vector<float>(),   bl.grad().to_vector<float>(),
                                           rm.to_vector<float>(),          rv.to_vector<float>()};
  };
  CHECK(run(1) == run(3));
}

TEST_CASE("batch_norm argument errors name the op and the shapes") {
  Tensor x = zeros({2, 3, 4, 4});
  CHECK_THROWS_WITH_AS(batch_norm(zeros({2, 3, 4}), Tensor(), Tensor(), Tensor(), Tensor(), true),
                       doctest::Contains("batch_norm: input must be [N, C] or [N, C, H, W], got shape [2, 3, 4]"),
                       pn::Error);
  CHECK_THROWS_WITH_AS(batch_norm(x, zeros({4}), Tensor(), Tensor(), Tensor(), true),
                       doctest::Contains("batch_norm: weight must have shape [3] for input of shape [2, 3, 4, 4], "
                                         "got [4]"),
                       pn::Error);
  CHECK_THROWS_WITH_AS(batch_norm(x, Tensor(), zeros({3, 1}), Tensor(), Tensor(), true),
                       doctest::Contains("bias must have shape [3]"), pn::Error);
  CHECK_THROWS_WITH_AS(batch_norm(x, zeros({3}, DType::Float64), Tensor(), Tensor(), Tensor(), true),
                       doctest::Contains("batch_norm: dtypes differ: float32 [2, 3, 4, 4] vs float64 [3]"),
                       pn::Error);
  CHECK_THROWS_WITH_AS(batch_norm(zeros({2, 3, 4, 4}, DType::Int64), Tensor(), Tensor(), Tensor(), Tensor(), true),
                       doctest::Contains("batch_norm: needs float32 or float64"), pn::Error);
  CHECK_THROWS_WITH_AS(batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), false),
                       doctest::Contains("batch_norm: evaluation mode needs running_mean and running_var"),
                       pn::Error);
  CHECK_THROWS_WITH_AS(batch_norm(x, Tensor(), Tensor(), zeros({3}), Tensor(), true),
                       doctest::Contains("batch_norm: running_mean and running_var must be given together"),
                       pn::Error);
  CHECK_THROWS_WITH_AS(batch_norm(x, Tensor(), Tensor(), zeros({2}), ones({2}), true),
                       doctest::Contains("running_mean must have shape [3]"), pn::Error);
  CHECK_THROWS_WITH_AS(batch_norm(zeros({1, 3}), Tensor(), Tensor(), Tensor(), Tensor(), true),
                       doctest::Contains("batch_norm: training needs more than one value per channel, got input "
                                         "of shape [1, 3]"),
                       pn::Error);
  Tensor rm = zeros({3});
  rm.set_requires_grad(true);
  CHECK_THROWS_WITH_AS(batch_norm(x, Tensor(), Tensor(), rm, ones({3}), true),
                       doctest::Contains("batch_norm: running_mean of shape [3] requires grad"), pn::Error);
  CHECK_THROWS_WITH_AS(batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, -1.0),
                       doctest::Contains("batch_norm: eps must be >= 0"), pn::Error);
}

TEST_CASE("batch_norm matches PyTorch in float32") {
  test::Reference ref("batch_norm.bin");
  for (const char* c : {"train", "train2d", "eval"}) {
    std::string k = std::string(c) + ".";
    CAPTURE(c);
    bool training = k != "eval.";
    Tensor x = ref[k + "x"].set_requires_grad(true);
    Tensor w = ref[k + "w"].set_requires_grad(true);
    Tensor b = ref[k + "b"].set_requires_grad(true);
    Tensor rm = ref[k + "rm"], rv = ref[k + "rv"];
    Tensor y = batch_norm(x, w, b, rm, rv, training, ref[k + "momentum"].item(), ref[k + "eps"].item());
    y.backward(ref[k + "g"]);
    CHECK_CLOSE_TO_REF(y, ref[k + "out"], "output");
    CHECK_CLOSE_TO_REF(x.grad(), ref[k + "gx"], "grad x");
    CHECK_CLOSE_TO_REF(w.grad(), ref[k + "gw"], "grad weight");
    CHECK_CLOSE_TO_REF(b.grad(), ref[k + "gb"], "grad bias");
    CHECK_CLOSE_TO_REF(rm, ref[k + "rm_after"], "running_mean after the step");
    CHECK_CLOSE_TO_REF(rv, ref[k + "rv_after"], "running_var after the step");
  }
}
