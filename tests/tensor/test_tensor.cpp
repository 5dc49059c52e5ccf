// Tensor basics: creation, views, copies, dtypes, printing, random numbers.
#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "autograd/ops.h"
#include "tensor/backend.h"
#include "tensor/philox.h"
#include "tensor/random.h"
#include "tensor/storage.h"

using namespace pn;

TEST_CASE("creation fills shape, dtype and values") {
  Tensor z = zeros({2, 3});
  CHECK(z.shape() == Shape{2, 3});
  CHECK(z.dtype() == DType::Float32);
  CHECK(z.device() == Device::cpu());
  CHECK(z.numel() == 6);
  for (float v : z.to_vector<float>()) CHECK(v == 0.0f);
  for (double v : ones({4}, DType::Float64).to_vector<double>()) CHECK(v == 1.0);
  for (int64_t v : full({3}, 7, DType::Int64).to_vector<int64_t>()) CHECK(v == 7);
  CHECK(arange(0, 5).to_vector<float>() == std::vector<float>{0, 1, 2, 3, 4});
  CHECK(arange(1, 2, 0.25, DType::Float64).to_vector<double>() == std::vector<double>{1, 1.25, 1.5, 1.75});
  CHECK(arange(5, 0, -2, DType::Int64).to_vector<int64_t>() == std::vector<int64_t>{5, 3, 1});
  CHECK(scalar_tensor(2.5).item() == 2.5);
  CHECK(scalar_tensor(2.5).dim() == 0);
}

TEST_CASE("storage is 64-byte aligned") {
  for (int64_t n : {1, 3, 17, 1000}) {
    Tensor t = empty({n}, DType::UInt8);
    CHECK(reinterpret_cast<uintptr_t>(t.raw_data()) % 64 == 0);
  }
}

TEST_CASE("from_vector and to_vector round-trip every dtype") {
  CHECK(from_vector<float>({1.5f, -2}, {2}).to_vector<float>() == std::vector<float>{1.5f, -2});
  CHECK(from_vector<double>({1e300}, {1}).item() == 1e300);
  CHECK(from_vector<uint8_t>({0, 255}, {2}).to_vector<int64_t>() == std::vector<int64_t>{0, 255});
  CHECK(from_vector<int64_t>({-5, int64_t{1} << 40}, {2}).to_vector<int64_t>()[1] == int64_t{1} << 40);
  CHECK_THROWS_WITH_AS(from_vector<float>({1, 2, 3}, {2, 2}), doctest::Contains("from_vector: 3 values for shape [2, 2]"),
                       Error);
}

TEST_CASE("reshape and slice are views sharing storage") {
  Tensor t = arange(0, 12).reshape({3, 4});
  CHECK(t.shape() == Shape{3, 4});
  Tensor r = t.reshape({-1, 6});
  CHECK(r.shape() == Shape{2, 6});
  Tensor s = t.slice(1, 3);
  CHECK(s.shape() == Shape{2, 4});
  CHECK(s.to_vector<float>()[0] == 4.0f);
  s.fill_(-1);
  CHECK(t.to_vector<float>()[4] == -1.0f);
  CHECK(t.to_vector<float>()[11] == -1.0f);
  CHECK(t.to_vector<float>()[3] == 3.0f);
  CHECK(t.impl()->storage == s.impl()->storage);
  CHECK_THROWS_WITH_AS(t.reshape({5, -1}), doctest::Contains("reshape: cannot reshape [3, 4]"), Error);
  CHECK_THROWS_WITH_AS(t.reshape({-1, -1}), doctest::Contains("more than one -1"), Error);
  CHECK_THROWS_WITH_AS(t.slice(2, 5), doctest::Contains("slice: rows [2, 5) out of range for shape [3, 4]"), Error);
}

TEST_CASE("clone, dtype conversion and copy_ make independent copies") {
  Tensor t = arange(0, 4);
  Tensor c = t.clone();
  c.fill_(9);
  CHECK(t.to_vector<float>()[0] == 0.0f);
  Tensor d = from_vector<float>({1.7f, -0.5f, 300.0f}, {3}).to(DType::Float64);
  CHECK(d.dtype() == DType::Float64);
  CHECK(d.to_vector<double>()[0] == doctest::Approx(1.7));
  Tensor u = from_vector<float>({1, 0, 255}, {3}).to(DType::UInt8);
  CHECK(u.to_vector<int64_t>() == std::vector<int64_t>{1, 0, 255});
  Tensor dst = zeros({3}, DType::Float64);
  dst.copy_(from_vector<float>({1, 2, 3}, {3}));
  CHECK(dst.to_vector<double>() == std::vector<double>{1, 2, 3});
  CHECK_THROWS_WITH_AS(dst.copy_(zeros({4})), doctest::Contains("copy_: source shape [4] differs from destination [3]"),
                       Error);
}

TEST_CASE("in-place ops bump the storage version") {
  Tensor t = zeros({3});
  uint64_t v0 = t.version();
  t.fill_(1);
  t.add_(ones({3}), 2.0);
  t.mul_(0.5);
  CHECK(t.version() == v0 + 3);
  CHECK(t.to_vector<float>() == std::vector<float>{1.5f, 1.5f, 1.5f});
  CHECK(t.reshape({1, 3}).version() == t.version());  // views share the counter
}

