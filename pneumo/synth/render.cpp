#include "pneumo/synth/render.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "tensor/error.h"

namespace pn::synth {
namespace {

constexpr int kMaxWorkSize = 512;

// 0 at e0, 1 at e1, Hermite in between; e0 > e1 gives a falling edge.
// (Written with a reciprocal, which folds to a constant for literal edges.)
inline double smoothstep(double e0, double e1, double x) {
  const double t = std::clamp((x - e0) * (1 / (e1 - e0)), 0.0, 1.0);
  return t * t * (3 - 2 * t);
}

// A band of half-height `half` around a centre line: 1 inside, 0 outside,
// soft over 15 percent of `half` each way.
double band(double distance, double half) { return smoothstep(1.15, 0.85, std::abs(distance) / half); }

// The pixel grid of a size-wide canvas in the body frame: pixel (i, j)'s
// centre is origin + i * step_i + j * step_j (the pose is affine).
struct PixelFrame {
  Point2 origin, step_i, step_j;
  PixelFrame(const Pose& pose, int size) {
    origin = pose.to_body({0.5 / size, 0.5 / size});
    const Point2 pi = pose.to_body({1.5 / size, 0.5 / size}), pj = pose.to_body({0.5 / size, 1.5 / size});
    step_i = {pi.x - origin.x, pi.y - origin.y};
    step_j = {pj.x - origin.x, pj.y - origin.y};
  }
  Point2 at(int i, int j) const {
    return {origin.x + i * step_i.x + j * step_j.x, origin.y + i * step_i.y + j * step_j.y};
  }
};

// The canvas pixels (inclusive box) that a body-frame box can reach.
struct Box {
  int x0, y0, x1, y1;
};
Box canvas_box(const Pose& pose, Point2 lo, Point2 hi, int size) {
  double u0 = 1e9, v0 = 1e9, u1 = -1e9, v1 = -1e9;
  for (const Point2 corner : {lo, hi, Point2{lo.x, hi.y}, Point2{hi.x, lo.y}}) {
    const Point2 c = pose.to_canvas(corner);
    u0 = std::min(u0, c.x), v0 = std::min(v0, c.y), u1 = std::max(u1, c.x), v1 = std::max(v1, c.y);
  }
  return {std::max(0, static_cast<int>(std::floor(u0 * size)) - 1),
          std::max(0, static_cast<int>(std::floor(v0 * size)) - 1),
          std::min(size - 1, static_cast<int>(std::ceil(u1 * size)) + 1),
          std::min(size - 1, static_cast<int>(std::ceil(v1 * size)) + 1)};
}
Box lung_box(const Pose& pose, const LungShape& shape, int size) {
  return canvas_box(pose, shape.min_corner(), shape.max_corner(), size);
}

// The vessels' density on the work canvas: for every pixel the largest of the
// segments' tube profiles (the largest, not the sum, so that the joints of a
// branch do not bloom).
std::vector<float> vessel_map(const ChestAnatomy& a, int n) {
  std::vector<float> out(static_cast<std::size_t>(n) * n, 0.0f);
  for (const VesselSegment& s : a.vessels) {
    const Point2 pa = a.pose.to_canvas(s.a), pb = a.pose.to_canvas(s.b);
    const double ax = pa.x * n - 0.5, ay = pa.y * n - 0.5, bx = pb.x * n - 0.5, by = pb.y * n - 0.5;
    // Vessels thinner than a pixel keep their projected mass, spread over
    // 0.8 pixel, instead of flickering between pixel centres.
    const double r_true = s.radius * a.pose.scale * n;
    const double r = std::max(r_true, 0.8);
    const double density = s.density * a.vessel_density * (r_true / r);
    const int x0 = std::max(0, static_cast<int>(std::floor(std::min(ax, bx) - r)));
    const int x1 = std::min(n - 1, static_cast<int>(std::ceil(std::max(ax, bx) + r)));
    const int y0 = std::max(0, static_cast<int>(std::floor(std::min(ay, by) - r)));
    const int y1 = std::min(n - 1, static_cast<int>(std::ceil(std::max(ay, by) + r)));
    const double ex = bx - ax, ey = by - ay, len2 = std::max(ex * ex + ey * ey, 1e-12);
    for (int j = y0; j <= y1; ++j) {
      for (int i = x0; i <= x1; ++i) {
        const double t = std::clamp(((i - ax) * ex + (j - ay) * ey) / len2, 0.0, 1.0);
        const double dx = i - ax - t * ex, dy = j - ay - t * ey;
        const double q = (dx * dx + dy * dy) / (r * r);
        if (q >= 1) continue;
        float& v = out[static_cast<std::size_t>(j) * n + i];
        v = std::max(v, static_cast<float>(density * (1 - q)));
      }
    }
  }
  // A [1 2 1] / 4 blur each way: vessels on a radiograph are not crisp.
  std::vector<float> tmp(out.size());
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) {
      const std::size_t k = static_cast<std::size_t>(j) * n + i;
      tmp[k] = 0.5f * out[k] + 0.25f * (out[i > 0 ? k - 1 : k] + out[i < n - 1 ? k + 1 : k]);
    }
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) {
      const std::size_t k = static_cast<std::size_t>(j) * n + i;
      out[k] = 0.5f * tmp[k] + 0.25f * (tmp[j > 0 ? k - n : k] + tmp[j < n - 1 ? k + n : k]);
    }
  return out;
}

