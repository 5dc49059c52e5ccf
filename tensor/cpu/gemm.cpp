// GEMM driver: argument checks, kernel dispatch, threading, cache blocking and
// packing, plus the portable micro-kernel. The contract is in gemm.h.
//
// How it is fast (the GotoBLAS / BLIS scheme)
// --------------------------------------------
// All the arithmetic happens in a micro-kernel that keeps an mr x nr tile of
// C in vector registers and, for each k, adds the outer product of an
// mr-column of op(A) and an nr-row of op(B). To feed it at full speed the
// driver copies ("packs") blocks of op(A) and op(B) into contiguous buffers in
// exactly the order the micro-kernel reads them, so its loads are sequential
// and unit-stride whatever the transposes and leading dimensions were, and
// sizes those blocks so each level of the cache holds what is reused from it:
//
//   for i0 in M, step mc:                 packed mc x kc block of A: L3
//     for p0 in K, step kc:
//       pack A[i0:+mc, p0:+kc]            (strips of mr rows)
//       for j0 in N, step nc:
//         pack B[p0:+kc, j0:+nc]          packed kc x nc block of B: L2
//         for i in the block, step mr:    one mr x kc strip of A: L1
//           for j in the block, step nr:  kc x nr strips of B stream from L2
//             micro-kernel: C[i:+mr, j:+nr] (+)= A strip * B strip
//
// The strip of A, reused against every strip of B, is the operand that stays
// in L1; it is the smaller one (14 x kc floats against kc x 32 for AVX-512).
// Tiles at the right edge of C, narrower than nr, are computed from
// zero-padded strips of B into a small buffer and then copied into C; strips
// at the bottom edge, shorter than mr, use a micro-kernel compiled for that
// number of rows. Since rows are cheap at the edge and columns are not, a
// product with very few columns (N = 9 of 32 lanes) is computed transposed,
// as C^T = op(B)^T op(A)^T (see gemm_impl).
//
// Threads split C into a grid of rectangles, one per thread; each thread runs
// the loops above on its rectangle with its own packing buffers. That packs
// the operand shared by the grid's row (or column) once per thread, which
// costs little next to the multiply and needs no synchronisation at all.
// When the grid is a single row of many columns, the threads instead take
// chunks of columns from a shared counter (see gemm_threaded).
//
// op(B) may also come from a source that packs its blocks itself
// (PanelSource, LineSource in gemm.h): the convolutions' im2col matrix.
#include "tensor/cpu/gemm.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>

#include "tensor/error.h"

