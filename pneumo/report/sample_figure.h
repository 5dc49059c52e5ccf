#pragma once
// Validation samples drawn for a person: each image in gray with the truth
// outlined in one colour and the prediction (probability > 0.5) in another,
// captioned with its ID and the Dice score of the two masks.
#include <string>
#include <vector>

#include "pneumo/data/image.h"
#include "pneumo/report/canvas.h"
#include "pneumo/report/experiments.h"

namespace pn::report {

inline constexpr Rgb kTruthColour{40, 220, 80};      // green
inline constexpr Rgb kPredictionColour{255, 60, 200};  // magenta

// The boundary of the mask {value > 127}: 255 at every pixel of the mask with
// a pixel outside the mask (or outside the image) within `width` pixels in x
// and y (the square neighbourhood), 0 elsewhere.  width >= 1; width 1 gives
// the one-pixel rim.  127 is both the truth's threshold (0/255 masks) and the
// prediction's: a probability stored as round(p * 255) is above 0.5 exactly
// when the stored value is above 127.
data::GrayImage outline(const data::GrayImage& mask, int width = 1);

// The image reduced by an integer factor >= 1 (the size rounded up; a last
// partial block uses the pixels it has): each output pixel the mean of its
// block when `any` is false, or 255 if any pixel of the block is above 127
// (so that a thin region of a mask survives) when `any` is true.
data::GrayImage shrink(const data::GrayImage& image, int factor, bool any);

// Dice of {truth > 127} and {prob > 127}; 1 when both are empty.  Requires
// images of the same size.
double dice(const data::GrayImage& truth, const data::GrayImage& prob);

// The figure for the samples of one fold: a title line, a legend, then the
// samples in rows of up to `per_row`, each reduced so its longer side is at
// most `tile` pixels.  Reads the PNGs (pn::Error names a file that cannot be
// read, or a mask or probability map whose size differs from its image).
// Requires at least one sample.
Canvas draw_samples(const std::vector<ValidationSample>& samples, const std::string& title, int tile = 320,
                    int per_row = 4);

}  // namespace pn::report
