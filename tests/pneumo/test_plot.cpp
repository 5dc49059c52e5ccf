// The dashboard's raster drawing: font, canvas, ticks, charts, mask outlines.
#include <doctest/doctest.h>

#include <cmath>

#include "data_test_util.h"
#include "pneumo/data/png.h"
#include "pneumo/report/canvas.h"
#include "pneumo/report/font.h"
#include "pneumo/report/plot.h"
#include "pneumo/report/sample_figure.h"

namespace pn::report::test {
namespace {

constexpr Rgb kWhite{255, 255, 255};

// The pixel of `canvas` under data point (x, y) of `frame`.
Rgb pixel_at(const Canvas& canvas, const PlotFrame& frame, double x, double y) {
  return canvas.pixel(static_cast<int>(std::floor(frame.to_pixel_x(x))),
                      static_cast<int>(std::floor(frame.to_pixel_y(y))));
}

TEST_CASE("font: glyph rows, widths and drawn pixels") {
  // 'T' is a full top row and a centre stem.
  CHECK(glyph('T')[0] == 0b11111);
  CHECK(glyph('T')[3] == 0b00100);
  CHECK(glyph('T')[7] == 0);
  // Descenders use row 7; outside printable ASCII is '?'.
  CHECK(glyph('g')[7] != 0);
  CHECK(glyph('\n') == glyph('?'));
  CHECK(glyph(' ') == std::array<std::uint8_t, 8>{});

  const TextStyle s1{{0, 0, 0}, 1, false}, s2{{0, 0, 0}, 2, false};
  CHECK(text_width("", s2) == 0);
  CHECK(text_width("ab", s1) == 11);  // 6 + 5
  CHECK(text_width("ab", s2) == 22);
  CHECK(text_height(s2) == 16);

  Canvas c(20, 20, kWhite);
  const Rgb red{200, 0, 0};
  CHECK(draw_text(c, 3, 4, "T", {red, 2, false}) == 3 + 10);
  // Top row of 'T': font pixels (0..4, 0) -> canvas x 3..12, y 4..5.
  CHECK(c.pixel(3, 4) == red);
  CHECK(c.pixel(12, 5) == red);
  CHECK(c.pixel(3, 6) == kWhite);   // row 1 is only the stem
  CHECK(c.pixel(7, 16) == red);     // stem: font x 2 -> canvas 7..8, row 6 -> 16..17
  CHECK(c.pixel(13, 4) == kWhite);  // right of the glyph

  // Turned text: the first glyph's bottom-left at (2, 18), reading upwards.
  Canvas up(20, 20, kWhite);
  draw_text_up(up, 2, 18, "T", {red, 1, false});
  // Font row 0 ('#####') becomes column x = 2, from y = 17 up to y = 13.
  for (int y = 13; y <= 17; ++y) CHECK(up.pixel(2, y) == red);
  CHECK(up.pixel(2, 12) == kWhite);
  CHECK(up.pixel(3, 15) == red);  // the stem: font x 2 -> y = 18 - 2 - 1

  CHECK(fit_text("abcdefgh", text_width("abcde", s1), s1) == "ab..h");
  CHECK(fit_text("abcdefgh", text_width("abcdef", s1), s1) == "ab..gh");
  CHECK(fit_text("abc", 100, s1) == "abc");
}

TEST_CASE("canvas: lines cover their centre, not far pixels; PNG keeps the colours") {
  Canvas c(40, 30, kWhite);
  const Rgb blue{10, 20, 200};
  c.line(5, 5.5, 35, 5.5, 3, blue);  // horizontal, centred on row 5
  CHECK(c.pixel(20, 5) == blue);
  CHECK(c.pixel(20, 4) == blue);     // within 1.5 of the centre line
  CHECK(c.pixel(20, 8) == kWhite);   // 2.5 away: beyond the fade
  c.fill({0, 20, 4, 4}, {1, 2, 3});
  c.frame({10, 15, 6, 6}, {9, 9, 9});
  CHECK(c.pixel(10, 17) == Rgb{9, 9, 9});
  CHECK(c.pixel(12, 17) == kWhite);  // inside the frame

  const data::PngPixels back = data::decode_png_pixels(c.encode_png(), "canvas", 3);
  REQUIRE(back.width == 40);
  REQUIRE(back.height == 30);
  CHECK(back.data == c.rgb());
  CHECK(back.data[(21 * 40 + 2) * 3 + 2] == 3);
  CHECK(mix({0, 0, 0}, {200, 100, 50}, 0.5) == Rgb{100, 50, 25});
}

TEST_CASE("ticks: 1-2-5 steps, powers of ten, labels") {
  const std::vector<double> unit = linear_ticks(0, 1, 6);
  REQUIRE(unit.size() == 6);
  for (std::size_t i = 0; i < unit.size(); ++i) CHECK(unit[i] == doctest::Approx(0.2 * static_cast<double>(i)));
  // 0.83..0.91 with at most 7 ticks: 0.01 gives 9, 0.02 gives 4.
  const std::vector<double> t = linear_ticks(0.83, 0.91, 7);
  REQUIRE(t.size() == 4);
  CHECK(t.front() == doctest::Approx(0.84));
  CHECK(t.back() == doctest::Approx(0.90));
  CHECK(linear_ticks(-3, 17, 5) == std::vector<double>{0, 5, 10, 15});
  // Spans at the ends of what doubles hold end, with ticks or without.
  CHECK(linear_ticks(1e17, 1e17 + 64, 5).size() <= 5);
  CHECK(linear_ticks(0, 1e-322, 5).size() <= 5);
  CHECK(linear_ticks(-1e308, 1e308, 5).size() <= 5);

  const std::vector<double> wide = log_ticks(1e-5, 2e-3);
  REQUIRE(wide.size() == 3);
  CHECK(wide[0] == doctest::Approx(1e-5));
  CHECK(wide[2] == doctest::Approx(1e-3));
  // Less than two powers of ten in range: 2 and 5 times them too.
  const std::vector<double> narrow = log_ticks(2e-5, 1.5e-4);
  REQUIRE(narrow.size() == 3);
  CHECK(narrow[0] == doctest::Approx(2e-5));
  CHECK(narrow[1] == doctest::Approx(5e-5));
  CHECK(narrow[2] == doctest::Approx(1e-4));

  CHECK(tick_label(1e-4, 0, Scale::Log) == "1e-4");
  CHECK(tick_label(5e-5, 0, Scale::Log) == "5e-5");
  CHECK(tick_label(10, 0, Scale::Log) == "10");
  CHECK(tick_label(0.25, 0.05, Scale::Linear) == "0.25");
  CHECK(tick_label(0.8, 0.2, Scale::Linear) == "0.8");
  CHECK(tick_label(10, 5, Scale::Linear) == "10");
}

TEST_CASE("chart: a series lands on its mapped pixels; log scale; broken lines; errors") {
  Canvas c(500, 400, {0, 0, 0});
  Chart chart;
  chart.title = "t";
  chart.x_label = "epoch";
  chart.y_label = "loss";
  const Rgb colour = palette(3);
  chart.series.push_back({"a", colour, {0, 10}, {0, 10}});
  const PlotFrame f = draw_chart(c, {0, 0, 500, 400}, chart);
  CHECK(f.x_min == 0);
  CHECK(f.x_max == 10);
  CHECK(f.y_min == doctest::Approx(-0.5));  // 5% of the span below and above
  CHECK(f.y_max == doctest::Approx(10.5));
  CHECK(f.to_pixel_x(0) == f.area.x);
  CHECK(f.to_pixel_x(10) == f.area.right());
  CHECK(f.to_pixel_y(10.5) == doctest::Approx(f.area.y));
  CHECK(pixel_at(c, f, 5, 5) == colour);
  CHECK(pixel_at(c, f, 2.5, 2.5) == colour);
  CHECK(pixel_at(c, f, 8, 2) != colour);
  CHECK(pixel_at(c, f, 8, 2) != Rgb{0, 0, 0});  // the chart cleared its rectangle

  Canvas l(500, 400, kWhite);
  Chart lr;
  lr.y_scale = Scale::Log;
  // A NaN and a non-positive value break the line into two drawn segments.
  lr.series.push_back({"lr", colour, {0, 1, 2, 3, 4, 5}, {1e-3, 1e-4, NAN, 1e-5, 0, 1e-3}});
  const PlotFrame g = draw_chart(l, {0, 0, 500, 400}, lr);
  // log10 spans -5..-3, widened by 0.1 decade each side.
  CHECK(std::log10(g.y_min) == doctest::Approx(-5.1));
  CHECK(std::log10(g.y_max) == doctest::Approx(-2.9));
  // Halfway from (0, 1e-3) to (1, 1e-4) on the log axis is 10^-3.5.
  CHECK(pixel_at(l, g, 0.5, std::pow(10.0, -3.5)) == colour);
  // No segment from (1, 1e-4) towards the missing point or over the gap.
  CHECK(pixel_at(l, g, 2, std::pow(10.0, -4.5)) != colour);
  CHECK(pixel_at(l, g, 4, 1e-4) != colour);

  Chart bad;
  bad.series.push_back({"uneven", colour, {0, 1}, {0}});
  CHECK_THROWS_WITH(draw_chart(l, {0, 0, 500, 400}, bad), data::test::has("series 'uneven' has 2 x values but 1 y"));

  // Extreme values draw without trouble.
  Canvas x(300, 200, kWhite);
  Chart extreme;
  extreme.series.push_back({"x", colour, {-1e308, 1e308, 1e17}, {1e300, -1e300, 1e17 + 64}});
  CHECK(draw_chart(x, {0, 0, 300, 200}, extreme).area.w > 0);

  // No data at all: still a chart, with its note.
  Canvas e(300, 200, kWhite);
  Chart none;
  none.series.push_back({"a", colour, {}, {}});
  const PlotFrame h = draw_chart(e, {0, 0, 300, 200}, none);
  CHECK(h.area.w > 0);
}

TEST_CASE("outline: the rim of a square, inside the image and at its border") {
  // The square x 2..6, y 3..7 of a 10x10 mask.
  data::GrayImage mask(10, 10, 0);
  for (int y = 3; y <= 7; ++y) {
    for (int x = 2; x <= 6; ++x) mask.at(x, y) = 255;
  }
  const data::GrayImage rim = outline(mask);
  int count = 0;
  for (int y = 0; y < 10; ++y) {
    for (int x = 0; x < 10; ++x) {
      const bool in_square = x >= 2 && x <= 6 && y >= 3 && y <= 7;
      const bool on_edge = in_square && (x == 2 || x == 6 || y == 3 || y == 7);
      INFO("pixel ", x, ",", y);
      CHECK((rim.at(x, y) == 255) == on_edge);
      count += rim.at(x, y) == 255;
    }
  }
  CHECK(count == 16);
  // Width 2: the two outer rings of the square; only its centre is left.
  const data::GrayImage thick = outline(mask, 2);
  CHECK(thick.at(4, 5) == 0);
  CHECK(thick.at(3, 4) == 255);
  CHECK(thick.at(5, 6) == 255);

  // A mask filling the image: its rim is the image's border.
  const data::GrayImage full = outline(data::GrayImage(4, 4, 255));
  CHECK(full.at(0, 0) == 255);
  CHECK(full.at(3, 2) == 255);
  CHECK(full.at(1, 1) == 0);
  CHECK(full.at(2, 2) == 0);

  // 127 is off and 128 on: a probability stored as round(p * 255).
  data::GrayImage prob(3, 1, 127);
  prob.at(1, 0) = 128;
  CHECK(outline(prob).pixels == std::vector<std::uint8_t>{0, 255, 0});
}

TEST_CASE("shrink and dice") {
  data::GrayImage img(5, 3, 0);
  img.at(0, 0) = 100;
  img.at(1, 1) = 200;
  img.at(4, 2) = 255;
  const data::GrayImage mean = shrink(img, 2, false);
  REQUIRE(mean.width == 3);
  REQUIRE(mean.height == 2);
  CHECK(mean.at(0, 0) == 75);  // (100 + 200) / 4
  CHECK(mean.at(2, 1) == 255);  // the last partial block is one pixel
  const data::GrayImage any = shrink(img, 2, true);
  CHECK(any.at(0, 0) == 255);
  CHECK(any.at(1, 0) == 0);

  data::GrayImage truth(4, 1, 0), prob(4, 1, 0);
  truth.pixels = {255, 255, 0, 0};
  prob.pixels = {200, 0, 0, 130};
  CHECK(dice(truth, prob) == doctest::Approx(0.5));  // 2 * 1 / (2 + 2)
  CHECK(dice(data::GrayImage(2, 2, 0), data::GrayImage(2, 2, 0)) == 1.0);
}

}  // namespace
}  // namespace pn::report::test
