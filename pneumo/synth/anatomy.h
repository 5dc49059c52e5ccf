#pragma once
// The random anatomy of one synthetic chest radiograph: every number the
// renderer (pneumo/synth/render.h) needs, drawn from one random stream.
//
// Frames.  The anatomy is laid out in the body frame: x to the right, y down,
// the image spanning [0, 1] in both, a PA view (the patient's right lung on the
// image's left).  The pose (shift, scale, rotation about the image centre)
// carries the body frame onto the canvas, the image as written.
//
// Nothing here claims anatomical accuracy: the shapes and densities are chosen
// so that the images read as chest X-rays at a glance, with the parts a
// segmentation model meets in the real ones (lungs, mediastinum, heart,
// diaphragm, ribs, clavicles, vessels) and the variation between patients and
// exposures.
#include <array>
#include <cstdint>
#include <vector>

#include "pneumo/augment/rng.h"
#include "pneumo/synth/lung_shape.h"

namespace pn::synth {

// Body frame -> canvas: canvas = c + scale * R(angle) * (body - c) + shift,
// c = (0.5, 0.5).
struct Pose {
  double shift_x = 0, shift_y = 0;
  double scale = 1;
  double angle = 0;  // radians, counter-clockwise on the screen
  Point2 to_canvas(Point2 body) const;
  Point2 to_body(Point2 canvas) const;
};

// A pneumothorax: the band of its lung between the outline (rho = 1) and
// rho = 1 - depth_at(theta), over the directions within half_width of theta.
// The band tapers to nothing at both ends, a crescent along the pleura.
struct PneumothoraxRegion {
  int lung = 0;            // 0: image left (patient's right); 1: image right
  double theta = 0;        // direction of its middle from the lung's centre
  double half_width = 0;   // radians, in (0, pi/2]
  double depth = 0;        // largest depth as a fraction of the radius, (0, 1)

  // depth * (1 - s^2)^0.6 for s = |theta - this->theta| / half_width < 1, else 0.
  double depth_at(double t) const;
  // Whether the point with polar coordinates (rho, t) of this region's lung
  // lies in the region.
  bool contains(double rho, double t) const {
    const double d = depth_at(t);
    return d > 0 && rho <= 1 && rho >= 1 - d;
  }
};

// One piece of a pulmonary vessel, a capsule in the body frame whose density
// falls off from its centre line as 1 - (distance / radius)^2.
struct VesselSegment {
  Point2 a, b;
  double radius = 0;    // body units
  double density = 0;   // at the centre line
};

// Posterior ribs of one side: rib k (0 = top) has its centre line at
//   y = first_y + k * spacing + k^2 * growth + curvature * ((t - peak)^2 - peak^2)
// where t = |x - spine x| is the distance from the spine.
struct Ribs {
  int count = 10;
  double first_y = 0.1, spacing = 0.055, growth = 0.001;
  double curvature = 1.5, peak = 0.08;
  double thickness = 0.0085;  // half the rib's height
  double density = 0.08;
};

struct ChestAnatomy {
  static constexpr int kTextureGrid = 40;  // lung texture: a grid of this many cells a side

  Pose pose;
  std::array<LungShape, 2> lungs;

  // Densities are attenuations added up along the ray; a full-thickness
  // torso is about 1.
  // The torso: half-width below the shoulders and at the neck; the shoulders
  // begin at shoulder_y.
  double body_half_width = 0.5, neck_half_width = 0.09, shoulder_y = 0.03;
  double soft_tissue = 1.0;
  double abdomen_density = 0.5;    // added below the diaphragm
  double lung_air = 0.65;          // removed at the lungs' deepest
  double mediastinum_x = 0.5;      // also the spine's centre
  double mediastinum_half_width = 0.055, mediastinum_density = 0.55;
  double aortic_knob = 0.03;       // how far the aortic arch bulges to the image's right
  Point2 heart_center{0.55, 0.6};
  double heart_rx = 0.14, heart_ry = 0.12, heart_density = 0.5;
  double breast_density = 0;       // soft tissue over the lower lateral lung zones
  Ribs ribs;
  double clavicle_y = 0.15;        // medial end
  double clavicle_density = 0.3;
  bool gastric_bubble = false;
  Point2 bubble_center{0.66, 0.76};
  std::vector<VesselSegment> vessels;
  double vessel_density = 0.14;    // scales every segment's density
  std::array<Point2, 2> hila{};    // where each lung's vessels start
  double hilum_density = 0.15;     // the hilar shadows there
  std::vector<float> texture;      // kTextureGrid^2 values in [-1, 1]
  double texture_density = 0.05;

  // Exposure: brightness b = 1 - exp(-gain * attenuation), then
  // ((b - window_lo) / (window_hi - window_lo))^gamma, plus a vertical ramp
  // (heel) and uniform pixel noise of standard deviation `noise` (fractions
  // of white) at 1024 pixels, noise * sqrt(size / 1024) below.
  double gain = 1.3, gamma = 1, window_lo = 0.02, window_hi = 0.97, heel = 0, noise = 0.012;

  // How a pneumothorax shows: extra lucency (attenuation removed) and the
  // density of the visceral pleural line that bounds it.
  double pneumothorax_lucency = 0.15, pleural_line = 0.12;
  std::vector<PneumothoraxRegion> regions;

  std::uint64_t noise_key = 0;  // the pixel noise is a function of this key
};

// Draws one anatomy with `regions` pneumothorax regions (0, 1 or 2).  Two
// regions never touch: they lie in different lungs, or in one lung over
// directions at least 20 degrees apart.
ChestAnatomy draw_anatomy(augment::Rng& rng, int regions);

}  // namespace pn::synth