namespace pn::cpu {
namespace detail {
namespace {

// ---- Portable micro-kernel --------------------------------------------------
// Plain C++ the compiler vectorises: the inner loop over the nr columns of the
// tile becomes vector multiply-adds and the accumulator array lives in
// registers. Its tile (4 x 8 floats, 4 x 4 doubles) is eight 16-byte
// registers of accumulators, sized for the SSE2 baseline of x86-64 (16 xmm
// registers) that this file is compiled for.
constexpr int kPortableMr = 4;
template <class T>
constexpr int kPortableNr = 32 / sizeof(T);

template <class T, int Rows>
void portable_micro_kernel(int64_t kc, const T* a, const T* b, T* c, int64_t ldc, T alpha, T beta) {
  constexpr int Nr = kPortableNr<T>;
  T acc[Rows][Nr] = {};
  for (int64_t k = 0; k < kc; ++k, a += kPortableMr, b += Nr) {
    for (int r = 0; r < Rows; ++r) {
      for (int j = 0; j < Nr; ++j) acc[r][j] += a[r] * b[j];
    }
  }
  for (int r = 0; r < Rows; ++r) {
    T* cr = c + r * ldc;
    for (int j = 0; j < Nr; ++j) cr[j] = beta == T(0) ? alpha * acc[r][j] : alpha * acc[r][j] + beta * cr[j];
  }
}

// 4 x 4 blocks, the most that fits in the narrowest strips (kPortableMr
// rows of A, 4 columns of double B).
constexpr int kPortableTb = 4;
static_assert(kPortableMr <= kMaxTileRows && kPortableNr<float> <= kMaxTileCols);

template <class T>
void portable_transpose(const T* src, int64_t ld, T* dst, int64_t ldd) {
  for (int l = 0; l < kPortableTb; ++l) {
    for (int k = 0; k < kPortableTb; ++k) dst[k * ldd + l] = src[l * ld + k];
  }
}

template <class T, int... I>
constexpr TileKernel<T> make_portable_kernel(std::integer_sequence<int, I...>) {
  return {kPortableMr, kPortableNr<T>, {&portable_micro_kernel<T, I + 1>...}, kPortableTb, &portable_transpose<T>};
}

constexpr KernelFamily kPortableKernels{
    "portable",
    make_portable_kernel<float>(std::make_integer_sequence<int, kPortableMr>{}),
    make_portable_kernel<double>(std::make_integer_sequence<int, kPortableMr>{}),
};

// ---- Kernel choice ----------------------------------------------------------
// The AVX-512 file is also compiled with BW, VL and DQ (the compiler may use
// them anywhere in it), so all four are required; every AVX-512 CPU since
// Skylake-X has them.
bool cpu_runs_avx512() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
}
bool cpu_runs_avx2() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

const KernelFamily& detected_family() {
  static const KernelFamily& family = cpu_runs_avx512() ? kAvx512Kernels
                                      : cpu_runs_avx2()  ? kAvx2Kernels
                                                         : kPortableKernels;
  return family;
}

std::atomic<const KernelFamily*> g_forced_family{nullptr};

const KernelFamily& active_family() {
  const KernelFamily* forced = g_forced_family.load(std::memory_order_relaxed);
  return forced ? *forced : detected_family();
}

template <class T>
const TileKernel<T>& tile_kernel(const KernelFamily& family) {
  if constexpr (std::is_same_v<T, float>) {
    return family.f32;
  } else {
    return family.f64;
  }
}

// ---- Matrix views -----------------------------------------------------------
// Element (i, j) of a view is p[i * rs + j * cs]. op(A) and op(B) are views of
// the caller's arrays with the two strides swapped for a transpose, so only
// the packing code ever deals with Trans and leading dimensions.
template <class T>
struct View {
  const T* p;
  int64_t rs, cs;
  const T* at(int64_t i, int64_t j) const { return p + i * rs + j * cs; }
  View transposed() const { return {p, cs, rs}; }
};

template <class T>
struct OutView {
  T* p;
  int64_t rs, cs;
  T* at(int64_t i, int64_t j) const { return p + i * rs + j * cs; }
};

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t round_up(int64_t a, int64_t b) { return ceil_div(a, b) * b; }

// ---- Cache blocking ---------------------------------------------------------
// Byte budgets for the packed blocks, from the loop nest at the top of the
// file, tuned on a Xeon with 48 KiB of L1d and 2 MiB of L2 per core (Sapphire
// / Emerald Rapids). The L1 strip of A gets half of L1 (a 32 KiB L1 still
// holds it), leaving the rest for the strips of B streaming past and the C
// tile. The B block takes half of L2. The A block only has to stay in the
// last-level cache; bounding it keeps the per-thread buffers at a few MiB.
// For AVX-512 floats this gives kc = 432, nc = 576 and mc = 2422.
constexpr int64_t kL1StripBytes = 24 << 10;
constexpr int64_t kL2BlockBytes = 1 << 20;
constexpr int64_t kL3BlockBytes = 4 << 20;
// Small tiles (the portable 4 x 8) would get a very long kc from the L1
// budget; past a few hundred steps the cost of loading and storing the C tile
// is amortised anyway, and the B block would outgrow L2.
constexpr int64_t kMaxKc = 512;

struct Blocking {
  int64_t kc, mc, nc;
};

template <class T>
Blocking blocking_for(const TileKernel<T>& ker, int64_t M, int64_t N, int64_t K) {
  const int64_t size = sizeof(T);
  const int64_t kc_max = std::clamp<int64_t>(kL1StripBytes / (ker.mr * size) / 8 * 8, 64, kMaxKc);
  // Equal K blocks (K = 576 gives 2 x 288, not 432 + 144) keep the last,
  // thinner block from running the micro-kernel on short, inefficient loops.
  const int64_t kc = ceil_div(K, ceil_div(K, kc_max));
  const int64_t mc = std::max<int64_t>(ker.mr, kL3BlockBytes / (kc_max * size) / ker.mr * ker.mr);
  const int64_t nc = std::max<int64_t>(ker.nr, kL2BlockBytes / (kc_max * size) / ker.nr * ker.nr);
  return {kc, std::min(mc, round_up(M, ker.mr)), std::min(nc, round_up(N, ker.nr))};
}

// ---- Packing ----------------------------------------------------------------
// Copies lines [0, n) x steps [0, kb) of view x (line l, step k is x(l, k))
// into strips of w lines: strip s holds, for each k in turn, the w values
// x(s*w + 0 .. s*w + w-1, k). For A a line is a row of op(A); for B a column
// of op(B) (pass the transposed view). Lines past n in the last strip are
// set to zero: the micro-kernel always computes full-width tiles (the extra
// columns are discarded), and zeros keep that arithmetic off stale values
// such as denormals.
//
// When op(A) or op(B) is large and used by few micro-kernel calls (few rows
// in op(A): a convolution with few output channels), packing runs at memory
// speed and takes a good part of the time, so both branches ask for the data
// of their next step ahead of time with software prefetches.
template <class T>
void pack(const TileKernel<T>& ker, View<T> x, int64_t n, int64_t kb, int w, T* dst) {
  const int64_t strip_size = w * kb;
  if (x.cs == 1) {
    // Each line is contiguous in k (rows of op(A) = A, columns of op(B) =
    // B^T), so this is a transpose, done in tb x tb blocks by the kernel
    // family's vectorised transpose; the lines and steps left over at the
    // edges are copied one value at a time. Going a block of k at a time
    // across the lines of a strip keeps the destination in L1; copying a
    // whole line at once would scatter its kb values over kb cache lines.
    const int64_t tb = ker.tb;
    T* strip = dst;
    for (int64_t l0 = 0; l0 < n; l0 += w, strip += strip_size) {
      const int64_t lines = std::min<int64_t>(w, n - l0);
      for (int64_t k0 = 0; k0 < kb; k0 += tb) {
        const int64_t steps = std::min(tb, kb - k0);
        for (int64_t l = 0; l < lines && l0 + w + l < n; ++l) {
          __builtin_prefetch(x.at(l0 + w + l, k0), 0, 1);  // the same block of the next strip
        }
        int64_t l = 0;
        if (steps == tb) {
          for (; l + tb <= lines; l += tb) ker.transpose(x.at(l0 + l, k0), x.rs, strip + k0 * w + l, w);
        }
        for (; l < lines; ++l) {
          const T* src = x.at(l0 + l, k0);
          for (int64_t k = 0; k < steps; ++k) strip[(k0 + k) * w + l] = src[k];
        }
      }
    }
  } else {
    // Otherwise x.rs == 1 (every view here has one unit stride): each step k
    // is contiguous across lines (rows of op(B) = B, columns of op(A) = A^T).
    // Copy step by step, each one across all the strips: one pass along a
    // contiguous row suits the hardware prefetcher, where a strip at a time
    // would hop between kb rows (each possibly on its own page) every w
    // values.
    constexpr int64_t kAhead = 3;  // steps
    const int64_t bytes = n * static_cast<int64_t>(sizeof(T));
    for (int64_t k = 0; k < kb; ++k) {
      if (k + kAhead < kb) {
        const char* next = reinterpret_cast<const char*>(x.at(0, k + kAhead));
        for (int64_t o = 0; o < bytes; o += 64) __builtin_prefetch(next + o, 0, 2);
        __builtin_prefetch(next + bytes - 1, 0, 2);  // the last line, whatever the alignment
      }
      const T* src = x.at(0, k);
      T* d = dst + k * w;
      for (int64_t l0 = 0; l0 < n; l0 += w, d += strip_size) std::copy_n(src + l0, std::min<int64_t>(w, n - l0), d);
    }
  }
  if (const int64_t tail = n % w; tail != 0) {
    T* last = dst + n / w * strip_size;
    for (int64_t k = 0; k < kb; ++k) std::fill(last + k * w + tail, last + (k + 1) * w, T(0));
  }
}

// Packing buffers, one pair per thread and element type, kept from call to
// call: they reach a few MiB, and fresh allocations of that size would cost
// page faults comparable to a whole small GEMM.
template <class T>
class PackBuffer {
 public:
  T* get(int64_t n) {
    if (n > size_) {
      const size_t bytes = static_cast<size_t>(round_up(n * static_cast<int64_t>(sizeof(T)), 64));
      data_.reset(static_cast<T*>(std::aligned_alloc(64, bytes)));
      if (!data_) throw std::bad_alloc();
      size_ = n;
    }
    return data_.get();
  }

