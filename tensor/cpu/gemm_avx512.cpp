// AVX-512 GEMM micro-kernels (see gemm.h for the micro-kernel contract and
// gemm.cpp for the driver that packs the panels and calls them).
//
// This file is compiled with -mavx512f and friends, so everything in it except
// the kernel table lives in an anonymous namespace and uses only intrinsics:
// an inline function shared with other translation units (a std:: helper, a
// header template) could be emitted here with AVX-512 code and then picked by
// the linker for callers on CPUs without it.
#include <immintrin.h>

#include <type_traits>
#include <utility>

#include "tensor/cpu/gemm.h"
#include "tensor/cpu/gemm_micro_kernel.h"

namespace pn::cpu::detail {
namespace {

// One 512-bit register of T, with the few operations the kernel needs, so the
// single kernel template below serves float (16 lanes) and double (8 lanes).
template <class T>
struct Zmm;

template <>
struct Zmm<float> {
  using V = __m512;
  static constexpr int kLanes = 16;
  static V zero() { return _mm512_setzero_ps(); }
  static V set1(float x) { return _mm512_set1_ps(x); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  // For the transpose: result lanes (128 bits each) are lanes i0, i1 of a
  // and i2, i3 of b, where Imm = i0 | i1 << 2 | i2 << 4 | i3 << 6.
  template <int Imm>
  static V shuffle_lanes(V a, V b) {
    return _mm512_shuffle_f32x4(a, b, Imm);
  }
};

template <>
struct Zmm<double> {
  using V = __m512d;
  static constexpr int kLanes = 8;
  static V zero() { return _mm512_setzero_pd(); }
  static V set1(double x) { return _mm512_set1_pd(x); }
  static V load(const double* p) { return _mm512_loadu_pd(p); }
  static void store(double* p, V v) { _mm512_storeu_pd(p, v); }
  static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  template <int Imm>
  static V shuffle_lanes(V a, V b) {
    return _mm512_shuffle_f64x2(a, b, Imm);
  }
};

// Register tile: kMr rows x 2 registers of columns (32 floats or 16 doubles).
// The 2 x 14 = 28 accumulators, the two rows of B and one broadcast value of
// A take 31 of the 32 zmm registers. Per step of k the tile does 28 FMAs for
// 2 vector loads and 14 broadcasts, which keeps the two FMA ports busy
// without saturating the load ports; the FMA latency (4 cycles) is hidden
// because 28 independent accumulators are in flight.
constexpr int kMr = 14;

// ---- Transposes for packing (see pack() in gemm.cpp) -------------------------
// GCC 12's headers build the unpack and lane-shuffle intrinsics on a
// self-initialised "undefined" register, which -Wuninitialized reports once
// they are inlined here (a false positive, fixed in GCC 13).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"

// Both work in two steps. First, interleaving neighbouring rows within each
// 128-bit lane leaves, for every group of rows, one register per column
// offset c whose lane q holds column (lane width * q + c) of those rows.
// Then a 4 x 4 transpose of 128-bit lanes across the four registers of each
// column offset puts the groups side by side: lane g of output row j comes
// from row group g.
//
// Lane transpose of a, b, c, d (lanes a0..a3 etc.): writes out[q] = the q-th
// lanes of a, b, c, d.
template <class T>
void transpose_lanes(typename Zmm<T>::V a, typename Zmm<T>::V b, typename Zmm<T>::V c, typename Zmm<T>::V d,
                     typename Zmm<T>::V* out) {
  using S = Zmm<T>;
  const auto ab_lo = S::template shuffle_lanes<0x44>(a, b);  // a0 a1 b0 b1
  const auto ab_hi = S::template shuffle_lanes<0xEE>(a, b);  // a2 a3 b2 b3
  const auto cd_lo = S::template shuffle_lanes<0x44>(c, d);  // c0 c1 d0 d1
  const auto cd_hi = S::template shuffle_lanes<0xEE>(c, d);  // c2 c3 d2 d3
  out[0] = S::template shuffle_lanes<0x88>(ab_lo, cd_lo);    // a0 b0 c0 d0
  out[1] = S::template shuffle_lanes<0xDD>(ab_lo, cd_lo);    // a1 b1 c1 d1
  out[2] = S::template shuffle_lanes<0x88>(ab_hi, cd_hi);    // a2 b2 c2 d2
  out[3] = S::template shuffle_lanes<0xDD>(ab_hi, cd_hi);    // a3 b3 c3 d3
}

// dst[k * ldd + l] = src[l * ld + k] for l, k < 16.
void transpose_f32(const float* src, int64_t ld, float* dst, int64_t ldd) {
  __m512 r[16], u[16];
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i) r[i] = _mm512_loadu_ps(src + i * ld);
  // Rows 4g .. 4g+3 become u[4g + c], c < 4: lane q holds their column 4q + c.
#pragma GCC unroll 4
  for (int g = 0; g < 4; ++g) {
    const __m512 t0 = _mm512_unpacklo_ps(r[4 * g], r[4 * g + 1]);
    const __m512 t1 = _mm512_unpackhi_ps(r[4 * g], r[4 * g + 1]);
    const __m512 t2 = _mm512_unpacklo_ps(r[4 * g + 2], r[4 * g + 3]);
    const __m512 t3 = _mm512_unpackhi_ps(r[4 * g + 2], r[4 * g + 3]);
    const auto pd = [](__m512 x) { return _mm512_castps_pd(x); };
    u[4 * g + 0] = _mm512_castpd_ps(_mm512_unpacklo_pd(pd(t0), pd(t2)));
    u[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(pd(t0), pd(t2)));
    u[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(pd(t1), pd(t3)));
    u[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(pd(t1), pd(t3)));
  }
#pragma GCC unroll 4
  for (int c = 0; c < 4; ++c) {
    __m512 out[4];  // out[q] is column 4q + c
    transpose_lanes<float>(u[c], u[4 + c], u[8 + c], u[12 + c], out);
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q) _mm512_storeu_ps(dst + (4 * q + c) * ldd, out[q]);
  }
}

// dst[k * ldd + l] = src[l * ld + k] for l, k < 8.
void transpose_f64(const double* src, int64_t ld, double* dst, int64_t ldd) {
  __m512d r[8], u[8];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) r[i] = _mm512_loadu_pd(src + i * ld);
  // Rows 2g, 2g+1 become u[2g + c], c < 2: lane q holds their column 2q + c.
#pragma GCC unroll 4
  for (int g = 0; g < 4; ++g) {
    u[2 * g + 0] = _mm512_unpacklo_pd(r[2 * g], r[2 * g + 1]);
    u[2 * g + 1] = _mm512_unpackhi_pd(r[2 * g], r[2 * g + 1]);
  }
#pragma GCC unroll 2
  for (int c = 0; c < 2; ++c) {
    __m512d out[4];  // out[q] is column 2q + c
    transpose_lanes<double>(u[c], u[2 + c], u[4 + c], u[6 + c], out);
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q) _mm512_storeu_pd(dst + (2 * q + c) * ldd, out[q]);
  }
}

#pragma GCC diagnostic pop

static_assert(kMr <= kMaxTileRows && 2 * Zmm<float>::kLanes <= kMaxTileCols);

template <class T, int... I>
constexpr TileKernel<T> make_tile_kernel(std::integer_sequence<int, I...>) {
  if constexpr (std::is_same_v<T, float>) {
    return {kMr, 2 * Zmm<T>::kLanes, {&micro_kernel<Zmm, T, kMr, I + 1>...}, 16, &transpose_f32};
  } else {
    return {kMr, 2 * Zmm<T>::kLanes, {&micro_kernel<Zmm, T, kMr, I + 1>...}, 8, &transpose_f64};
  }
}

}  // namespace

constinit const KernelFamily kAvx512Kernels{
    "avx512",
    make_tile_kernel<float>(std::make_integer_sequence<int, kMr>{}),
    make_tile_kernel<double>(std::make_integer_sequence<int, kMr>{}),
};

}  // namespace pn::cpu::detail
