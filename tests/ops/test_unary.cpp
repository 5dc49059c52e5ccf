// neg, exp, log, sigmoid, relu, abs, sqrt, clamp, pow, scalar add and mul.
#include "gradcheck.h"

using namespace pn;
using pn::test::check_gradients;
using pn::test::rand64;

TEST_CASE("unary ops compute their functions") {
  Tensor x = from_vector<double>({-2, -0.5, 0.5, 3}, {4});
  CHECK(relu(x).to_vector<double>() == std::vector<double>{0, 0, 0.5, 3});
  CHECK(abs(x).to_vector<double>() == std::vector<double>{2, 0.5, 0.5, 3});
  CHECK(neg(x).to_vector<double>() == std::vector<double>{2, 0.5, -0.5, -3});
  CHECK(clamp(x, -1, 1).to_vector<double>() == std::vector<double>{-1, -0.5, 0.5, 1});
  CHECK(pow(x, 2).to_vector<double>() == std::vector<double>{4, 0.25, 0.25, 9});
  CHECK(add(x, 1.0).to_vector<double>()[0] == -1);
  CHECK(mul(x, 2.0).to_vector<double>()[3] == 6);
  CHECK(exp(x).to_vector<double>()[3] == doctest::Approx(std::exp(3.0)));
  CHECK(log(abs(x)).to_vector<double>()[0] == doctest::Approx(std::log(2.0)));
  CHECK(sqrt(abs(x)).to_vector<double>()[3] == doctest::Approx(std::sqrt(3.0)));
  CHECK(sigmoid(x).to_vector<double>()[2] == doctest::Approx(1 / (1 + std::exp(-0.5))));
}

TEST_CASE("sigmoid does not overflow for large logits") {
  std::vector<float> s = sigmoid(from_vector<float>({-1000, 1000, -90, 90}, {4})).to_vector<float>();
  CHECK(s[0] == 0.0f);
  CHECK(s[1] == 1.0f);
  CHECK(s[2] >= 0.0f);
  CHECK(s[3] == 1.0f);
}

TEST_CASE("unary ops reject non-floating tensors") {
  CHECK_THROWS_WITH_AS(relu(zeros({2}, DType::Int64)), doctest::Contains("relu: needs float32 or float64"), Error);
  CHECK_THROWS_WITH_AS(exp(Tensor()), doctest::Contains("exp: input is undefined"), Error);
  CHECK_THROWS_WITH_AS(clamp(zeros({1}), 2, 1), doctest::Contains("clamp: lo 2 > hi 1"), Error);
}

// Inputs for ops with a kink at 0 are kept away from it.
GRADCHECK_CASE("neg", "") { check_gradients([](auto& in) { return neg(in[0]); }, {rand64({2, 3}, 1)}); }
GRADCHECK_CASE("exp", "") { check_gradients([](auto& in) { return exp(in[0]); }, {rand64({2, 3}, 2)}); }
GRADCHECK_CASE("log", "positive inputs") {
  check_gradients([](auto& in) { return log(in[0]); }, {rand64({2, 3}, 3, 0.5, 2)});
}
GRADCHECK_CASE("sigmoid", "") { check_gradients([](auto& in) { return sigmoid(in[0]); }, {rand64({7}, 4, -4, 4)}); }
GRADCHECK_CASE("relu", "both sides of the kink") {
  check_gradients([](auto& in) { return relu(in[0]); }, {pn::test::leaf64({-0.7, 0.3, -0.2, 0.9}, {4})});
}
GRADCHECK_CASE("abs", "both signs") {
  check_gradients([](auto& in) { return abs(in[0]); }, {pn::test::leaf64({-0.7, 0.3, -0.2, 0.9}, {2, 2})});
}
GRADCHECK_CASE("sqrt", "positive inputs") {
  check_gradients([](auto& in) { return sqrt(in[0]); }, {rand64({5}, 5, 0.5, 3)});
}
GRADCHECK_CASE("clamp", "inside and outside the bounds") {
  check_gradients([](auto& in) { return clamp(in[0], -0.5, 0.5); },
                  {pn::test::leaf64({-0.9, -0.3, 0.1, 0.45, 0.7}, {5})});
}
GRADCHECK_CASE("pow", "integer and fractional exponents") {
  check_gradients([](auto& in) { return pow(in[0], 3.0); }, {rand64({4}, 6)});
  check_gradients([](auto& in) { return pow(in[0], 0.5); }, {rand64({4}, 7, 0.5, 2)});
  check_gradients([](auto& in) { return pow(in[0], -2.0); }, {rand64({4}, 8, 0.5, 2)});
}
GRADCHECK_CASE("add_scalar", "") { check_gradients([](auto& in) { return add(in[0], 2.5); }, {rand64({3}, 9)}); }
GRADCHECK_CASE("mul_scalar", "") { check_gradients([](auto& in) { return mul(in[0], -1.5); }, {rand64({3}, 10)}); }