 private:
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  std::unique_ptr<T, Free> data_;
  int64_t size_ = 0;
};

template <class T>
struct PackBuffers {
  PackBuffer<T> a, b;
  PackBuffer<T> lines;  // for a LineSource's op(B)
};

template <class T>
PackBuffers<T>& thread_pack_buffers() {
  thread_local PackBuffers<T> buffers;
  return buffers;
}

// ---- Sources of op(B) ---------------------------------------------------------
// The blocked product asks its B operand for packed kb x nb blocks; a stored
// matrix packs them with pack() above, a PanelSource (gemm.h) by itself.
// shifted(j) is the same operand starting at column j, for a thread's
// rectangle of C.
template <class T>
struct StoredB {
  View<T> b;
  void pack_block(const TileKernel<T>& ker, int64_t k0, int64_t kb, int64_t j0, int64_t nb, T* dst) const {
    pack(ker, View<T>{b.at(k0, j0), b.rs, b.cs}.transposed(), nb, kb, ker.nr, dst);
  }
  StoredB shifted(int64_t j) const { return {View<T>{b.at(0, j), b.rs, b.cs}}; }
};

template <class T>
struct SourcedB {
  const PanelSource<T>* source;
  int64_t j_offset;
  void pack_block(const TileKernel<T>& ker, int64_t k0, int64_t kb, int64_t j0, int64_t nb, T* dst) const {
    source->pack(k0, kb, j_offset + j0, nb, ker.nr, dst);
  }
  SourcedB shifted(int64_t j) const { return {source, j_offset + j}; }
};

template <class T>
struct LinedB {
  const LineSource<T>* source;
  int64_t j_offset;
  // A strip's lines go through a buffer of nr x kb values (54 KiB for
  // AVX-512 floats: L1 and L2), then into the strip by pack's transposes.
  void pack_block(const TileKernel<T>& ker, int64_t k0, int64_t kb, int64_t j0, int64_t nb, T* dst) const {
    T* lines = thread_pack_buffers<T>().lines.get(ker.nr * kb);
    for (int64_t l0 = 0; l0 < nb; l0 += ker.nr, dst += ker.nr * kb) {
      const int64_t n = std::min<int64_t>(ker.nr, nb - l0);
      source->lines(k0, kb, j_offset + j0 + l0, n, lines, kb);
      pack(ker, View<T>{lines, kb, 1}, n, kb, ker.nr, dst);
    }
  }
  LinedB shifted(int64_t j) const { return {source, j_offset + j}; }
};

// ---- Single-threaded blocked product ----------------------------------------
// C (+)= op(A) op(B) for one rectangle of C, with the loop nest described at
// the top of the file.
template <class T, class BSource>
void gemm_blocked(const TileKernel<T>& ker, int64_t M, int64_t N, int64_t K, T alpha, View<T> A, const BSource& B,
                  T beta, OutView<T> C) {
  const Blocking blk = blocking_for(ker, M, N, K);
  const int mr = ker.mr, nr = ker.nr;
  PackBuffers<T>& buffers = thread_pack_buffers<T>();
  T* a_pack = buffers.a.get(blk.mc * blk.kc);
  T* b_pack = buffers.b.get(blk.nc * blk.kc);
  // Tiles narrower than nr, and all tiles when C is written through a column
  // stride (the transposed product), are computed here, then merged into C.
  alignas(64) T edge[kMaxTileRows * kMaxTileCols];

  for (int64_t i0 = 0; i0 < M; i0 += blk.mc) {
    const int64_t mb = std::min(blk.mc, M - i0);
    for (int64_t p0 = 0; p0 < K; p0 += blk.kc) {
      const int64_t kb = std::min(blk.kc, K - p0);
      // The first K block applies the caller's beta, the others accumulate.
      const T beta_k = p0 == 0 ? beta : T(1);
      pack(ker, View<T>{A.at(i0, p0), A.rs, A.cs}, mb, kb, mr, a_pack);
      for (int64_t j0 = 0; j0 < N; j0 += blk.nc) {
        const int64_t nb = std::min(blk.nc, N - j0);
        B.pack_block(ker, p0, kb, j0, nb, b_pack);
        for (int64_t i = 0; i < mb; i += mr) {
          const int rows = static_cast<int>(std::min<int64_t>(mr, mb - i));
          const MicroKernel<T> micro = ker.micro[rows - 1];
          const T* a_strip = a_pack + i * kb;
          for (int64_t j = 0; j < nb; j += nr) {
            const int cols = static_cast<int>(std::min<int64_t>(nr, nb - j));
            const T* b_strip = b_pack + j * kb;
            T* c = C.at(i0 + i, j0 + j);
            if (cols == nr && C.cs == 1) {
              micro(kb, a_strip, b_strip, c, C.rs, alpha, beta_k);
              continue;
            }
            micro(kb, a_strip, b_strip, edge, nr, T(1), T(0));
            for (int r = 0; r < rows; ++r) {
              for (int q = 0; q < cols; ++q) {
                T& out = c[r * C.rs + q * C.cs];
                const T v = alpha * edge[r * nr + q];
                out = beta_k == T(0) ? v : v + beta_k * out;
              }
            }
          }
        }
      }
    }
  }
}

// ---- Threading --------------------------------------------------------------
// Below this much work per thread, waking another thread costs more than it
// saves (about 20 microseconds at 100 GFLOP/s).
constexpr double kMinFlopsPerThread = 2e6;

int threads_for(int64_t M, int64_t N, int64_t K, int mr, int nr) {
  if (omp_in_parallel()) return 1;
  const double flops = 2.0 * static_cast<double>(M) * static_cast<double>(N) * static_cast<double>(K);
  const double tiles = static_cast<double>(ceil_div(M, mr)) * static_cast<double>(ceil_div(N, nr));
  const double limit = std::min({static_cast<double>(omp_get_max_threads()), flops / kMinFlopsPerThread, tiles});
  return std::max(1, static_cast<int>(limit));
}

// The threads form a rows x cols grid over C. Among the factorisations of the
// team size, take the one whose largest rectangle (the slowest thread sets
// the time) costs least per step of k: its multiply-adds, plus the rows of A
// and columns of B it packs, each packed value counted as 32 multiply-adds
// (the vector FMAs do 32 per cycle, packing moves about one value per cycle).
// Splitting N = 64 between two threads would leave each packing all of a
// large A for little arithmetic; splitting M is then far better.
struct Grid {
  int rows, cols;
};

Grid thread_grid(int threads, int64_t M, int64_t N, int mr, int nr) {
  constexpr int64_t kPackCost = 32;
  const int64_t row_strips = ceil_div(M, mr), col_strips = ceil_div(N, nr);
  Grid best{threads, 1};
  int64_t best_cost = INT64_MAX;
  for (int rows = 1; rows <= threads; ++rows) {
    if (threads % rows != 0) continue;
    const int cols = threads / rows;
    const int64_t h = ceil_div(row_strips, rows) * mr, w = ceil_div(col_strips, cols) * nr;
    const int64_t cost = h * w + kPackCost * (h + w);
    if (cost < best_cost) {
      best_cost = cost;
      best = {rows, cols};
    }
  }
  return best;
}

// Part `index` of `parts` near-equal ranges of [0, n), cut at multiples of
// `unit` so that only the last range has a partial micro-tile.
std::pair<int64_t, int64_t> split_range(int64_t n, int parts, int index, int unit) {
  const int64_t units = ceil_div(n, unit);
  return {std::min(n, units * index / parts * unit), std::min(n, units * (index + 1) / parts * unit)};
}

// The narrowest chunk of columns that threads take from a shared counter
// (see gemm_threaded): below it the repacking of op(A) per chunk would cost
// more than the balancing saves.
constexpr int64_t kMinChunkColumns = 256;

template <class T, class BSource>
void gemm_threaded(const TileKernel<T>& ker, int64_t M, int64_t N, int64_t K, T alpha, View<T> A, const BSource& B,
                   T beta, OutView<T> C) {
  const int threads = threads_for(M, N, K, ker.mr, ker.nr);
  if (threads == 1) {
    gemm_blocked(ker, M, N, K, alpha, A, B, beta, C);
    return;
  }
  std::atomic<int64_t> next_column{0};  // for the shared column range, below
#pragma omp parallel num_threads(threads)
  {
    // The runtime may grant fewer threads than asked for: split by the team.
    const int team = omp_get_num_threads();
    const Grid grid = thread_grid(team, M, N, ker.mr, ker.nr);
    // When the threads split only the columns, and there are many, they take
    // chunks of about an eighth of their share from a counter instead of one
    // fixed share each: on a machine shared with other processes, a thread
    // that loses its core for a while then delays the product by one chunk,
    // not by its whole share. Each chunk repacks op(A), which costs 1/chunk
    // of the arithmetic. The sums of each element of C are the same either way.
    const int64_t chunk = round_up(ceil_div(N, 8 * static_cast<int64_t>(team)), ker.nr);
    if (grid.rows == 1 && chunk >= kMinChunkColumns) {
      for (int64_t j = next_column.fetch_add(chunk); j < N; j = next_column.fetch_add(chunk)) {
        gemm_blocked(ker, M, std::min(chunk, N - j), K, alpha, A, B.shifted(j), beta,
                     OutView<T>{C.at(0, j), C.rs, C.cs});
      }
    } else {
      const int t = omp_get_thread_num();
      const auto [i_begin, i_end] = split_range(M, grid.rows, t / grid.cols, ker.mr);
      const auto [j_begin, j_end] = split_range(N, grid.cols, t % grid.cols, ker.nr);
      if (i_begin < i_end && j_begin < j_end) {
        gemm_blocked(ker, i_end - i_begin, j_end - j_begin, K, alpha, View<T>{A.at(i_begin, 0), A.rs, A.cs},
                     B.shifted(j_begin), beta, OutView<T>{C.at(i_begin, j_begin), C.rs, C.cs});
      }
    }
  }
}

// ---- Entry point --------------------------------------------------------------
// Fraction of a dimension's padded width that is real data when it is cut
// into strips of `width`.
double fill_ratio(int64_t n, int width) { return static_cast<double>(n) / static_cast<double>(round_up(n, width)); }

// Checks the arguments shared by both entry points; returns false when C is
// already complete (an empty product, or one that only scales C by beta).
template <class T>
bool check_and_handle_trivial(Trans ta, int64_t M, int64_t N, int64_t K, T alpha, int64_t lda, T beta, T* C,
                              int64_t ldc) {
  PN_CHECK(M >= 0 && N >= 0 && K >= 0, "gemm: sizes must be non-negative, got M=", M, " N=", N, " K=", K);
  const bool a_t = ta == Trans::Yes;
  PN_CHECK(lda >= (a_t ? M : K), "gemm: lda=", lda, " is smaller than ", a_t ? "M=" : "K=", a_t ? M : K,
           " (the row length of ", a_t ? "A^T" : "A", ")");
  PN_CHECK(ldc >= N, "gemm: ldc=", ldc, " is smaller than N=", N);
  if (M == 0 || N == 0) return false;
  if (K == 0 || alpha == T(0)) {
    for (int64_t i = 0; i < M; ++i) {
      T* row = C + i * ldc;
      for (int64_t j = 0; j < N; ++j) row[j] = beta == T(0) ? T(0) : beta * row[j];
    }
    return false;
  }
  return true;
}

template <class T>
View<T> a_view(Trans ta, const T* A, int64_t lda) {
  return ta == Trans::Yes ? View<T>{A, 1, lda} : View<T>{A, lda, 1};
}

template <class T>
void gemm_impl(Trans ta, Trans tb, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda, const T* B,
               int64_t ldb, T beta, T* C, int64_t ldc) {
  const bool b_t = tb == Trans::Yes;
  PN_CHECK(ldb >= (b_t ? K : N), "gemm: ldb=", ldb, " is smaller than ", b_t ? "K=" : "N=", b_t ? K : N,
           " (the row length of ", b_t ? "B^T" : "B", ")");
  if (!check_and_handle_trivial(ta, M, N, K, alpha, lda, beta, C, ldc)) return;

  const TileKernel<T>& ker = tile_kernel<T>(active_family());
  const View<T> a = a_view(ta, A, lda);
  const View<T> b{B, b_t ? 1 : ldb, b_t ? ldb : 1};
  const OutView<T> c{C, ldc, 1};
  // Columns of C are cut into strips of nr (16 or 32), rows into strips of
  // any height. When N pads badly (N = 9 fills 9 of 32 lanes) and M would
  // pad better, compute the transposed product C^T = op(B)^T op(A)^T instead,
  // writing C^T through swapped strides.
  if (fill_ratio(N, ker.nr) < 0.75 && fill_ratio(M, ker.nr) > fill_ratio(N, ker.nr)) {
    gemm_threaded(ker, N, M, K, alpha, b.transposed(), StoredB<T>{a.transposed()}, beta, OutView<T>{C, 1, ldc});
  } else {
    gemm_threaded(ker, M, N, K, alpha, a, StoredB<T>{b}, beta, c);
  }
}

// BSource is SourcedB or LinedB. No transposed product here: a source
// yields columns of op(B), never rows of op(A).
template <class T, class BSource>
void gemm_sourced_impl(Trans ta, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
                       const BSource& B, T beta, T* C, int64_t ldc) {
  if (!check_and_handle_trivial(ta, M, N, K, alpha, lda, beta, C, ldc)) return;
  gemm_threaded(tile_kernel<T>(active_family()), M, N, K, alpha, a_view(ta, A, lda), B, beta, OutView<T>{C, ldc, 1});
}

}  // namespace
}  // namespace detail