// The texture grid, bilinear, wrapping around: two octaves.
double texture_at(const ChestAnatomy& a, double x, double y) {
  constexpr int g = ChestAnatomy::kTextureGrid;
  const float* t = a.texture.data();
  auto octave = [&](double fx, double fy) {
    fx -= g * std::floor(fx / g);
    fy -= g * std::floor(fy / g);
    const int i = std::min(static_cast<int>(fx), g - 1), j = std::min(static_cast<int>(fy), g - 1);
    const int i1 = (i + 1) % g, j1 = (j + 1) % g;
    const double wx = fx - i, wy = fy - j;
    return (1 - wy) * ((1 - wx) * t[j * g + i] + wx * t[j * g + i1]) +
           wy * ((1 - wx) * t[j1 * g + i] + wx * t[j1 * g + i1]);
  };
  return 0.65 * octave(x * 24, y * 24) + 0.35 * octave(x * 61 + 7.3, y * 61 + 3.1);
}

// Posterior ribs (and fainter anterior ones) at distance t from the spine.
double ribs_at(const Ribs& r, double t, double y, double half_width) {
  if (t < 0.015 || t > half_width) return 0;
  double total = 0;
  {
    const double yy = y - r.curvature * ((t - r.peak) * (t - r.peak) - r.peak * r.peak);
    const double slope = 2 * r.curvature * (t - r.peak);
    const double cos_slope = 1 / std::sqrt(1 + slope * slope);
    // The rib whose centre line is nearest: invert y = first + k s + k^2 g
    // for the rib just above, and compare with the one below (ribs are
    // further apart than thick, so no other can reach the point).
    const double disc = r.spacing * r.spacing + 4 * r.growth * std::max(0.0, yy - r.first_y);
    const int above = static_cast<int>((std::sqrt(disc) - r.spacing) / (2 * r.growth));
    auto center = [&](int k) { return r.first_y + k * r.spacing + k * k * r.growth; };
    const int k = std::abs(yy - center(above)) <= std::abs(yy - center(above + 1)) ? above : above + 1;
    if (k < r.count) {
      const double u = std::abs(yy - center(k)) * cos_slope / (r.thickness * (1 + 0.05 * k));
      // A brighter cortex at the rib's edges.
      if (u < 1.2) {
        total += band(u, 1.0) * (0.65 + 0.5 * u * u) * smoothstep(half_width, half_width - 0.06, t) *
                 smoothstep(0.015, 0.05, t);
      }
    }
  }
  if (t > 0.12 && t < 0.46) {
    // Anterior ribs run down and in from the chest wall, faintly seen.
    const double s = 0.46 - t;
    const double yy = y - 0.45 * s - 0.5 * s * s;
    const double spacing = 1.25 * r.spacing;
    const double k = std::round((yy - r.first_y + 0.03) / spacing);
    if (k >= 0 && k < r.count - 3) {
      const double d = yy - (r.first_y - 0.03 + k * spacing);
      total += 0.3 * band(d, 1.3 * r.thickness) * smoothstep(0.12, 0.2, t);
    }
  }
  // Below the domes the abdomen hides them.
  return r.density * total * (1 - 0.85 * smoothstep(0.66, 0.85, y));
}

