#include "pneumo/report/sample_figure.h"

#include <algorithm>

#include "pneumo/data/png.h"
#include "pneumo/report/font.h"
#include "pneumo/report/results_table.h"
#include "tensor/error.h"

namespace pn::report {

data::GrayImage outline(const data::GrayImage& mask, int width) {
  PN_CHECK(width >= 1, "outline: width must be >= 1, got ", width);
  data::GrayImage out(mask.width, mask.height, 0);
  auto inside = [&](int x, int y) {
    return x >= 0 && y >= 0 && x < mask.width && y < mask.height && mask.at(x, y) > 127;
  };
  for (int y = 0; y < mask.height; ++y) {
    for (int x = 0; x < mask.width; ++x) {
      if (!inside(x, y)) continue;
      bool rim = false;
      for (int dy = -width; dy <= width && !rim; ++dy) {
        for (int dx = -width; dx <= width && !rim; ++dx) rim = !inside(x + dx, y + dy);
      }
      if (rim) out.at(x, y) = 255;
    }
  }
  return out;
}

data::GrayImage shrink(const data::GrayImage& image, int factor, bool any) {
  PN_CHECK(factor >= 1, "shrink: factor must be >= 1, got ", factor);
  if (factor == 1) return image;
  data::GrayImage out((image.width + factor - 1) / factor, (image.height + factor - 1) / factor, 0);
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      int sum = 0, n = 0, top = 0;
      for (int j = y * factor; j < std::min(image.height, (y + 1) * factor); ++j) {
        for (int i = x * factor; i < std::min(image.width, (x + 1) * factor); ++i) {
          sum += image.at(i, j);
          top = std::max<int>(top, image.at(i, j));
          ++n;
        }
      }
      out.at(x, y) = static_cast<std::uint8_t>(any ? (top > 127 ? 255 : 0) : (sum + n / 2) / n);
    }
  }
  return out;
}

double dice(const data::GrayImage& truth, const data::GrayImage& prob) {
  PN_CHECK(truth.width == prob.width && truth.height == prob.height, "dice: masks of different sizes ", truth.width,
           "x", truth.height, " and ", prob.width, "x", prob.height);
  std::size_t t = 0, p = 0, both = 0;
  for (std::size_t i = 0; i < truth.pixels.size(); ++i) {
    const bool a = truth.pixels[i] > 127, b = prob.pixels[i] > 127;
    t += a;
    p += b;
    both += a && b;
  }
  return t + p == 0 ? 1.0 : 2.0 * static_cast<double>(both) / static_cast<double>(t + p);
}

namespace {

struct Thumbnail {
  std::string id;
  data::GrayImage image, truth_rim, prediction_rim;
  double dice = 0;
};

Thumbnail make_thumbnail(const ValidationSample& s, int tile) {
  const data::GrayImage image = data::read_png(s.image), mask = data::read_png(s.mask), prob = data::read_png(s.prob);
  for (const auto& [other, path] : {std::pair{&mask, &s.mask}, std::pair{&prob, &s.prob}}) {
    PN_CHECK(other->width == image.width && other->height == image.height, path->string(), ": ", other->width, "x",
             other->height, " but its image ", s.image.string(), " is ", image.width, "x", image.height);
  }
  const int factor = std::max(1, (std::max(image.width, image.height) + tile - 1) / tile);
  // The outline is two pixels wide in the thumbnail, to be seen.
  return {s.id, shrink(image, factor, false), outline(shrink(mask, factor, true), 2),
          outline(shrink(prob, factor, true), 2), dice(mask, prob)};
}

void draw_rim(Canvas& canvas, const data::GrayImage& rim, int x, int y, Rgb colour) {
  for (int j = 0; j < rim.height; ++j) {
    for (int i = 0; i < rim.width; ++i) {
      if (rim.at(i, j)) canvas.set(x + i, y + j, colour);
    }
  }
}

}  // namespace

Canvas draw_samples(const std::vector<ValidationSample>& samples, const std::string& title, int tile, int per_row) {
  PN_CHECK(!samples.empty() && tile >= 16 && per_row >= 1, "draw_samples: needs samples, tile >= 16, per_row >= 1");
  std::vector<Thumbnail> thumbs;
  int tile_w = 0, tile_h = 0;
  for (const ValidationSample& s : samples) {
    thumbs.push_back(make_thumbnail(s, tile));
    tile_w = std::max(tile_w, thumbs.back().image.width);
    tile_h = std::max(tile_h, thumbs.back().image.height);
  }
  const TextStyle bold{hex(0x111111), 2, true}, text{hex(0x222222), 2, false}, small{hex(0x444444), 1, false};
  const int pad = 10, line_h = kLineAdvance * text.scale;
  const int cols = std::min<int>(per_row, static_cast<int>(thumbs.size()));
  const int rows = (static_cast<int>(thumbs.size()) + cols - 1) / cols;
  const int cell_w = std::max(tile_w, 200) + pad, cell_h = tile_h + 2 * pad + line_h + kLineAdvance;
  const int header = pad + line_h + pad + line_h + pad;
  Canvas canvas(pad + cols * cell_w, header + rows * cell_h, {255, 255, 255});

  draw_text(canvas, pad, pad, fit_text(title, canvas.width() - 2 * pad, bold), bold);
  int x = pad;
  const int ly = pad + line_h + pad, mid = ly + text_height(text) / 2;
  for (const auto& [colour, label] : {std::pair{kTruthColour, "truth"}, std::pair{kPredictionColour, "prediction (p > 0.5)"}}) {
    canvas.fill({x, mid - 2, 24, 4}, colour);
    x = draw_text(canvas, x + 32, ly, label, text) + 24;
  }

  for (std::size_t k = 0; k < thumbs.size(); ++k) {
    const Thumbnail& t = thumbs[k];
    const int cx = pad + static_cast<int>(k) % cols * cell_w, cy = header + static_cast<int>(k) / cols * cell_h;
    canvas.draw_gray(t.image, cx, cy);
    draw_rim(canvas, t.truth_rim, cx, cy, kTruthColour);
    draw_rim(canvas, t.prediction_rim, cx, cy, kPredictionColour);
    draw_text(canvas, cx, cy + tile_h + pad / 2, "dice " + fixed(t.dice, 3), text);
    draw_text(canvas, cx, cy + tile_h + pad / 2 + line_h, fit_text(t.id, cell_w - pad, small), small);
  }
  return canvas;
}

}  // namespace pn::report
