// GradAccumulator: when to step, loss scaling, and what the optimizer sees.
#include <doctest/doctest.h>

#include <vector>

#include "autograd/ops.h"
#include "nn/optim/grad_accumulator.h"
#include "nn/optim/sgd.h"

using namespace pn;
using namespace pn::nn;
using namespace pn::nn::optim;

TEST_CASE("GradAccumulator says to step on every N-th backward") {
  GradAccumulator acc(3);
  std::vector<bool> steps;
  for (int i = 0; i < 7; ++i) steps.push_back(acc.backward_done());
  CHECK(steps == std::vector<bool>{false, false, true, false, false, true, false});
  CHECK(acc.pending() == 1);
  acc.reset();  // a new epoch, as the reference's batch index restarts
  CHECK(!acc.backward_done());
  CHECK(!acc.backward_done());
  CHECK(acc.backward_done());

  GradAccumulator every(1);
  CHECK(every.backward_done());
  CHECK(every.backward_done());
  CHECK(every.loss_scale() == 1.0);
}

TEST_CASE("accumulating N scaled losses gives the optimizer the mean gradient") {
  // Two batches, loss_b = sum(x_b * w); their gradients are x_1 and x_2.
  const std::vector<std::vector<double>> xs = {{1.0, 2.0}, {3.0, 6.0}};
  for (LossScaling scaling : {LossScaling::None, LossScaling::Mean}) {
    Tensor w = zeros({2}, DType::Float64).set_requires_grad();
    SGD sgd({w}, {.lr = 1.0});
    GradAccumulator acc(2, scaling);
    int steps = 0;
    for (const auto& x : xs) {
      Tensor loss = acc.scale(sum(from_vector<double>(x, {2}) * w));
      loss.backward();
      if (acc.backward_done()) {
        sgd.step();
        sgd.zero_grad();
        ++steps;
      }
    }
    CHECK(steps == 1);
    // w = -lr * (x_1 + x_2) [* 1/2].
    const double s = scaling == LossScaling::Mean ? 0.5 : 1.0;
    CHECK(w.to_vector<double>() == std::vector<double>{-4.0 * s, -8.0 * s});
  }
}

TEST_CASE("GradAccumulator state round-trips and refuses another N") {
  GradAccumulator acc(4, LossScaling::Mean);
  CHECK(acc.loss_scale() == 0.25);
  acc.backward_done();
  acc.backward_done();
  GradAccumulator other(4);
  other.load_state_dict(acc.state_dict());
  CHECK(other.pending() == 2);
  CHECK(!other.backward_done());
  CHECK(other.backward_done());
  GradAccumulator three(3);
  CHECK_THROWS_WITH_AS(three.load_state_dict(acc.state_dict()),
                       doctest::Contains("GradAccumulator.load_state_dict: the state counts groups of 4"), Error);
  CHECK_THROWS_WITH_AS(GradAccumulator(0), doctest::Contains("must be >= 1, got 0"), Error);
}
