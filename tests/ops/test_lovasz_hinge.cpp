// lovasz_hinge (PyTorch parity through the nn losses in tests/nn/test_losses.cpp).
#include "gradcheck.h"

using namespace pn;
using pn::test::check_gradients;
using pn::test::rand64;

TEST_CASE("lovasz_hinge of a perfect, confident prediction is zero") {
  Tensor labels = from_vector<double>({1, 0, 0, 1}, {1, 4});
  Tensor logits = from_vector<double>({3, -3, -2, 5}, {1, 4});
  CHECK(lovasz_hinge(logits, labels, true).item() == 0.0);
  // All-wrong logits of margin 1 give errors of 2 on every pixel.
  CHECK(lovasz_hinge(neg(logits), labels, false).item() > 1.0);
}

TEST_CASE("lovasz_hinge rejects mismatched inputs") {
  CHECK_THROWS_WITH_AS(lovasz_hinge(zeros({2, 3}), zeros({3, 2}), true),
                       doctest::Contains("lovasz_hinge: logits [2, 3] and labels [3, 2] differ in shape"), Error);
}

GRADCHECK_CASE("lovasz_hinge", "per image and per batch, with an empty mask") {
  Tensor labels = from_vector<double>({1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0}, {3, 4});
  check_gradients([labels](auto& in) { return lovasz_hinge(in[0], labels, true); }, {rand64({3, 4}, 1, -2, 2)});
  check_gradients([labels](auto& in) { return lovasz_hinge(in[0], labels, false); }, {rand64({3, 4}, 2, -2, 2)});
}
