#include "pneumo/data/csv.h"

#include <sstream>

#include "nn/io/json.h"  // is_valid_utf8
#include "pneumo/data/file_io.h"
#include "tensor/error.h"

namespace pn::data {
namespace {

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string list_columns(const std::vector<std::string>& header) {
  std::ostringstream os;
  for (std::size_t i = 0; i < header.size(); ++i) os << (i ? ", " : "") << '"' << header[i] << '"';
  return os.str();
}

// A single-pass RFC 4180 reader over the whole text.
class Parser {
 public:
  Parser(std::string_view text, std::string_view source) : text_(text), source_(source) {
    // A UTF-8 byte order mark is not part of the first column's name.
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  // Reads the next record into `fields`; returns false at the end of the
  // text.  Blank lines are skipped.  `start_line` receives the record's line.
  bool next(std::vector<std::string>& fields, std::size_t& start_line) {
    fields.clear();
    while (pos_ < text_.size() && is_eol(text_[pos_])) skip_eol();
    if (pos_ >= text_.size()) return false;
    start_line = line_;
    while (true) {
      fields.emplace_back();
      std::string& field = fields.back();
      if (pos_ < text_.size() && text_[pos_] == '"') {
        read_quoted(field);
      } else {
        read_plain(field);
      }
      if (pos_ >= text_.size()) return true;
      const char c = text_[pos_];
      if (c == ',') {
        ++pos_;
        continue;
      }
      // read_quoted / read_plain stop only at ',', a line end or the end.
      skip_eol();
      return true;
    }
  }

 private:
  static bool is_eol(char c) { return c == '\n' || c == '\r'; }

  // Consumes one line end: "\r\n", "\n" or a lone "\r".
  void skip_eol() {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }

  void read_plain(std::string& field) {
    const std::size_t begin = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && !is_eol(text_[pos_])) {
      PN_CHECK(text_[pos_] != '"', source_, " line ", line_,
               ": a quote inside an unquoted field (a field with quotes must be "
               "entirely quoted)");
      ++pos_;
    }
    field.assign(text_.substr(begin, pos_ - begin));
  }

  void read_quoted(std::string& field) {
    const std::size_t open_line = line_;
    ++pos_;  // the opening quote
    while (true) {
      PN_CHECK(pos_ < text_.size(), source_, " line ", open_line,
               ": quoted field is not closed before the end of the file");
      const char c = text_[pos_];
      if (c == '"') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
          field.push_back('"');
          pos_ += 2;
          continue;
        }
        ++pos_;  // the closing quote
        break;
      }
      if (c == '\r' || c == '\n') {
        // A line end inside quotes belongs to the field; count the line.
        if (c == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
          field.push_back('\r');
          ++pos_;
        }
        field.push_back(text_[pos_]);
        ++pos_;
        ++line_;
        continue;
      }
      field.push_back(c);
      ++pos_;
    }
    PN_CHECK(pos_ >= text_.size() || text_[pos_] == ',' || is_eol(text_[pos_]), source_,
             " line ", line_, ": unexpected text after a closing quote");
  }

  std::string_view text_;
  std::string source_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

// pandas decodes the files as UTF-8 and refuses them otherwise; an id with a
// stray byte would otherwise become a file name.
void check_utf8(const std::vector<std::string>& fields, std::string_view source, std::size_t line) {
  for (std::size_t i = 0; i < fields.size(); ++i)
    PN_CHECK(nn::io::is_valid_utf8(fields[i]), source, " line ", line, ": field ", i + 1,
             " is not valid UTF-8");
}

}  // namespace

std::optional<std::size_t> CsvTable::find_column(std::string_view name) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  std::optional<std::size_t> found;
  const std::string_view want = trim_spaces(name);
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (trim_spaces(header[i]) == want) {
      PN_CHECK(!found, source, ": two columns are named \"", want,
               "\" apart from spaces: ", list_columns(header));
      found = i;
    }
  }
  return found;
}

std::size_t CsvTable::column(std::string_view name) const {
  const auto i = find_column(name);
  PN_CHECK(i.has_value(), source, ": no column \"", name, "\" (the columns are ",
           list_columns(header), ")");
  return *i;
}

std::string CsvTable::where(std::size_t i) const {
  return source + " line " + std::to_string(i < line.size() ? line[i] : 0);
}

CsvTable parse_csv(std::string_view text, std::string_view source) {
  CsvTable table;
  table.source = std::string(source);
  Parser parser(text, source);
  std::size_t line = 0;
  PN_CHECK(parser.next(table.header, line), source, ": empty file (no header line)");
  check_utf8(table.header, source, line);
  std::vector<std::string> fields;
  while (parser.next(fields, line)) {
    PN_CHECK(fields.size() == table.header.size(), source, " line ", line, ": ",
             fields.size(), " field", fields.size() == 1 ? "" : "s", " where the header has ",
             table.header.size(), " (", list_columns(table.header), ")");
    check_utf8(fields, source, line);
    table.rows.push_back(fields);
    table.line.push_back(line);
  }
  return table;
}

CsvTable read_csv(const std::filesystem::path& path, std::size_t max_bytes) {
  const std::string text = read_file(path, max_bytes);
  return parse_csv(text, path.string());
}

std::string format_csv(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  auto put_field = [&out](const std::string& f) {
    if (f.find_first_of(",\"\r\n") == std::string::npos) {
      out += f;
      return;
    }
    out.push_back('"');
    for (char c : f) {
      if (c == '"') out.push_back('"');
      out.push_back(c);
    }
    out.push_back('"');
  };
  auto put_row = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i) out.push_back(',');
      put_field(row[i]);
    }
    out.push_back('\n');
  };
  PN_CHECK(!header.empty(), "format_csv: the header has no columns");
  put_row(header);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    PN_CHECK(rows[r].size() == header.size(), "format_csv: row ", r, " has ", rows[r].size(),
             " fields where the header has ", header.size());
    put_row(rows[r]);
  }
  return out;
}

void write_csv(const std::filesystem::path& path, const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows) {
  write_file_atomic(path, format_csv(header, rows));
}

}  // namespace pn::data
