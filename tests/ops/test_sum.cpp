// sum, mean and sum_to.
#include "gradcheck.h"

using namespace pn;
using pn::test::check_gradients;
using pn::test::rand64;

TEST_CASE("sum and mean over all elements and over dims") {
  Tensor x = arange(0, 24).reshape({2, 3, 4});
  CHECK(sum(x).item() == 276);
  CHECK(sum(x).dim() == 0);
  CHECK(mean(x).item() == 11.5);
  CHECK(sum(x, {0}).shape() == Shape{3, 4});
  CHECK(sum(x, {0}).to_vector<float>()[0] == 12);
  CHECK(sum(x, {1, 2}).to_vector<float>() == std::vector<float>{66, 210});
  CHECK(sum(x, {-1}, true).shape() == Shape{2, 3, 1});
  CHECK(sum(x, {0, 2}).to_vector<float>() == std::vector<float>{60, 92, 124});
  CHECK(mean(x, {2}).to_vector<float>()[0] == 1.5f);
  CHECK(sum_to(x, {3, 1}).to_vector<float>() == std::vector<float>{60, 92, 124});
  CHECK(sum(zeros({0, 3}), {0}).to_vector<float>() == std::vector<float>{0, 0, 0});
}

TEST_CASE("a long float32 sum stays accurate and thread-independent") {
  int64_t n = 3'000'001;
  Tensor x = full({n}, 0.1f);
  CHECK(sum(x).item() == doctest::Approx(300000.1).epsilon(1e-6));
}

TEST_CASE("reductions reject bad dims") {
  Tensor x = zeros({2, 3});
  CHECK_THROWS_WITH_AS(sum(x, {2}), doctest::Contains("sum: dimension 2 out of range for a 2-D tensor"), Error);
  CHECK_THROWS_WITH_AS(sum(x, {1, -1}), doctest::Contains("sum: a dimension is repeated"), Error);
  CHECK_THROWS_WITH_AS(mean(zeros({0})), doctest::Contains("mean: over an empty set"), Error);
  CHECK_THROWS_WITH_AS(sum_to(x, {4}), doctest::Contains("sum_to: cannot reduce [2, 3] to [4]"), Error);
}

GRADCHECK_CASE("sum", "all, some dims, keepdim") {
  check_gradients([](auto& in) { return sum(in[0]); }, {rand64({2, 3}, 1)});
  check_gradients([](auto& in) { return sum(in[0], {0, 2}); }, {rand64({2, 3, 4}, 2)});
  check_gradients([](auto& in) { return sum(in[0], {1}, true); }, {rand64({2, 3, 4}, 3)});
}

GRADCHECK_CASE("mean", "all and some dims") {
  check_gradients([](auto& in) { return mean(in[0]); }, {rand64({3, 5}, 4)});
  check_gradients([](auto& in) { return mean(in[0], {-1}); }, {rand64({3, 5}, 5)});
}
