#include "pneumo/augment/exact_fp.h"  // first: before any floating-point code
#include "pneumo/augment/gaussian.h"

#include <cmath>
#include <cstddef>

#include "pneumo/augment/warp.h"  // border_index
#include "tensor/error.h"

namespace pn::augment {

namespace {

// numpy's pairwise summation (what ndarray.sum() does for float64), so the
// kernel is normalised by the same sum as scipy's.
double pairwise_sum(const double* a, std::size_t n) {
  if (n < 8) {
    double res = 0.;
    for (std::size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    std::size_t i = 8;
    for (; i < n - n % 8; i += 8) {
      for (std::size_t j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  std::size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

// scipy's 'reflect' extension (dcba|abcd|dcba), repeated as far as needed.
int reflect_index(int p, int len) {
  const int period = 2 * len;
  int q = p % period;
  if (q < 0) q += period;
  return q < len ? q : period - 1 - q;
}

// The symmetric sum of scipy's correlate1d for the outputs o[0, n):
//   o[x] = c[x] * w[r], then o[x] += (up[j][x] + down[j][x]) * w[r - j] for j = r .. 1,
// where up[j] and down[j] are the inputs j before and after.  Blocks of kBlock
// outputs stay in registers across the j loop; each output is still summed in
// scipy's order, so vectorising does not change a bit (and exact_fp.h keeps
// the compiler from fusing the multiply and add).  Cloned for AVX2, chosen at
// load time where the CPU has it.
constexpr int kBlock = 16;

// Four doubles, any alignment (GCC / clang vector extension): lane-wise IEEE
// operations, ymm registers in the AVX2 clone, pairs of xmm otherwise.
typedef double v4d __attribute__((vector_size(32), aligned(8), may_alias));

__attribute__((target_clones("avx2", "default")))
void symmetric_sum(const double* c, double* o, int n, const double* w, int radius, const double* const* up,
                   const double* const* down) {
  const double w0 = w[radius];
  int x0 = 0;
  for (; x0 + kBlock <= n; x0 += kBlock) {
    const v4d* cv = reinterpret_cast<const v4d*>(c + x0);
    v4d acc0 = cv[0] * w0, acc1 = cv[1] * w0, acc2 = cv[2] * w0, acc3 = cv[3] * w0;
    for (int j = radius; j >= 1; --j) {
      const v4d* a = reinterpret_cast<const v4d*>(up[j] + x0);
      const v4d* b = reinterpret_cast<const v4d*>(down[j] + x0);
      const double wj = w[radius - j];
      acc0 += (a[0] + b[0]) * wj;
      acc1 += (a[1] + b[1]) * wj;
      acc2 += (a[2] + b[2]) * wj;
      acc3 += (a[3] + b[3]) * wj;
    }
    v4d* ov = reinterpret_cast<v4d*>(o + x0);
    ov[0] = acc0;
    ov[1] = acc1;
    ov[2] = acc2;
    ov[3] = acc3;
  }
  for (int x = x0; x < n; ++x) {
    double acc = c[x] * w0;
    for (int j = radius; j >= 1; --j) acc += (up[j][x] + down[j][x]) * w[radius - j];
    o[x] = acc;
  }
}

// Along axis 0 of a height x width field (each output mixes rows y - j .. y + j).
void filter_columns(const std::vector<double>& in, std::vector<double>& out, int width, int height,
                    const std::vector<double>& w, int radius) {
  const auto W = static_cast<std::size_t>(width);
#pragma omp parallel if (static_cast<long>(width) * height >= 128L * 128L)
  {
    std::vector<const double*> up(static_cast<std::size_t>(radius) + 1), down(up.size());
#pragma omp for schedule(static)
    for (int y = 0; y < height; ++y) {
      auto row = [&](int yy) { return in.data() + static_cast<std::size_t>(reflect_index(yy, height)) * W; };
      for (int j = 1; j <= radius; ++j) {
        up[static_cast<std::size_t>(j)] = row(y - j);
        down[static_cast<std::size_t>(j)] = row(y + j);
      }
      symmetric_sum(row(y), out.data() + static_cast<std::size_t>(y) * W, width, w.data(), radius, up.data(),
                    down.data());
    }
  }
}

// Along axis 1 (each row), through a reflected copy of the row.
void filter_rows(const std::vector<double>& in, std::vector<double>& out, int width, int height,
                 const std::vector<double>& w, int radius) {
  const auto W = static_cast<std::size_t>(width);
#pragma omp parallel if (static_cast<long>(width) * height >= 128L * 128L)
  {
    std::vector<double> line(W + 2 * static_cast<std::size_t>(radius));
    std::vector<const double*> up(static_cast<std::size_t>(radius) + 1), down(up.size());
    const double* c = line.data() + radius;
    for (int j = 1; j <= radius; ++j) {
      up[static_cast<std::size_t>(j)] = c - j;
      down[static_cast<std::size_t>(j)] = c + j;
    }
#pragma omp for schedule(static)
    for (int y = 0; y < height; ++y) {
      const double* row = in.data() + static_cast<std::size_t>(y) * W;
      for (int i = -radius; i < width + radius; ++i) {
        line[static_cast<std::size_t>(i + radius)] = row[reflect_index(i, width)];
      }
      symmetric_sum(c, out.data() + static_cast<std::size_t>(y) * W, width, w.data(), radius, up.data(),
                    down.data());
    }
  }
}

}  // namespace

std::vector<double> scipy_gaussian_kernel(double sigma, int radius) {
  PN_CHECK(radius >= 0, "scipy_gaussian_kernel: negative radius ", radius);
  const double sigma2 = sigma * sigma;
  std::vector<double> phi(2 * static_cast<std::size_t>(radius) + 1);
  for (int i = -radius; i <= radius; ++i) {
    phi[static_cast<std::size_t>(i + radius)] = std::exp(-0.5 / sigma2 * static_cast<double>(i * i));
  }
  const double sum = pairwise_sum(phi.data(), phi.size());
  for (double& v : phi) v = v / sum;
  return phi;
}

void scipy_gaussian_filter(std::vector<double>& field, int width, int height, double sigma) {
  PN_CHECK(width >= 1 && height >= 1 &&
               field.size() == static_cast<std::size_t>(width) * static_cast<std::size_t>(height),
           "scipy_gaussian_filter: a field of ", field.size(), " values is not ", width, "x", height);
  PN_CHECK(std::isfinite(sigma) && sigma >= 0, "scipy_gaussian_filter: bad sigma ", sigma);
  if (sigma <= 1e-15) return;
  const int radius = static_cast<int>(4.0 * sigma + 0.5);
  const std::vector<double> w = scipy_gaussian_kernel(sigma, radius);
  // scipy checks the kernel for symmetry before taking the symmetric sum; a
  // Gaussian of integer offsets always is (x^2 is the same for -x and x).
  std::vector<double> tmp(field.size());
  filter_columns(field, tmp, width, height, w, radius);
  filter_rows(tmp, field, width, height, w, radius);
}

void cv_gaussian_blur(std::vector<float>& field, int width, int height, int ksize, double sigma) {
  PN_CHECK(width >= 1 && height >= 1 &&
               field.size() == static_cast<std::size_t>(width) * static_cast<std::size_t>(height),
           "cv_gaussian_blur: a field of ", field.size(), " values is not ", width, "x", height);
  PN_CHECK(ksize >= 1 && ksize % 2 == 1 && sigma > 0, "cv_gaussian_blur: needs an odd ksize and sigma > 0, got ",
           ksize, " and ", sigma);
  // cv::getGaussianKernel for CV_32F: float weights normalised by their sum
  // computed in double.
  std::vector<float> k(static_cast<std::size_t>(ksize));
  const double scale2 = -0.5 / (sigma * sigma);
  double sum = 0;
  for (int i = 0; i < ksize; ++i) {
    const double x = i - (ksize - 1) * 0.5;
    k[static_cast<std::size_t>(i)] = static_cast<float>(std::exp(scale2 * x * x));
    sum += k[static_cast<std::size_t>(i)];
  }
  sum = 1. / sum;
  for (float& v : k) v = static_cast<float>(v * sum);
  const int r = ksize / 2;
  const auto W = static_cast<std::size_t>(width);
  std::vector<float> tmp(field.size());
  // Rows (horizontal kernel) first, then columns, as cv::sepFilter2D.
#pragma omp parallel if (static_cast<long>(width) * height >= 128L * 128L)
  {
    std::vector<float> line(W + 2 * static_cast<std::size_t>(r));
#pragma omp for schedule(static)
    for (int y = 0; y < height; ++y) {
      const float* row = field.data() + static_cast<std::size_t>(y) * W;
      for (int i = -r; i < width + r; ++i) {
        line[static_cast<std::size_t>(i + r)] = row[border_index(i, width, BorderMode::Reflect101)];
      }
      const float* c = line.data() + r;
      float* o = tmp.data() + static_cast<std::size_t>(y) * W;
      for (std::size_t x = 0; x < W; ++x) o[x] = c[x] * k[static_cast<std::size_t>(r)];
      for (int j = 1; j <= r; ++j) {
        const float kj = k[static_cast<std::size_t>(r + j)];
        const float* a = c - j;
        const float* b = c + j;
        for (std::size_t x = 0; x < W; ++x) o[x] += (a[x] + b[x]) * kj;
      }
    }
#pragma omp for schedule(static)
    for (int y = 0; y < height; ++y) {
      float* o = field.data() + static_cast<std::size_t>(y) * W;
      const float* c = tmp.data() + static_cast<std::size_t>(y) * W;
      for (std::size_t x = 0; x < W; ++x) o[x] = c[x] * k[static_cast<std::size_t>(r)];
      for (int j = 1; j <= r; ++j) {
        const float* a = tmp.data() + static_cast<std::size_t>(border_index(y - j, height, BorderMode::Reflect101)) * W;
        const float* b = tmp.data() + static_cast<std::size_t>(border_index(y + j, height, BorderMode::Reflect101)) * W;
        const float kj = k[static_cast<std::size_t>(r + j)];
        for (std::size_t x = 0; x < W; ++x) o[x] += (a[x] + b[x]) * kj;
      }
    }
  }
}

}  // namespace pn::augment