double clavicle_at(const ChestAnatomy& a, double t, double y) {
  if (t < 0.02 || t > 0.33) return 0;
  const double center = a.clavicle_y - 0.32 * t + 0.25 * t * t;
  const double fade = smoothstep(0.02, 0.05, t) * smoothstep(0.33, 0.29, t);
  return a.clavicle_density * band(y - center, 0.018) * (0.8 + 0.4 * smoothstep(0.2, 0.3, t)) * fade;
}

// Everything but the lungs' own air, vessels and texture: the attenuation of
// the body at body-frame point (x, y).
double body_attenuation(const ChestAnatomy& a, double x, double y) {
  const double dx = x - a.mediastinum_x, adx = std::abs(dx);
  // The torso widens from the neck over the shoulders, then a little more
  // down to the lowest ribs; the neck is thinner front to back too.
  const double shoulder = std::pow(smoothstep(a.shoulder_y, a.shoulder_y + 0.22, y), 0.6);
  const double hw = (a.neck_half_width + (a.body_half_width - a.neck_half_width) * shoulder) *
                    (0.9 + 0.1 * smoothstep(0.1, 0.8, y));
  const double q = adx / hw;
  if (q >= 1) return 0;
  const double thickness = std::sqrt((1 - q * q) * hw / a.body_half_width);
  double att = a.soft_tissue * thickness * (1 + 0.2 * smoothstep(0.6, 0.9, y));
  // One dense shadow, the largest of: the mediastinum widening down to the
  // heart, the aortic knob bulging from it to the image's right, the heart
  // reaching further to the image's right, and below the domes the liver and
  // stomach (so that the heart sinks into them without a border).
  double central = a.abdomen_density * thickness * smoothstep(0.64, 0.74, y);
  if (adx < 0.15) {
    const double knob = dx > 0 && std::abs(y - 0.29) < 0.12
                            ? a.aortic_knob * std::exp(-(y - 0.29) * (y - 0.29) / (0.035 * 0.035))
                            : 0.0;
    const double mw = a.mediastinum_half_width * (1 + 0.3 * smoothstep(0.15, 0.45, y)) + knob;
    if (adx < mw) {
      central = std::max(central, a.mediastinum_density * smoothstep(mw, mw - 0.015, adx) *
                                      smoothstep(-0.02, 0.08, y) * (1 - 0.5 * smoothstep(0.66, 0.8, y)));
    }
  }
  // The heart: to the image's left a half-ellipse bulging from the
  // mediastinum; to its right a border sweeping down and out to the apex
  // (its widest point), below which it sinks into the abdomen (its lower
  // border never shows).
  const double top = a.heart_center.y - a.heart_ry, apex = a.heart_center.y + 0.55 * a.heart_ry;
  if (y > top) {
    double half;
    if (x >= a.heart_center.x) {
      const double u = std::min(0.0, y - apex) / (apex - top);
      half = a.heart_rx * std::sqrt(1 - u * u);
    } else {
      const double u = std::min(0.0, y - a.heart_center.y) / a.heart_ry;
      half = 0.7 * a.heart_rx * std::sqrt(1 - u * u);
    }
    const double h = std::abs(x - a.heart_center.x) / std::max(half, 1e-6);
    if (h < 1) {
      central = std::max(central, a.heart_density * smoothstep(1.0, 0.85, h) * (1 - 0.5 * smoothstep(0.66, 0.8, y)));
    }
  }
  att += central;
  if (adx < 0.022 && y < 0.37) {
    // The trachea's air column.
    att -= 0.2 * smoothstep(0.017, 0.011, std::abs(dx + 0.004)) * smoothstep(0.37, 0.31, y) *
           smoothstep(0.0, 0.06, y);
  }
  if (adx < 0.04) {
    // Vertebral bodies, each 0.045 high.
    const double vertebra = 0.5 + 0.5 * std::cos(2 * std::numbers::pi * y / 0.045);
    att += (0.05 + 0.04 * vertebra) * smoothstep(0.04, 0.032, adx);
  }
  for (const Point2& h : a.hila) {
    const double d2 = (x - h.x) * (x - h.x) + (y - h.y) * (y - h.y);
    if (d2 < 0.02) att += a.hilum_density * std::exp(-d2 / (0.04 * 0.04));
  }
  if (a.breast_density > 0) {
    const double bx = (adx - 0.32) / 0.17, by = (y - 0.7) / 0.13;
    const double b2 = bx * bx + by * by;
    if (b2 < 1) att += a.breast_density * smoothstep(1.0, 0.2, b2);
  }
  if (a.gastric_bubble) {
    const double bx = (x - a.bubble_center.x) / 0.05, by = (y - a.bubble_center.y) / 0.03;
    const double b2 = bx * bx + by * by;
    if (b2 < 1) att -= 0.14 * smoothstep(1.0, 0.5, b2);
  }
  // The rib cage ends short of the skin.
  return att + ribs_at(a.ribs, adx, y, hw - 0.045) + clavicle_at(a, adx, y);
}

