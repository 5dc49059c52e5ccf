#include "pneumo/synth/lung_shape.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "tensor/error.h"

namespace pn::synth {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr int kSamplesPerSpan = 16;

// Uniform Catmull-Rom between p1 and p2 at t in [0, 1].
Point2 catmull_rom(Point2 p0, Point2 p1, Point2 p2, Point2 p3, double t) {
  const double t2 = t * t, t3 = t2 * t;
  auto blend = [&](double a, double b, double c, double d) {
    return 0.5 * (2 * b + (c - a) * t + (2 * a - 5 * b + 4 * c - d) * t2 + (3 * b - a - 3 * c + d) * t3);
  };
  return {blend(p0.x, p1.x, p2.x, p3.x), blend(p0.y, p1.y, p2.y, p3.y)};
}

// Distance along the ray centre + t * (cos, sin) to the segment a-b; negative
// when the ray misses it.
double ray_hit(Point2 c, double dx, double dy, Point2 a, Point2 b) {
  const double ex = b.x - a.x, ey = b.y - a.y;
  const double denom = dx * ey - dy * ex;
  if (std::abs(denom) < 1e-15) return -1;
  const double ax = a.x - c.x, ay = a.y - c.y;
  const double t = (ax * ey - ay * ex) / denom;
  const double s = (ax * dy - ay * dx) / denom;
  return s >= 0 && s <= 1 ? t : -1;
}

}  // namespace

double fast_atan2(double y, double x) {
  const double ax = std::abs(x), ay = std::abs(y);
  const double big = std::max(ax, ay);
  if (big == 0) return 0;
  // atan on [0, 1] by a minimax polynomial in z^2 (error below 1e-5).
  const double z = std::min(ax, ay) / big, z2 = z * z;
  double r = z * (0.99997726 + z2 * (-0.33262347 + z2 * (0.19354346 + z2 * (-0.11643287 +
                                                     z2 * (0.05265332 + z2 * -0.01172120)))));
  if (ay > ax) r = kPi / 2 - r;
  if (x < 0) r = kPi - r;
  return y < 0 ? -r : r;
}

double angle_difference(double a, double b) {
  double d = std::fmod(a - b + kPi, 2 * kPi);
  if (d < 0) d += 2 * kPi;
  return d - kPi;
}

LungShape::LungShape(Point2 center, std::span<const Point2> outline) : center_(center) {
  const std::size_t n = outline.size();
  PN_CHECK(n >= 3, "LungShape: an outline needs at least 3 points, got ", n);
  std::vector<Point2> curve;
  curve.reserve(n * kSamplesPerSpan);
  for (std::size_t i = 0; i < n; ++i) {
    const Point2 p0 = outline[(i + n - 1) % n], p1 = outline[i], p2 = outline[(i + 1) % n],
                 p3 = outline[(i + 2) % n];
    for (int k = 0; k < kSamplesPerSpan; ++k) curve.push_back(catmull_rom(p0, p1, p2, p3, double(k) / kSamplesPerSpan));
  }
  // Each edge of the sampled curve is hit by the rays of the directions it
  // spans as seen from the centre (the shorter way round), and by no other:
  // visit just those (and one more each side, for directions that fall on a
  // vertex), keeping the farthest hit of each direction.
  std::array<double, kDirections> r;
  r.fill(-1);
  const double per_radian = kDirections / (2 * kPi);
  for (std::size_t i = 0; i < curve.size(); ++i) {
    const Point2 a = curve[i], b = curve[(i + 1) % curve.size()];
    const double ta = std::atan2(a.y - center.y, a.x - center.x);
    const double span = angle_difference(std::atan2(b.y - center.y, b.x - center.x), ta);
    const auto first = static_cast<int>(std::ceil((ta + std::min(0.0, span) + kPi) * per_radian));
    const auto last = static_cast<int>(std::floor((ta + std::max(0.0, span) + kPi) * per_radian));
    for (int k = first - 1; k <= last + 1; ++k) {
      const int d = ((k % kDirections) + kDirections) % kDirections;
      const double theta = -kPi + 2 * kPi * d / kDirections;
      r[d] = std::max(r[d], ray_hit(center, std::cos(theta), std::sin(theta), a, b));
    }
  }
  for (int d = 0; d < kDirections; ++d) {
    PN_CHECK(r[d] > 0, "LungShape: the outline is not star-shaped around (", center.x, ", ", center.y,
             "): no crossing in direction ", -kPi + 2 * kPi * d / kDirections);
    radius_[d] = static_cast<float>(r[d]);
    max_radius_ = std::max(max_radius_, r[d]);
  }
  min_ = max_ = center;
  for (const Point2& p : curve) {
    min_ = {std::min(min_.x, p.x), std::min(min_.y, p.y)};
    max_ = {std::max(max_.x, p.x), std::max(max_.y, p.y)};
  }
}

double LungShape::radius(double theta) const {
  double f = (theta + kPi) * (kDirections / (2 * kPi));
  f -= kDirections * std::floor(f / kDirections);
  const int i = std::min(static_cast<int>(f), kDirections - 1);
  const double w = f - i;
  return (1 - w) * radius_[i] + w * radius_[(i + 1) % kDirections];
}

LungShape::Polar LungShape::polar(double x, double y) const {
  const double dx = x - center_.x, dy = y - center_.y;
  const double theta = fast_atan2(dy, dx);
  return {std::sqrt(dx * dx + dy * dy) / radius(theta), theta};
}

}  // namespace pn::synth
