// flip: float64 gradient checks along each dim, values for float and uint8,
// and argument errors.
#include <doctest/doctest.h>

#include <vector>

#include "autograd/ops.h"
#include "gradcheck.h"

using namespace pn;
using pn::test::check_gradients;
using pn::test::rand64;

GRADCHECK_CASE("flip", "along dims 0, 1 and -1") {
  for (int64_t dim : {0, 1, -1}) {
    CAPTURE(dim);
    check_gradients([dim](const std::vector<Tensor>& in) { return flip(in[0], dim); }, {rand64({2, 3, 4}, 1)});
  }
}

TEST_CASE("flip values") {
  Tensor x = arange(0, 24, 1, DType::Float64).reshape({2, 3, 4});
  std::vector<double> v = x.to_vector<double>();
  for (int64_t dim = 0; dim < 3; ++dim) {
    CAPTURE(dim);
    std::vector<double> got = flip(x, dim).to_vector<double>();
    bool same = true;
    for (int64_t a = 0; a < 2; ++a)
      for (int64_t b = 0; b < 3; ++b)
        for (int64_t c = 0; c < 4; ++c) {
          int64_t sa = dim == 0 ? 1 - a : a, sb = dim == 1 ? 2 - b : b, sc = dim == 2 ? 3 - c : c;
          same = same && got[static_cast<size_t>((a * 3 + b) * 4 + c)] == v[static_cast<size_t>((sa * 3 + sb) * 4 + sc)];
        }
    CHECK(same);
    CHECK(flip(flip(x, dim), dim).to_vector<double>() == v);
  }
  // Masks and images flip too (augmentation).
  Tensor m = from_vector<uint8_t>({1, 2, 3, 4, 5, 6}, {2, 3});
  CHECK(flip(m, -1).to_vector<uint8_t>() == std::vector<uint8_t>{3, 2, 1, 6, 5, 4});
  CHECK(flip(m, 0).to_vector<uint8_t>() == std::vector<uint8_t>{4, 5, 6, 1, 2, 3});
}

TEST_CASE("flip argument errors name the op") {
  CHECK_THROWS_WITH_AS(flip(zeros({2, 3}), 2), doctest::Contains("flip: dimension 2 out of range for a 2-D tensor"),
                       pn::Error);
  CHECK_THROWS_WITH_AS(flip(Tensor(), 0), doctest::Contains("flip: input is undefined"), pn::Error);
}
