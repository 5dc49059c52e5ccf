// The tape: recording, backward, accumulation, release and misuse.
#include <doctest/doctest.h>

#include <cmath>

#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "autograd/ops.h"
#include "tensor/storage.h"

using namespace pn;

namespace {
Tensor leaf(std::vector<double> v, Shape s) {
  Tensor t = from_vector(v, s);
  t.set_requires_grad(true);
  return t;
}
}  // namespace

TEST_CASE("backward of a scalar reaches every leaf") {
  Tensor a = leaf({1, 2, 3}, {3});
  Tensor b = leaf({4, 5, 6}, {3});
  Tensor loss = sum(a * b + a);  // d/da = b + 1, d/db = a
  CHECK(loss.grad_fn() != nullptr);
  CHECK(loss.grad_fn()->name() == "sum");
  loss.backward();
  CHECK(a.grad().to_vector<double>() == std::vector<double>{5, 6, 7});
  CHECK(b.grad().to_vector<double>() == std::vector<double>{1, 2, 3});
}

TEST_CASE("gradients accumulate across backward calls") {
  Tensor a = leaf({1, 2}, {2});
  sum(a * a).backward();
  sum(a * a).backward();
  CHECK(a.grad().to_vector<double>() == std::vector<double>{4, 8});
  a.set_grad(Tensor());
  sum(a).backward();
  CHECK(a.grad().to_vector<double>() == std::vector<double>{1, 1});
}

TEST_CASE("a leaf used twice gets the sum of both paths") {
  Tensor a = leaf({3}, {1});
  Tensor y = mul(a, 2.0);
  Tensor loss = sum(y * y + y);  // 4a^2 + 2a -> 8a + 2
  loss.backward();
  CHECK(a.grad().item() == 26.0);
}

TEST_CASE("an explicit gradient is needed for a non-scalar output") {
  Tensor a = leaf({1, 2}, {2});
  Tensor y = a * a;
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("a gradient is needed for a non-scalar tensor of shape [2]"),
                       Error);
  y.backward(from_vector<double>({1, 10}, {2}));
  CHECK(a.grad().to_vector<double>() == std::vector<double>{2, 40});
  Tensor z = a * a;
  CHECK_THROWS_WITH_AS(z.backward(zeros({3}, DType::Float64)), doctest::Contains("gradient shape [3] differs"), Error);
}

TEST_CASE("backward through a freed graph is an error; retain_graph keeps it") {
  Tensor a = leaf({2}, {1});
  Tensor loss = sum(exp(a));
  loss.backward(Tensor(), /*retain_graph=*/true);
  loss.backward();
  CHECK(a.grad().item() == doctest::Approx(2 * std::exp(2.0)));
  CHECK_THROWS_WITH_AS(loss.backward(), doctest::Contains("saved tensors were freed"), Error);
}

TEST_CASE("modifying a saved tensor in place is detected") {
  Tensor a = leaf({1, 2}, {2});
  Tensor h = mul(a, 1.0);  // not a leaf, so it may be changed in place
  Tensor loss = sum(h * h);
  h.mul_(3.0);
  CHECK_THROWS_WITH_AS(loss.backward(), doctest::Contains("was modified in place"), Error);
}

TEST_CASE("in-place change of a leaf that requires grad is refused outside no-grad") {
  Tensor a = leaf({1, 2}, {2});
  CHECK_THROWS_WITH_AS(a.fill_(0), doctest::Contains("in-place change of a leaf"), Error);
  NoGradGuard guard;
  a.fill_(0);  // what optimizers do
  CHECK(a.to_vector<double>() == std::vector<double>{0, 0});
}

TEST_CASE("no-grad mode records nothing and restores the previous mode") {
  Tensor a = leaf({1}, {1});
  {
    NoGradGuard guard;
    Tensor y = a * a;
    CHECK_FALSE(y.requires_grad());
    CHECK(y.grad_fn() == nullptr);
    {
      NoGradGuard inner;
    }
    CHECK_FALSE(grad_enabled());
  }
  CHECK(grad_enabled());
  CHECK((a * a).requires_grad());
}

TEST_CASE("detach cuts the graph and shares storage") {
  Tensor a = leaf({1, 2}, {2});
  Tensor d = (a * a).detach();
  CHECK_FALSE(d.requires_grad());
  CHECK(d.is_leaf());
  Tensor loss = sum(d * a);  // d is a constant: d/da = d = a^2
  loss.backward();
  CHECK(a.grad().to_vector<double>() == std::vector<double>{1, 4});
}

TEST_CASE("backward of a tensor that does not require grad is an error") {
  Tensor a = from_vector<double>({1}, {1});
  CHECK_THROWS_WITH_AS(sum(a).backward(), doctest::Contains("does not require grad"), Error);
  CHECK_THROWS_WITH_AS(from_vector<int64_t>({1}, {1}).set_requires_grad(true),
                       doctest::Contains("only floating-point tensors"), Error);
  Tensor b = leaf({1}, {1});
  CHECK_THROWS_WITH_AS((b * b).set_requires_grad(false), doctest::Contains("only leaves can be marked"), Error);
}

TEST_CASE("only the inputs that need gradients get them") {
  Tensor a = leaf({1, 2}, {2});
  Tensor c = from_vector<double>({3, 4}, {2});
  sum(a * c).backward();
  CHECK(a.grad().to_vector<double>() == std::vector<double>{3, 4});
  CHECK_FALSE(c.grad().defined());
}

TEST_CASE("saved tensors are freed after backward") {
  Tensor a = leaf({1, 2}, {2});
  std::weak_ptr<Storage> saved;
  Tensor loss;
  {
    Tensor h = exp(a);  // exp saves its output
    saved = h.impl()->storage;
    loss = sum(h);
  }
  CHECK_FALSE(saved.expired());  // the graph keeps the saved output alive
  loss.backward();
  CHECK(saved.expired());  // and frees it after backward
}

TEST_CASE("a deep chain does not overflow the stack") {
  Tensor a = leaf({1}, {1});
  Tensor y = a;
  for (int i = 0; i < 20000; ++i) y = add(y, 1.0);
  sum(y).backward();
  CHECK(a.grad().item() == 1.0);
}
