#include "pneumo/report/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "pneumo/report/font.h"
#include "tensor/error.h"

namespace pn::report {
namespace {

constexpr Rgb kWhite{255, 255, 255};
constexpr Rgb kAxis = hex(0x444444);
constexpr Rgb kGrid = hex(0xE4E4E4);
constexpr Rgb kText = hex(0x222222);
constexpr Rgb kMuted = hex(0x888888);

bool drawable(double x, double y, Scale scale) {
  return std::isfinite(x) && std::isfinite(y) && (scale == Scale::Linear || y > 0);
}

// The value on the axis' own (linear) coordinate.
double axis_value(double y, Scale scale) { return scale == Scale::Log ? std::log10(y) : y; }

}  // namespace

double PlotFrame::to_pixel_x(double x) const {
  return area.x + (x - x_min) / (x_max - x_min) * area.w;
}

double PlotFrame::to_pixel_y(double y) const {
  const double lo = axis_value(y_min, y_scale), hi = axis_value(y_max, y_scale);
  return area.bottom() - (axis_value(y, y_scale) - lo) / (hi - lo) * area.h;
}

std::vector<double> linear_ticks(double lo, double hi, int max_ticks) {
  PN_CHECK(lo < hi && std::isfinite(lo) && std::isfinite(hi) && max_ticks >= 2,
           "linear_ticks: needs a finite range lo < hi and max_ticks >= 2, got [", lo, ", ", hi, "], ", max_ticks);
  // Start one decade below the span / max_ticks and walk up 1, 2, 5, 10, ...
  double power = std::pow(10.0, std::floor(std::log10((hi - lo) / max_ticks)) - 1);
  // A span too small or too large for doubles (a denormal step, an infinite
  // one) ends the search after the 700 decades doubles have: no ticks then.
  for (int decade = 0; decade < 700; ++decade, power *= 10) {
    for (double m : {1.0, 2.0, 5.0}) {
      const double step = m * power;
      const double first = std::ceil(lo / step - 1e-9), last = std::floor(hi / step + 1e-9);
      if (last - first + 1 <= max_ticks) {
        // Counted, not stepped by ++k: at 1e17 and beyond ++k changes nothing.
        std::vector<double> ticks;
        const int n = static_cast<int>(std::max(0.0, last - first + 1));
        for (int i = 0; i < n; ++i) {
          const double v = (first + i) * step;
          if (std::isfinite(v)) ticks.push_back(v == 0 ? 0.0 : v);
        }
        return ticks;
      }
    }
  }
  return {};
}

std::vector<double> log_ticks(double lo, double hi) {
  PN_CHECK(lo > 0 && lo < hi && std::isfinite(hi), "log_ticks: needs 0 < lo < hi, got [", lo, ", ", hi, "]");
  const int first = static_cast<int>(std::floor(std::log10(lo))), last = static_cast<int>(std::ceil(std::log10(hi)));
  std::vector<double> powers, all;
  for (int e = first; e <= last; ++e) {
    for (double m : {1.0, 2.0, 5.0}) {
      const double v = m * std::pow(10.0, e);
      // A relative tolerance: 1e-4 computed is not exactly the literal.
      if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9)) continue;
      all.push_back(v);
      if (m == 1.0) powers.push_back(v);
    }
  }
  return powers.size() >= 2 ? powers : all;
}

std::string tick_label(double value, double step, Scale scale) {
  char buffer[64];
  if (scale == Scale::Log) {
    const int exponent = static_cast<int>(std::floor(std::log10(value) + 1e-9));
    const double mantissa = value / std::pow(10.0, exponent);
    if (exponent >= 0 && exponent <= 2) {
      std::snprintf(buffer, sizeof(buffer), "%.0f", value);
    } else {
      std::snprintf(buffer, sizeof(buffer), "%.0fe%d", mantissa, exponent);
    }
    return buffer;
  }
  const int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
  std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, value);
  return buffer;
}

Rgb palette(int i) {
  static constexpr Rgb kColours[] = {hex(0x1F77B4), hex(0xFF7F0E), hex(0x2CA02C), hex(0xD62728), hex(0x9467BD),
                                     hex(0x8C564B), hex(0xE377C2), hex(0x7F7F7F), hex(0xBCBD22), hex(0x17BECF)};
  return kColours[static_cast<std::size_t>(i) % (sizeof(kColours) / sizeof(kColours[0]))];
}

