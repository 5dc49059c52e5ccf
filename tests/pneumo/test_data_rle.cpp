// RLE: the reference's strings, both formats, union of rows, format detection,
// malformed strings, round trips (random masks and the real image ids).
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "data_test_util.h"
#include "pneumo/data/csv.h"
#include "pneumo/data/rle.h"
#include "pneumo/data/rle_table.h"
#include "tensor/error.h"

namespace pn::data {
namespace {

using namespace pn::data::test;

constexpr RleFormat S1 = RleFormat::Stage1Relative;
constexpr RleFormat S2 = RleFormat::Stage2Absolute;

GrayImage random_mask(std::mt19937& rng, int w, int h, double density, bool blobs) {
  GrayImage m(w, h, 0);
  if (!blobs) {
    std::bernoulli_distribution on(density);
    for (auto& v : m.pixels) v = on(rng) ? 255 : 0;
    return m;
  }
  std::uniform_int_distribution<int> nblobs(1, 4);
  const int n = nblobs(rng);
  for (int b = 0; b < n; ++b) {
    std::uniform_int_distribution<int> px(0, w - 1), py(0, h - 1), ext(1, std::max(1, w / 3));
    const int x0 = px(rng), y0 = py(rng), bw = ext(rng), bh = ext(rng);
    for (int y = y0; y < std::min(h, y0 + bh); ++y)
      for (int x = x0; x < std::min(w, x0 + bw); ++x) m.at(x, y) = 255;
  }
  return m;
}

int count_on(const GrayImage& m) {
  int n = 0;
  for (auto v : m.pixels) n += v != 0;
  return n;
}

}  // namespace

TEST_CASE("rle: reference strings of hand-made and random masks") {
  const auto lines = reference_lines(data_dir() / "rle_reference.txt");
  int cases = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("case ", 0) != 0) continue;
    const auto head = split_words(lines[i]);
    REQUIRE(head.size() == 4);
    const int w = std::stoi(head[2]), h = std::stoi(head[3]);
    REQUIRE(i + 4 < lines.size());
    const GrayImage mask = mask_from_rows(rest_after_key(lines[i + 1], "mask"), w, h);
    const std::string ref1 = rest_after_key(lines[i + 2], "ref1");
    const std::string enc1 = rest_after_key(lines[i + 3], "enc1");
    const std::string enc2 = rest_after_key(lines[i + 4], "enc2");
    INFO("case ", head[1], " ", w, "x", h);
    CHECK(rle_encode(mask, S1) == enc1);
    CHECK(rle_encode(mask, S2) == enc2);
    CHECK(rle_decode(enc1, S1, w, h) == mask);
    CHECK(rle_decode(enc2, S2, w, h) == mask);
    // Our string is the reference's unless the last pixel is mask (the run
    // the reference drops), and then it extends the reference's string.
    const bool last_on = mask.at(w - 1, h - 1) != 0;
    if (!last_on) {
      CHECK(enc1 == (ref1.empty() ? std::string("-1") : ref1));
    } else {
      CHECK(enc1 != ref1);
      CHECK(enc1.rfind(ref1, 0) == 0);
    }
    ++cases;
  }
  CHECK(cases >= 50);
}

TEST_CASE("rle: several rows for one image are united") {
  const auto lines = reference_lines(data_dir() / "rle_reference.txt");
  int cases = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("union ", 0) != 0) continue;
    const auto head = split_words(lines[i]);
    REQUIRE(head.size() == 5);
    const int w = std::stoi(head[2]), h = std::stoi(head[3]);
    const RleFormat format = head[4] == "1" ? S1 : S2;
    std::vector<std::string> texts;
    std::size_t j = i + 1;
    for (; j < lines.size() && lines[j].rfind("rle ", 0) == 0; ++j) {
      texts.push_back(rest_after_key(lines[j], "rle"));
    }
    REQUIRE(j < lines.size());
    const GrayImage expected = mask_from_rows(rest_after_key(lines[j], "mask"), w, h);
    INFO(lines[i]);
    CHECK(texts.size() >= 2);
    CHECK(rle_decode(texts, format, w, h) == expected);
    ++cases;
  }
  CHECK(cases == 16);
}

