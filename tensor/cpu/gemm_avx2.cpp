// AVX2 + FMA GEMM micro-kernels (see gemm.h for the micro-kernel contract and
// gemm.cpp for the driver that packs the panels and calls them).
//
// This file is compiled with -mavx2 -mfma, so everything in it except the
// kernel table lives in an anonymous namespace and uses only intrinsics: an
// inline function shared with other translation units (a std:: helper, a
// header template) could be emitted here with AVX2 code and then picked by the
// linker for callers on CPUs without it.
#include <immintrin.h>

#include <type_traits>
#include <utility>

#include "tensor/cpu/gemm.h"
#include "tensor/cpu/gemm_micro_kernel.h"

namespace pn::cpu::detail {
namespace {

// One 256-bit register of T, with the few operations the kernel needs, so the
// single kernel template below serves float (8 lanes) and double (4 lanes).
template <class T>
struct Ymm;

template <>
struct Ymm<float> {
  using V = __m256;
  static constexpr int kLanes = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V set1(float x) { return _mm256_set1_ps(x); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
};

template <>
struct Ymm<double> {
  using V = __m256d;
  static constexpr int kLanes = 4;
  static V zero() { return _mm256_setzero_pd(); }
  static V set1(double x) { return _mm256_set1_pd(x); }
  static V load(const double* p) { return _mm256_loadu_pd(p); }
  static void store(double* p, V v) { _mm256_storeu_pd(p, v); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
};

// Register tile: kMr rows x 2 registers of columns (16 floats or 8 doubles).
// With only 16 ymm registers, 6 x 2 = 12 accumulators plus two rows of B and
// one broadcast value of A is the largest tile that fits; 12 independent
// accumulators still cover the FMA latency (4-5 cycles x 2 ports).
constexpr int kMr = 6;

// ---- Transposes for packing (see pack() in gemm.cpp) -------------------------
// Both work in two steps. First, interleaving neighbouring rows within each
// 128-bit lane leaves, for every group of rows, one register per column
// offset c whose lane q holds column (lane width * q + c) of those rows.
// Then swapping 128-bit lanes between the two groups' registers of each
// column offset puts the groups side by side.

// dst[k * ldd + l] = src[l * ld + k] for l, k < 8.
void transpose_f32(const float* src, int64_t ld, float* dst, int64_t ldd) {
  __m256 r[8], u[8];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(src + i * ld);
  // Rows 4g .. 4g+3 become u[4g + c], c < 4: lane q holds their column 4q + c.
#pragma GCC unroll 2
  for (int g = 0; g < 2; ++g) {
    const __m256 t0 = _mm256_unpacklo_ps(r[4 * g], r[4 * g + 1]);
    const __m256 t1 = _mm256_unpackhi_ps(r[4 * g], r[4 * g + 1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[4 * g + 2], r[4 * g + 3]);
    const __m256 t3 = _mm256_unpackhi_ps(r[4 * g + 2], r[4 * g + 3]);
    const auto pd = [](__m256 x) { return _mm256_castps_pd(x); };
    u[4 * g + 0] = _mm256_castpd_ps(_mm256_unpacklo_pd(pd(t0), pd(t2)));
    u[4 * g + 1] = _mm256_castpd_ps(_mm256_unpackhi_pd(pd(t0), pd(t2)));
    u[4 * g + 2] = _mm256_castpd_ps(_mm256_unpacklo_pd(pd(t1), pd(t3)));
    u[4 * g + 3] = _mm256_castpd_ps(_mm256_unpackhi_pd(pd(t1), pd(t3)));
  }
#pragma GCC unroll 4
  for (int c = 0; c < 4; ++c) {
    _mm256_storeu_ps(dst + c * ldd, _mm256_permute2f128_ps(u[c], u[4 + c], 0x20));        // lanes 0 of both
    _mm256_storeu_ps(dst + (4 + c) * ldd, _mm256_permute2f128_ps(u[c], u[4 + c], 0x31));  // lanes 1 of both
  }
}

// dst[k * ldd + l] = src[l * ld + k] for l, k < 4.
void transpose_f64(const double* src, int64_t ld, double* dst, int64_t ldd) {
  __m256d r[4], u[4];
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) r[i] = _mm256_loadu_pd(src + i * ld);
  // Rows 2g, 2g+1 become u[2g + c], c < 2: lane q holds their column 2q + c.
#pragma GCC unroll 2
  for (int g = 0; g < 2; ++g) {
    u[2 * g + 0] = _mm256_unpacklo_pd(r[2 * g], r[2 * g + 1]);
    u[2 * g + 1] = _mm256_unpackhi_pd(r[2 * g], r[2 * g + 1]);
  }
#pragma GCC unroll 2
  for (int c = 0; c < 2; ++c) {
    _mm256_storeu_pd(dst + c * ldd, _mm256_permute2f128_pd(u[c], u[2 + c], 0x20));
    _mm256_storeu_pd(dst + (2 + c) * ldd, _mm256_permute2f128_pd(u[c], u[2 + c], 0x31));
  }
}

static_assert(kMr <= kMaxTileRows && 2 * Ymm<float>::kLanes <= kMaxTileCols);

template <class T, int... I>
constexpr TileKernel<T> make_tile_kernel(std::integer_sequence<int, I...>) {
  if constexpr (std::is_same_v<T, float>) {
    return {kMr, 2 * Ymm<T>::kLanes, {&micro_kernel<Ymm, T, kMr, I + 1>...}, 8, &transpose_f32};
  } else {
    return {kMr, 2 * Ymm<T>::kLanes, {&micro_kernel<Ymm, T, kMr, I + 1>...}, 4, &transpose_f64};
  }
}

}  // namespace

constinit const KernelFamily kAvx2Kernels{
    "avx2",
    make_tile_kernel<float>(std::make_integer_sequence<int, kMr>{}),
    make_tile_kernel<double>(std::make_integer_sequence<int, kMr>{}),
};

}  // namespace pn::cpu::detail
