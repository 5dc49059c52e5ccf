#include "pneumo/augment/exact_fp.h"  // first: before any floating-point code
#include "pneumo/augment/geometric.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "pneumo/augment/gaussian.h"
#include "tensor/error.h"

namespace pn::augment {

namespace {

constexpr double kPi = 3.14159265358979323846;  // CV_PI

void check_image(const Image& image, const char* what) {
  PN_CHECK(image.valid() && !image.empty(), what, ": needs a valid, non-empty image, got ", image.width, "x",
           image.height, "x", image.channels);
}

// Solves the n x n system a * x = b in place (b becomes x) by Gaussian
// elimination with partial pivoting in the order of OpenCV's LU (cv::solve
// with DECOMP_LU): the pivot is the first row with the largest |value|, and
// the diagonal keeps its reciprocal for the back substitution.  Returns false
// for a singular matrix.
template <int N>
bool solve_lu(double (&a)[N][N], double (&b)[N]) {
  constexpr double eps = 2.2204460492503131e-16 * 100;  // DBL_EPSILON * 100, OpenCV's threshold
  for (int i = 0; i < N; ++i) {
    int k = i;
    for (int j = i + 1; j < N; ++j) {
      if (std::abs(a[j][i]) > std::abs(a[k][i])) k = j;
    }
    if (std::abs(a[k][i]) < eps) return false;
    if (k != i) {
      for (int j = i; j < N; ++j) std::swap(a[i][j], a[k][j]);
      std::swap(b[i], b[k]);
    }
    const double d = -1 / a[i][i];
    for (int j = i + 1; j < N; ++j) {
      const double alpha = a[j][i] * d;
      for (int c = i + 1; c < N; ++c) a[j][c] += alpha * a[i][c];
      b[j] += alpha * b[i];
    }
    a[i][i] = -d;
  }
  for (int i = N - 1; i >= 0; --i) {
    double s = b[i];
    for (int c = i + 1; c < N; ++c) s -= a[i][c] * b[c];
    b[i] = s * a[i][i];
  }
  return true;
}

// np.linspace(start, stop, num) (endpoint=True) into out[0, num) as float32.
void linspace_f32(double start, double stop, int num, float* out) {
  if (num <= 0) return;
  if (num == 1) {
    out[0] = static_cast<float>(start);
    return;
  }
  const double delta = stop - start;
  const int div = num - 1;
  const double step = delta / div;
  for (int i = 0; i < num; ++i) {
    const double v = step == 0 ? static_cast<double>(i) / div * delta + start : static_cast<double>(i) * step + start;
    out[i] = static_cast<float>(v);
  }
  out[num - 1] = static_cast<float>(stop);
}

// One axis of F.grid_distortion.
std::vector<float> grid_axis(int len, int num_steps, const std::vector<double>& steps, const char* name) {
  const int step = len / num_steps;
  std::vector<float> out(static_cast<std::size_t>(len), 0.f);
  double prev = 0;
  int idx = 0;
  for (int start = 0; start < len; start += step, ++idx) {
    int end = start + step;
    double cur;
    if (end > len) {
      end = len;
      cur = len;
    } else {
      PN_CHECK(idx < static_cast<int>(steps.size()), "grid_distortion: ", name, " has ", steps.size(),
               " values, a size of ", len, " in ", num_steps, " steps needs ", idx + 1);
      cur = prev + step * steps[static_cast<std::size_t>(idx)];
    }
    linspace_f32(prev, cur, end - start, out.data() + start);
    prev = cur;
  }
  return out;
}

}  // namespace

Image hflip(const Image& image) {
  check_image(image, "hflip");
  Image out(image.width, image.height, image.channels);
  const int cn = image.channels;
  for (int y = 0; y < image.height; ++y) {
    const std::uint8_t* S = image.data.data() + static_cast<std::size_t>(y) * image.row_stride();
    std::uint8_t* D = out.data.data() + static_cast<std::size_t>(y) * out.row_stride();
    if (cn == 1) {
      std::reverse_copy(S, S + image.width, D);
      continue;
    }
    for (int x = 0; x < image.width; ++x) {
      std::copy_n(S + static_cast<std::size_t>((image.width - 1 - x) * cn), cn, D + static_cast<std::size_t>(x * cn));
    }
  }
  return out;
}

Image apply_maps(const Image& image, const Maps& maps, Interpolation interpolation, const Border& border) {
  return remap(image, maps.x, maps.y, maps.width, maps.height, interpolation, border);
}

Affine shift_scale_rotate_matrix(int width, int height, double angle, double scale, double dx, double dy) {
  // cv2.getRotationMatrix2D with centre (width / 2, height / 2) as a Point2f.
  const double cx = static_cast<float>(width / 2.0), cy = static_cast<float>(height / 2.0);
  const double a = angle * (kPi / 180);
  const double alpha = std::cos(a) * scale, beta = std::sin(a) * scale;
  Affine m{alpha, beta, (1 - alpha) * cx - beta * cy, -beta, alpha, beta * cx + (1 - alpha) * cy};
  m[2] += dx * width;
  m[5] += dy * height;
  return m;
}

Image shift_scale_rotate(const Image& image, double angle, double scale, double dx, double dy,
                         Interpolation interpolation, const Border& border) {
  check_image(image, "shift_scale_rotate");
  return warp_affine(image, shift_scale_rotate_matrix(image.width, image.height, angle, scale, dx, dy), image.width,
                     image.height, interpolation, border);
}

Maps optical_distortion_maps(int width, int height, double k, double dx, double dy) {
  PN_CHECK(width >= 1 && height >= 1, "optical_distortion: bad size ", width, "x", height);
  // The camera matrix and distortion are float32 arrays in albumentations.
  const double fx = static_cast<float>(width), fy = static_cast<float>(width);
  const double u0 = static_cast<float>(width * 0.5 + dx), v0 = static_cast<float>(height * 0.5 + dy);
  const double k1 = static_cast<float>(k), k2 = k1;
  // cv::getDefaultNewCameraMatrix(A, size, true) and its inverse as
  // cv::invert computes a 3x3 inverse (adjugate over determinant).
  const double c = (width - 1) * 0.5, e = (height - 1) * 0.5;
  const double det = fx * (fy * 1.0 - e * 0.0) - 0.0 * (0.0 * 1.0 - e * 0.0) + c * (0.0 * 0.0 - fy * 0.0);
  const double d = 1. / det;
  const double ir0 = (fy * 1.0 - e * 0.0) * d, ir1 = (c * 0.0 - 0.0 * 1.0) * d, ir2 = (0.0 * e - c * fy) * d;
  const double ir3 = (e * 0.0 - 0.0 * 1.0) * d, ir4 = (fx * 1.0 - c * 0.0) * d, ir5 = (c * 0.0 - fx * e) * d;
  const double ir6 = (0.0 * 0.0 - fy * 0.0) * d, ir7 = (0.0 * 0.0 - fx * 0.0) * d, ir8 = (fx * fy - 0.0 * 0.0) * d;

  // The camera has no skew, so ir1 = ir3 = ir6 = ir7 = 0: in OpenCV's loop
  // (x accumulated by += ir0, y and w fixed along a row) only x changes along
  // a row, and the rational factor's denominator (k4..k6 = 0) is exactly 1.
  PN_CHECK(ir1 == 0 && ir3 == 0 && ir6 == 0 && ir7 == 0, "optical_distortion: unexpected camera inverse");
  Maps maps;
  maps.width = width;
  maps.height = height;
  const std::size_t n = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  maps.x.resize(n);
  maps.y.resize(n);
#pragma omp parallel for schedule(static) if (static_cast<long>(width) * height >= 128L * 128L)
  for (int i = 0; i < height; ++i) {
    float* mx = maps.x.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(width);
    float* my = maps.y.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(width);
    double X = i * ir1 + ir2;
    const double Y = i * ir4 + ir5, Wh = i * ir7 + ir8;
    const double w = 1. / Wh, y = Y * w, y2 = y * y;
    for (int j = 0; j < width; ++j, X += ir0) {
      const double x = X * w;
      const double r2 = x * x + y2;
      const double kr = 1 + (k2 * r2 + k1) * r2;
      mx[j] = static_cast<float>(fx * (x * kr) + u0);
      my[j] = static_cast<float>(fy * (y * kr) + v0);
    }
  }
  return maps;
}

Image optical_distortion(const Image& image, double k, double dx, double dy, Interpolation interpolation,
                         const Border& border) {
  check_image(image, "optical_distortion");
  return apply_maps(image, optical_distortion_maps(image.width, image.height, k, dx, dy), interpolation, border);
}

Maps grid_distortion_maps(int width, int height, int num_steps, const std::vector<double>& xsteps,
                          const std::vector<double>& ysteps) {
  PN_CHECK(num_steps >= 1 && width >= num_steps && height >= num_steps, "grid_distortion: ", num_steps,
           " steps need an image of at least that many pixels each way, got ", width, "x", height);
  const std::vector<float> xx = grid_axis(width, num_steps, xsteps, "xsteps");
  const std::vector<float> yy = grid_axis(height, num_steps, ysteps, "ysteps");
  Maps maps;
  maps.width = width;
  maps.height = height;
  maps.x.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height));
  maps.y.resize(maps.x.size());
  for (int y = 0; y < height; ++y) {
    const std::size_t row = static_cast<std::size_t>(y) * static_cast<std::size_t>(width);
    std::copy(xx.begin(), xx.end(), maps.x.begin() + static_cast<std::ptrdiff_t>(row));
    std::fill_n(maps.y.begin() + static_cast<std::ptrdiff_t>(row), width, yy[static_cast<std::size_t>(y)]);
  }
  return maps;
}

