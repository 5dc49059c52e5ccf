// Winograd F(4x4, 3x3) convolution on the CPU (the method and its contract
// are in winograd.h).
//
// Tiles are numbered through the batch in reading order: tile t is image
// t / (TH*TW), tile row (t / TW) % TH, tile column t % TW, with TH x TW tiles
// per image. A block is a run of consecutive tiles; within it, a segment is
// the part that lies in one tile row. The transforms work a segment at a
// time and are separable: the 2-D transform of a tile is the 1-D transform
// down its columns, then along its rows. Down the columns every input column
// of the segment gets the same treatment, so that loop runs over the whole
// segment width and vectorises; along the rows the tiles overlap (each reads
// six pixels, four apart), so the rows are first split into six arrays, one
// per offset within a tile (phase k holds pixel 4*tile + k), and the same
// vectorised 1-D transform runs over the tiles.
//
// Per block, with Tb tiles:
//   V [36][C][Tb]  transformed patches (input transform)
//   M [36][K][Tb]  = U_i @ V_i, the 36 GEMMs
//   out            inverse transform of M, 4x4 pixels per tile
#include "tensor/cpu/winograd.h"

#include <omp.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "tensor/cpu/gemm.h"
#include "tensor/cpu/parallel.h"
#include "tensor/error.h"

