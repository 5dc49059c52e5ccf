// concat and narrow: float64 gradient checks along several dims, values
// (float, integer and empty pieces, and tensors large enough to split the
// copy over threads), and argument errors.
#include <doctest/doctest.h>

#include <vector>

#include "autograd/ops.h"
#include "gradcheck.h"

using namespace pn;
using pn::test::check_gradients;
using pn::test::rand64;

GRADCHECK_CASE("concat", "along dims 0, 1 and -1, pieces of different extents") {
  auto along = [](int64_t dim) {
    return [dim](const std::vector<Tensor>& in) { return concat(in, dim); };
  };
  check_gradients(along(0), {rand64({2, 3, 2}, 1), rand64({1, 3, 2}, 2), rand64({3, 3, 2}, 3)});
  check_gradients(along(1), {rand64({2, 1, 3}, 4), rand64({2, 4, 3}, 5)});
  check_gradients(along(-1), {rand64({2, 3, 2}, 6), rand64({2, 3, 1}, 7), rand64({2, 3, 3}, 8)});
}

GRADCHECK_CASE("concat", "a piece that needs no gradient") {
  Tensor fixed = rand64({2, 2}, 9);
  fixed.set_requires_grad(false);
  check_gradients([](const std::vector<Tensor>& in) { return concat(in, 1); }, {rand64({2, 3}, 10), fixed});
}

GRADCHECK_CASE("narrow", "along dims 0, 1 and -1") {
  auto slice = [](int64_t dim, int64_t start, int64_t length) {
    return [=](const std::vector<Tensor>& in) { return narrow(in[0], dim, start, length); };
  };
  check_gradients(slice(0, 1, 2), {rand64({4, 3, 2}, 11)});
  check_gradients(slice(1, 0, 2), {rand64({2, 5, 3}, 12)});
  check_gradients(slice(-1, 2, 3), {rand64({2, 3, 5}, 13)});
  check_gradients(slice(1, 2, 1), {rand64({2, 3}, 14)});  // touching the end
}

TEST_CASE("concat and narrow values") {
  Tensor a = from_vector<float>({1, 2, 3, 4}, {2, 2});
  Tensor b = from_vector<float>({5, 6}, {2, 1});
  Tensor c = from_vector<float>({7, 8}, {1, 2});
  Tensor ab = concat({a, b}, 1);
  CHECK(ab.shape() == Shape{2, 3});
  CHECK(ab.to_vector<float>() == std::vector<float>{1, 2, 5, 3, 4, 6});
  CHECK(concat({a, c}, 0).to_vector<float>() == std::vector<float>{1, 2, 3, 4, 7, 8});
  CHECK(concat({a}, -1).to_vector<float>() == a.to_vector<float>());
  CHECK(narrow(ab, 1, 1, 2).to_vector<float>() == std::vector<float>{2, 5, 4, 6});
  CHECK(narrow(ab, 0, 1, 1).to_vector<float>() == std::vector<float>{3, 4, 6});
  CHECK(narrow(ab, 1, 3, 0).shape() == Shape{2, 0});

  // Integer dtypes are copied exactly; an empty piece contributes nothing.
  Tensor i = from_vector<int64_t>({1, 2, 3}, {3});
  Tensor j = from_vector<int64_t>({}, {0});
  CHECK(concat({i, j, i}, 0).to_vector<int64_t>() == std::vector<int64_t>{1, 2, 3, 1, 2, 3});
  Tensor m = from_vector<uint8_t>({1, 0, 255, 7}, {2, 2});
  CHECK(narrow(concat({m, m}, 1), 1, 1, 2).to_vector<uint8_t>() == std::vector<uint8_t>{0, 1, 7, 255});
}

TEST_CASE("concat and narrow split large copies over threads correctly") {
  // 600 x 700 floats: many grain-sized chunks, with chunk borders inside rows.
  std::vector<float> va(600 * 300), vb(600 * 400);
  for (size_t k = 0; k < va.size(); ++k) va[k] = static_cast<float>(k);
  for (size_t k = 0; k < vb.size(); ++k) vb[k] = -static_cast<float>(k);
  Tensor a = from_vector(va, {600, 300}), b = from_vector(vb, {600, 400});
  Tensor ab = concat({a, b}, 1);
  std::vector<float> got = ab.to_vector<float>();
  bool same = true;
  for (int64_t r = 0; r < 600; ++r)
    for (int64_t k = 0; k < 700; ++k) {
      float want = k < 300 ? va[static_cast<size_t>(r * 300 + k)] : vb[static_cast<size_t>(r * 400 + k - 300)];
      same = same && got[static_cast<size_t>(r * 700 + k)] == want;
    }
  CHECK(same);
  CHECK(narrow(ab, 1, 300, 400).to_vector<float>() == vb);
  CHECK(narrow(concat({b, b}, 0), 0, 600, 600).to_vector<float>() == vb);
}

TEST_CASE("concat and narrow argument errors name the op and the shapes") {
  CHECK_THROWS_WITH_AS(concat({}, 0), doctest::Contains("concat: needs at least one tensor, got an empty list"),
                       pn::Error);
  CHECK_THROWS_WITH_AS(concat({zeros({2, 3}), zeros({3, 3})}, 1),
                       doctest::Contains("concat: along dimension 1 tensor 1 of shape [3, 3] does not fit tensor 0 of "
                                         "shape [2, 3]"),
                       pn::Error);
  CHECK_THROWS_WITH_AS(concat({zeros({2, 3}), zeros({2, 3, 1})}, 0),
                       doctest::Contains("tensor 1 of shape [2, 3, 1] does not fit tensor 0 of shape [2, 3]"),
                       pn::Error);
  CHECK_THROWS_WITH_AS(concat({zeros({2, 3}), zeros({2, 3}, DType::Float64)}, 0),
                       doctest::Contains("concat: dtypes differ: tensor 0 is float32 [2, 3], tensor 1 is float64"),
                       pn::Error);
  CHECK_THROWS_WITH_AS(concat({zeros({2, 3}), Tensor()}, 0), doctest::Contains("concat: tensor 1 is undefined"),
                       pn::Error);
  CHECK_THROWS_WITH_AS(concat({zeros({2, 3})}, 2),
                       doctest::Contains("concat: dimension 2 out of range for a 2-D tensor"), pn::Error);
  CHECK_THROWS_WITH_AS(narrow(zeros({2, 5}), 1, 3, 3),
                       doctest::Contains("narrow: start 3 and length 3 are out of range for dimension 1 of shape "
                                         "[2, 5]"),
                       pn::Error);
  CHECK_THROWS_WITH_AS(narrow(zeros({2, 5}), 1, -1, 2), doctest::Contains("narrow: start -1"), pn::Error);
  CHECK_THROWS_WITH_AS(narrow(zeros({2, 5}), 1, 0, -1), doctest::Contains("length -1"), pn::Error);
  CHECK_THROWS_WITH_AS(narrow(zeros({2, 5}), -3, 0, 1),
                       doctest::Contains("narrow: dimension -3 out of range for a 2-D tensor"), pn::Error);
}
