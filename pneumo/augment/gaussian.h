#pragma once
// The two Gaussian blurs that smooth ElasticTransform's displacement fields.
//
// albumentations 0.3.1 blurs with scipy when approximate=false (the
// reference's setting) and with OpenCV when approximate=true:
//   - scipy.ndimage.gaussian_filter(field, sigma) on float64: radius
//     int(4 * sigma + 0.5) (truncate = 4), weights exp(-x^2 / (2 sigma^2))
//     divided by their (numpy pairwise) sum, mode 'reflect' (dcba|abcd|dcba),
//     rows first (axis 0) then columns, each output summed as scipy's
//     symmetric correlate1d does: w0 * f(0), then + (f(-j) + f(j)) * w(j) for
//     j from the radius down to 1.  Equal to scipy up to the last bits of
//     exp() (numpy's and the C library's may differ by an ulp), which the
//     float32 conversion of the fields absorbs almost always.
//   - cv2.GaussianBlur(field, (k, k), sigma) on float32: OpenCV's
//     getGaussianKernel (weights rounded to float, normalised in double),
//     BORDER_REFLECT_101, rows then columns in float.  OpenCV's vectorised
//     float filters may sum in another order: equal to within float rounding.
#include <vector>

namespace pn::augment {

// scipy.ndimage.gaussian_filter(field, sigma) of a height x width row-major
// float64 field, in place.  sigma <= 1e-15 leaves the field unchanged, as
// scipy does.  Requires field.size() == width * height, width, height >= 1.
void scipy_gaussian_filter(std::vector<double>& field, int width, int height, double sigma);

// The weights of scipy's 1-D Gaussian of the given radius (2 * radius + 1
// values, centre in the middle).
std::vector<double> scipy_gaussian_kernel(double sigma, int radius);

// cv2.GaussianBlur(field, (ksize, ksize), sigma) of a float32 field, in place.
// Requires an odd ksize >= 1 and sigma > 0.
void cv_gaussian_blur(std::vector<float>& field, int width, int height, int ksize, double sigma);

}  // namespace pn::augment