TEST_CASE("rle: the competition's example decodes alike in both formats") {
  const auto lines = reference_lines(data_dir() / "rle_reference.txt");
  bool found = false;
  for (std::size_t i = 0; i + 2 < lines.size(); ++i) {
    if (lines[i].rfind("same ", 0) != 0) continue;
    const auto head = split_words(lines[i]);
    const int w = std::stoi(head[2]), h = std::stoi(head[3]), pixels = std::stoi(head[4]);
    const std::vector<std::string> s1{rest_after_key(lines[i + 1], "s1")};
    const std::vector<std::string> s2{rest_after_key(lines[i + 2], "s2")};
    const GrayImage a = rle_decode(s1[0], S1, w, h);
    const GrayImage b = rle_decode(s2[0], S2, w, h);
    CHECK(a == b);
    CHECK(count_on(a) == pixels);
    CHECK(rle_detect_format(s1, w, h) == S1);
    CHECK(rle_detect_format(s2, w, h) == S2);
    CHECK(rle_encode(a, S1) == s1[0]);
    CHECK(rle_encode(a, S2) == s2[0]);
    found = true;
  }
  CHECK(found);
}

TEST_CASE("rle: pixel order is column-major, stage 1 relative, stage 2 1-based") {
  // 3 wide, 2 high: pixel numbers  0 2 4
  //                                1 3 5
  GrayImage m(3, 2, 0);
  m.at(1, 0) = 255;  // pixel 2
  m.at(1, 1) = 255;  // pixel 3
  m.at(2, 1) = 255;  // pixel 5 (the last: the reference would drop it)
  CHECK(rle_encode(m, S1) == "2 2 1 1");
  CHECK(rle_encode(m, S2) == "3 2 6 1");
  CHECK(rle_decode("2 2 1 1", S1, 3, 2) == m);
  CHECK(rle_decode("3 2 6 1", S2, 3, 2) == m);
  CHECK(rle_encode(GrayImage(3, 2, 0), S1) == "-1");
  for (const char* empty : {"-1", " -1", "", "  "}) {
    CHECK(rle_is_empty(empty));
    CHECK(rle_decode(empty, S1, 3, 2) == GrayImage(3, 2, 0));
    CHECK(rle_decode(empty, S2, 3, 2) == GrayImage(3, 2, 0));
  }
  CHECK_FALSE(rle_is_empty("1 1"));
}

TEST_CASE("rle: malformed strings are errors that name the row") {
  const std::string where = "train-rle.csv line 7";
  struct Bad {
    const char* text;
    RleFormat format;
    const char* says;
  };
  const Bad bad[] = {
      {"1 2 3", S1, "odd number of values"},
      {"1 2 3", S2, "odd number of values"},
      {"-3 2", S1, "negative offset"},
      {"5 -2", S1, "length -2"},
      {"4 0", S1, "length 0"},
      {"0 2", S2, "start 0"},
      {"-1 2", S2, "start -1"},
      {"1 x", S1, "\"x\" is not a number"},
      {"1 2.5", S2, "\"2.5\" is not a number"},
      {"1e3 2", S1, "is not a number"},
      {"- 2", S1, "is not a number"},
      {"10 3", S1, "goes past the last pixel"},   // 10..12 of 0..11
      {"12 1", S2, "goes past the last pixel"},   // pixel 12 of 1..12 ok; see below
      {"0 5 4 4", S1, "goes past the last pixel"},
      {"99999999999999999999 1", S1, "too large"},
  };
  for (const Bad& b : bad) {
    INFO(b.text, " as ", rle_format_name(b.format));
    if (std::string(b.text) == "12 1") {
      CHECK(rle_decode("12 1", S2, 4, 3).at(3, 2) == 255);  // the last pixel: fine
      CHECK_THROWS_WITH_AS(rle_decode("12 2", S2, 4, 3, where),
                           has(where + ": RLE run 1"), pn::Error);
      continue;
    }
    CHECK_THROWS_WITH_AS(rle_decode(b.text, b.format, 4, 3, where), has(where),
                         pn::Error);
    CHECK_THROWS_WITH_AS(rle_decode(b.text, b.format, 4, 3, where), has(b.says),
                         pn::Error);
  }
  CHECK_THROWS_AS(rle_decode("1 1", S1, 0, 3), pn::Error);
}

