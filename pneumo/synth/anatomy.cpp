#include "pneumo/synth/anatomy.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "tensor/error.h"

namespace pn::synth {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kDeg = kPi / 180;

// Mean outlines of the two lung fields (body frame, clockwise on the screen
// from the apex) and the centres they are star-shaped around.  The image's
// left lung (the patient's right) has the higher dome; the other one gives
// way to the heart at its lower medial edge.
constexpr Point2 kCenter[2] = {{0.27, 0.43}, {0.75, 0.45}};
constexpr Point2 kOutline0[] = {
    {0.30, 0.12}, {0.39, 0.17}, {0.43, 0.33}, {0.44, 0.52}, {0.42, 0.64}, {0.31, 0.62},
    {0.19, 0.69}, {0.10, 0.77}, {0.085, 0.58}, {0.10, 0.40}, {0.15, 0.22}, {0.21, 0.14}};
// The image's right lung; its lower medial points follow the heart.
constexpr Point2 kOutline1[] = {
    {0.70, 0.13}, {0.79, 0.15}, {0.85, 0.23}, {0.90, 0.41}, {0.915, 0.60}, {0.90, 0.79},
    {0.82, 0.74}, {0, 0}, {0, 0}, {0, 0}, {0.575, 0.35}, {0.61, 0.18}};
constexpr int kHeartPoints[2] = {8, 9};

// Directions (from the lung's centre) of its lateral edge and of its apex.
double lateral(int lung) { return lung == 0 ? kPi : 0.0; }
constexpr double kUp = -kPi / 2;

// The mean outline, its medial edge moved to the heart's border (the heart is
// drawn first).
std::vector<Point2> mean_outline(const ChestAnatomy& a, int lung) {
  const Point2 h = a.heart_center;
  if (lung == 0) {
    std::vector<Point2> pts(std::begin(kOutline0), std::end(kOutline0));
    const double border = std::clamp(h.x - 0.7 * a.heart_rx - 0.012, 0.41, 0.45);
    pts[3].x = border;
    pts[4].x = border - 0.02;
    return pts;
  }
  std::vector<Point2> pts(std::begin(kOutline1), std::end(kOutline1));
  // The heart's border (render.cpp) at its apex and half-way up, and the
  // dome beside the apex.
  pts[kHeartPoints[0] - 1] = {h.x + a.heart_rx + 0.06, 0.7};
  pts[kHeartPoints[0]] = {h.x + a.heart_rx + 0.005, h.y + 0.55 * a.heart_ry};
  pts[kHeartPoints[1]] = {h.x + 0.73 * a.heart_rx + 0.005, h.y - 0.5 * a.heart_ry};
  return pts;
}

LungShape draw_lung(augment::Rng& rng, const ChestAnatomy& a, int lung) {
  const Point2 c = kCenter[lung];
  const double sx = rng.uniform(0.95, 1.05), sy = rng.uniform(0.95, 1.05);
  std::vector<Point2> pts;
  for (const Point2& p : mean_outline(a, lung)) {
    pts.push_back({c.x + sx * (p.x - c.x) + rng.uniform(-0.01, 0.01),
                   c.y + sy * (p.y - c.y) + rng.uniform(-0.01, 0.01)});
  }
  return LungShape(c, pts);
}

// A vessel and, recursively, its branches until they leave the lung or become
// too fine to show: each segment ends in a continuation (slightly thinner,
// wandering a little) and a side branch (thinner, shorter, turned away).
void grow_vessel(augment::Rng& rng, const LungShape& lung, Point2 from, double direction,
                 double length, double radius, double density, std::vector<VesselSegment>& out) {
  const Point2 to{from.x + length * std::cos(direction), from.y + length * std::sin(direction)};
  out.push_back({from, to, radius, density});
  if (radius < 0.0006 || lung.polar(to.x, to.y).rho > 0.97) return;
  const double side = rng.uniform() < 0.5 ? -1 : 1;
  grow_vessel(rng, lung, to, direction + rng.uniform(-0.3, 0.3), length * rng.uniform(0.85, 0.97),
              radius * rng.uniform(0.84, 0.9), density * 0.96, out);
  if (rng.uniform() < 0.8) {
    grow_vessel(rng, lung, to, direction + side * rng.uniform(0.4, 1.0), length * rng.uniform(0.7, 0.9),
                radius * rng.uniform(0.55, 0.72), density * 0.85, out);
  }
}

void draw_vessels(augment::Rng& rng, ChestAnatomy& a) {
  for (int lung = 0; lung < 2; ++lung) {
    const LungShape& shape = a.lungs[lung];
    const double medial = lung == 0 ? 1 : -1;
    const Point2 hilum{shape.center().x + medial * rng.uniform(0.09, 0.11),
                       shape.center().y + rng.uniform(0.0, 0.04)};
    a.hila[lung] = hilum;
    const int trunks = 7;
    for (int k = 0; k < trunks; ++k) {
      // Fan out from the hilum over the directions away from the mediastinum.
      const double s = -1 + 2.0 * (k + 0.5) / trunks;
      const double dir = lateral(lung) + s * 120 * kDeg + rng.uniform(-10, 10) * kDeg;
      const Point2 root{hilum.x + rng.uniform(-0.02, 0.02), hilum.y + rng.uniform(-0.03, 0.03)};
      grow_vessel(rng, shape, root, dir, rng.uniform(0.022, 0.03), rng.uniform(0.005, 0.0065),
                  rng.uniform(0.85, 1.0), a.vessels);
    }
  }
}

// A region centred on direction `center`.  Its window keeps 30 degrees from
// the medial direction (the mediastinum) and 35 from straight down (the
// diaphragm): a pneumothorax of an upright chest gathers apically and
// laterally.
PneumothoraxRegion draw_region(augment::Rng& rng, int lung, double center, double max_half_width) {
  const double medial = lateral(1 - lung);
  const double limit = std::min({max_half_width, std::abs(angle_difference(center, medial)) - 30 * kDeg,
                                 std::abs(angle_difference(center, kPi / 2)) - 35 * kDeg});
  PN_CHECK(limit > 0, "synth::draw_region: no room for a region centred at ", center / kDeg, " degrees");
  PneumothoraxRegion r;
  r.lung = lung;
  r.theta = center;
  r.half_width = rng.uniform(std::min(25 * kDeg, limit), limit);
  // Small, medium and large, as fractions of the lung's radius.
  const double size = rng.uniform();
  r.depth = size < 0.35 ? rng.uniform(0.08, 0.15) : size < 0.75 ? rng.uniform(0.15, 0.28) : rng.uniform(0.28, 0.5);
  return r;
}

// The middle of a single region: apical, apicolateral or lateral.
double draw_site(augment::Rng& rng, int lung) {
  const double toward_lateral = lung == 0 ? -1 : 1;  // from up, which way is lateral
  const double site = rng.uniform();
  const double base = site < 0.35 ? kUp : site < 0.7 ? kUp + toward_lateral * 45 * kDeg : lateral(lung);
  return base + rng.uniform(-15, 15) * kDeg;
}

}  // namespace

