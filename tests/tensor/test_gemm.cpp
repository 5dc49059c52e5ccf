// pn::cpu::gemm against a naive triple loop, for every kernel family this CPU
// can run, on shapes chosen to hit the edges of the blocking: sizes that are
// not multiples of the register tile, K = 1, K spanning several cache blocks,
// M and N spanning several cache blocks, all transposes, padded leading
// dimensions, alpha != 1, beta in {0, 1, 0.5} and 1 or 2 threads; and B
// given through a PanelSource or a LineSource instead of stored.
#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "tensor/cpu/gemm.h"
#include "tensor/error.h"

using pn::cpu::gemm;
using pn::cpu::Trans;

namespace {

// The kernel families this CPU runs: gemm_force_kernel refuses the others.
std::vector<const char*> runnable_kernels() {
  std::vector<const char*> names;
  for (const char* name : {"portable", "avx2", "avx512"}) {
    try {
      pn::cpu::gemm_force_kernel(name);
      names.push_back(name);
    } catch (const pn::Error&) {
    }
  }
  pn::cpu::gemm_force_kernel(nullptr);
  return names;
}

// Restores the automatic kernel choice and the thread count when a test ends,
// also when a check fails.
struct KernelAndThreadsGuard {
  int threads = omp_get_max_threads();
  ~KernelAndThreadsGuard() {
    pn::cpu::gemm_force_kernel(nullptr);
    omp_set_num_threads(threads);
  }
};

// A stored matrix of `rows` x `ld` elements of which the first `cols` of each
// row are data; the padding holds NaN, so reading it would poison the result.
template <class T>
struct Stored {
  int64_t rows, cols, ld;
  std::vector<T> v;
  Stored(int64_t r, int64_t c, int64_t pad, std::mt19937& rng) : rows(r), cols(c), ld(c + pad) {
    v.assign(static_cast<size_t>(rows * ld), std::numeric_limits<T>::quiet_NaN());
    std::uniform_real_distribution<T> dist(-1, 1);
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) v[i * ld + j] = dist(rng);
  }
  T operator()(int64_t i, int64_t j) const { return v[i * ld + j]; }
};

// How gemm receives B: as a stored matrix, or through a PanelSource or a
// LineSource (gemm.h) that reads the stored matrix value by value, as the
// convolutions' sources read the image.
enum class BFrom { Stored, Panels, Lines };

// op(B)(k, j) of a stored B, for the two sources.
template <class T>
T op_b(const Stored<T>& b, Trans tb, int64_t k, int64_t j) {
  return tb == Trans::No ? b(k, j) : b(j, k);
}

template <class T>
struct StoredPanels final : pn::cpu::PanelSource<T> {
  const Stored<T>& b;
  Trans tb;
  StoredPanels(const Stored<T>& b_, Trans tb_) : b(b_), tb(tb_) {}
  void pack(int64_t k0, int64_t kb, int64_t j0, int64_t nb, int nr, T* dst) const override {
    const int64_t padded = (nb + nr - 1) / nr * nr;
    for (int64_t l = 0; l < padded; ++l)
      for (int64_t k = 0; k < kb; ++k)
        dst[l / nr * kb * nr + k * nr + l % nr] = l < nb ? op_b(b, tb, k0 + k, j0 + l) : T(0);
  }
};

template <class T>
struct StoredLines final : pn::cpu::LineSource<T> {
  const Stored<T>& b;
  Trans tb;
  StoredLines(const Stored<T>& b_, Trans tb_) : b(b_), tb(tb_) {}
  void lines(int64_t k0, int64_t kb, int64_t j0, int64_t nb, T* dst, int64_t ld) const override {
    for (int64_t l = 0; l < nb; ++l)
      for (int64_t k = 0; k < kb; ++k) dst[l * ld + k] = op_b(b, tb, k0 + k, j0 + l);
  }
};

