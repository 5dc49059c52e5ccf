#pragma once
// Image resizing as the reference's dataset preparation does it.
//
// prepare_png.py resizes with skimage.transform.resize (scikit-image 0.14.2,
// the version its requirements pin), not with OpenCV, and writes the result
// with cv2.imwrite.  With 0.14.2's defaults that is:
//   - output pixel (x, y) samples the input at
//       sx = (x + 0.5) * in_width / out_width - 0.5   (likewise sy),
//     i.e. pixel centres aligned, as OpenCV's INTER_LINEAR also does;
//   - bilinear interpolation (order=1) with a constant 0 outside the image
//     (mode='constant', cval=0), where OpenCV would repeat the edge;
//   - no anti-aliasing when shrinking (anti_aliasing defaulted to False);
//   - clipping to the input's [min, max], except that values exactly 0 are
//     kept when 0 is outside that range (skimage's clip=True);
//   - cv2.imwrite's conversion to 8 bits: round half to even, saturate.
// Shrinking stays inside the image, so the border rule matters only when
// enlarging.  An output the size of the input is the input unchanged.
//
// The reference computes in floating point (via an estimated affine matrix),
// so where the exact result is a tie (x.5) its rounding may go either way:
// results agree with the reference within 1 grey level, and exactly except at
// such ties.
#include "pneumo/data/image.h"

namespace pn::data {

// Resizes `src` to width x height as described above.  Requires a valid,
// non-empty src and width, height >= 1 (pn::Error otherwise).  Masks go
// through the same function: the reference resizes its 0/255 mask the same
// way, so a shrunk mask has grey edges (exactly 0/255 at the original size).
GrayImage resize_like_reference(const GrayImage& src, int width, int height);

}  // namespace pn::data