Point2 Pose::to_canvas(Point2 p) const {
  const double c = std::cos(angle), s = std::sin(angle);
  const double dx = p.x - 0.5, dy = p.y - 0.5;
  // Counter-clockwise on the screen is clockwise in y-down coordinates.
  return {0.5 + scale * (c * dx + s * dy) + shift_x, 0.5 + scale * (-s * dx + c * dy) + shift_y};
}

Point2 Pose::to_body(Point2 p) const {
  const double c = std::cos(angle), s = std::sin(angle);
  const double dx = (p.x - 0.5 - shift_x) / scale, dy = (p.y - 0.5 - shift_y) / scale;
  return {0.5 + c * dx - s * dy, 0.5 + s * dx + c * dy};
}

double PneumothoraxRegion::depth_at(double t) const {
  const double s = angle_difference(t, theta) / half_width;
  return s * s < 1 ? depth * std::pow(1 - s * s, 0.6) : 0.0;
}

ChestAnatomy draw_anatomy(augment::Rng& rng, int regions) {
  PN_CHECK(regions >= 0 && regions <= 2, "synth::draw_anatomy: regions must be 0, 1 or 2, got ", regions);
  ChestAnatomy a;
  a.pose.shift_x = rng.uniform(-0.035, 0.035);
  a.pose.shift_y = rng.uniform(-0.03, 0.03);
  a.pose.scale = rng.uniform(0.9, 1.05);
  a.pose.angle = rng.uniform(-4, 4) * kDeg;

  a.body_half_width = rng.uniform(0.47, 0.56);
  a.neck_half_width = rng.uniform(0.08, 0.1);
  a.shoulder_y = rng.uniform(-0.06, 0.0);
  a.soft_tissue = rng.uniform(0.72, 0.86);
  a.abdomen_density = rng.uniform(0.42, 0.55);
  a.lung_air = rng.uniform(0.45, 0.55);
  a.mediastinum_x = 0.5 + rng.uniform(-0.01, 0.01);
  a.mediastinum_half_width = rng.uniform(0.045, 0.06);
  a.mediastinum_density = rng.uniform(0.52, 0.64);
  a.aortic_knob = rng.uniform(0.015, 0.035);
  a.heart_center = {0.555 + rng.uniform(-0.015, 0.02), 0.6 + rng.uniform(-0.02, 0.02)};
  a.heart_rx = rng.uniform(0.13, 0.17);
  a.heart_ry = rng.uniform(0.11, 0.14);
  a.heart_density = rng.uniform(0.52, 0.64);
  for (int lung = 0; lung < 2; ++lung) a.lungs[lung] = draw_lung(rng, a, lung);
  a.breast_density = rng.uniform() < 0.45 ? rng.uniform(0.05, 0.15) : 0.0;
  a.ribs.first_y = rng.uniform(0.09, 0.12);
  a.ribs.spacing = rng.uniform(0.05, 0.058);
  a.ribs.growth = rng.uniform(0.0008, 0.0018);
  a.ribs.curvature = rng.uniform(1.4, 2.0);
  a.ribs.peak = rng.uniform(0.06, 0.09);
  a.ribs.thickness = rng.uniform(0.0075, 0.0095);
  a.ribs.density = rng.uniform(0.06, 0.1);
  a.clavicle_y = rng.uniform(0.17, 0.21);
  a.clavicle_density = rng.uniform(0.12, 0.18);
  a.gastric_bubble = rng.uniform() < 0.5;
  a.bubble_center = {0.68 + rng.uniform(-0.03, 0.03), 0.765 + rng.uniform(-0.015, 0.015)};

  draw_vessels(rng, a);
  a.vessel_density = rng.uniform(0.13, 0.2);
  a.hilum_density = rng.uniform(0.12, 0.2);
  a.texture.resize(ChestAnatomy::kTextureGrid * ChestAnatomy::kTextureGrid);
  for (float& v : a.texture) v = static_cast<float>(rng.uniform(-1, 1));
  a.texture_density = rng.uniform(0.05, 0.09);

  a.gain = rng.uniform(1.05, 1.35);
  a.gamma = rng.uniform(0.85, 1.2);
  a.window_lo = rng.uniform(0.0, 0.08);
  a.window_hi = rng.uniform(0.9, 1.0);
  a.heel = rng.uniform(-0.05, 0.05);
  a.noise = rng.uniform(0.008, 0.02);
  a.pneumothorax_lucency = rng.uniform(0.12, 0.22);
  a.pleural_line = rng.uniform(0.08, 0.16);

  if (regions >= 1) {
    const int lung = static_cast<int>(rng.randint(0, 1));
    if (regions == 1) {
      a.regions.push_back(draw_region(rng, lung, draw_site(rng, lung), 80 * kDeg));
    } else if (rng.uniform() < 0.5) {
      // One in each lung.
      for (int l : {lung, 1 - lung}) a.regions.push_back(draw_region(rng, l, draw_site(rng, l), 60 * kDeg));
    } else {
      // Apical (within 5 degrees of up) and lower lateral (15 to 25 degrees
      // below lateral) in one lung, at most 35 degrees wide each side: their
      // windows stay at least 20 degrees apart.
      const double toward_lateral = lung == 0 ? -1 : 1;
      a.regions.push_back(draw_region(rng, lung, kUp + toward_lateral * rng.uniform(-5, 5) * kDeg, 35 * kDeg));
      a.regions.push_back(
          draw_region(rng, lung, lateral(lung) + toward_lateral * rng.uniform(15, 25) * kDeg, 35 * kDeg));
    }
  }
  a.noise_key = rng.bits();
  return a;
}

}  // namespace pn::synth
