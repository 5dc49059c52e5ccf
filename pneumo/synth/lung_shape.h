#pragma once
// A lung field's outline in the synthetic radiographs: a closed curve that is
// star-shaped around a centre, stored as its radius in every direction.
//
// Coordinates are the body frame of pneumo/synth/anatomy.h: x to the right, y
// down, the image spanning [0, 1] in both.  Directions are
// theta = atan2(y - cy, x - cx), so -pi/2 points up, 0 to the right (the
// image's right) and pi to the left.
//
// Every point p gets rho(p) = |p - centre| / radius(theta(p)): below 1 inside,
// 1 on the outline.  rho is what the renderer shades the lung with and what
// the pneumothorax regions are cut from (a band 1 - depth <= rho <= 1 along
// part of the outline), so the masks lie inside the lung by construction.
#include <array>
#include <span>

namespace pn::synth {

struct Point2 {
  double x = 0;
  double y = 0;
};

class LungShape {
 public:
  // Directions tabulated over [-pi, pi).
  static constexpr int kDirections = 512;

  LungShape() = default;
  // The closed Catmull-Rom spline through `outline` (at least 3 points, in
  // order around `center`, either way round).  Requires the spline to be
  // star-shaped around `center` (every ray from it meets the curve once);
  // throws pn::Error when a direction has no crossing.
  LungShape(Point2 center, std::span<const Point2> outline);

  Point2 center() const { return center_; }
  // Radius in direction theta (radians, any value), linear between the
  // tabulated directions.
  double radius(double theta) const;
  // The largest radius over all directions.
  double max_radius() const { return max_radius_; }
  // The outline's bounding box.
  Point2 min_corner() const { return min_; }
  Point2 max_corner() const { return max_; }

  // rho and theta of point (x, y): see the header comment.
  struct Polar {
    double rho;
    double theta;
  };
  Polar polar(double x, double y) const;

 private:
  Point2 center_;
  std::array<float, kDirections> radius_{};
  double max_radius_ = 0;
  Point2 min_, max_;
};

// atan2(y, x) within 1e-5 radians, several times faster than std::atan2
// (the renderer calls it for most pixels).  (0, 0) gives 0.
double fast_atan2(double y, double x);

// Smallest signed difference a - b of two angles, in [-pi, pi).
double angle_difference(double a, double b);

}  // namespace pn::synth