TEST_CASE("rle: format detection") {
  const int w = 8, h = 8;
  // Two runs: as stage 2 the second start would go backwards.
  CHECK(rle_detect_format(std::vector<std::string>{"-1", "10 3 2 4"}, w, h) == S1);
  // Increasing absolute starts whose stage 1 reading leaves the image.
  CHECK(rle_detect_format(std::vector<std::string>{"20 3 40 4", "-1"}, w, h) == S2);
  // One-run strings and empty masks fit both: undecided.
  CHECK_FALSE(rle_detect_format(std::vector<std::string>{"5 3", "-1", ""}, w, h).has_value());
  CHECK_FALSE(rle_detect_format(std::vector<std::string>{}, w, h).has_value());
  // An ambiguous string next to a deciding one follows the deciding one.
  CHECK(rle_detect_format(std::vector<std::string>{"5 3", "10 3 2 4"}, w, h) == S1);
  // Mixed formats: both rows are named.
  const std::vector<std::string> mixed{"10 3 2 4", "20 3 40 4"};
  const std::vector<std::string> wheres{"f.csv line 2", "f.csv line 3"};
  CHECK_THROWS_WITH_AS(rle_detect_format(mixed, w, h, wheres),
                       has("f.csv line 2 can only be stage 1"), pn::Error);
  CHECK_THROWS_WITH_AS(rle_detect_format(mixed, w, h, wheres),
                       has("f.csv line 3 can only be stage 2"), pn::Error);
  // Valid in one format only, though not as an encoder writes it: a zero
  // offset (touching runs) is still stage 1; decreasing starts still stage 2
  // when stage 1 cannot hold them.
  CHECK(rle_detect_format(std::vector<std::string>{"2 2 0 3"}, w, h) == S1);
  CHECK(rle_detect_format(std::vector<std::string>{"40 2 30 3"}, w, h) == S2);
  // Neither format.
  CHECK_THROWS_WITH_AS(rle_detect_format(std::vector<std::string>{"1 2 3"}, w, h, wheres),
                       has("f.csv line 2: RLE is neither"), pn::Error);
  CHECK_THROWS_WITH_AS(rle_detect_format(std::vector<std::string>{"-1", "70 2"}, w, h, wheres),
                       has("f.csv line 3: RLE is neither stage 1 (relative: RLE run 1 (pixels "
                           "70..71) goes past the last pixel 63"),
                       pn::Error);
}

TEST_CASE("rle: random masks round-trip in both formats, and are detected") {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int> size(1, 40);
  const double densities[] = {0.0, 0.02, 0.3, 0.7, 0.99, 1.0};
  int decided1 = 0, decided2 = 0;
  for (int i = 0; i < 400; ++i) {
    const int w = size(rng), h = size(rng);
    const GrayImage m = random_mask(rng, w, h, densities[i % 6], i % 2 == 1);
    INFO("mask ", i, " ", w, "x", h);
    const std::string s1 = rle_encode(m, S1), s2 = rle_encode(m, S2);
    REQUIRE(rle_decode(s1, S1, w, h) == m);
    REQUIRE(rle_decode(s2, S2, w, h) == m);
    // Detection never picks the wrong format.
    const auto d1 = rle_detect_format(std::vector<std::string>{s1}, w, h);
    const auto d2 = rle_detect_format(std::vector<std::string>{s2}, w, h);
    CHECK((!d1 || *d1 == S1));
    CHECK((!d2 || *d2 == S2));
    decided1 += d1.has_value();
    decided2 += d2.has_value();
  }
  // Most masks with several runs decide on their own.
  CHECK(decided1 > 100);
  CHECK(decided2 > 100);
}

TEST_CASE("rle: round trip through CSV files on the real image ids") {
  const CsvTable folds = read_csv(reference_dir() / "folds" / "train_folds_5.csv");
  const std::size_t fname = folds.column("fname");
  REQUIRE(folds.rows.size() > 10000);
  TempDir tmp;
  const int w = 24, h = 20;  // small, so that all ids run in well under a second
  std::vector<std::pair<std::string, std::string>> rows1, rows2;
  std::vector<std::pair<std::string, GrayImage>> masks;
  std::mt19937 rng(20190904);
  for (std::size_t i = 0; i < folds.rows.size(); ++i) {
    std::string id = folds.rows[i][fname];
    REQUIRE(id.size() > 4);
    REQUIRE(id.substr(id.size() - 4) == ".png");
    id.resize(id.size() - 4);
    GrayImage m = random_mask(rng, w, h, 0.3, i % 2 == 0);
    if (i % 5 == 0) m = GrayImage(w, h, 0);  // negatives
    if (i % 7 == 0) {
      // An image with two rows: a second, overlapping pneumothorax.
      GrayImage extra = random_mask(rng, w, h, 0.3, true);
      rows1.push_back({id, rle_encode(extra, S1)});
      rows2.push_back({id, rle_encode(extra, S2)});
      for (std::size_t k = 0; k < m.pixels.size(); ++k) m.pixels[k] |= extra.pixels[k];
      // The row for m alone follows; the union is m | extra = the new m.
    }
    rows1.push_back({id, rle_encode(m, S1)});
    rows2.push_back({id, rle_encode(m, S2)});
    masks.emplace_back(id, m);
  }
  write_rle_csv(tmp / "stage1.csv", rows1);
  write_rle_csv(tmp / "stage2.csv", rows2);
  const RleTable t1 = read_rle_csv(tmp / "stage1.csv", std::nullopt, w, h);
  const RleTable t2 = read_rle_csv(tmp / "stage2.csv", std::nullopt, w, h);
  CHECK(t1.format == S1);
  CHECK(t2.format == S2);
  CHECK(t1.image_ids.size() == masks.size());
  std::size_t mismatches = 0;
  for (const auto& [id, m] : masks) {
    if (!(t1.mask(id, w, h) == m)) ++mismatches;
    if (!(t2.mask(id, w, h) == m)) ++mismatches;
    if (t1.has_mask(id) != (count_on(m) > 0)) ++mismatches;
  }
  CHECK(mismatches == 0);

  // A few of them at the competition's size.
  for (std::size_t i = 0; i < 4; ++i) {
    GrayImage big = random_mask(rng, 1024, 1024, 0.0, true);
    big.at(1023, 1023) = 255;  // the run the reference would drop
    for (RleFormat f : {S1, S2}) CHECK(rle_decode(rle_encode(big, f), f, 1024, 1024) == big);
  }
}

