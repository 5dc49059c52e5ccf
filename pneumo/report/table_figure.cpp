#include "pneumo/report/table_figure.h"

#include <algorithm>

#include "pneumo/report/font.h"
#include "tensor/error.h"

namespace pn::report {

Canvas draw_table(const ResultsTable& table) {
  const std::size_t columns = table.header.size();
  for (const auto& row : table.rows) {
    PN_CHECK(row.size() == columns, "draw_table: a row has ", row.size(), " cells for ", columns, " columns");
  }
  const TextStyle plain{hex(0x222222), 2, false}, bold{hex(0x111111), 2, true}, muted{hex(0x999999), 2, false};
  const int pad = 8, line_h = kLineAdvance * plain.scale;
  auto style_of = [&](const TableCell& c, std::size_t line) {
    return c.muted ? muted : (c.emphasised && line == 0 ? bold : plain);
  };

  // Column widths and row heights from the text they hold.
  std::vector<int> widths(columns, 0), heights;
  for (std::size_t c = 0; c < columns; ++c) widths[c] = text_width(table.header[c], bold);
  heights.push_back(line_h + 2 * pad);
  for (const auto& row : table.rows) {
    std::size_t lines = 1;
    for (std::size_t c = 0; c < columns; ++c) {
      lines = std::max(lines, row[c].lines.size());
      for (std::size_t l = 0; l < row[c].lines.size(); ++l) {
        widths[c] = std::max(widths[c], text_width(row[c].lines[l], style_of(row[c], l)));
      }
    }
    heights.push_back(static_cast<int>(lines) * line_h + 2 * pad);
  }
  int total_w = 1, total_h = 1;
  for (int& w : widths) total_w += (w += 2 * pad);
  for (int h : heights) total_h += h;

  Canvas canvas(total_w, total_h, {255, 255, 255});
  const Rgb grid = hex(0x9A9A9A);
  int y = 0;
  for (std::size_t r = 0; r <= table.rows.size(); ++r) {
    int x = 0;
    for (std::size_t c = 0; c < columns; ++c) {
      const Rect cell{x, y, widths[c] + 1, heights[r] + 1};
      if (r == 0) {
        canvas.fill(cell, hex(0xF1F3F4));
        draw_text(canvas, x + pad, y + pad, table.header[c], bold);
      } else {
        const TableCell& content = table.rows[r - 1][c];
        if (content.fill) canvas.fill(cell, *content.fill);
        // Names at the top left; values bottom-aligned and right-aligned, as
        // numbers sit in a spreadsheet.
        const int n = static_cast<int>(content.lines.size());
        const int top = c == 0 ? y + pad : y + heights[r] - pad - n * line_h + (line_h - text_height(plain));
        for (int l = 0; l < n; ++l) {
          const TextStyle s = style_of(content, static_cast<std::size_t>(l));
          const std::string& text = content.lines[static_cast<std::size_t>(l)];
          const int tx = c == 0 ? x + pad : x + widths[c] - pad - text_width(text, s);
          draw_text(canvas, tx, top + l * line_h, text, s);
        }
      }
      canvas.frame(cell, grid);
      x += widths[c];
    }
    y += heights[r];
  }
  return canvas;
}

}  // namespace pn::report
