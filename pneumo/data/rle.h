#pragma once
// The two run-length encodings of the SIIM-ACR competition.
//
// Pixels are numbered column-major ("top to bottom, then left to right"): the
// pixel in column x, row y of a width x height image has number
// p = x * height + y.  This is the reference's order: its rle2mask reshapes the
// flat array to (width, height) and get_mask() transposes it, and its
// submission code calls mask2rle(mask.T, ...).
//
// Stage 1 ("relative", the reference's utils/mask_functions.py): pairs
// "offset length", where the offset counts pixels from the end of the previous
// run (from pixel 0 for the first run).  Pixel numbers are 0-based.
//   A run at pixels 5..7 and one at 10..11 is "5 3 2 2".
// Stage 2 ("absolute", Kaggle's standard RLE used by stage_2_train.csv): pairs
// "start length" with 1-based absolute starts in the same pixel order.
//   The same runs are "6 3 11 2".
// In both, "-1" (also " -1", and an empty string) is an empty mask.
//
// Differences from the reference, on purpose:
//   - The reference's mask2rle drops a run that reaches the last pixel (it
//     emits a run only when a 0 pixel ends it).  encode_rle closes that run, so
//     decode(encode(mask)) == mask for every mask.  For every other mask the
//     strings are identical to the reference's.
//   - mask2rle returns "" for an empty mask (the reference's submission code
//     then writes -1); encode_rle returns "-1" directly.
//   - mask2rle only starts a run at a pixel equal to 255 (other values give
//     garbage); encode_rle treats every nonzero pixel as mask.
//   - rle2mask silently clips a run that goes past the image, and accepts
//     negative or zero lengths and odd counts; here those are errors, naming
//     where the string came from.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pneumo/data/image.h"

namespace pn::data {

enum class RleFormat {
  Stage1Relative,  // pairs of offset-from-previous-run-end and length, 0-based
  Stage2Absolute,  // pairs of 1-based absolute start and length
};

// "stage 1 (relative)" / "stage 2 (absolute)".
const char* rle_format_name(RleFormat format);

// The format named on a command line: "stage1" or "stage2". Throws pn::Error
// beginning with `where` (the option, say) for anything else.
RleFormat parse_rle_format(std::string_view name, std::string_view where);

// One run of mask pixels: numbers start .. start + length - 1 (0-based,
// column-major as above).
struct RleRun {
  std::int64_t start = 0;
  std::int64_t length = 0;
  friend bool operator==(const RleRun&, const RleRun&) = default;
};

// True for the strings that mean "no mask": "-1" and the empty string, with
// any surrounding spaces (the stage 1 file writes " -1").
bool rle_is_empty(std::string_view text);

// Parses one RLE string into absolute runs in the string's order.
// Requires width, height > 0.  Throws pn::Error whose message begins with
// `where` (the CSV row, say "train-rle.csv line 17") for: a token that is not
// a decimal integer, an odd number of values, a negative offset/start, a start
// of 0 in stage 2 (starts are 1-based), a length below 1, or a run that goes
// past the last pixel.  Overlapping or out-of-order runs are accepted (their
// union is the mask).
std::vector<RleRun> rle_parse(std::string_view text, RleFormat format, int width, int height,
                              std::string_view where);

// Sets the pixels of the runs of `text` to 255 in `mask` (a union: pixels
// already set stay set).  Requires a valid mask; errors as rle_parse.
void rle_paint(GrayImage& mask, std::string_view text, RleFormat format, std::string_view where);

// The union of several RLE strings for one image (a mask of 0 and 255).
// wheres[i] names texts[i] in errors; wheres may be empty (then "RLE string
// #i" is used).
GrayImage rle_decode(std::span<const std::string> texts, RleFormat format, int width,
                     int height, std::span<const std::string> wheres = {});
GrayImage rle_decode(std::string_view text, RleFormat format, int width, int height,
                     std::string_view where = "RLE string");

// Encodes a mask (nonzero = mask) as `format`; "-1" for an empty mask.  For
// stage 1 the string equals the reference's mask2rle(mask.T, width, height)
// except as documented above.  Requires a valid, non-empty image.
std::string rle_encode(const GrayImage& mask, RleFormat format);

// Which format a set of strings uses.
//
// A string is "valid" in a format when rle_parse accepts it, and "canonical"
// when it is also what an encoder writes: runs in increasing order that never
// touch (in stage 1: every offset after the first is >= 1).  Real masks with
// several runs are canonical in one format only (stage 1 offsets are small and
// would go backwards as absolute starts; stage 2 starts summed as offsets soon
// leave the image), while one-run strings and "-1" are canonical in both.  A
// string decides for a format when it is canonical in that format only, or,
// canonical in neither, valid in that format only.
//
// Returns the format decided by at least one string (and contradicted by
// none); nullopt when nothing decides (only empty or one-run strings, or no
// strings).  Throws pn::Error when one string decides for stage 1 and another
// for stage 2, or a string is valid in neither format; the message names those
// strings by wheres[i] (or "RLE string #i" when wheres is empty).
std::optional<RleFormat> rle_detect_format(std::span<const std::string> texts, int width,
                                           int height,
                                           std::span<const std::string> wheres = {});

}  // namespace pn::data