TEST_CASE("printing shows shape, dtype, device and values") {
  std::ostringstream os;
  os << arange(0, 3);
  CHECK(os.str() == "tensor(shape=[3], dtype=float32, device=cpu)\n[0, 1, 2]");
  std::ostringstream big;
  big << arange(0, 100, 1, DType::Int64);
  CHECK(big.str().find("[0, 1, 2, ..., 97, 98, 99]") != std::string::npos);
  std::ostringstream grid;
  grid << arange(0, 4, 1, DType::Int64).reshape({2, 2});
  CHECK(grid.str().find("[[0, 1],\n [2, 3]]") != std::string::npos);
  std::ostringstream u;
  u << Tensor();
  CHECK(u.str() == "tensor(undefined)");
}

TEST_CASE("random numbers are a pure function of the seed") {
  Generator a(42), b(42), c(43);
  std::vector<float> x = uniform({1000}, 0, 1, DType::Float32, Device::cpu(), &a).to_vector<float>();
  std::vector<float> y = uniform({1000}, 0, 1, DType::Float32, Device::cpu(), &b).to_vector<float>();
  std::vector<float> z = uniform({1000}, 0, 1, DType::Float32, Device::cpu(), &c).to_vector<float>();
  CHECK(x == y);
  CHECK(x != z);
  // Drawing 600 then 400 gives the same numbers as drawing 1000 at once.
  Generator d(42);
  std::vector<float> first = uniform({600}, 0, 1, DType::Float32, Device::cpu(), &d).to_vector<float>();
  std::vector<float> second = uniform({400}, 0, 1, DType::Float32, Device::cpu(), &d).to_vector<float>();
  CHECK(std::equal(first.begin(), first.end(), x.begin()));
  CHECK(std::equal(second.begin(), second.end(), x.begin() + 600));
  CHECK(d.offset() == 1000);
  // Fixed values pin the generator down across machines and versions.
  Generator e(7);
  std::vector<double> pinned = uniform({2}, 0, 1, DType::Float64, Device::cpu(), &e).to_vector<double>();
  CHECK(pinned[0] == philox_uniform(0, 7));
  CHECK(pinned[1] == philox_uniform(1, 7));
}

TEST_CASE("random distributions have the right moments") {
  Generator g(1);
  int64_t n = 200000;
  Tensor u = uniform({n}, -2, 3, DType::Float64, Device::cpu(), &g);
  CHECK(mean(u).item() == doctest::Approx(0.5).epsilon(0.01));
  for (double v : u.to_vector<double>()) {
    REQUIRE(v >= -2);
    REQUIRE(v < 3);
  }
  Tensor nrm = normal({n}, 1.0, 2.0, DType::Float64, Device::cpu(), &g);
  double m = mean(nrm).item();
  double var = mean(pow(add(nrm, -m), 2.0)).item();
  CHECK(m == doctest::Approx(1.0).epsilon(0.02));
  CHECK(var == doctest::Approx(4.0).epsilon(0.02));
  Tensor b = bernoulli({n}, 0.3, DType::Float32, Device::cpu(), &g);
  CHECK(mean(b).item() == doctest::Approx(0.3).epsilon(0.01));
}

TEST_CASE("bad arguments are reported") {
  CHECK_THROWS_WITH_AS(zeros({2, -1}), doctest::Contains("negative extent in shape [2, -1]"), Error);
  CHECK_THROWS_WITH_AS(zeros({2}).data<double>(), doctest::Contains("is float32, not float64"), Error);
  CHECK_THROWS_WITH_AS(zeros({2}).item(), doctest::Contains("item: needs a one-element tensor, got shape [2]"), Error);
  if (!has_backend(DeviceType::CUDA)) {
    // A build without CUDA says so; a CUDA build on a machine without a GPU says that.
    std::string m;
    try {
      zeros({2}, DType::Float32, Device::cuda());
    } catch (const Error& e) {
      m = e.what();
    }
    CHECK((m.find("no CUDA backend") != std::string::npos || m.find("no CUDA device is visible") != std::string::npos));
  }
  CHECK_THROWS_WITH_AS(Tensor().shape(), doctest::Contains("undefined"), Error);
  CHECK_THROWS_WITH_AS(uniform({2}, 1, 0), doctest::Contains("uniform: lo 1 > hi 0"), Error);
}

TEST_CASE("Philox4x32-10 matches the published known-answer vectors") {
  Philox4 zero = philox4x32_10(Philox4{{0, 0, 0, 0}}, 0, 0);
  CHECK(zero.v[0] == 0x6627e8d5u);
  CHECK(zero.v[1] == 0xe169c58du);
  CHECK(zero.v[2] == 0xbc57ac4cu);
  CHECK(zero.v[3] == 0x9b00dbd8u);
  Philox4 ones = philox4x32_10(Philox4{{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}}, 0xffffffffu, 0xffffffffu);
  CHECK(ones.v[0] == 0x408f276du);
  CHECK(ones.v[1] == 0x41c83b0eu);
  CHECK(ones.v[2] == 0xa20bc7c6u);
  CHECK(ones.v[3] == 0x6d5451fdu);
  Philox4 pi = philox4x32_10(Philox4{{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}}, 0xa4093822u, 0x299f31d0u);
  CHECK(pi.v[0] == 0xd16cfe09u);
  CHECK(pi.v[1] == 0x94fdccebu);
  CHECK(pi.v[2] == 0x5001e420u);
  CHECK(pi.v[3] == 0x24126ea1u);
}
