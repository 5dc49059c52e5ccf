#pragma once
// Line charts: axes with ticks, grid and labels, one line per series, and a
// legend, drawn into a rectangle of a Canvas.
//
//   Chart c;
//   c.title = "train loss";
//   c.x_label = "epoch";
//   c.series.push_back({"fold 0", palette(0), {0, 1, 2}, {0.9, 0.5, 0.4}});
//   PlotFrame f = draw_chart(canvas, {0, 0, 600, 420}, c);
//   f.to_pixel_x(1.0)   // where epoch 1 landed
//
// Layout, top to bottom: the title, the legend (a row of coloured line
// samples with their labels, so it never hides data), the plot area with the
// y tick labels and the y label on its left, the x tick labels and the x
// label below it.
#include <string>
#include <vector>

#include "pneumo/report/canvas.h"

namespace pn::report {

enum class Scale { Linear, Log };

struct Series {
  std::string label;
  Rgb colour;
  // Points (x[i], y[i]); requires x.size() == y.size().  A point with a
  // non-finite coordinate (or y <= 0 on a log scale) is not drawn and breaks
  // the line there.
  std::vector<double> x, y;
};

struct Chart {
  std::string title, x_label, y_label;
  Scale y_scale = Scale::Linear;
  std::vector<Series> series;
  // Said in the plot area when no series has a drawable point.
  std::string empty_note = "no data";
  int text_scale = 2;
};

// Where a chart put its data: the plot area in canvas pixels and the data
// range it spans (for a log scale, y_min and y_max are the values, not their
// logarithms).
struct PlotFrame {
  Rect area;
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
  Scale y_scale = Scale::Linear;
  // Canvas coordinates of a data coordinate (x_min at the left edge of the
  // area, y_max at the top edge).
  double to_pixel_x(double x) const;
  double to_pixel_y(double y) const;
};

// Draws `chart` inside `where` (which it clears to white).  The data range
// is that of the drawable points, widened by 5% of the y span above and
// below (a single value spans +-1, or a factor 10 around it on a log
// scale).  Requires every series to have as many x as y values (throws
// pn::Error naming the series otherwise).
PlotFrame draw_chart(Canvas& canvas, const Rect& where, const Chart& chart);

// Tick positions for [lo, hi] on a linear scale: the multiples of a step of
// 1, 2 or 5 times a power of ten that lie in [lo, hi], the step the smallest
// giving at most max_ticks ticks (none when the span is beyond what doubles
// resolve).  Requires finite lo < hi and max_ticks >= 2.
std::vector<double> linear_ticks(double lo, double hi, int max_ticks);
// Tick positions for [lo, hi] (0 < lo < hi) on a log scale: the powers of
// ten in range; when there are fewer than two, also 2 and 5 times them.
std::vector<double> log_ticks(double lo, double hi);
// A tick's label: on a linear scale with as many decimals as `step` needs
// ("0.25", "10"); on a log scale, a power of ten as "1e-4" and other values
// as "2e-4" (exactly 1 to 999 written plainly: "1", "20").
std::string tick_label(double value, double step, Scale scale);

// The colours of series i (a ten-colour qualitative palette, repeating).
Rgb palette(int i);

}  // namespace pn::report