// What the lungs change at (x, y): their air, the pneumothorax and its
// pleural line (attenuation), and the weight of the vessels and texture
// (tissue: 0 outside the lungs and inside a pneumothorax).
struct LungEffect {
  double attenuation = 0;
  double tissue = 0;
};

LungEffect lung_effect(const ChestAnatomy& a, double x, double y, double pixel) {
  LungEffect e;
  for (int lung = 0; lung < 2; ++lung) {
    const LungShape& shape = a.lungs[lung];
    const Point2 lo = shape.min_corner(), hi = shape.max_corner();
    if (x < lo.x - 0.01 || x > hi.x + 0.01 || y < lo.y - 0.01 || y > hi.y + 0.01) continue;
    const LungShape::Polar p = shape.polar(x, y);
    if (p.rho > 1.05) continue;
    const double inner = smoothstep(1.0, 0.93, p.rho);
    const double air = inner * (0.55 + 0.45 * std::sqrt(std::max(0.0, 1 - p.rho * p.rho)));
    // The domes overlap the lower lung zones from behind.
    e.attenuation += -a.lung_air * air + 0.12 * smoothstep(0.5, 0.78, y) * inner;
    double pneumothorax = 0, line = 0;
    for (const PneumothoraxRegion& r : a.regions) {
      if (r.lung != lung) continue;
      const double d = r.depth_at(p.theta);
      if (d <= 0) continue;
      const double radius = shape.radius(p.theta);
      const double edge = 1 - d;
      const double soft = 0.6 * pixel / radius;
      pneumothorax = std::max(pneumothorax, smoothstep(edge - soft, edge + soft, p.rho));
      const double dist = (p.rho - edge) * radius / std::max(0.0011, 0.6 * pixel);
      line += std::exp(-dist * dist) * std::min(1.0, d / 0.04);
    }
    e.attenuation += -a.pneumothorax_lucency * pneumothorax * smoothstep(1.03, 0.97, p.rho) +
                     a.pleural_line * std::min(line, 1.0);
    e.tissue += inner * (1 - pneumothorax);
  }
  return e;
}

// The exposure as a table over attenuation: brightness in [0, 1].
class Exposure {
 public:
  explicit Exposure(const ChestAnatomy& a) {
    for (int k = 0; k <= kEntries; ++k) {
      const double b = 1 - std::exp(-a.gain * k * kStep);
      const double w = std::clamp((b - a.window_lo) / (a.window_hi - a.window_lo), 0.0, 1.0);
      table_[k] = static_cast<float>(std::pow(w, a.gamma));
    }
  }
  float operator()(double attenuation) const {
    const double f = std::clamp(attenuation / kStep, 0.0, kEntries - 1e-9);
    const int k = static_cast<int>(f);
    return static_cast<float>(table_[k] + (f - k) * (table_[k + 1] - table_[k]));
  }

