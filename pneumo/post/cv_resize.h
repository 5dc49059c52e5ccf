#pragma once
// cv2.resize(src, (width, height), interpolation=cv2.INTER_LINEAR), as the
// reference's TripletSubmit.py uses it: on the 0/255 uint8 mask of a map that
// is not 1024x1024 (then > 127), and, with RESHAPE_MODE, on float32
// probability maps before they are blended.
//
// OpenCV's rule (not scikit-image's, which pneumo/data/resize.h follows):
//   - output column x samples the input at fx = (x + 0.5) * in_w / out_w - 0.5,
//     computed as (float)((x + 0.5) * (1.0 / (out_w / in_w)) - 0.5), split into
//     sx = floor(fx) and the weight fx - sx (likewise rows);
//   - outside the image the edge pixel is repeated: a column with sx < 0 or
//     sx >= in_w - 1 takes the edge pixel with weights (1, 0); a row keeps its
//     weights (1 - f, f) and reads the edge row twice (which, rounded term
//     by term, can differ from the edge row by one grey level);
//   - uint8: the weights are rounded to 11-bit fixed point, each on its own
//     (round(2048 (1 - f)) and round(2048 f)); a row pass sums
//     pixel * weight exactly, and the column pass computes
//       ((b0 * (r0 >> 4)) >> 16) + ((b1 * (r1 >> 4)) >> 16) + 2) >> 2
//     (OpenCV's SIMD and scalar code compute this same expression);
//   - float32: the same passes with float weights: r = s0 * a0 + s1 * a1, then
//     r0 * b0 + r1 * b1, each operation rounded to float;
//   - exactly halving both sides switches to INTER_AREA: the mean of each 2x2
//     block, (sum + 2) >> 2 for uint8, ((a + b) + (c + d)) * 0.25 for float
//     (a, b the block's top row).
// Checked pixel-exact against cv2 4.6 (Debian's python3-opencv, built without
// Intel IPP) on the data of tests/reference/make_post_reference.py.
#include "pneumo/data/image.h"
#include "tensor/tensor.h"

namespace pn::post {

// Requires a valid, non-empty src and width, height >= 1 (pn::Error otherwise).
data::GrayImage cv_resize_linear(const data::GrayImage& src, int width, int height);

// The same for a float32 CPU map of shape [H, W]; returns [height, width].
Tensor cv_resize_linear(const Tensor& map, int width, int height);

}  // namespace pn::post
