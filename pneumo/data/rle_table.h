#pragma once
// The competition's RLE CSV files: train-rle.csv (stage 1), stage_2_train.csv
// (stage 2) and submissions, read into masks per image.
//
// Columns are found by name, ignoring surrounding spaces, so both the stage 1
// header "ImageId, EncodedPixels" and "ImageId,EncodedPixels" work.  An image
// may have several rows (one per pneumothorax); its mask is their union.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pneumo/data/image.h"
#include "pneumo/data/rle.h"

namespace pn::data {

struct RleTable {
  std::string source;                 // the file, for messages
  std::optional<RleFormat> format;    // nullopt: undecided (see read_rle_csv)
  std::vector<std::string> image_ids;  // each id once, in order of first row
  std::vector<std::string> texts;      // the EncodedPixels of every row
  std::vector<std::string> wheres;     // "FILE line N (ImageId ID)" per row
  std::unordered_map<std::string, std::vector<std::size_t>> rows_of;  // id -> row indices

  bool contains(const std::string& image_id) const { return rows_of.count(image_id) != 0; }
  // True when some row of the image is not "-1".  Requires contains(image_id).
  bool has_mask(const std::string& image_id) const;
  // The union of the image's rows as a 0/255 mask of width x height.
  // Throws pn::Error when the id has no row (naming the file and the id), when
  // a row is malformed (naming its line), or when the table's format is
  // undecided and a row is not empty.
  GrayImage mask(const std::string& image_id, int width, int height) const;
};

// Reads an RLE CSV file.  When `format` is nullopt it is detected over all rows
// (rle_detect_format, judged against a check_width x check_height image, the
// competition's 1024x1024); it stays nullopt when nothing decides (a file of
// "-1" only, say), and then only empty masks can be decoded.  Throws pn::Error
// naming the file and line for CSV errors, a missing ImageId or EncodedPixels
// column, an empty ImageId, and rows that are malformed RLE or mix formats.
RleTable read_rle_csv(const std::filesystem::path& path,
                      std::optional<RleFormat> format = std::nullopt, int check_width = 1024,
                      int check_height = 1024);

// Writes "ImageId,EncodedPixels" rows atomically, in the given order (the
// format of the sample submissions).
void write_rle_csv(const std::filesystem::path& path,
                   const std::vector<std::pair<std::string, std::string>>& rows);

}  // namespace pn::data