 private:
  static constexpr int kEntries = 4096;
  static constexpr double kStep = 4.0 / kEntries;  // attenuations 0 .. 4
  float table_[kEntries + 1];
};

// SplitMix64's output function.
std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Sets the pixels of box `b` whose polar coordinates in lung `lung` pass
// `keep`.
template <class Keep>
void paint_box(const ChestAnatomy& a, int lung, Box b, int size, data::GrayImage& mask, Keep keep) {
  const LungShape& shape = a.lungs[lung];
  const PixelFrame frame(a.pose, size);
  for (int j = b.y0; j <= b.y1; ++j) {
    for (int i = b.x0; i <= b.x1; ++i) {
      const Point2 p = frame.at(i, j);
      if (keep(shape.polar(p.x, p.y))) mask.at(i, j) = 255;
    }
  }
}

}  // namespace

data::GrayImage region_mask(const ChestAnatomy& a, const PneumothoraxRegion& r, int size) {
  PN_CHECK(r.lung == 0 || r.lung == 1, "synth::region_mask: lung must be 0 or 1, got ", r.lung);
  data::GrayImage mask(size, size, 0);
  // Only the box around the region's outline needs testing: its corners
  // from the outline (rho = 1) and the inner edge over the window's directions.
  const LungShape& shape = a.lungs[r.lung];
  const Point2 c = shape.center();
  Point2 lo{1e9, 1e9}, hi{-1e9, -1e9};
  constexpr int kSteps = 64;
  for (int k = 0; k <= kSteps; ++k) {
    const double t = r.theta + r.half_width * (2.0 * k / kSteps - 1);
    const double radius = shape.radius(t);
    for (const double rho : {1.0, 1 - r.depth_at(t)}) {
      const Point2 p{c.x + rho * radius * std::cos(t), c.y + rho * radius * std::sin(t)};
      lo = {std::min(lo.x, p.x), std::min(lo.y, p.y)};
      hi = {std::max(hi.x, p.x), std::max(hi.y, p.y)};
    }
  }
  // A margin for the curvature of the outline between the sampled directions.
  const double margin = shape.max_radius() * 2 * r.half_width / kSteps;
  paint_box(a, r.lung, canvas_box(a.pose, {lo.x - margin, lo.y - margin}, {hi.x + margin, hi.y + margin}, size),
            size, mask, [&](LungShape::Polar q) { return r.contains(q.rho, q.theta); });
  return mask;
}

data::GrayImage lung_field_mask(const ChestAnatomy& a, int size, int lung) {
  PN_CHECK(lung >= -1 && lung <= 1, "synth::lung_field_mask: lung must be -1, 0 or 1, got ", lung);
  data::GrayImage mask(size, size, 0);
  for (int l = 0; l < 2; ++l) {
    if (lung == -1 || lung == l) {
      paint_box(a, l, lung_box(a.pose, a.lungs[l], size), size, mask, [](LungShape::Polar q) { return q.rho <= 1; });
    }
  }
  return mask;
}

