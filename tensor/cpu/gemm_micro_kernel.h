#pragma once
// The register-blocked GEMM micro-kernel (the contract is MicroKernel in
// gemm.h), written once over a vector type: Vec<T> is Ymm<T> in
// gemm_avx2.cpp and Zmm<T> in gemm_avx512.cpp, each providing V, kLanes,
// zero, load, store, set1, fmadd and mul for float and double.
//
// Only those two files include this header, and it puts the kernel in an
// anonymous namespace: each file gets its own copy compiled for its
// instruction set, and the linker can never hand one file's AVX-512 code to a
// caller on a CPU without it.
#include <immintrin.h>

#include <cstdint>

namespace pn::cpu::detail {
namespace {

// Computes a Rows x (2 * lanes) tile of C from packed strips of A (Mr values
// per step) and B (2 * lanes values per step), accumulating in 2 * Rows
// vector registers.
template <template <class> class Vec, class T, int Mr, int Rows>
void micro_kernel(int64_t kc, const T* a, const T* b, T* c, int64_t ldc, T alpha, T beta) {
  using S = Vec<T>;
  using V = typename S::V;
  constexpr int L = S::kLanes;

  V acc0[Rows], acc1[Rows];  // columns [0, L) and [L, 2L) of each row
#pragma GCC unroll 16
  for (int r = 0; r < Rows; ++r) acc0[r] = acc1[r] = S::zero();

  // The C tile is written at the end; start fetching it now so the stores
  // do not wait for memory.
#pragma GCC unroll 16
  for (int r = 0; r < Rows; ++r) {
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + 2 * L - 1), _MM_HINT_T0);
  }

#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
    const V b0 = S::load(b);
    const V b1 = S::load(b + L);
#pragma GCC unroll 16
    for (int r = 0; r < Rows; ++r) {
      const V ar = S::set1(a[r]);
      acc0[r] = S::fmadd(ar, b0, acc0[r]);
      acc1[r] = S::fmadd(ar, b1, acc1[r]);
    }
    a += Mr;
    b += 2 * L;
  }

  const V va = S::set1(alpha);
  if (beta == T(0)) {
#pragma GCC unroll 16
    for (int r = 0; r < Rows; ++r) {
      S::store(c + r * ldc, S::mul(va, acc0[r]));
      S::store(c + r * ldc + L, S::mul(va, acc1[r]));
    }
  } else {
    const V vb = S::set1(beta);
#pragma GCC unroll 16
    for (int r = 0; r < Rows; ++r) {
      S::store(c + r * ldc, S::fmadd(vb, S::load(c + r * ldc), S::mul(va, acc0[r])));
      S::store(c + r * ldc + L, S::fmadd(vb, S::load(c + r * ldc + L), S::mul(va, acc1[r])));
    }
  }
}

}  // namespace
}  // namespace pn::cpu::detail
