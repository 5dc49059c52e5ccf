#pragma once
// Reading and writing the competition's CSV files exactly as they are.
//
// The files come in several dialects that must all read the same way:
//   - the stage 1 RLE file's header "ImageId, EncodedPixels" (the second name
//     with a leading space, which the reference looks up literally);
//   - CRLF or LF line ends (a lone CR is also a line end);
//   - RFC 4180 quoted fields ("a,b" and "say ""hi"""), which may span lines;
//   - an optional UTF-8 byte order mark;
//   - "-1" for an empty mask (an ordinary field here: RLE meaning is rle.h's).
// Field text is kept byte for byte: nothing is trimmed or unquoted beyond the
// RFC 4180 quoting, so " EncodedPixels" keeps its space.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pn::data {

struct CsvTable {
  // Where the table came from ("<memory>" or the like for parse_csv); it
  // starts every error message about the table.
  std::string source;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  // line[i] is the 1-based line of the file on which rows[i] starts (the
  // header is line 1 unless blank lines precede it).
  std::vector<std::size_t> line;

  // Index of the column named `name`: an exact match first; otherwise the one
  // column whose name equals `name` once surrounding spaces are ignored (so
  // "EncodedPixels" finds " EncodedPixels").  Throws pn::Error naming the
  // source, the wanted column and the columns there are when there is no such
  // column or the space-insensitive match is not unique.
  std::size_t column(std::string_view name) const;
  // As column(), but nullopt instead of the error when the column is absent.
  std::optional<std::size_t> find_column(std::string_view name) const;

  // "SOURCE line N" for rows[i]: the prefix of error messages about a row.
  std::string where(std::size_t i) const;
};

// Parses CSV text.  Requires a header line.  Blank lines (nothing between two
// line ends) are skipped, as pandas does.  Every row must have exactly as many
// fields as the header.  Throws pn::Error naming `source` and the line number
// for: an empty text or no header, a row with a different number of fields, an
// unterminated quoted field, a quote inside an unquoted field, text after a
// closing quote, or a field that is not valid UTF-8.
CsvTable parse_csv(std::string_view text, std::string_view source);

// Reads and parses a file (at most max_bytes, checked before reading); errors
// name the file.
CsvTable read_csv(const std::filesystem::path& path,
                  std::size_t max_bytes = std::size_t{1} << 30);

// Formats a table: fields joined by ',', lines ended by "\n" (as pandas'
// to_csv writes), a field quoted (with doubled inner quotes) only when it holds
// a comma, a quote, CR or LF.  Requires every row to have header.size() fields
// (throws pn::Error otherwise).
std::string format_csv(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows);

// format_csv() written atomically to `path` (see write_file_atomic).
void write_csv(const std::filesystem::path& path, const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows);

}  // namespace pn::data
