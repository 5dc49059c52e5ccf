#pragma once
// General matrix multiply (GEMM) on the CPU: the engine under matmul and the
// convolutions (which lower to GEMM via im2col, packed straight from the
// image: see PanelSource below).
//
//   C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C
//
// Every matrix is row-major with a leading dimension (the distance, in
// elements, between the starts of consecutive rows):
//   op(A) = A    when ta == Trans::No:  A is stored M x K, lda >= K;
//   op(A) = A^T  when ta == Trans::Yes: A is stored K x M, lda >= M;
//   op(B) = B    when tb == Trans::No:  B is stored K x N, ldb >= N;
//   op(B) = B^T  when tb == Trans::Yes: B is stored N x K, ldb >= K;
//   C is stored M x N, ldc >= N.
//
// Accumulate or overwrite: beta == 0 means C is overwritten and never read
// (NaNs or garbage already in C do not propagate); any other beta scales the
// old C and adds to it (beta == 1: plain accumulation, as for gradients).
// When K == 0 or alpha == 0, A and B are not read and C becomes beta * C.
// C must not overlap A or B.
//
// Threads: a call runs on up to omp_get_max_threads() OpenMP threads (fewer
// when the product is too small to be worth splitting) and returns when C is
// complete. It may be called from any thread; a call made inside an OpenMP
// parallel region runs single-threaded on the calling thread, so callers that
// parallelise over a batch themselves get one GEMM per thread.
//
// Concurrent calls from different threads are safe: each thread packs into
// its own buffers, which it keeps (a few MiB) for its next call. Results do
// not depend on the number of threads: every element of C is summed in the
// same order either way.
//
// Invalid arguments (negative sizes, too-small leading dimensions) throw
// pn::Error.
//
// Performance notes for callers:
//  - Peak speed needs op(A) and op(B) to be reused from cache: when op(A) has
//    few rows (say M <= 64) and op(B) is many MiB, as for im2col of a large
//    image, the product runs at memory speed. The convolutions therefore
//    never store the im2col matrix: they hand it over as a PanelSource or
//    LineSource (below), which the packing step reads from the image.
//  - Every transpose combination runs at about the same speed, except that
//    B^T (tb == Trans::Yes) packs through a transposing copy, which shows
//    when M is small (about 10% slower than B at M = 64).
#include <cstdint>