PlotFrame draw_chart(Canvas& canvas, const Rect& where, const Chart& chart) {
  const TextStyle title_style{kText, chart.text_scale, true};
  const TextStyle text{kText, chart.text_scale, false};
  const TextStyle muted{kMuted, chart.text_scale, false};
  const int line_h = kLineAdvance * chart.text_scale, pad = 2 * chart.text_scale;
  canvas.fill(where, kWhite);

  // The data range.
  PlotFrame f;
  f.y_scale = chart.y_scale;
  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo, y_lo = x_lo, y_hi = -x_lo;
  for (const Series& s : chart.series) {
    PN_CHECK(s.x.size() == s.y.size(), "chart '", chart.title, "': series '", s.label, "' has ", s.x.size(),
             " x values but ", s.y.size(), " y values");
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!drawable(s.x[i], s.y[i], chart.y_scale)) continue;
      x_lo = std::min(x_lo, s.x[i]);
      x_hi = std::max(x_hi, s.x[i]);
      y_lo = std::min(y_lo, axis_value(s.y[i], chart.y_scale));
      y_hi = std::max(y_hi, axis_value(s.y[i], chart.y_scale));
    }
  }
  const bool empty = !(x_lo <= x_hi);
  if (empty) x_lo = 0, x_hi = 1, y_lo = 0, y_hi = 1;
  if (x_lo == x_hi) x_lo -= 1, x_hi += 1;
  if (y_lo == y_hi) {
    y_lo -= 1;
    y_hi += 1;
  } else {
    const double margin = 0.05 * (y_hi - y_lo);
    y_lo -= margin;
    y_hi += margin;
  }
  f.x_min = x_lo;
  f.x_max = x_hi;
  f.y_min = chart.y_scale == Scale::Log ? std::pow(10.0, y_lo) : y_lo;
  f.y_max = chart.y_scale == Scale::Log ? std::pow(10.0, y_hi) : y_hi;

  // Ticks and their labels, which decide the left margin.
  const std::vector<double> x_ticks = linear_ticks(f.x_min, f.x_max, 8);
  const std::vector<double> y_ticks =
      chart.y_scale == Scale::Log ? log_ticks(f.y_min, f.y_max) : linear_ticks(f.y_min, f.y_max, 7);
  const double x_step = x_ticks.size() >= 2 ? x_ticks[1] - x_ticks[0] : 1.0;
  const double y_step = y_ticks.size() >= 2 ? y_ticks[1] - y_ticks[0] : 1.0;
  std::vector<std::string> y_labels;
  int y_label_w = 0;
  for (double v : y_ticks) {
    y_labels.push_back(tick_label(v, y_step, chart.y_scale));
    y_label_w = std::max(y_label_w, text_width(y_labels.back(), text));
  }

  // Title and legend rows.
  int y = where.y + pad;
  draw_text(canvas, where.x + (where.w - text_width(chart.title, title_style)) / 2, y, chart.title, title_style);
  y += line_h + pad;
  // Legend items in rows that fit the width, each row centred.
  const int sample_w = 8 * chart.text_scale, gap = 10 * chart.text_scale;
  auto item_width = [&](const Series& s) { return sample_w + pad + text_width(s.label, text); };
  std::vector<std::vector<const Series*>> rows;
  int row_w = 0;
  for (const Series& s : chart.series) {
    if (rows.empty() || row_w + gap + item_width(s) > where.w - 2 * pad) {
      rows.emplace_back();
      row_w = -gap;
    }
    rows.back().push_back(&s);
    row_w += gap + item_width(s);
  }
  for (const auto& row : rows) {
    int width_of_row = -gap;
    for (const Series* s : row) width_of_row += gap + item_width(*s);
    int x = where.x + std::max(pad, (where.w - width_of_row) / 2);
    const double mid = y + text_height(text) / 2.0 - 0.5;
    for (const Series* s : row) {
      canvas.line(x, mid, x + sample_w, mid, 1.5 * chart.text_scale, s->colour);
      draw_text(canvas, x + sample_w + pad, y, s->label, text);
      x += item_width(*s) + gap;
    }
    y += line_h;
  }
  y += pad;

  // The plot area.
  const int left = where.x + pad + line_h + pad + y_label_w + pad;
  const int bottom = where.bottom() - pad - line_h - line_h - pad;
  // The right margin leaves room for half of the last x tick label.
  const int right_margin =
      std::max(3 * pad, x_ticks.empty() ? 0 : text_width(tick_label(x_ticks.back(), x_step, Scale::Linear), text) / 2 + pad);
  f.area = {left, y, std::max(1, where.right() - right_margin - left), std::max(1, bottom - y)};
  const Rect& a = f.area;

  for (std::size_t i = 0; i < y_ticks.size(); ++i) {
    const int py = static_cast<int>(std::lround(f.to_pixel_y(y_ticks[i])));
    canvas.fill({a.x, py, a.w, 1}, kGrid);
    canvas.fill({a.x - pad, py, pad, 1}, kAxis);
    draw_text(canvas, a.x - pad - pad - text_width(y_labels[i], text), py - text_height(text) / 2, y_labels[i], text);
  }
  for (double v : x_ticks) {
    const int px = static_cast<int>(std::lround(f.to_pixel_x(v)));
    canvas.fill({px, a.y, 1, a.h}, kGrid);
    canvas.fill({px, a.bottom(), 1, pad}, kAxis);
    const std::string label = tick_label(v, x_step, Scale::Linear);
    draw_text(canvas, px - text_width(label, text) / 2, a.bottom() + pad + pad, label, text);
  }
  canvas.fill({a.x - 1, a.y, 1, a.h + 1}, kAxis);
  canvas.fill({a.x - 1, a.bottom(), a.w + 1, 1}, kAxis);
  draw_text(canvas, a.x + (a.w - text_width(chart.x_label, text)) / 2, a.bottom() + pad + line_h + pad,
            chart.x_label, text);
  draw_text_up(canvas, where.x + pad, a.y + (a.h + text_width(chart.y_label, text)) / 2, chart.y_label, text);

  if (empty) {
    draw_text(canvas, a.x + (a.w - text_width(chart.empty_note, muted)) / 2, a.y + a.h / 2, chart.empty_note, muted);
    return f;
  }
  // The series: lines between consecutive drawable points, and a dot at each
  // point when they are few enough to tell apart.
  const double width = 1.25 * chart.text_scale;
  for (const Series& s : chart.series) {
    const bool dots = s.x.size() <= 40;
    bool have_previous = false;
    double px0 = 0, py0 = 0;
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!drawable(s.x[i], s.y[i], chart.y_scale)) {
        have_previous = false;
        continue;
      }
      const double px = f.to_pixel_x(s.x[i]), py = f.to_pixel_y(s.y[i]);
      if (have_previous) canvas.line(px0, py0, px, py, width, s.colour);
      if (dots || !have_previous) canvas.dot(px, py, width, s.colour);
      px0 = px;
      py0 = py;
      have_previous = true;
    }
  }
  return f;
}

}  // namespace pn::report