template <class T>
struct Product {
  int64_t M, N, K;
  Trans ta, tb;
  Stored<T> a, b;  // as stored: A is M x K or K x M, B is K x N or N x K
  // Naive op(A) op(B) in long double, and the same with |A| and |B|, which
  // bounds the rounding error of any summation order.
  std::vector<long double> exact, magnitude;

  Product(int64_t m, int64_t n, int64_t k, Trans ta_, Trans tb_, std::mt19937& rng)
      : M(m), N(n), K(k), ta(ta_), tb(tb_),
        a(ta == Trans::No ? m : k, ta == Trans::No ? k : m, 3, rng),
        b(tb == Trans::No ? k : n, tb == Trans::No ? n : k, 5, rng),
        exact(static_cast<size_t>(m * n)), magnitude(static_cast<size_t>(m * n)) {
    for (int64_t i = 0; i < M; ++i) {
      for (int64_t j = 0; j < N; ++j) {
        long double s = 0, s_abs = 0;
        for (int64_t p = 0; p < K; ++p) {
          const long double x = ta == Trans::No ? a(i, p) : a(p, i);
          const long double y = tb == Trans::No ? b(p, j) : b(j, p);
          s += x * y;
          s_abs += std::fabs(x * y);
        }
        exact[i * N + j] = s;
        magnitude[i * N + j] = s_abs;
      }
    }
  }

  // Runs gemm on a C with padded rows (ldc = N + 7) that starts as random
  // values, or as NaN when beta == 0, and checks every element and that the
  // padding is untouched.
  void check(T alpha, T beta, std::mt19937& rng, BFrom from = BFrom::Stored) const {
    const int64_t ldc = N + 7;
    const T sentinel = 12345;
    std::vector<T> c(static_cast<size_t>(M * ldc), sentinel), c0;
    std::uniform_real_distribution<T> dist(-1, 1);
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j)
        c[i * ldc + j] = beta == T(0) ? std::numeric_limits<T>::quiet_NaN() : dist(rng);
    c0 = c;

    if (from == BFrom::Panels) {
      gemm(ta, M, N, K, alpha, a.v.data(), a.ld, StoredPanels<T>(b, tb), beta, c.data(), ldc);
    } else if (from == BFrom::Lines) {
      gemm(ta, M, N, K, alpha, a.v.data(), a.ld, StoredLines<T>(b, tb), beta, c.data(), ldc);
    } else {
      gemm(ta, tb, M, N, K, alpha, a.v.data(), a.ld, b.v.data(), b.ld, beta, c.data(), ldc);
    }

    const long double eps = std::numeric_limits<T>::epsilon();
    int64_t bad = 0;
    for (int64_t i = 0; i < M; ++i) {
      for (int64_t j = 0; j < N; ++j) {
        const long double old = beta == T(0) ? 0 : static_cast<long double>(beta) * c0[i * ldc + j];
        const long double want = alpha * exact[i * N + j] + old;
        const long double bound =
            (K + 3) * eps * (std::fabs(static_cast<long double>(alpha)) * magnitude[i * N + j] + std::fabs(old)) +
            std::numeric_limits<T>::min();
        const T got = c[i * ldc + j];
        if (!(std::fabs(got - want) <= bound)) {
          if (bad++ < 3) {
            MESSAGE("C(", i, ", ", j, ") = ", got, ", expected ", static_cast<double>(want), " +- ",
                    static_cast<double>(bound));
          }
        }
      }
      for (int64_t j = N; j < ldc; ++j) {
        if (c[i * ldc + j] != sentinel) ++bad;
      }
    }
    CHECK_MESSAGE(bad == 0, bad, " wrong elements for ", pn::cpu::gemm_kernel_name(), " M=", M, " N=", N, " K=", K,
                  " ta=", ta == Trans::Yes, " tb=", tb == Trans::Yes, " alpha=", alpha, " beta=", beta,
                  " threads=", omp_get_max_threads(), " B from ", static_cast<int>(from));
  }
};

