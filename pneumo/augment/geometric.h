#pragma once
// The geometric augmentations of albumentations 0.3.1 for FIXED parameters:
// albumentations.augmentations.functional's hflip, shift_scale_rotate,
// optical_distortion, grid_distortion and elastic_transform, operation for
// operation (the same float32 / float64 steps, the same OpenCV calls through
// warp.h), so that the same parameters give the same pixels.
//
// Each transform is split into "the coordinates" (a matrix or a pair of
// maps, a pure function of the parameters and the image size) and "the
// sampling" (warp.h), so a transform's coordinates are computed once and used
// for both the image (its interpolation) and the mask (nearest), as the
// reference's separate calls with the same parameters amount to.
#include <array>
#include <vector>

#include "pneumo/augment/image.h"
#include "pneumo/augment/rng.h"
#include "pneumo/augment/warp.h"

namespace pn::augment {

// Mirror left-right (F.hflip).
Image hflip(const Image& image);

// A remap's two maps: destination pixel i samples (x[i], y[i]).
struct Maps {
  int width = 0, height = 0;
  std::vector<float> x, y;
};
Image apply_maps(const Image& image, const Maps& maps, Interpolation interpolation, const Border& border);

// ---- ShiftScaleRotate -------------------------------------------------------
// F.shift_scale_rotate: cv2.getRotationMatrix2D((width / 2, height / 2),
// angle in degrees (counter-clockwise), scale), then the translation
// (dx * width, dy * height) added to its last column; the result maps source
// to destination positions.
Affine shift_scale_rotate_matrix(int width, int height, double angle, double scale, double dx, double dy);
Image shift_scale_rotate(const Image& image, double angle, double scale, double dx, double dy,
                         Interpolation interpolation, const Border& border);

// ---- OpticalDistortion ------------------------------------------------------
// F.optical_distortion: cv2.initUndistortRectifyMap with camera matrix
// [[width, 0, width/2 + dx], [0, width, height/2 + dy], [0, 0, 1]] (float32),
// distortion (k, k, 0, 0, 0) (float32: k is rounded to float), no rotation
// and OpenCV's default new camera matrix (principal point at the centre
// ((width - 1) / 2, (height - 1) / 2)).  The maps equal OpenCV's up to the
// last bits of double arithmetic (OpenCV may vectorise the loop), which their
// float32 rounding absorbs almost always.
Maps optical_distortion_maps(int width, int height, double k, double dx, double dy);
Image optical_distortion(const Image& image, double k, double dx, double dy, Interpolation interpolation,
                         const Border& border);

// ---- GridDistortion ---------------------------------------------------------
// F.grid_distortion: the image is cut into cells of width // num_steps by
// height // num_steps pixels; cell i's width is stretched by xsteps[i]
// (heights by ysteps[i]) with np.linspace, and a last partial cell, if any,
// ends at the border.  Requires width, height >= num_steps >= 1 and as many
// steps as there are whole cells (num_steps + 1 are always enough).
Maps grid_distortion_maps(int width, int height, int num_steps, const std::vector<double>& xsteps,
                          const std::vector<double>& ysteps);
Image grid_distortion(const Image& image, int num_steps, const std::vector<double>& xsteps,
                      const std::vector<double>& ysteps, Interpolation interpolation, const Border& border);

// ---- ElasticTransform -------------------------------------------------------
struct ElasticParams {
  double alpha = 1;          // displacement scale
  double sigma = 50;         // Gaussian smoothing of the displacement fields
  double alpha_affine = 50;  // random affine: corner offsets in [-alpha_affine, alpha_affine)
  bool approximate = false;  // false: scipy's gaussian_filter; true: cv2.GaussianBlur 17x17
};

// The random draws of F.elastic_transform's random_state, in its order:
// affine = uniform(-alpha_affine, alpha_affine, size=(3, 2)) (row-major), then
// field_x = rand(height, width), then field_y = rand(height, width) (uniform
// [0, 1), row-major).
struct ElasticNoise {
  std::array<double, 6> affine{};
  std::vector<double> field_x, field_y;
};

// Draws an ElasticNoise for an image of the given size from `rng` (the
// fields through Rng::fill_uniform).
ElasticNoise draw_elastic_noise(Rng& rng, int width, int height, double alpha_affine);

// The random affine (cv2.getAffineTransform of the three points of the
// reference, moved by noise.affine; solved as OpenCV does, by LU with partial
// pivoting) and the smoothed displacement maps x + dx, y + dy.
struct ElasticWarp {
  Affine affine{};
  Maps maps;
};
ElasticWarp elastic_warp(int width, int height, const ElasticParams& params, const ElasticNoise& noise);
// warpAffine(affine) then remap(maps), both with `interpolation` and `border`.
Image apply_elastic(const Image& image, const ElasticWarp& warp, Interpolation interpolation, const Border& border);
Image elastic_transform(const Image& image, const ElasticParams& params, const ElasticNoise& noise,
                        Interpolation interpolation, const Border& border);

}  // namespace pn::augment
