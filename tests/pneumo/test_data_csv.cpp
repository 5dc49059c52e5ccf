// CSV: the competition's dialects, errors with file and line, the real
// files, atomic writing.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "data_test_util.h"
#include "pneumo/data/csv.h"
#include "pneumo/data/file_io.h"
#include "tensor/error.h"

namespace pn::data {
namespace {

using namespace pn::data::test;

std::size_t count_lines(const std::string& text) {
  // Non-empty lines of a file without quoted line breaks.
  std::size_t n = 0;
  bool content = false;
  for (char c : text) {
    if (c == '\n' || c == '\r') {
      n += content;
      content = false;
    } else {
      content = true;
    }
  }
  return n + content;
}

// Names of the files in a folder.
std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

}  // namespace

TEST_CASE("csv: dialects of the competition's files") {
  SUBCASE("stage 1 header with a leading space, CRLF") {
    const CsvTable t = parse_csv("ImageId, EncodedPixels\r\nid1, -1\r\nid2, 1 2 3 4\r\n", "t1");
    REQUIRE(t.header.size() == 2);
    CHECK(t.header[1] == " EncodedPixels");  // kept byte for byte
    CHECK(t.column("EncodedPixels") == 1);
    CHECK(t.column(" EncodedPixels") == 1);
    REQUIRE(t.rows.size() == 2);
    CHECK(t.rows[0][1] == " -1");
    CHECK(t.rows[1][1] == " 1 2 3 4");
    CHECK(t.line == std::vector<std::size_t>{2, 3});
    CHECK(t.where(1) == "t1 line 3");
  }
  SUBCASE("quoted fields: commas, doubled quotes, line breaks") {
    const CsvTable t = parse_csv(
        "a,\"b,c\"\n\"x\",\"say \"\"hi\"\"\"\n\"multi\nline\",2\n\"\",last\n", "t2");
    CHECK(t.header == std::vector<std::string>{"a", "b,c"});
    REQUIRE(t.rows.size() == 3);
    CHECK(t.rows[0] == std::vector<std::string>{"x", "say \"hi\""});
    CHECK(t.rows[1] == std::vector<std::string>{"multi\nline", "2"});
    CHECK(t.rows[2] == std::vector<std::string>{"", "last"});
    CHECK(t.line == std::vector<std::size_t>{2, 3, 5});
  }
  SUBCASE("BOM, blank lines, lone CR, no final line end, empty fields") {
    const CsvTable t = parse_csv("\xEF\xBB\xBF" "a,b\r\n\r\n1,\r2,3\n\n,4", "t3");
    CHECK(t.header == std::vector<std::string>{"a", "b"});
    REQUIRE(t.rows.size() == 3);
    CHECK(t.rows[0] == std::vector<std::string>{"1", ""});
    CHECK(t.rows[1] == std::vector<std::string>{"2", "3"});
    CHECK(t.rows[2] == std::vector<std::string>{"", "4"});
    CHECK(t.line == std::vector<std::size_t>{3, 4, 6});
  }
}

TEST_CASE("csv: malformed files name the file and the line") {
  struct Bad {
    const char* text;
    const char* says;
  };
  const Bad bad[] = {
      {"", "bad.csv: empty file"},
      {"\r\n\n", "bad.csv: empty file"},
      {"a,b\n1,2\n3\n", "bad.csv line 3: 1 field where the header has 2"},
      {"a,b\n1,2,3\n", "bad.csv line 2: 3 fields where the header has 2"},
      {"a,b\n1,\"2\n3,4\n", "bad.csv line 2: quoted field is not closed"},
      {"a,b\n1,2\"x\n", "bad.csv line 2: a quote inside an unquoted field"},
      {"a,b\n\n1,\"2\"x\n", "bad.csv line 3: unexpected text after a closing quote"},
  };
  for (const Bad& b : bad) {
    INFO(b.text);
    CHECK_THROWS_WITH_AS(parse_csv(b.text, "bad.csv"), has(b.says), pn::Error);
  }
  const CsvTable t = parse_csv("fname,fold\nx,1\n", "folds.csv");
  CHECK_THROWS_WITH_AS(t.column("exist_labels"),
                       has("folds.csv: no column \"exist_labels\" (the columns "
                                         "are \"fname\", \"fold\")"),
                       pn::Error);
  CHECK_FALSE(t.find_column("exist_labels").has_value());
  const CsvTable twice = parse_csv("a, a\n1,2\n", "twice.csv");
  CHECK(twice.column("a") == 0);  // the exact match wins
  CHECK_THROWS_WITH_AS(twice.column(" a "), has("two columns"), pn::Error);

  TempDir tmp;
  CHECK_THROWS_WITH_AS(read_csv(tmp / "missing.csv"), has("missing.csv: no such file"),
                       pn::Error);
  CHECK_THROWS_WITH_AS(read_csv(tmp.path()), has("not a regular file"), pn::Error);
  write_bytes(tmp / "big.csv", "a\n1\n");
  CHECK_THROWS_WITH_AS(read_csv(tmp / "big.csv", 3), has("limit of 3"), pn::Error);
  write_bytes(tmp / "broken.csv", "a,b\n1,2\n3\n");
  CHECK_THROWS_WITH_AS(read_csv(tmp / "broken.csv"), has("broken.csv line 3"),
                       pn::Error);
}

TEST_CASE("csv: the competition's real files parse") {
  const fs::path ref = reference_dir();
  SUBCASE("folds") {
    for (const char* name : {"train_folds_5.csv", "2nd_stage_folds.csv"}) {
      const fs::path path = ref / "folds" / name;
      const CsvTable t = read_csv(path);
      INFO(path.string());
      CHECK(t.header == std::vector<std::string>{"fname", "fold", "exist_labels"});
      CHECK(t.rows.size() + 1 == count_lines(read_bytes(path)));
      const std::size_t fold = t.column("fold"), labels = t.column("exist_labels");
      std::set<std::string> folds, label_values;
      for (const auto& row : t.rows) {
        folds.insert(row[fold]);
        label_values.insert(row[labels]);
        CHECK(row[0].size() > 4);
      }
      CHECK(label_values == std::set<std::string>{"0", "1"});
      CHECK(folds.count("0") == 1);
      CHECK(folds.count("4") == 1);
    }
  }
  SUBCASE("sample submissions") {
    for (const char* name : {"new_sample_submission.csv", "stage_2_sample_submission.csv"}) {
      const fs::path path = ref / "input" / name;
      const CsvTable t = read_csv(path);
      INFO(path.string());
      CHECK(t.header == std::vector<std::string>{"ImageId", "EncodedPixels"});
      CHECK(t.rows.size() + 1 == count_lines(read_bytes(path)));
      for (const auto& row : t.rows) CHECK(row[1] == "-1");
    }
  }
}

TEST_CASE("csv: writing is atomic and round-trips") {
  TempDir tmp;
  const std::vector<std::string> header{"fname", "fold", "note"};
  const std::vector<std::vector<std::string>> rows{
      {"a.png", "0", "plain"}, {"b.png", "1", "with, comma"}, {"c.png", "2", "\"quoted\""},
      {"d.png", "3", "two\nlines"}, {"e.png", "4", ""}};
  CHECK(format_csv({"x", "y"}, {{"1", "a,b"}}) == "x,y\n1,\"a,b\"\n");
  const fs::path path = tmp / "folds.csv";
  write_csv(path, header, rows);
  const CsvTable back = read_csv(path);
  CHECK(back.header == header);
  CHECK(back.rows == rows);
  // Overwriting replaces the content; no temporary file is left behind.
  write_csv(path, header, {rows[0]});
  CHECK(read_csv(path).rows.size() == 1);
  CHECK(listing(tmp.path()) == std::set<std::string>{"folds.csv"});

  CHECK_THROWS_WITH_AS(write_csv(tmp / "no" / "such" / "dir.csv", header, rows),
                       has("dir.csv"), pn::Error);
  CHECK_THROWS_WITH_AS(format_csv(header, {{"only", "two"}}),
                       has("row 0 has 2 fields"), pn::Error);
  CHECK(listing(tmp.path()) == std::set<std::string>{"folds.csv"});
  // A folder where the file should go: the rename fails, nothing is left.
  fs::create_directory(tmp / "taken");
  fs::create_directory(tmp / "taken" / "sub");
  CHECK_THROWS_WITH_AS(write_file_atomic(tmp / "taken", "x"), has("renaming the temporary over it failed"),
                       pn::Error);
  CHECK(listing(tmp.path()) == std::set<std::string>{"folds.csv", "taken"});
}

}  // namespace pn::data