namespace pn::cpu {

enum class Trans : bool { No = false, Yes = true };

void gemm(Trans ta, Trans tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
void gemm(Trans ta, Trans tb, int64_t M, int64_t N, int64_t K, double alpha, const double* A, int64_t lda,
          const double* B, int64_t ldb, double beta, double* C, int64_t ldc);

// An op(B) [K, N] that is never stored: the caller packs its blocks on
// demand, straight from wherever the values come from. The convolutions use
// it to read the im2col matrix from the image as the GEMM needs it
// (tensor/cpu/im2col_panels.h), so the matrix never exists in memory.
//
// pack(k0, kb, j0, nb, nr, dst) writes op(B)[k0 + k, j0 + l] for k < kb and
// l < nb to dst[(l / nr) * kb * nr + k * nr + l % nr] -- strips of nr
// columns, each holding its kb rows one after another -- and zero to the
// positions of the columns l in [nb, round_up(nb, nr)) of the last strip.
// The GEMM calls it from several threads at once, for disjoint ranges of
// columns, with kb and nb at most a few hundred (the cache blocking).
template <class T>
class PanelSource {
 public:
  virtual ~PanelSource() = default;
  virtual void pack(int64_t k0, int64_t kb, int64_t j0, int64_t nb, int nr, T* dst) const = 0;
};

// An op(B) [K, N] that is never stored either, but whose natural order runs
// along k (the im2col matrix's transpose: tensor/cpu/im2col_panels.h): the
// source writes lines -- columns of op(B) -- and the GEMM packs them with
// its vectorised transposes, a strip at a time, while they are in cache.
//
// lines(k0, kb, j0, nb, dst, ld) writes op(B)[k0 + k, j0 + l] to
// dst[l * ld + k] for k < kb and l < nb. Called as for PanelSource.
template <class T>
class LineSource {
 public:
  virtual ~LineSource() = default;
  virtual void lines(int64_t k0, int64_t kb, int64_t j0, int64_t nb, T* dst, int64_t ld) const = 0;
};

// C[M,N] = alpha * op(A)[M,K] * B[K,N] + beta * C with B packed by its
// source; everything else is as for the gemm above.
void gemm(Trans ta, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const PanelSource<float>& B, float beta, float* C, int64_t ldc);
void gemm(Trans ta, int64_t M, int64_t N, int64_t K, double alpha, const double* A, int64_t lda,
          const PanelSource<double>& B, double beta, double* C, int64_t ldc);
void gemm(Trans ta, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const LineSource<float>& B, float beta, float* C, int64_t ldc);
void gemm(Trans ta, int64_t M, int64_t N, int64_t K, double alpha, const double* A, int64_t lda,
          const LineSource<double>& B, double beta, double* C, int64_t ldc);

// Name of the kernel family gemm uses, float and double alike: "avx512",
// "avx2" or "portable", the best this CPU runs (chosen at the first call) or
// the one set by gemm_force_kernel.
const char* gemm_kernel_name();

// For tests and benchmarks: use the named kernel family ("avx512", "avx2" or
// "portable") instead of the automatic choice, or return to the automatic
// choice with nullptr. Throws pn::Error for an unknown name or one this CPU
// cannot run. Not meant to be called while other threads are inside gemm.
void gemm_force_kernel(const char* name);

// ---- Implementation interface between the driver and its micro-kernels ----
// (gemm.cpp and the gemm_<isa>.cpp files; not for callers.)
namespace detail {

// A micro-kernel computes one tile of C from packed panels:
//   C[i][j] = alpha * sum_k a[k*mr + i] * b[k*nr + j] + beta * C[i][j]
// for 0 <= i < rows, 0 <= j < nr, where C[i][j] is c[i*ldc + j]; with
// beta == 0, C is not read. `a` holds kc steps of mr values (one column of an
// mr-row strip of op(A)), `b` kc steps of nr values (one row of an nr-column
// strip of op(B)); neither is guaranteed more than the alignment of T.
template <class T>
using MicroKernel = void (*)(int64_t kc, const T* a, const T* b, T* c, int64_t ldc, T alpha, T beta);

// transpose(src, ld, dst, ldd) sets dst[k*ldd + l] = src[l*ld + k] for
// 0 <= l, k < tb: the building block for packing a matrix whose lines run
// along k (see pack() in gemm.cpp).
template <class T>
using Transpose = void (*)(const T* src, int64_t ld, T* dst, int64_t ldd);

// Bounds on mr and nr of every kernel (the driver's edge-tile buffer).
constexpr int kMaxTileRows = 16;
constexpr int kMaxTileCols = 32;

template <class T>
struct TileKernel {
  int mr;  // rows of the register tile (rows of op(A) per strip)
  int nr;  // columns of the register tile (columns of op(B) per strip)
  // micro[rows - 1] computes a tile of `rows` rows (1 <= rows <= mr), so that
  // the last, shorter strip of rows costs no wasted arithmetic.
  MicroKernel<T> micro[kMaxTileRows];
  int tb;  // size of the blocks that transpose handles
  Transpose<T> transpose;
};

struct KernelFamily {
  const char* name;
  TileKernel<float> f32;
  TileKernel<double> f64;
};

// Defined in gemm_avx512.cpp and gemm_avx2.cpp, which are compiled for those
// instruction sets: only use them after the run-time CPU check.
extern const KernelFamily kAvx512Kernels;
extern const KernelFamily kAvx2Kernels;

}  // namespace detail
}  // namespace pn::cpu
