#include "pneumo/data/rle_table.h"

#include "pneumo/data/csv.h"
#include "tensor/error.h"

namespace pn::data {

bool RleTable::has_mask(const std::string& image_id) const {
  const auto it = rows_of.find(image_id);
  PN_CHECK(it != rows_of.end(), source, ": no row for ImageId ", image_id);
  for (std::size_t r : it->second) {
    if (!rle_is_empty(texts[r])) return true;
  }
  return false;
}

GrayImage RleTable::mask(const std::string& image_id, int width, int height) const {
  const auto it = rows_of.find(image_id);
  PN_CHECK(it != rows_of.end(), source, ": no row for ImageId ", image_id);
  GrayImage m(width, height, 0);
  for (std::size_t r : it->second) {
    if (rle_is_empty(texts[r])) continue;
    PN_CHECK(format.has_value(), wheres[r],
             ": cannot tell whether the file's RLE is stage 1 (relative) or stage 2 "
             "(absolute): no row decides it; give the format explicitly");
    rle_paint(m, texts[r], *format, wheres[r]);
  }
  return m;
}

RleTable read_rle_csv(const std::filesystem::path& path, std::optional<RleFormat> format,
                      int check_width, int check_height) {
  const CsvTable csv = read_csv(path);
  RleTable t;
  t.source = csv.source;
  const std::size_t id_col = csv.column("ImageId");
  const std::size_t rle_col = csv.column("EncodedPixels");
  t.texts.reserve(csv.rows.size());
  t.wheres.reserve(csv.rows.size());
  for (std::size_t i = 0; i < csv.rows.size(); ++i) {
    const std::string& id = csv.rows[i][id_col];
    PN_CHECK(!id.empty(), csv.where(i), ": empty ImageId");
    auto [it, inserted] = t.rows_of.try_emplace(id);
    if (inserted) t.image_ids.push_back(id);
    it->second.push_back(i);
    t.texts.push_back(csv.rows[i][rle_col]);
    t.wheres.push_back(csv.where(i) + " (ImageId " + id + ")");
  }
  t.format = format ? format
                    : rle_detect_format(t.texts, check_width, check_height, t.wheres);
  return t;
}

void write_rle_csv(const std::filesystem::path& path,
                   const std::vector<std::pair<std::string, std::string>>& rows) {
  std::vector<std::vector<std::string>> cells;
  cells.reserve(rows.size());
  for (const auto& [id, rle] : rows) cells.push_back({id, rle});
  write_csv(path, {"ImageId", "EncodedPixels"}, cells);
}

}  // namespace pn::data
