// Memory, copies, creation and the caching allocator on the GPU (CTest:
// cuda/device).
#include <doctest/doctest.h>

#include <string>

#include "autograd/ops.h"
#include "cuda/allocator.h"
#include "harness.h"
#include "tensor/random.h"

using namespace pn;
using pn::test::relative_error;

namespace {
const Device kCuda = Device::cuda();
}

TEST_CASE("host-device copies are exact, also beyond one staging chunk") {
  // 5M floats = 20 MB: three chunks of the 8 MiB pinned staging buffer.
  Generator gen(1);
  Tensor x = normal({5, 1000, 1000}, 0, 1, DType::Float32, Device::cpu(), &gen);
  Tensor back = x.to(kCuda).to(Device::cpu());
  CHECK(back.to_vector<float>() == x.to_vector<float>());
  Tensor i64 = arange(0, 1000, 1, DType::Int64);
  CHECK(i64.to(kCuda).clone().to(Device::cpu()).to_vector<int64_t>() == i64.to_vector<int64_t>());
  Tensor empty_t = zeros({0, 3}, DType::Float32, kCuda);
  CHECK(empty_t.to(Device::cpu()).numel() == 0);
}

TEST_CASE("fill, arange, cast and copy_ on the GPU") {
  CHECK(full({3, 4}, 2.5, DType::Float64, kCuda).to_vector<double>() == std::vector<double>(12, 2.5));
  CHECK(full({5}, 7, DType::UInt8, kCuda).to_vector<uint8_t>() == std::vector<uint8_t>(5, 7));
  CHECK(arange(1, 10, 2, DType::Int64, kCuda).to_vector<int64_t>() == std::vector<int64_t>{1, 3, 5, 7, 9});
  CHECK(relative_error(arange(-3, 3, 0.25, DType::Float32, kCuda).to_vector<double>(),
                       arange(-3, 3, 0.25, DType::Float32).to_vector<double>()) == 0.0);
  Tensor x = from_vector<double>({-2.7, -0.5, 0.0, 1.5, 3.9, 255.0}, {6});
  // Negative values to uint8 are undefined in C++ (and differ between x86 and
  // the GPU): uint8 gets only the non-negative ones.
  Tensor non_negative = x.slice(2, 6);
  for (DType t : {DType::Float32, DType::UInt8, DType::Int64}) {
    CAPTURE(t);
    const Tensor& in = t == DType::UInt8 ? non_negative : x;
    Tensor want = in.to(t).to(DType::Float64);
    Tensor got = in.to(kCuda).to(t).to(DType::Float64).to(Device::cpu());
    CHECK(got.to_vector<double>() == want.to_vector<double>());
  }
  Tensor dst = zeros({6}, DType::Float32, kCuda);
  dst.copy_(x);  // host float64 -> device float32
  CHECK(dst.to_vector<float>() == x.to(DType::Float32).to_vector<float>());
}

TEST_CASE("random tensors on the GPU equal the CPU's for the same generator state") {
  for (DType t : {DType::Float32, DType::Float64}) {
    CAPTURE(t);
    Generator a(99), b(99);
    auto same = [&](const Tensor& cpu, const Tensor& gpu, double tol) {
      CHECK(relative_error(gpu.to_vector<double>(), cpu.to_vector<double>()) <= tol);
    };
    // The same bits, up to the last place of the double arithmetic (the GPU
    // fuses multiply-adds; CUDA's log and cos may differ from libm's in the
    // last bit), which float32 rounding can turn into one float ulp.
    const double tol = t == DType::Float32 ? 1e-6 : 1e-13;
    same(uniform({1000}, -2, 3, t, Device::cpu(), &a), uniform({1000}, -2, 3, t, kCuda, &b), tol);
    same(normal({1000}, 1, 2, t, Device::cpu(), &a), normal({1000}, 1, 2, t, kCuda, &b), tol);
    same(bernoulli({1000}, 0.3, t, Device::cpu(), &a), bernoulli({1000}, 0.3, t, kCuda, &b), 0.0);
  }
}

TEST_CASE("the caching allocator reuses freed blocks and keeps statistics") {
  cuda::release_cache();
  cuda::reset_peak();
  cuda::AllocatorStats before = cuda::allocator_stats();
  void* first = nullptr;
  {
    Tensor t = empty({1000, 1000}, DType::Float32, kCuda);  // 4 MB -> 4 MiB bin
    first = t.raw_data();
    cuda::AllocatorStats during = cuda::allocator_stats();
    CHECK(during.allocated == before.allocated + cuda::rounded_size(4000000));
    CHECK(during.peak_allocated >= during.allocated);
    CHECK(during.reserved >= during.allocated);
  }
  cuda::AllocatorStats freed = cuda::allocator_stats();
  CHECK(freed.allocated == before.allocated);
  CHECK(freed.reserved >= before.reserved + cuda::rounded_size(4000000));  // kept in the cache
  {
    Tensor again = empty({999, 1001}, DType::Float32, kCuda);  // another size, the same bin
    CHECK(again.raw_data() == first);
    cuda::AllocatorStats reuse = cuda::allocator_stats();
    CHECK(reuse.cache_hits == freed.cache_hits + 1);
    CHECK(reuse.device_allocs == freed.device_allocs);
  }
  cuda::release_cache();
  CHECK(cuda::allocator_stats().reserved == cuda::allocator_stats().allocated);
}

TEST_CASE("an impossible allocation fails with pn::Error stating the bytes requested and free") {
  const int64_t n = int64_t{1} << 40;  // 4 TiB of float32
  try {
    empty({n}, DType::Float32, kCuda);
    FAIL("a 4 TiB allocation succeeded");
  } catch (const Error& e) {
    std::string m = e.what();
    CHECK(m.find("out of memory allocating " + std::to_string(n * 4) + " bytes") != std::string::npos);
    CHECK(m.find("bytes free of") != std::string::npos);
  }
  // The device is still usable.
  CHECK(ones({4}, DType::Float32, kCuda).to_vector<float>() == std::vector<float>(4, 1.f));
}