TEST_CASE("rle: the stage 1 file as the competition wrote it") {
  TempDir tmp;
  // train-rle.csv's dialect: a space before EncodedPixels and before the
  // values, CRLF line ends, -1 for no pneumothorax.
  write_bytes(tmp / "train-rle.csv",
              "ImageId, EncodedPixels\r\n"
              "1.2.276.0.7230010.3.1.4.8323329.5597.1517875188.959090, -1\r\n"
              "1.2.276.0.7230010.3.1.4.8323329.14508.1517875252.443873, 387620 23 996 33 986 43 "
              "977 51 968 58 962 65 956 70 952 74 949 76 946 79\r\n"
              "1.2.276.0.7230010.3.1.4.8323329.14508.1517875252.443873, 1 2 1020 4\r\n");
  const RleTable t = read_rle_csv(tmp / "train-rle.csv");
  CHECK(t.format == S1);
  REQUIRE(t.image_ids.size() == 2);
  CHECK_FALSE(t.has_mask(t.image_ids[0]));
  CHECK(t.has_mask(t.image_ids[1]));
  const GrayImage m = t.mask(t.image_ids[1], 1024, 1024);
  CHECK(count_on(m) == 23 + 33 + 43 + 51 + 58 + 65 + 70 + 74 + 76 + 79 + 2 + 4);
  CHECK(m.at(0, 1) == 255);  // pixel 1: the second row's first run
  CHECK(t.mask(t.image_ids[0], 1024, 1024) == GrayImage(1024, 1024, 0));
  CHECK_THROWS_WITH_AS(t.mask("no-such-id", 1024, 1024), has("no-such-id"),
                       pn::Error);

  // A bad row is reported with its file, line and image id.
  write_bytes(tmp / "bad.csv",
              "ImageId,EncodedPixels\n"
              "a,-1\n"
              "b,1 2 3\n");
  CHECK_THROWS_WITH_AS(read_rle_csv(tmp / "bad.csv"),
                       has("bad.csv line 3 (ImageId b): RLE is neither"), pn::Error);
  const RleTable forced = read_rle_csv(tmp / "bad.csv", S1);
  CHECK_THROWS_WITH_AS(forced.mask("b", 8, 8),
                       has("bad.csv line 3 (ImageId b): RLE has an odd number"),
                       pn::Error);
  // Undecidable files read, but a non-empty row then needs the format.
  write_bytes(tmp / "one_run.csv", "ImageId,EncodedPixels\na,5 3\n");
  const RleTable undecided = read_rle_csv(tmp / "one_run.csv");
  CHECK_FALSE(undecided.format.has_value());
  CHECK_THROWS_WITH_AS(undecided.mask("a", 8, 8), has("give the format"),
                       pn::Error);
  // Missing columns.
  write_bytes(tmp / "nocol.csv", "ImageId,Pixels\na,-1\n");
  CHECK_THROWS_WITH_AS(read_rle_csv(tmp / "nocol.csv"),
                       has("no column \"EncodedPixels\""), pn::Error);
}

TEST_CASE("rle: the sample submissions read (all -1, format undecided)") {
  for (const char* name : {"new_sample_submission.csv", "stage_2_sample_submission.csv"}) {
    const RleTable t = read_rle_csv(reference_dir() / "input" / name);
    INFO(name);
    CHECK(t.texts.size() > 1000);
    CHECK_FALSE(t.format.has_value());
    CHECK_FALSE(t.has_mask(t.image_ids.front()));
    CHECK(t.mask(t.image_ids.back(), 16, 16) == GrayImage(16, 16, 0));
  }
}

}  // namespace pn::data
