#pragma once
// OpenCV's resampling primitives on 8-bit images, bit for bit: cv2.remap
// (float maps), cv2.warpAffine and cv2.resize, with nearest-neighbour and
// bilinear interpolation and OpenCV's border modes.
//
// Every geometric augmentation of albumentations 0.3.1 ends in one of these
// calls, so matching them exactly is what makes our augmentations equal to
// the reference's for the same parameters.  What "exactly" takes (checked
// against OpenCV 4.10 and 4.11, which agree; tests/data/augment):
//   - bilinear sampling is fixed point: a source position is rounded to
//     1/32 pixel (INTER_BITS = 5) and the four weights are integers summing to
//     2^15, the pixel (sum + 2^14) >> 15; the weight table's entry for a
//     position on the grid is {32767, 0, 0, 1} (OpenCV saturates 32768 to a
//     short and gives the missing unit to the last weight);
//   - remap rounds a float map value half to even (cvRound) to 1/32 pixel for
//     bilinear, to a whole pixel for nearest;
//   - warpAffine inverts the matrix and steps through the destination in
//     fixed point with 10 fractional bits, rounding to the nearest 1/32 (bilinear)
//     or whole (nearest) pixel, halves up;
//   - resize (bilinear) uses 11-bit weights and OpenCV's lossy vertical pass
//     ((b0 * (S0 >> 4)) >> 16) + ((b1 * (S1 >> 4)) >> 16) + 2) >> 2, clamps the
//     horizontal weights at the borders but not the vertical ones, and turns an
//     exact halving into a 2x2 average ((a + b + c + d + 2) >> 2).
// A source position outside the image is mapped in by the border mode
// (BORDER_REFLECT_101, "gfedcb|abcdefgh|gfedcba", is the reference's) for each
// of the four neighbours separately, as OpenCV does.
//
// All functions keep the number of channels and work for any channel count;
// rows are computed in parallel (OpenMP) and the result does not depend on the
// thread count.
#include <array>
#include <vector>

#include "pneumo/augment/image.h"

namespace pn::augment {

// cv2's interpolation flags; only these two are supported.
enum class Interpolation { Nearest = 0, Linear = 1 };

// cv2's border flags (BORDER_CONSTANT .. BORDER_REFLECT_101).
enum class BorderMode { Constant = 0, Replicate = 1, Reflect = 2, Wrap = 3, Reflect101 = 4 };

const char* interpolation_name(Interpolation i);
const char* border_mode_name(BorderMode b);

// A border mode and, for Constant, the value of each channel (OpenCV's
// borderValue Scalar: channel c takes value[c], saturated to 0..255).
struct Border {
  BorderMode mode = BorderMode::Reflect101;
  std::array<double, 4> value{};
};

// OpenCV's borderInterpolate: the index in [0, len) that stands for index p,
// or -1 for BorderMode::Constant when p is outside.  Requires len >= 1.
int border_index(int p, int len, BorderMode mode);

// cv2.remap(src, map_x, map_y, interpolation, borderMode, borderValue):
// destination pixel i (row-major, dst_width x dst_height) samples src at
// (map_x[i], map_y[i]).  Requires a valid, non-empty src and maps of
// dst_width * dst_height values.
Image remap(const Image& src, const std::vector<float>& map_x, const std::vector<float>& map_y,
            int dst_width, int dst_height, Interpolation interpolation, const Border& border);

// A 2x3 affine matrix, row-major: (x, y) -> (m[0] x + m[1] y + m[2], m[3] x + m[4] y + m[5]).
using Affine = std::array<double, 6>;

// cv2.warpAffine(src, m, (dst_width, dst_height), flags=interpolation,
// borderMode, borderValue): m maps source to destination positions (it is
// inverted here, as OpenCV does without WARP_INVERSE_MAP).  A singular m
// samples everything at (0, 0), as OpenCV does.
Image warp_affine(const Image& src, const Affine& m, int dst_width, int dst_height,
                  Interpolation interpolation, const Border& border);

// cv2.resize(src, (width, height), interpolation=...).  Requires width,
// height >= 1.  The same size returns a copy.
Image resize(const Image& src, int width, int height, Interpolation interpolation);

}  // namespace pn::augment
