#pragma once
// The figures' text: a 5x8 bitmap font of printable ASCII, drawn at integer
// scales.
//
// A glyph is 5 pixels wide and 8 high: rows 0-6 hold capitals and digits
// (row 6 is the baseline row), row 7 the descenders of g, j, p, q, y and the
// comma.  Characters advance by 6 pixels and lines by 10, times the scale.
// A byte outside ' '..'~' is drawn as '?'.
#include <array>
#include <cstdint>
#include <string_view>

#include "pneumo/report/canvas.h"

namespace pn::report {

inline constexpr int kGlyphWidth = 5;
inline constexpr int kGlyphHeight = 8;
inline constexpr int kGlyphAdvance = 6;
inline constexpr int kLineAdvance = 10;

// The rows of a glyph, top first; bit 4 of a row is its leftmost pixel.
const std::array<std::uint8_t, kGlyphHeight>& glyph(char c);

struct TextStyle {
  Rgb colour{0, 0, 0};
  int scale = 2;      // >= 1: every font pixel becomes scale x scale pixels
  bool bold = false;  // each glyph drawn twice, one pixel apart
};

// Width and height in pixels of `text` on one line at `style` (the advance of
// every character less the trailing gap; 0 for an empty text).
int text_width(std::string_view text, const TextStyle& style);
int text_height(const TextStyle& style);

// Draws `text` on one line with the top-left corner of its first glyph at
// (x, y).  Returns the x just after the text.
int draw_text(Canvas& canvas, int x, int y, std::string_view text, const TextStyle& style);

// Draws `text` turned a quarter turn anticlockwise (read from bottom to top),
// its first glyph's bottom-left corner at (x, y): the text occupies
// x .. x + text_height and y - text_width .. y.
void draw_text_up(Canvas& canvas, int x, int y, std::string_view text, const TextStyle& style);

// `text` cut to fit `max_width` pixels: when too wide, its middle replaced by
// ".." (as many characters kept as fit, one more at the start than the end
// when odd).
std::string fit_text(std::string_view text, int max_width, const TextStyle& style);

}  // namespace pn::report