Image grid_distortion(const Image& image, int num_steps, const std::vector<double>& xsteps,
                      const std::vector<double>& ysteps, Interpolation interpolation, const Border& border) {
  check_image(image, "grid_distortion");
  return apply_maps(image, grid_distortion_maps(image.width, image.height, num_steps, xsteps, ysteps), interpolation,
                    border);
}

ElasticNoise draw_elastic_noise(Rng& rng, int width, int height, double alpha_affine) {
  PN_CHECK(width >= 1 && height >= 1, "elastic_transform: bad size ", width, "x", height);
  ElasticNoise noise;
  for (double& v : noise.affine) v = rng.uniform(-alpha_affine, alpha_affine);
  const std::size_t n = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  noise.field_x.resize(n);
  noise.field_y.resize(n);
  // Each field from its own stream, so the draws after it do not depend on
  // the image size.
  Rng fx = rng.fork(), fy = rng.fork();
  fx.fill_uniform(noise.field_x.data(), n);
  fy.fill_uniform(noise.field_y.data(), n);
  return noise;
}

ElasticWarp elastic_warp(int width, int height, const ElasticParams& params, const ElasticNoise& noise) {
  PN_CHECK(width >= 1 && height >= 1, "elastic_transform: bad size ", width, "x", height);
  const std::size_t n = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  PN_CHECK(noise.field_x.size() == n && noise.field_y.size() == n, "elastic_transform: noise fields of ",
           noise.field_x.size(), " and ", noise.field_y.size(), " values for a ", width, "x", height, " image");
  PN_CHECK(std::isfinite(params.alpha) && std::isfinite(params.sigma) && params.sigma >= 0 &&
               std::isfinite(params.alpha_affine),
           "elastic_transform: bad parameters alpha=", params.alpha, " sigma=", params.sigma,
           " alpha_affine=", params.alpha_affine);
  ElasticWarp out;

  // The random affine.  albumentations takes center_square = float32((height,
  // width)) // 2 and uses its first element as x: for a non-square image the
  // points are transposed, which is kept.
  const float cs0 = static_cast<float>(height / 2), cs1 = static_cast<float>(width / 2);
  const float ss = static_cast<float>(std::min(height, width) / 3);
  const float pts1[3][2] = {{cs0 + ss, cs1 + ss}, {cs0 + ss, cs1 - ss}, {cs0 - ss, cs1 - ss}};
  float pts2[3][2];
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 2; ++j) pts2[i][j] = pts1[i][j] + static_cast<float>(noise.affine[static_cast<std::size_t>(i * 2 + j)]);
  }
  // cv2.getAffineTransform: the 6 x 6 system of the three correspondences.
  double a[6][6] = {};
  double b[6];
  for (int i = 0; i < 3; ++i) {
    a[2 * i][0] = a[2 * i + 1][3] = pts1[i][0];
    a[2 * i][1] = a[2 * i + 1][4] = pts1[i][1];
    a[2 * i][2] = a[2 * i + 1][5] = 1;
    b[2 * i] = pts2[i][0];
    b[2 * i + 1] = pts2[i][1];
  }
  if (!solve_lu(a, b)) std::fill(std::begin(b), std::end(b), 0.0);  // cv::solve leaves 0 for singular
  std::copy(std::begin(b), std::end(b), out.affine.begin());

  // The displacement fields.
  std::vector<float> dx(n), dy(n);
  if (params.approximate) {
    // dx = float32(rand) * 2 - 1 in float32, cv2.GaussianBlur(17x17), *= alpha in float32.
    const auto alpha = static_cast<float>(params.alpha);
    for (int f = 0; f < 2; ++f) {
      const std::vector<double>& src = f == 0 ? noise.field_x : noise.field_y;
      std::vector<float>& d = f == 0 ? dx : dy;
      for (std::size_t i = 0; i < n; ++i) d[i] = static_cast<float>(src[i]) * 2.f - 1.f;
      cv_gaussian_blur(d, width, height, 17, params.sigma);
      for (float& v : d) v *= alpha;
    }
  } else {
    // dx = float32(gaussian_filter(rand * 2 - 1, sigma) * alpha) in float64.
    std::vector<double> field(n);
    for (int f = 0; f < 2; ++f) {
      const std::vector<double>& src = f == 0 ? noise.field_x : noise.field_y;
      for (std::size_t i = 0; i < n; ++i) field[i] = src[i] * 2 - 1;
      scipy_gaussian_filter(field, width, height, params.sigma);
      std::vector<float>& d = f == 0 ? dx : dy;
      for (std::size_t i = 0; i < n; ++i) d[i] = static_cast<float>(field[i] * params.alpha);
    }
  }
  // mapx = float32(x + dx): an int64 grid plus float32 displacements, summed in float64.
  out.maps.width = width;
  out.maps.height = height;
  out.maps.x.resize(n);
  out.maps.y.resize(n);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const std::size_t i = static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x);
      out.maps.x[i] = static_cast<float>(static_cast<double>(x) + static_cast<double>(dx[i]));
      out.maps.y[i] = static_cast<float>(static_cast<double>(y) + static_cast<double>(dy[i]));
    }
  }
  return out;
}

Image apply_elastic(const Image& image, const ElasticWarp& warp, Interpolation interpolation, const Border& border) {
  check_image(image, "elastic_transform");
  PN_CHECK(warp.maps.width == image.width && warp.maps.height == image.height, "elastic_transform: maps of ",
           warp.maps.width, "x", warp.maps.height, " for a ", image.width, "x", image.height, " image");
  const Image moved = warp_affine(image, warp.affine, image.width, image.height, interpolation, border);
  return apply_maps(moved, warp.maps, interpolation, border);
}

Image elastic_transform(const Image& image, const ElasticParams& params, const ElasticNoise& noise,
                        Interpolation interpolation, const Border& border) {
  check_image(image, "elastic_transform");
  return apply_elastic(image, elastic_warp(image.width, image.height, params, noise), interpolation, border);
}

}  // namespace pn::augment
