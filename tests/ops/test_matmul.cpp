// matmul.
#include "gradcheck.h"

using namespace pn;
using pn::test::check_gradients;
using pn::test::rand64;

TEST_CASE("matmul multiplies matrices") {
  Tensor a = arange(1, 7).reshape({2, 3});
  Tensor b = arange(1, 7).reshape({3, 2});
  CHECK(matmul(a, b).to_vector<float>() == std::vector<float>{22, 28, 49, 64});
}

TEST_CASE("matmul rejects bad shapes") {
  CHECK_THROWS_WITH_AS(matmul(zeros({2, 3}), zeros({2, 3})),
                       doctest::Contains("matmul: inner extents differ: [2, 3] @ [2, 3]"), Error);
  CHECK_THROWS_WITH_AS(matmul(zeros({2, 3, 1}), zeros({3, 2})),
                       doctest::Contains("matmul: first operand must be 2-D, got shape [2, 3, 1]"), Error);
}

GRADCHECK_CASE("matmul", "odd sizes") {
  check_gradients([](auto& in) { return matmul(in[0], in[1]); }, {rand64({3, 5}, 1), rand64({5, 7}, 2)});
  check_gradients([](auto& in) { return matmul(in[0], in[1]); }, {rand64({1, 17}, 3), rand64({17, 2}, 4)});
}