void gemm(Trans ta, Trans tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  detail::gemm_impl(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void gemm(Trans ta, Trans tb, int64_t M, int64_t N, int64_t K, double alpha, const double* A, int64_t lda,
          const double* B, int64_t ldb, double beta, double* C, int64_t ldc) {
  detail::gemm_impl(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void gemm(Trans ta, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const PanelSource<float>& B, float beta, float* C, int64_t ldc) {
  detail::gemm_sourced_impl(ta, M, N, K, alpha, A, lda, detail::SourcedB<float>{&B, 0}, beta, C, ldc);
}

void gemm(Trans ta, int64_t M, int64_t N, int64_t K, double alpha, const double* A, int64_t lda,
          const PanelSource<double>& B, double beta, double* C, int64_t ldc) {
  detail::gemm_sourced_impl(ta, M, N, K, alpha, A, lda, detail::SourcedB<double>{&B, 0}, beta, C, ldc);
}

void gemm(Trans ta, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const LineSource<float>& B, float beta, float* C, int64_t ldc) {
  detail::gemm_sourced_impl(ta, M, N, K, alpha, A, lda, detail::LinedB<float>{&B, 0}, beta, C, ldc);
}

void gemm(Trans ta, int64_t M, int64_t N, int64_t K, double alpha, const double* A, int64_t lda,
          const LineSource<double>& B, double beta, double* C, int64_t ldc) {
  detail::gemm_sourced_impl(ta, M, N, K, alpha, A, lda, detail::LinedB<double>{&B, 0}, beta, C, ldc);
}

const char* gemm_kernel_name() { return detail::active_family().name; }

void gemm_force_kernel(const char* name) {
  using namespace detail;
  if (name == nullptr) {
    g_forced_family.store(nullptr, std::memory_order_relaxed);
    return;
  }
  const std::string_view n = name;
  const KernelFamily* family = nullptr;
  if (n == "avx512") {
    PN_CHECK(cpu_runs_avx512(), "gemm_force_kernel: this CPU cannot run the avx512 kernel");
    family = &kAvx512Kernels;
  } else if (n == "avx2") {
    PN_CHECK(cpu_runs_avx2(), "gemm_force_kernel: this CPU cannot run the avx2 kernel");
    family = &kAvx2Kernels;
  } else {
    PN_CHECK(n == "portable", "gemm_force_kernel: unknown kernel '", n, "' (expected avx512, avx2 or portable)");
    family = &kPortableKernels;
  }
  g_forced_family.store(family, std::memory_order_relaxed);
}

}  // namespace pn::cpu
