// add, sub, mul, div, maximum, minimum, comparisons and where.
#include "gradcheck.h"

using namespace pn;
using pn::test::check_gradients;
using pn::test::rand64;

TEST_CASE("binary ops broadcast like NumPy") {
  Tensor a = arange(0, 6).reshape({2, 3});
  Tensor b = from_vector<float>({10, 20, 30}, {3});
  CHECK((a + b).to_vector<float>() == std::vector<float>{10, 21, 32, 13, 24, 35});
  Tensor col = from_vector<float>({1, 2}, {2, 1});
  CHECK((a * col).to_vector<float>() == std::vector<float>{0, 1, 2, 6, 8, 10});
  CHECK((col - b).shape() == Shape{2, 3});
  CHECK((a / scalar_tensor(2)).to_vector<float>()[5] == 2.5f);
  Tensor x = from_vector<float>({1, 5, 3}, {3}), y = from_vector<float>({2, 5, 1}, {3});
  CHECK(maximum(x, y).to_vector<float>() == std::vector<float>{2, 5, 3});
  CHECK(minimum(x, y).to_vector<float>() == std::vector<float>{1, 5, 1});
  CHECK(gt(x, y).dtype() == DType::UInt8);
  CHECK(gt(x, y).to_vector<int64_t>() == std::vector<int64_t>{0, 0, 1});
  CHECK(ge(x, y).to_vector<int64_t>() == std::vector<int64_t>{0, 1, 1});
  CHECK(eq(x, y).to_vector<int64_t>() == std::vector<int64_t>{0, 1, 0});
  CHECK(ne(x, y).to_vector<int64_t>() == std::vector<int64_t>{1, 0, 1});
  CHECK(lt(x, y).to_vector<int64_t>() == std::vector<int64_t>{1, 0, 0});
  CHECK(le(x, y).to_vector<int64_t>() == std::vector<int64_t>{1, 1, 0});
  CHECK(where(gt(x, y), x, y).to_vector<float>() == std::vector<float>{2, 5, 3});
  CHECK(where(gt(x, y), x, scalar_tensor(-1)).to_vector<float>() == std::vector<float>{-1, -1, 3});
}

TEST_CASE("binary ops reject mismatched operands") {
  Tensor a = zeros({2, 3});
  CHECK_THROWS_WITH_AS(add(a, zeros({4})), doctest::Contains("add: shapes [2, 3] and [4] do not broadcast"), Error);
  CHECK_THROWS_WITH_AS(mul(a, zeros({2, 3}, DType::Float64)), doctest::Contains("mul: dtypes differ"), Error);
  CHECK_THROWS_WITH_AS(div(a, Tensor()), doctest::Contains("div: second operand is undefined"), Error);
  CHECK_THROWS_WITH_AS(where(a, a, a), doctest::Contains("where: cond must be uint8"), Error);
  CHECK_THROWS_WITH_AS(sub(zeros({2}, DType::UInt8), zeros({2}, DType::UInt8)),
                       doctest::Contains("sub: not defined for uint8"), Error);
}

GRADCHECK_CASE("add", "same shape and broadcast") {
  check_gradients([](auto& in) { return add(in[0], in[1]); }, {rand64({2, 3}, 1), rand64({2, 3}, 2)});
  check_gradients([](auto& in) { return add(in[0], in[1]); }, {rand64({2, 1, 4}, 3), rand64({3, 1}, 4)});
}

GRADCHECK_CASE("sub", "broadcast both ways") {
  check_gradients([](auto& in) { return sub(in[0], in[1]); }, {rand64({3, 1}, 5), rand64({1, 4}, 6)});
}

GRADCHECK_CASE("mul", "broadcast a channel vector") {
  check_gradients([](auto& in) { return mul(in[0], in[1]); }, {rand64({2, 3, 2, 2}, 7), rand64({3, 1, 1}, 8)});
  check_gradients([](auto& in) { return mul(in[0], in[0]); }, {rand64({5}, 9)});
}

GRADCHECK_CASE("div", "denominator away from zero") {
  check_gradients([](auto& in) { return div(in[0], in[1]); }, {rand64({2, 3}, 10), rand64({3}, 11, 0.5, 2.0)});
}

GRADCHECK_CASE("maximum", "distinct values") {
  check_gradients([](auto& in) { return maximum(in[0], in[1]); }, {rand64({4, 3}, 12), rand64({3}, 13)});
}

GRADCHECK_CASE("minimum", "distinct values") {
  check_gradients([](auto& in) { return minimum(in[0], in[1]); }, {rand64({4, 3}, 14), rand64({4, 1}, 15)});
}

GRADCHECK_CASE("where", "both branches, broadcast condition") {
  Tensor cond = from_vector<uint8_t>({1, 0, 0, 1}, {4});
  check_gradients([cond](auto& in) { return where(cond, in[0], in[1]); }, {rand64({3, 4}, 16), rand64({4}, 17)});
}

TEST_CASE("maximum splits the gradient on ties") {
  Tensor a = from_vector<double>({1, 2}, {2});
  Tensor b = from_vector<double>({1, 3}, {2});
  a.set_requires_grad(true);
  b.set_requires_grad(true);
  sum(maximum(a, b)).backward();
  CHECK(a.grad().to_vector<double>() == std::vector<double>{0.5, 0});
  CHECK(b.grad().to_vector<double>() == std::vector<double>{0.5, 1});
}