struct Shape {
  int64_t M, N, K;
};

// Odd sizes around the register tiles (4 x 4 .. 14 x 32) and the cache
// blocks (kc 216-512, nc 256-592, mc 1024-2422 depending on kernel and type),
// N < 32 for the transposed-product path, K = 1, N wide enough for the
// threads to share the columns in chunks.
constexpr Shape kShapes[] = {
    {1, 1, 1},       {1, 129, 17},   {129, 1, 33},    {3, 17, 1},     {17, 33, 65},   {33, 3, 127},
    {65, 127, 3},    {14, 32, 128},  {13, 31, 129},   {127, 129, 33}, {65, 257, 129}, {129, 127, 300},
    {17, 33, 1000},  {300, 5, 1500}, {9, 300, 700},   {20, 700, 500},
    {20, 5000, 40},  // on 2 threads, columns taken in chunks from a shared counter
};
constexpr Shape kLargeShape = {2500, 40, 440};  // M beyond every mc; no transposes, to save time

template <class T>
void check_all_kernels(const Shape& s, Trans ta, Trans tb, std::mt19937& rng) {
  const Product<T> product(s.M, s.N, s.K, ta, tb, rng);
  KernelAndThreadsGuard guard;
  for (const char* kernel : runnable_kernels()) {
    pn::cpu::gemm_force_kernel(kernel);
    for (int threads = 1; threads <= 2; ++threads) {
      omp_set_num_threads(threads);
      for (T beta : {T(0), T(1), T(0.5)}) product.check(T(-1.5), beta, rng);
      // A source yields op(B) whatever the storage: one transpose suffices.
      if (tb == Trans::No) {
        for (BFrom from : {BFrom::Panels, BFrom::Lines}) product.check(T(-1.5), T(0.5), rng, from);
      }
    }
    product.check(T(1), T(0), rng);
  }
}

template <class T>
void check_shapes() {
  std::mt19937 rng(42);
  for (const Shape& s : kShapes) {
    for (Trans ta : {Trans::No, Trans::Yes})
      for (Trans tb : {Trans::No, Trans::Yes}) check_all_kernels<T>(s, ta, tb, rng);
  }
  check_all_kernels<T>(kLargeShape, Trans::No, Trans::No, rng);
}

}  // namespace

TEST_CASE("gemm: float, every kernel, against a naive product") { check_shapes<float>(); }

TEST_CASE("gemm: double, every kernel, against a naive product") { check_shapes<double>(); }

TEST_CASE("gemm: the automatic choice is the best family the CPU runs") {
  const std::string name = pn::cpu::gemm_kernel_name();
  CHECK(name == runnable_kernels().back());
  // An independent check that AVX-512 machines (like the development one)
  // really exercise the AVX-512 kernels.
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")) {
    CHECK(name == "avx512");
  }
  KernelAndThreadsGuard guard;
  pn::cpu::gemm_force_kernel("portable");
  CHECK(std::string(pn::cpu::gemm_kernel_name()) == "portable");
  CHECK_THROWS_AS(pn::cpu::gemm_force_kernel("sse9"), pn::Error);
}

TEST_CASE("gemm: K == 0 or alpha == 0 scales C by beta without reading A or B") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> a(6, nan), b(6, nan), c = {1, 2, 3, 4};
  gemm(Trans::No, Trans::No, 2, 2, 3, 0.0f, a.data(), 3, b.data(), 2, 0.5f, c.data(), 2);
  CHECK(c == std::vector<float>{0.5f, 1, 1.5f, 2});
  gemm(Trans::No, Trans::No, 2, 2, 0, 1.0f, a.data(), 0, b.data(), 2, 2.0f, c.data(), 2);
  CHECK(c == std::vector<float>{1, 2, 3, 4});
  c.assign(4, nan);
  gemm(Trans::No, Trans::No, 2, 2, 0, 1.0f, nullptr, 0, nullptr, 2, 0.0f, c.data(), 2);
  CHECK(c == std::vector<float>{0, 0, 0, 0});
  gemm(Trans::No, Trans::No, 0, 0, 5, 1.0f, nullptr, 5, nullptr, 0, 0.0f, nullptr, 0);  // nothing to do
}