ChestImage render_chest(const ChestAnatomy& a, int size) {
  PN_CHECK(size >= 32, "synth::render_chest: size must be at least 32, got ", size);
  const int n = std::min(size, kMaxWorkSize);
  const double pixel = 1.0 / (n * a.pose.scale);  // one work pixel in body units

  // The smooth picture, as brightness in [0, 1], at n x n.
  const std::vector<float> vessels = vessel_map(a, n);
  const Exposure exposure(a);
  const PixelFrame frame(a.pose, n);
  std::vector<float> work(static_cast<std::size_t>(n) * n);
  for (int j = 0; j < n; ++j) {
    const float heel = static_cast<float>(a.heel * ((j + 0.5) / n - 0.5));
    for (int i = 0; i < n; ++i) {
      const Point2 p = frame.at(i, j);
      const std::size_t k = static_cast<std::size_t>(j) * n + i;
      double att = body_attenuation(a, p.x, p.y);
      if (att > 0) {
        const LungEffect lung = lung_effect(a, p.x, p.y, pixel);
        if (lung.tissue > 0) att += lung.tissue * (vessels[k] + a.texture_density * texture_at(a, p.x, p.y));
        att += lung.attenuation;
      }
      work[k] = exposure(att) + heel;
    }
  }

  // Bilinear resize to size x size (pixel centres aligned, edges clamped):
  // each work row resized across once, then rows blended; plus uniform
  // noise of standard deviation a.noise; then 8 bits.
  ChestImage out;
  out.image = data::GrayImage(size, size);
  std::vector<int> lo(size);
  std::vector<float> w(size);
  for (int i = 0; i < size; ++i) {
    const double f = std::clamp((i + 0.5) * n / size - 0.5, 0.0, n - 1.0);
    lo[i] = std::min(static_cast<int>(f), n - 2);
    w[i] = static_cast<float>(f - lo[i]);
  }
  std::vector<float> across(static_cast<std::size_t>(n) * size);
  for (int r = 0; r < n; ++r) {
    const float* src = &work[static_cast<std::size_t>(r) * n];
    float* dst = &across[static_cast<std::size_t>(r) * size];
    for (int i = 0; i < size; ++i) dst[i] = src[lo[i]] + w[i] * (src[lo[i] + 1] - src[lo[i]]);
  }
  // One 64-bit hash gives four pixels' noise, 16 bits each.
  // Smaller images are as if shrunk from 1024 pixels, which averages noise.
  const double sigma = a.noise * std::min(1.0, std::sqrt(size / 1024.0));
  const float noise_scale = static_cast<float>(sigma * std::sqrt(12.0) / 65536.0);
  const int quads = (size + 3) / 4;
  std::vector<float> noise(static_cast<std::size_t>(quads) * 4);
  for (int j = 0; j < size; ++j) {
    const std::uint64_t row_key = a.noise_key + static_cast<std::uint64_t>(j) * quads * 0x9E3779B97F4A7C15ull;
    for (int q = 0; q < quads; ++q) {
      const std::uint64_t h = mix(row_key + static_cast<std::uint64_t>(q + 1) * 0x9E3779B97F4A7C15ull);
      for (int b = 0; b < 4; ++b) {
        noise[static_cast<std::size_t>(4 * q + b)] = (static_cast<float>((h >> (16 * b)) & 0xFFFF) - 32767.5f) * noise_scale;
      }
    }
    const float* top = &across[static_cast<std::size_t>(lo[j]) * size];
    const float* bottom = top + size;
    const float wj = w[j];
    std::uint8_t* dst = &out.image.pixels[static_cast<std::size_t>(j) * size];
    for (int i = 0; i < size; ++i) {
      const float value = (top[i] + wj * (bottom[i] - top[i]) + noise[static_cast<std::size_t>(i)]) * 255.0f + 0.5f;
      dst[i] = static_cast<std::uint8_t>(std::clamp(value, 0.0f, 255.0f));
    }
  }

  for (const PneumothoraxRegion& r : a.regions) {
    data::GrayImage mask = region_mask(a, r, size);
    if (std::none_of(mask.pixels.begin(), mask.pixels.end(), [](std::uint8_t m) { return m != 0; })) {
      // Thinner than a pixel at this size: keep the pixel at its middle.
      const LungShape& shape = a.lungs[r.lung];
      const double rad = shape.radius(r.theta) * (1 - r.depth / 2);
      const Point2 c = a.pose.to_canvas({shape.center().x + rad * std::cos(r.theta),
                                         shape.center().y + rad * std::sin(r.theta)});
      mask.at(std::clamp(static_cast<int>(c.x * size), 0, size - 1),
              std::clamp(static_cast<int>(c.y * size), 0, size - 1)) = 255;
    }
    out.regions.push_back(std::move(mask));
  }
  return out;
}

}  // namespace pn::synth
