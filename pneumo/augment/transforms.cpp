#include "pneumo/augment/transforms.h"

#include <cmath>
#include <sstream>

#include "pneumo/augment/intensity.h"
#include "tensor/error.h"

namespace pn::augment {

namespace {

void check_range(const Range& r, const char* transform, const char* what) {
  PN_CHECK(std::isfinite(r.first) && std::isfinite(r.second) && r.first <= r.second, transform, ": ", what,
           " must be a finite range lo <= hi, got (", r.first, ", ", r.second, ")");
}

std::string range_text(const Range& r) {
  std::ostringstream os;
  os << "(" << r.first << ", " << r.second << ")";
  return os.str();
}

std::string sampling_text(const Sampling& s) {
  std::ostringstream os;
  os << "interpolation=" << interpolation_name(s.interpolation) << ", border_mode=" << border_mode_name(s.border_mode);
  if (s.border_mode == BorderMode::Constant) os << ", value=" << s.value[0] << ", mask_value=" << s.mask_value[0];
  return os.str();
}

double uniform(Rng& rng, const Range& r) { return rng.uniform(r.first, r.second); }

}  // namespace

// ---- HorizontalFlip ----------------------------------------------------------

void HorizontalFlip::apply(Sample& sample, Rng&) const {
  check_sample(sample);
  sample.image = hflip(sample.image);
  if (!sample.mask.empty()) sample.mask = hflip(sample.mask);
}

// ---- RandomBrightnessContrast ------------------------------------------------

RandomBrightnessContrast::RandomBrightnessContrast(Range brightness_limit, Range contrast_limit, double p,
                                                   bool always_apply)
    : BasicTransform(p, always_apply), brightness_(brightness_limit), contrast_(contrast_limit) {
  check_range(brightness_, "RandomBrightnessContrast", "brightness limit");
  check_range(contrast_, "RandomBrightnessContrast", "contrast limit");
}

void RandomBrightnessContrast::apply(Sample& sample, Rng& rng) const {
  check_sample(sample);
  const double alpha = 1.0 + uniform(rng, contrast_);
  const double beta = 0.0 + uniform(rng, brightness_);
  sample.image = brightness_contrast(sample.image, alpha, beta);
}

std::string RandomBrightnessContrast::parameters() const {
  return "brightness_limit=" + range_text(brightness_) + ", contrast_limit=" + range_text(contrast_);
}

// ---- RandomGamma -------------------------------------------------------------

RandomGamma::RandomGamma(int lo, int hi, double p, bool always_apply) : BasicTransform(p, always_apply), lo_(lo), hi_(hi) {
  PN_CHECK(lo > 0 && lo <= hi, "RandomGamma: gamma_limit must be integers 0 < lo <= hi, got (", lo, ", ", hi, ")");
}

void RandomGamma::apply(Sample& sample, Rng& rng) const {
  check_sample(sample);
  const double gamma = static_cast<double>(rng.randint(lo_, hi_)) / 100.0;
  sample.image = gamma_transform(sample.image, gamma);
}

std::string RandomGamma::parameters() const {
  std::ostringstream os;
  os << "gamma_limit=(" << lo_ << ", " << hi_ << ")";
  return os.str();
}

// ---- ShiftScaleRotate --------------------------------------------------------

ShiftScaleRotate::ShiftScaleRotate(Range shift_limit, Range scale_limit, Range rotate_limit, Sampling sampling,
                                   double p, bool always_apply)
    : BasicTransform(p, always_apply), shift_(shift_limit), scale_(scale_limit), rotate_(rotate_limit),
      sampling_(sampling) {
  check_range(shift_, "ShiftScaleRotate", "shift limit");
  check_range(scale_, "ShiftScaleRotate", "scale range");
  check_range(rotate_, "ShiftScaleRotate", "rotate limit");
  PN_CHECK(scale_.first > 0, "ShiftScaleRotate: the scale range (", scale_.first, ", ", scale_.second,
           ") must stay above 0 (scale_limit > -1)");
}

void ShiftScaleRotate::apply(Sample& sample, Rng& rng) const {
  check_sample(sample);
  const double angle = uniform(rng, rotate_);
  const double scale = uniform(rng, scale_);
  const double dx = uniform(rng, shift_);
  const double dy = uniform(rng, shift_);
  const Affine m = shift_scale_rotate_matrix(sample.image.width, sample.image.height, angle, scale, dx, dy);
  sample.image = warp_affine(sample.image, m, sample.image.width, sample.image.height, sampling_.interpolation,
                             sampling_.image_border());
  if (!sample.mask.empty()) {
    sample.mask = warp_affine(sample.mask, m, sample.mask.width, sample.mask.height, Interpolation::Nearest,
                              sampling_.mask_border());
  }
}

std::string ShiftScaleRotate::parameters() const {
  return "shift_limit=" + range_text(shift_) + ", scale=" + range_text(scale_) + ", rotate_limit=" +
         range_text(rotate_) + ", " + sampling_text(sampling_);
}

// ---- OpticalDistortion -------------------------------------------------------

OpticalDistortion::OpticalDistortion(Range distort_limit, Range shift_limit, Sampling sampling, double p,
                                     bool always_apply)
    : BasicTransform(p, always_apply), distort_(distort_limit), shift_(shift_limit), sampling_(sampling) {
  check_range(distort_, "OpticalDistortion", "distort limit");
  check_range(shift_, "OpticalDistortion", "shift limit");
}

void OpticalDistortion::apply(Sample& sample, Rng& rng) const {
  check_sample(sample);
  const double k = uniform(rng, distort_);
  const double dx = std::nearbyint(uniform(rng, shift_));  // Python's round(): half to even
  const double dy = std::nearbyint(uniform(rng, shift_));
  const Maps maps = optical_distortion_maps(sample.image.width, sample.image.height, k, dx, dy);
  sample.image = apply_maps(sample.image, maps, sampling_.interpolation, sampling_.image_border());
  if (!sample.mask.empty()) {
    sample.mask = apply_maps(sample.mask, maps, Interpolation::Nearest, sampling_.mask_border());
  }
}

std::string OpticalDistortion::parameters() const {
  return "distort_limit=" + range_text(distort_) + ", shift_limit=" + range_text(shift_) + ", " +
         sampling_text(sampling_);
}

// ---- GridDistortion ----------------------------------------------------------

GridDistortion::GridDistortion(int num_steps, Range distort_limit, Sampling sampling, double p, bool always_apply)
    : BasicTransform(p, always_apply), num_steps_(num_steps), distort_(distort_limit), sampling_(sampling) {
  PN_CHECK(num_steps >= 1, "GridDistortion: num_steps must be >= 1, got ", num_steps);
  check_range(distort_, "GridDistortion", "distort limit");
}

void GridDistortion::apply(Sample& sample, Rng& rng) const {
  check_sample(sample);
  std::vector<double> xs(static_cast<std::size_t>(num_steps_) + 1), ys(xs.size());
  for (double& v : xs) v = 1 + uniform(rng, distort_);
  for (double& v : ys) v = 1 + uniform(rng, distort_);
  const Maps maps = grid_distortion_maps(sample.image.width, sample.image.height, num_steps_, xs, ys);
  sample.image = apply_maps(sample.image, maps, sampling_.interpolation, sampling_.image_border());
  if (!sample.mask.empty()) {
    sample.mask = apply_maps(sample.mask, maps, Interpolation::Nearest, sampling_.mask_border());
  }
}

std::string GridDistortion::parameters() const {
  std::ostringstream os;
  os << "num_steps=" << num_steps_ << ", distort_limit=" << range_text(distort_) << ", " << sampling_text(sampling_);
  return os.str();
}

// ---- ElasticTransform --------------------------------------------------------

ElasticTransform::ElasticTransform(ElasticParams params, Sampling sampling, double p, bool always_apply)
    : BasicTransform(p, always_apply), params_(params), sampling_(sampling) {
  PN_CHECK(std::isfinite(params.alpha) && std::isfinite(params.sigma) && params.sigma >= 0 &&
               std::isfinite(params.alpha_affine) && params.alpha_affine >= 0,
           "ElasticTransform: needs finite alpha, sigma >= 0 and alpha_affine >= 0, got alpha=", params.alpha,
           " sigma=", params.sigma, " alpha_affine=", params.alpha_affine);
  PN_CHECK(!params.approximate || params.sigma > 0, "ElasticTransform: approximate=true needs sigma > 0");
}

void ElasticTransform::apply(Sample& sample, Rng& rng) const {
  check_sample(sample);
  Rng state = rng.fork();
  const ElasticNoise noise = draw_elastic_noise(state, sample.image.width, sample.image.height, params_.alpha_affine);
  const ElasticWarp warp = elastic_warp(sample.image.width, sample.image.height, params_, noise);
  sample.image = apply_elastic(sample.image, warp, sampling_.interpolation, sampling_.image_border());
  if (!sample.mask.empty()) {
    sample.mask = apply_elastic(sample.mask, warp, Interpolation::Nearest, sampling_.mask_border());
  }
}

std::string ElasticTransform::parameters() const {
  std::ostringstream os;
  os << "alpha=" << params_.alpha << ", sigma=" << params_.sigma << ", alpha_affine=" << params_.alpha_affine
     << ", approximate=" << (params_.approximate ? "true" : "false") << ", " << sampling_text(sampling_);
  return os.str();
}

// ---- Resize ------------------------------------------------------------------

Resize::Resize(int height, int width, Interpolation interpolation, double p, bool always_apply)
    : BasicTransform(p, always_apply), height_(height), width_(width), interpolation_(interpolation) {
  PN_CHECK(height >= 1 && width >= 1, "Resize: height and width must be >= 1, got ", height, "x", width);
}

void Resize::apply(Sample& sample, Rng&) const {
  check_sample(sample);
  sample.image = resize(sample.image, width_, height_, interpolation_);
  if (!sample.mask.empty()) sample.mask = resize(sample.mask, width_, height_, Interpolation::Nearest);
}

std::string Resize::parameters() const {
  std::ostringstream os;
  os << "height=" << height_ << ", width=" << width_ << ", interpolation=" << interpolation_name(interpolation_);
  return os.str();
}

// ---- Normalize ---------------------------------------------------------------

Normalize::Normalize(std::vector<double> mean, std::vector<double> std, double max_pixel_value, double p,
                     bool always_apply)
    : BasicTransform(p, always_apply), mean_(std::move(mean)), std_(std::move(std)), max_pixel_value_(max_pixel_value) {
  PN_CHECK(!mean_.empty() && mean_.size() == std_.size(), "Normalize: needs as many means as standard deviations, got ",
           mean_.size(), " and ", std_.size());
  PN_CHECK(std::isfinite(max_pixel_value) && max_pixel_value > 0, "Normalize: max_pixel_value must be > 0, got ",
           max_pixel_value);
  for (std::size_t i = 0; i < mean_.size(); ++i) {
    PN_CHECK(std::isfinite(mean_[i]) && std::isfinite(std_[i]) && std_[i] != 0, "Normalize: bad mean ", mean_[i],
             " or std ", std_[i]);
  }
}

void Normalize::apply(Sample& sample, Rng&) const {
  check_sample(sample);
  sample.normalized = normalize(sample.image, mean_, std_, max_pixel_value_);
}

std::string Normalize::parameters() const {
  std::ostringstream os;
  os << "mean=(";
  for (std::size_t i = 0; i < mean_.size(); ++i) os << (i ? ", " : "") << mean_[i];
  os << "), std=(";
  for (std::size_t i = 0; i < std_.size(); ++i) os << (i ? ", " : "") << std_[i];
  os << "), max_pixel_value=" << max_pixel_value_;
  return os.str();
}

}  // namespace pn::augment