namespace pn::cpu {
namespace {

constexpr int64_t kTile = 4;              // output pixels per tile side
constexpr int64_t kPatch = kTile + 2;     // input pixels per tile side
constexpr int64_t kPoints = kPatch * kPatch;

// Bytes of V and M per block: small enough to stay in a core's cache
// between the transforms and the GEMMs, large enough that each GEMM has a
// few strips of columns.
constexpr int64_t kBlockBytes = int64_t{3} << 20;

// The input transform B^T applied to six lines at once: o_i[u] = sum_r
// B^T[i][r] d_r[u] for u < n, where d_r = d + r*ld and o_i = o + i*ldo.
// B^T (rows i, columns r):
//   4   0  -5   0   1   0
//   0  -4  -4   1   1   0
//   0   4  -4  -1   1   0
//   0  -2  -1   2   1   0
//   0   2  -1  -2   1   0
//   0   4   0  -5   0   1
template <class T>
[[gnu::always_inline]] inline void input_lines(const T* __restrict d, int64_t ld, T* __restrict o, int64_t ldo,
                                          int64_t n) {
  for (int64_t u = 0; u < n; ++u) {
    const T d0 = d[u], d1 = d[ld + u], d2 = d[2 * ld + u], d3 = d[3 * ld + u], d4 = d[4 * ld + u],
            d5 = d[5 * ld + u];
    o[u] = T(4) * d0 - T(5) * d2 + d4;
    o[ldo + u] = d3 + d4 - T(4) * (d1 + d2);
    o[2 * ldo + u] = d4 - d3 + T(4) * (d1 - d2);
    o[3 * ldo + u] = d4 - d2 + T(2) * (d3 - d1);
    o[4 * ldo + u] = d4 - d2 + T(2) * (d1 - d3);
    o[5 * ldo + u] = T(4) * d1 - T(5) * d3 + d5;
  }
}

// The output transform A^T, six lines to four: o_p[u] = sum_i A^T[p][i]
// m_i[u]. A^T:
//   1   1   1   1   1   0
//   0   1  -1   2  -2   0
//   0   1   1   4   4   0
//   0   1  -1   8  -8   1
template <class T>
[[gnu::always_inline]] inline void output_lines(const T* __restrict m, int64_t ld, T* __restrict o, int64_t ldo,
                                          int64_t n) {
  for (int64_t u = 0; u < n; ++u) {
    const T m0 = m[u], m1 = m[ld + u], m2 = m[2 * ld + u], m3 = m[3 * ld + u], m4 = m[4 * ld + u],
            m5 = m[5 * ld + u];
    const T sum12 = m1 + m2, dif12 = m1 - m2, sum34 = m3 + m4, dif34 = m3 - m4;
    o[u] = m0 + sum12 + sum34;
    o[ldo + u] = dif12 + T(2) * dif34;
    o[2 * ldo + u] = sum12 + T(4) * sum34;
    o[3 * ldo + u] = dif12 + T(8) * dif34 + m5;
  }
}

// The transpose of the output transform, four lines to six: o_i[u] =
// sum_p A^T[p][i] y_p[u], which carries a gradient of the 4x4 output tile
// back to the 6x6 product (the weight gradient's dM = A dY A^T).
template <class T>
[[gnu::always_inline]] inline void grad_lines(const T* __restrict y, int64_t ld, T* __restrict o, int64_t ldo,
                                          int64_t n) {
  for (int64_t u = 0; u < n; ++u) {
    const T y0 = y[u], y1 = y[ld + u], y2 = y[2 * ld + u], y3 = y[3 * ld + u];
    const T even = y0 + y2, odd = y1 + y3, even4 = y0 + T(4) * y2, odd8 = T(2) * y1 + T(8) * y3;
    o[u] = y0;
    o[ldo + u] = even + odd;
    o[2 * ldo + u] = even - odd;
    o[3 * ldo + u] = even4 + odd8;
    o[4 * ldo + u] = even4 - odd8;
    o[5 * ldo + u] = y3;
  }
}

// The three line transforms for float take about a seventh of AlbuNet's
// training step (perf samples at 256x256); they are compiled twice, for AVX-512 and for the baseline
// x86-64, and the program loader picks one by the CPU (GCC's and clang's
// target_clones). double, the tests' reference type, stays baseline.
#if defined(__x86_64__)
#define PN_WIDE_CLONES [[gnu::target_clones("avx512f", "default")]]
#else
#define PN_WIDE_CLONES
#endif

PN_WIDE_CLONES void input_1d(const float* __restrict d, int64_t ld, float* __restrict o, int64_t ldo, int64_t n) {
  input_lines(d, ld, o, ldo, n);
}
PN_WIDE_CLONES void output_1d(const float* __restrict m, int64_t ld, float* __restrict o, int64_t ldo, int64_t n) {
  output_lines(m, ld, o, ldo, n);
}
PN_WIDE_CLONES void grad_1d(const float* __restrict y, int64_t ld, float* __restrict o, int64_t ldo, int64_t n) {
  grad_lines(y, ld, o, ldo, n);
}
void input_1d(const double* d, int64_t ld, double* o, int64_t ldo, int64_t n) { input_lines(d, ld, o, ldo, n); }
void output_1d(const double* m, int64_t ld, double* o, int64_t ldo, int64_t n) { output_lines(m, ld, o, ldo, n); }
void grad_1d(const double* y, int64_t ld, double* o, int64_t ldo, int64_t n) { grad_lines(y, ld, o, ldo, n); }

// The filter transform G (6x3):
//    1/4     0     0
//   -1/6  -1/6  -1/6
//   -1/6   1/6  -1/6
//   1/24  1/12   1/6
//   1/24 -1/12   1/6
//     0      0     1
// U_i[k][c] with i = 6a + b is (G g G^T)[a][b] for g = w[k][c].
constexpr double kG[kPatch][3] = {{1.0 / 4, 0, 0},           {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                  {-1.0 / 6, 1.0 / 6, -1.0 / 6}, {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                  {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}};

template <class T>
std::unique_ptr<T[]> transform_filters(const ConvGeometry& d, const T* w) {
  constexpr const auto& G = kG;
  const int64_t KC = d.K * d.C;
  auto u = std::make_unique_for_overwrite<T[]>(static_cast<size_t>(kPoints * KC));
  // Filters in runs of kRun: each run's nine taps are gathered tap-major, so
  // that both products below are loops over the run, in vector registers,
  // and every point's row of U is written contiguously.
  constexpr int64_t kRun = 64;
  parallel_for((KC + kRun - 1) / kRun, 4, [&](int64_t r0, int64_t r1) {
    T g[9][kRun], gg[kPatch][3][kRun];  // the taps, then G g
    for (int64_t run = r0; run < r1; ++run) {
      const int64_t f0 = run * kRun, n = std::min(kRun, KC - f0);
      for (int64_t j = 0; j < n; ++j)
        for (int t = 0; t < 9; ++t) g[t][j] = w[(f0 + j) * 9 + t];
      for (int a = 0; a < kPatch; ++a)
        for (int s = 0; s < 3; ++s) {
          const T g0 = T(G[a][0]), g1 = T(G[a][1]), g2 = T(G[a][2]);
          for (int64_t j = 0; j < n; ++j) gg[a][s][j] = g0 * g[s][j] + g1 * g[3 + s][j] + g2 * g[6 + s][j];
        }
      for (int a = 0; a < kPatch; ++a)
        for (int b = 0; b < kPatch; ++b) {
          const T g0 = T(G[b][0]), g1 = T(G[b][1]), g2 = T(G[b][2]);
          T* out = u.get() + (a * kPatch + b) * KC + f0;
          for (int64_t j = 0; j < n; ++j) out[j] = gg[a][0][j] * g0 + gg[a][1][j] * g1 + gg[a][2][j] * g2;
        }
    }
  });
  return u;
}

// The filter transform's transpose: grad_w[k][c] = G^T dU G with dU_i[k][c]
// the gradient of U_i, i = 6a + b (what the chain rule makes of U = G g G^T).
template <class T>
void transform_filter_gradients(const ConvGeometry& d, const double* du, T* grad_w) {
  constexpr const auto& G = kG;
  const int64_t KC = d.K * d.C;
  parallel_for(KC, 256, [&](int64_t f0, int64_t f1) {
    for (int64_t f = f0; f < f1; ++f) {
      double half[kPatch][3];  // dU G
      for (int a = 0; a < kPatch; ++a)
        for (int s = 0; s < 3; ++s) {
          double sum = 0;
          for (int b = 0; b < kPatch; ++b) sum += du[(a * kPatch + b) * KC + f] * G[b][s];
          half[a][s] = sum;
        }
      for (int r = 0; r < 3; ++r)
        for (int s = 0; s < 3; ++s) {
          double sum = 0;
          for (int a = 0; a < kPatch; ++a) sum += G[a][r] * half[a][s];
          grad_w[f * 9 + r * 3 + s] = static_cast<T>(sum);
        }
    }
  });
}

// Tiles [tx0, tx0 + count) of one tile row; `local` is the first one's
// column in the block's V and M.
struct Segment {
  int64_t image, ty, tx0, count, local;
};

struct Layout {
  int64_t TH, TW, tiles;  // tiles per image column and row, tiles in the batch
  int64_t block;          // tiles per block (the last may have fewer)
};

int64_t tiles(const ConvGeometry& d) { return d.N * ((d.P + kTile - 1) / kTile) * ((d.Q + kTile - 1) / kTile); }

Layout layout(const ConvGeometry& d, size_t elem) {
  Layout l;
  l.TH = (d.P + kTile - 1) / kTile;
  l.TW = (d.Q + kTile - 1) / kTile;
  l.tiles = tiles(d);
  const int64_t per_tile = kPoints * (d.C + d.K) * static_cast<int64_t>(elem);
  const int64_t cap = std::max<int64_t>(32, kBlockBytes / per_tile);
  const int64_t blocks = (l.tiles + cap - 1) / cap;
  l.block = ((l.tiles + blocks - 1) / blocks + 31) / 32 * 32;  // whole strips of the GEMM's columns
  return l;
}

std::vector<Segment> segments(const Layout& l, int64_t t0, int64_t t1) {
  std::vector<Segment> out;
  for (int64_t t = t0; t < t1;) {
    const int64_t row = t / l.TW, tx0 = t % l.TW, count = std::min(l.TW - tx0, t1 - t);
    out.push_back({row / l.TH, row % l.TH, tx0, count, t - t0});
    t += count;
  }
  return out;
}

// Splits a transformed line into `phases` arrays of n tiles each: phase k
// holds pixel 4*j + k of tile j, so that a 1-D transform along the rows
// reads each of its inputs contiguously.
template <class T>
void split_phases(const T* line, int64_t phases, int64_t n, T* out) {
  for (int64_t k = 0; k < phases; ++k)
    for (int64_t j = 0; j < n; ++j) out[k * n + j] = line[kTile * j + k];
}

// A thread's line buffers for the transforms of one segment.
template <class T>
struct Lines {
  int64_t line;                 // longest input stretch of a segment: 4*TW + 2
  std::unique_ptr<T[]> rows;    // 6 input lines, then their column transforms (6 more)
  std::unique_ptr<T[]> phases;  // 6 phases of one transformed line, TW each; or the output's 6x4
  std::unique_ptr<T[]> pixels;  // the output's 4x4 per tile, TW tiles

  explicit Lines(const Layout& l)
      : line(kTile * l.TW + 2),
        rows(std::make_unique_for_overwrite<T[]>(static_cast<size_t>(2 * kPatch * line))),
        phases(std::make_unique_for_overwrite<T[]>(static_cast<size_t>(kPatch * kTile * l.TW))),
        pixels(std::make_unique_for_overwrite<T[]>(static_cast<size_t>(kTile * kTile * l.TW))) {}
};

// A matrix of transformed values, [36][channels][ld]: the column of the
// segment's first tile is s.local.
template <class T>
struct Points {
  T* data;
  int64_t channels, ld;
  T* at(int64_t i, int64_t c, const Segment& s) const { return data + (i * channels + c) * ld + s.local; }
};

// V[i][c][s.local + j] for the segment's tiles j and channels [c0, c1).
template <class T>
void transform_input(const ConvGeometry& d, const Segment& s, const T* x, int64_t c0, int64_t c1,
                     const Points<T>& v, Lines<T>& b) {
  const int64_t width = kTile * s.count + 2;        // input columns the segment reads
  const int64_t u0 = kTile * s.tx0 - d.pw;          // the first of them
  const int64_t y0 = kTile * s.ty - d.ph;           // its first input row
  const int64_t lo = std::clamp<int64_t>(-u0, 0, width), hi = std::clamp<int64_t>(d.W - u0, lo, width);
  T* in = b.rows.get();
  T* cols = in + kPatch * b.line;
  T* ph = b.phases.get();
  for (int64_t c = c0; c < c1; ++c) {
    const T* plane = x + (s.image * d.C + c) * d.HW();
    for (int64_t r = 0; r < kPatch; ++r) {
      T* dst = in + r * b.line;
      const int64_t y = y0 + r;
      if (y < 0 || y >= d.H) {
        std::fill_n(dst, width, T(0));
        continue;
      }
      std::fill_n(dst, lo, T(0));
      std::copy(plane + y * d.W + u0 + lo, plane + y * d.W + u0 + hi, dst + lo);
      std::fill(dst + hi, dst + width, T(0));
    }
    input_1d(in, b.line, cols, b.line, width);  // down the columns
    for (int64_t i = 0; i < kPatch; ++i) {      // along the rows, tile by tile
      split_phases(cols + i * b.line, kPatch, s.count, ph);
      input_1d(ph, s.count, v.at(i * kPatch, c, s), v.channels * v.ld, s.count);
    }
  }
}

// out[image][k][4*ty + p][4*tx + q] from M for the segment's tiles and
// every output channel k; pixels past the output's edge are dropped.
template <class T>
void transform_output(const ConvGeometry& d, const Segment& s, const Points<T>& m, Lines<T>& b, T* out) {
  const int64_t n = s.count;
  const int64_t rows = std::min(kTile, d.P - kTile * s.ty);
  const int64_t cols = std::min(kTile * n, d.Q - kTile * s.tx0);
  T* half = b.phases.get();  // [6 rows i][4 columns q][n]: A^T applied along the rows
  T* px = b.pixels.get();    // [4 rows p][4 columns q][n]
  for (int64_t k = 0; k < d.K; ++k) {
    for (int64_t i = 0; i < kPatch; ++i) output_1d(m.at(i * kPatch, k, s), m.channels * m.ld, half + i * kTile * n, n, n);
    for (int64_t q = 0; q < kTile; ++q) output_1d(half + q * n, kTile * n, px + q * n, kTile * n, n);
    T* plane = out + (s.image * d.K + k) * d.PQ();
    for (int64_t p = 0; p < rows; ++p) {
      T* dst = plane + (kTile * s.ty + p) * d.Q + kTile * s.tx0;
      const T* src = px + p * kTile * n;
      for (int64_t u = 0; u < cols; ++u) dst[u] = src[(u % kTile) * n + u / kTile];
    }
  }
}

// dM[i][k][s.local + j] = (A dY A^T)_i for the segment's tiles j and output
// channels [k0, k1), dY the tile's 4x4 of grad_out (zero past the edge).
template <class T>
void transform_grad_output(const ConvGeometry& d, const Segment& s, const T* grad_out, int64_t k0, int64_t k1,
                           const Points<T>& dm, Lines<T>& b) {
  const int64_t n = s.count, width = kTile * n;
  const int64_t rows = std::min(kTile, d.P - kTile * s.ty);
  const int64_t cols = std::min(width, d.Q - kTile * s.tx0);
  T* in = b.rows.get();                // 4 lines of grad_out
  T* lines = in + kPatch * b.line;     // 6 lines: A applied down the columns
  T* ph = b.phases.get();              // 4 phases of one line
  for (int64_t k = k0; k < k1; ++k) {
    const T* plane = grad_out + (s.image * d.K + k) * d.PQ();
    for (int64_t p = 0; p < kTile; ++p) {
      T* dst = in + p * b.line;
      if (p >= rows) {
        std::fill_n(dst, width, T(0));
        continue;
      }
      const T* src = plane + (kTile * s.ty + p) * d.Q + kTile * s.tx0;
      std::copy(src, src + cols, dst);
      std::fill(dst + cols, dst + width, T(0));
    }
    grad_1d(in, b.line, lines, b.line, width);
    for (int64_t i = 0; i < kPatch; ++i) {
      split_phases(lines + i * b.line, kTile, n, ph);
      grad_1d(ph, n, dm.at(i * kPatch, k, s), dm.channels * dm.ld, n);
    }
  }
}

bool computable(const ConvGeometry& d) {
  return d.R == 3 && d.S == 3 && d.sh == 1 && d.sw == 1 && d.dh == 1 && d.dw == 1 && d.groups == 1;
}

void check_shape(const ConvGeometry& d, const char* what) {
  PN_CHECK(computable(d), what, ": needs a 3x3 kernel, stride 1, dilation 1 and one group, got ", d.R, "x", d.S,
           " stride ", d.sh, "x", d.sw, " dilation ", d.dh, "x", d.dw, " groups ", d.groups);
}

}  // namespace

// The thresholds come from bench/conv_bench on AlbuNet's layers: below them
// im2col + GEMM was as fast or faster.
bool winograd_suits(const ConvGeometry& d) { return computable(d) && d.C >= 16 && d.K >= 16 && tiles(d) >= 64; }

// K*C / (K + C) is the GEMMs' multiply-adds per value they pack: 64 for
// 128 -> 128 channels, where Winograd won by a third, 26 for 128 -> 32 and
// 32 for 64 -> 64, where it lost or drew.
bool winograd_suits_weight_gradient(const ConvGeometry& d) {
  return computable(d) && d.K * d.C >= 48 * (d.K + d.C) && tiles(d) >= 256;
}

template <class T>
void conv_winograd(const ConvGeometry& d, const T* x, const T* w, T* out) {
  check_shape(d, "conv_winograd");
  if (d.N == 0 || d.K == 0 || d.P <= 0 || d.Q <= 0) return;
  const Layout l = layout(d, sizeof(T));
  const std::unique_ptr<T[]> u = transform_filters(d, w);
  const int64_t blocks = (l.tiles + l.block - 1) / l.block;
  const int threads = static_cast<int>(std::min<int64_t>(blocks, omp_in_parallel() ? 1 : omp_get_max_threads()));
#pragma omp parallel num_threads(threads)
  {
    Lines<T> lines(l);
    std::unique_ptr<T[]> vm = std::make_unique_for_overwrite<T[]>(static_cast<size_t>(kPoints * (d.C + d.K) * l.block));
    const Points<T> v{vm.get(), d.C, l.block}, m{vm.get() + kPoints * d.C * l.block, d.K, l.block};
#pragma omp for schedule(dynamic, 1)
    for (int64_t blk = 0; blk < blocks; ++blk) {
      const int64_t t0 = blk * l.block, t1 = std::min(l.tiles, t0 + l.block), nt = t1 - t0;
      const std::vector<Segment> segs = segments(l, t0, t1);
      for (const Segment& s : segs) transform_input(d, s, x, 0, d.C, v, lines);
      for (int64_t i = 0; i < kPoints; ++i)
        gemm(Trans::No, Trans::No, d.K, nt, d.C, T(1), u.get() + i * d.K * d.C, d.C, v.data + i * d.C * l.block,
             l.block, T(0), m.data + i * d.K * l.block, l.block);
      for (const Segment& s : segs) transform_output(d, s, m, lines, out);
    }
  }
}

// The weight gradient sums over every tile of the batch, so unlike the
// forward pass the tiles cannot go to threads block by block without making
// the order of that sum depend on the thread count. Instead a chunk of tiles
// at a time is transformed by all threads (split over channels), then the
// 36 products dM_i @ V_i^T go to the threads point by point, each summed
// over the chunk by one single-threaded GEMM; chunks follow in order. The
// chunks' sums are added up in double: in float32 the running total over a
// large batch (a few hundred chunks at 1024x1024) would lose several digits.
template <class T>
void conv_winograd_backward_weight(const ConvGeometry& d, const T* grad_out, const T* x, T* grad_w) {
  check_shape(d, "conv_winograd_backward_weight");
  const int64_t KC = d.K * d.C;
  if (KC == 0) return;
  const Layout l = layout(d, sizeof(T));
  // Chunks larger than a forward block: each GEMM's sum runs over the chunk.
  const int64_t chunk = std::min(l.tiles, int64_t{8} * l.block);
  auto part = std::make_unique_for_overwrite<T[]>(static_cast<size_t>(kPoints * KC));  // one chunk's dU
  auto du = std::make_unique<double[]>(static_cast<size_t>(kPoints * KC));                // the running total
  auto vm = std::make_unique_for_overwrite<T[]>(static_cast<size_t>(kPoints * (d.C + d.K) * chunk));
  const Points<T> v{vm.get(), d.C, chunk}, dm{vm.get() + kPoints * d.C * chunk, d.K, chunk};
  for (int64_t t0 = 0; t0 < l.tiles; t0 += chunk) {
    const int64_t t1 = std::min(l.tiles, t0 + chunk), nt = t1 - t0;
    const std::vector<Segment> segs = segments(l, t0, t1);
    parallel_for(d.C + d.K, 1, [&](int64_t c0, int64_t c1) {  // channels of x, then of grad_out
      Lines<T> lines(l);
      for (const Segment& s : segs) {
        if (c0 < d.C) transform_input(d, s, x, c0, std::min(c1, d.C), v, lines);
        if (c1 > d.C) transform_grad_output(d, s, grad_out, std::max<int64_t>(c0 - d.C, 0), c1 - d.C, dm, lines);
      }
    });
    parallel_for(kPoints, 1, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) {
        T* p = part.get() + i * KC;
        gemm(Trans::No, Trans::Yes, d.K, d.C, nt, T(1), dm.data + i * d.K * chunk, chunk, v.data + i * d.C * chunk,
             chunk, T(0), p, d.C);
        double* total = du.get() + i * KC;
        for (int64_t f = 0; f < KC; ++f) total[f] += p[f];
      }
    });
  }
  transform_filter_gradients(d, du.get(), grad_w);
}

template void conv_winograd<float>(const ConvGeometry&, const float*, const float*, float*);
template void conv_winograd<double>(const ConvGeometry&, const double*, const double*, double*);
template void conv_winograd_backward_weight<float>(const ConvGeometry&, const float*, const float*, float*);
template void conv_winograd_backward_weight<double>(const ConvGeometry&, const double*, const double*, double*);

}  // namespace pn::cpu
