#pragma once
// The intensity augmentations of albumentations 0.3.1 on 8-bit images, for
// FIXED parameters, and the conversions to float that end a pipeline:
// functional.brightness_contrast_adjust, gamma_transform, normalize and
// albumentations.pytorch's ToTensor, with the same float32 / float64 steps so
// the same parameters give the same values.  They change the image only,
// never a mask.
#include <vector>

#include "pneumo/augment/image.h"

namespace pn::augment {

// RandomContrast / RandomBrightness (0.3.1's brightness_contrast_adjust on
// uint8): a table lut[v] = v * alpha (when alpha != 1) + beta * mean(image)
// (when beta != 0), computed in float32 with mean(image) over all pixels and
// channels in float64, clipped to [0, 255] and truncated to 8 bits.
// "Contrast" is thus a plain multiplication, not a stretch around the mean.
Image brightness_contrast(const Image& image, double alpha, double beta);

// RandomGamma on uint8: lut[v] = uint8((v / 255) ^ (1 / gamma) * 255) in
// float64, truncated.  Requires gamma > 0.
Image gamma_transform(const Image& image, double gamma);

// Normalize: (v - mean[c] * max_pixel_value) * (1 / (std[c] * max_pixel_value))
// with every step in float32, as albumentations computes it.  The result has
// one plane per mean value; a one-channel image stands for cv2.imread's
// 3-channel image of a gray PNG (equal channels), so its single channel is
// normalised once per mean.  Requires mean and std of the same size, either 1
// (applied to every channel) or the image's channel count (or any size for a
// one-channel image), and std[c] * max_pixel_value != 0.
PlanarImage normalize(const Image& image, const std::vector<double>& mean, const std::vector<double>& std,
                      double max_pixel_value);

// albumentations.pytorch's ToTensor of an 8-bit image: float32(v / 255.0),
// one plane per channel, `channels` planes from a one-channel image (the
// reference's pipelines without Normalize, the "_old" transform files).
// Requires channels == image.channels or image.channels == 1.
PlanarImage to_unit_float(const Image& image, int channels);

}  // namespace pn::augment