TEST_CASE("gemm: invalid arguments throw pn::Error naming gemm") {
  std::vector<float> a(64), b(64), c(64);
  auto call = [&](int64_t M, int64_t N, int64_t K, Trans ta, Trans tb, int64_t lda, int64_t ldb, int64_t ldc) {
    gemm(ta, tb, M, N, K, 1.0f, a.data(), lda, b.data(), ldb, 0.0f, c.data(), ldc);
  };
  CHECK_THROWS_WITH_AS(call(-1, 2, 2, Trans::No, Trans::No, 2, 2, 2), doctest::Contains("gemm"), pn::Error);
  CHECK_THROWS_AS(call(2, 2, -3, Trans::No, Trans::No, 2, 2, 2), pn::Error);
  CHECK_THROWS_WITH_AS(call(2, 3, 4, Trans::No, Trans::No, 3, 3, 3), doctest::Contains("lda=3"), pn::Error);
  CHECK_THROWS_AS(call(5, 3, 4, Trans::Yes, Trans::No, 4, 3, 3), pn::Error);  // A^T needs lda >= M
  CHECK_THROWS_WITH_AS(call(2, 3, 4, Trans::No, Trans::No, 4, 2, 3), doctest::Contains("ldb=2"), pn::Error);
  CHECK_THROWS_AS(call(2, 3, 4, Trans::No, Trans::Yes, 4, 3, 3), pn::Error);  // B^T needs ldb >= K
  CHECK_THROWS_WITH_AS(call(2, 3, 4, Trans::No, Trans::No, 4, 3, 2), doctest::Contains("ldc=2"), pn::Error);
  CHECK_NOTHROW(call(2, 3, 4, Trans::Yes, Trans::Yes, 2, 4, 3));
}

TEST_CASE("gemm: results do not depend on the number of threads") {
  // Large enough to be split between two threads, with edge tiles on both sides.
  constexpr int64_t M = 203, N = 301, K = 517;
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> a(M * K), b(N * K);
  for (float& x : a) x = dist(rng);
  for (float& x : b) x = dist(rng);
  KernelAndThreadsGuard guard;
  for (Trans tb : {Trans::No, Trans::Yes}) {
    std::vector<float> one(M * N), two(M * N);
    omp_set_num_threads(1);
    gemm(Trans::No, tb, M, N, K, 1.0f, a.data(), K, b.data(), tb == Trans::No ? N : K, 0.0f, one.data(), N);
    omp_set_num_threads(2);
    gemm(Trans::No, tb, M, N, K, 1.0f, a.data(), K, b.data(), tb == Trans::No ? N : K, 0.0f, two.data(), N);
    CHECK(one == two);
  }
}

TEST_CASE("gemm: calls from inside a parallel region run single-threaded and correctly") {
  // Each thread multiplies its own pair; results must match the serial ones.
  constexpr int64_t M = 70, N = 90, K = 150;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> a(M * K), b(K * N);
  for (float& x : a) x = dist(rng);
  for (float& x : b) x = dist(rng);
  std::vector<float> serial(M * N);
  gemm(Trans::No, Trans::No, M, N, K, 1.0f, a.data(), K, b.data(), N, 0.0f, serial.data(), N);
  std::vector<std::vector<float>> out(4, std::vector<float>(M * N));
#pragma omp parallel for num_threads(2)
  for (int t = 0; t < 4; ++t) {
    gemm(Trans::No, Trans::No, M, N, K, 1.0f, a.data(), K, b.data(), N, 0.0f, out[t].data(), N);
  }
  for (const auto& o : out) CHECK(o == serial);
}
