#pragma once
// The albumentations 0.3.1 transforms of the reference's pipelines, with
// their parameter sampling (get_params, in the same order of draws) on top of
// the fixed-parameter functions of geometric.h and intensity.h.
//
// Ranges are (lo, hi) pairs as albumentations' to_tuple leaves them; uniform
// draws are lo + (hi - lo) * u (Python's random.uniform), integer draws are
// inclusive (random.randint).  Geometric transforms move the image with their
// interpolation and border value and the mask with nearest neighbour and
// mask_value; intensity transforms leave the mask alone.
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "pneumo/augment/geometric.h"
#include "pneumo/augment/transform.h"
#include "pneumo/augment/warp.h"

namespace pn::augment {

using Range = std::pair<double, double>;

// How a geometric transform samples: interpolation of the image (the mask
// always uses nearest), border mode, and the constant border values of image
// and mask (albumentations' value and mask_value; null means 0).
struct Sampling {
  Interpolation interpolation = Interpolation::Linear;
  BorderMode border_mode = BorderMode::Reflect101;
  std::array<double, 4> value{};
  std::array<double, 4> mask_value{};
  Border image_border() const { return {border_mode, value}; }
  Border mask_border() const { return {border_mode, mask_value}; }
};

class HorizontalFlip final : public BasicTransform {
 public:
  explicit HorizontalFlip(double p = 0.5, bool always_apply = false) : BasicTransform(p, always_apply) {}
  std::string name() const override { return "HorizontalFlip"; }

 protected:
  void apply(Sample& sample, Rng& rng) const override;
  std::string parameters() const override { return ""; }
};

// RandomBrightnessContrast and its two 0.3.1 special cases: alpha = 1 +
// uniform(contrast), then beta = uniform(brightness); RandomContrast has
// brightness (0, 0), RandomBrightness contrast (0, 0) (both still draw).
class RandomBrightnessContrast : public BasicTransform {
 public:
  RandomBrightnessContrast(Range brightness_limit, Range contrast_limit, double p = 0.5, bool always_apply = false);
  std::string name() const override { return "RandomBrightnessContrast"; }

 protected:
  void apply(Sample& sample, Rng& rng) const override;
  std::string parameters() const override;
  Range brightness_, contrast_;
};

class RandomContrast final : public RandomBrightnessContrast {
 public:
  explicit RandomContrast(Range limit, double p = 0.5, bool always_apply = false)
      : RandomBrightnessContrast({0, 0}, limit, p, always_apply) {}
  std::string name() const override { return "RandomContrast"; }
};

class RandomBrightness final : public RandomBrightnessContrast {
 public:
  explicit RandomBrightness(Range limit, double p = 0.5, bool always_apply = false)
      : RandomBrightnessContrast(limit, {0, 0}, p, always_apply) {}
  std::string name() const override { return "RandomBrightness"; }
};

// gamma = randint(lo, hi) / 100.  Requires 0 < lo <= hi.
class RandomGamma final : public BasicTransform {
 public:
  RandomGamma(int lo, int hi, double p = 0.5, bool always_apply = false);
  std::string name() const override { return "RandomGamma"; }

 protected:
  void apply(Sample& sample, Rng& rng) const override;
  std::string parameters() const override;

 private:
  int lo_, hi_;
};

// angle = uniform(rotate), scale = uniform(scale) (the range already biased
// by 1, e.g. (0.9, 1.1)), dx = uniform(shift), dy = uniform(shift).
class ShiftScaleRotate final : public BasicTransform {
 public:
  ShiftScaleRotate(Range shift_limit, Range scale_limit, Range rotate_limit, Sampling sampling, double p = 0.5,
                   bool always_apply = false);
  std::string name() const override { return "ShiftScaleRotate"; }

 protected:
  void apply(Sample& sample, Rng& rng) const override;
  std::string parameters() const override;

 private:
  Range shift_, scale_, rotate_;
  Sampling sampling_;
};

// k = uniform(distort), dx = round(uniform(shift)), dy = round(uniform(shift))
// with Python's round (half to even).
class OpticalDistortion final : public BasicTransform {
 public:
  OpticalDistortion(Range distort_limit, Range shift_limit, Sampling sampling, double p = 0.5,
                    bool always_apply = false);
  std::string name() const override { return "OpticalDistortion"; }

 protected:
  void apply(Sample& sample, Rng& rng) const override;
  std::string parameters() const override;

 private:
  Range distort_, shift_;
  Sampling sampling_;
};

// stepsx[i] = 1 + uniform(distort) for i <= num_steps, then stepsy likewise.
class GridDistortion final : public BasicTransform {
 public:
  // Requires num_steps >= 1.
  GridDistortion(int num_steps, Range distort_limit, Sampling sampling, double p = 0.5, bool always_apply = false);
  std::string name() const override { return "GridDistortion"; }

 protected:
  void apply(Sample& sample, Rng& rng) const override;
  std::string parameters() const override;

 private:
  int num_steps_;
  Range distort_;
  Sampling sampling_;
};

// The random state of albumentations (a numpy RandomState seeded by
// randint(0, 10000)) becomes a forked stream of our Rng; the noise drawn from
// it (geometric.h ElasticNoise) is computed once and moves image and mask.
class ElasticTransform final : public BasicTransform {
 public:
  ElasticTransform(ElasticParams params, Sampling sampling, double p = 0.5, bool always_apply = false);
  std::string name() const override { return "ElasticTransform"; }

 protected:
  void apply(Sample& sample, Rng& rng) const override;
  std::string parameters() const override;

 private:
  ElasticParams params_;
  Sampling sampling_;
};

// cv2.resize to width x height (the image with `interpolation`, the mask nearest).
class Resize final : public BasicTransform {
 public:
  // Requires width, height >= 1.
  Resize(int height, int width, Interpolation interpolation = Interpolation::Linear, double p = 1,
         bool always_apply = false);
  std::string name() const override { return "Resize"; }

 protected:
  void apply(Sample& sample, Rng& rng) const override;
  std::string parameters() const override;

 private:
  int height_, width_;
  Interpolation interpolation_;
};

// Sets sample.normalized (intensity.h normalize); the 8-bit image is kept
// unchanged (the `pneumo augment` preview shows it).
class Normalize final : public BasicTransform {
 public:
  Normalize(std::vector<double> mean, std::vector<double> std, double max_pixel_value = 255.0, double p = 1.0,
            bool always_apply = false);
  std::string name() const override { return "Normalize"; }

 protected:
  void apply(Sample& sample, Rng& rng) const override;
  std::string parameters() const override;

 private:
  std::vector<double> mean_, std_;
  double max_pixel_value_;
};

}  // namespace pn::augment
