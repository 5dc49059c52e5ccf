// Dataset preparation on a competition-shaped folder tree: outputs, failures
// reported without stopping, resuming, the folds file.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>

#include "data_test_util.h"
#include "pneumo/data/csv.h"
#include "pneumo/data/dicom.h"
#include "pneumo/data/file_io.h"
#include "pneumo/data/png.h"
#include "pneumo/data/prepare.h"
#include "pneumo/data/resize.h"
#include "pneumo/data/rle.h"
#include "tensor/error.h"

namespace pn::data {
namespace {

using namespace pn::data::test;

// Places `src` as DIR/<study>/<series>/<id>.dcm, the competition's layout.
fs::path place(const fs::path& dir, const std::string& id, const fs::path& src) {
  const fs::path folder = dir / ("study." + id) / ("series." + id);
  fs::create_directories(folder);
  const fs::path dst = folder / (id + ".dcm");
  fs::copy_file(src, dst);
  return dst;
}

}  // namespace

TEST_CASE("prepare: a competition-shaped tree") {
  TempDir tmp;
  const fs::path local = data_dir() / "dicom";
  const fs::path train = tmp / "dicom-images-train", test = tmp / "dicom-images-test";
  // Train: two images with masks (one with two rows), one negative, one
  // without any CSV row, one broken file.
  place(train, "img.pos", local / "jpeg_baseline_mono8.dcm");     // 72 x 56
  place(train, "img.two", local / "mono2_8bit_rle.dcm");          // 21 x 33
  place(train, "img.neg", local / "mono1_8bit_implicit.dcm");     // 40 x 30
  place(train, "img.norow", local / "mono2_8bit_window_ignored.dcm");
  const fs::path broken = train / "study.x" / "series.x" / "img.broken.dcm";
  fs::create_directories(broken.parent_path());
  write_bytes(broken, "this is not DICOM");
  write_bytes(train / "study.x" / "series.x" / "notes.txt", "ignored: not .dcm");
  write_bytes(train / "top-level.dcm", "ignored: not at */*/*.dcm");
  place(test, "img.test", local / "mono2_12bit_signed_bigendian.dcm");

  GrayImage pos(72, 56, 0), two_a(21, 33, 0), two_b(21, 33, 0);
  for (int y = 10; y < 30; ++y)
    for (int x = 20; x < 50; ++x) pos.at(x, y) = 255;
  for (int y = 0; y < 33; ++y) two_a.at(3, y) = 255;  // a whole column
  for (int x = 2; x < 21; ++x) two_b.at(x, 32) = 255;  // the last row, to the last pixel
  write_bytes(tmp / "train-rle.csv",
              "ImageId, EncodedPixels\r\n"
              "img.pos, " + rle_encode(pos, RleFormat::Stage1Relative) + "\r\n"
              "img.two, " + rle_encode(two_a, RleFormat::Stage1Relative) + "\r\n"
              "img.neg, -1\r\n"
              "img.two, " + rle_encode(two_b, RleFormat::Stage1Relative) + "\r\n"
              "img.broken, -1\r\n"
              "img.elsewhere, -1\r\n");

  PrepareOptions o;
  o.train_dir = train;
  o.test_dir = test;
  o.rle_csv = tmp / "train-rle.csv";
  o.out_dir = tmp / "out";
  o.size = 40;
  o.threads = 3;
  o.folds_csv = tmp / "out" / "folds.csv";
  std::size_t calls = 0, last_done = 0, total = 0;
  o.progress = [&](std::size_t done, std::size_t all) {
    ++calls;
    last_done = done;
    total = all;
  };

  const PrepareReport r = prepare_dataset(o);
  CHECK(r.train_total == 5);
  CHECK(r.test_total == 1);
  CHECK(r.written == 5);
  CHECK(r.skipped == 0);
  CHECK(r.rle_format == RleFormat::Stage1Relative);
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures[0].file == broken);
  CHECK(r.failures[0].reason.find("img.broken.dcm") != std::string::npos);
  CHECK(r.ids_without_row == std::vector<std::string>{"img.norow"});
  CHECK(r.rows_without_image == 1);  // img.elsewhere
  CHECK(calls == 7);
  CHECK(last_done == 6);
  CHECK(total == 6);

  const fs::path out = o.out_dir;
  auto expect_train = [&](const std::string& id, const GrayImage& full_mask) {
    INFO(id);
    const DicomImage8 d = read_dicom(train / ("study." + id) / ("series." + id) / (id + ".dcm"));
    CHECK(read_png(out / "train" / (id + ".png")) == resize_like_reference(d.image, 40, 40));
    CHECK(read_png(out / "mask" / (id + ".png")) == resize_like_reference(full_mask, 40, 40));
  };
  expect_train("img.pos", pos);
  GrayImage two = two_a;
  for (std::size_t i = 0; i < two.pixels.size(); ++i) two.pixels[i] |= two_b.pixels[i];
  expect_train("img.two", two);
  expect_train("img.neg", GrayImage(40, 30, 0));
  expect_train("img.norow", GrayImage(24, 20, 0));
  CHECK_FALSE(fs::exists(out / "train" / "img.broken.png"));
  CHECK_FALSE(fs::exists(out / "mask" / "img.broken.png"));
  const DicomImage8 t = read_dicom(test / "study.img.test" / "series.img.test" / "img.test.dcm");
  CHECK(read_png(out / "test" / "img.test.png") == resize_like_reference(t.image, 40, 40));

  const CsvTable folds = read_csv(o.folds_csv);
  CHECK(folds.header == std::vector<std::string>{"fname", "fold", "exist_labels"});
  std::map<std::string, std::string> label;
  for (const auto& row : folds.rows) label[row[0]] = row[2];
  CHECK(label == std::map<std::string, std::string>{{"img.neg.png", "0"},
                                                    {"img.norow.png", "0"},
                                                    {"img.pos.png", "1"},
                                                    {"img.two.png", "1"}});

  // Started again: everything complete is skipped; a missing mask is redone.
  PrepareOptions again = o;
  again.progress = nullptr;
  const PrepareReport r2 = prepare_dataset(again);
  CHECK(r2.written == 0);
  CHECK(r2.skipped == 5);
  CHECK(r2.failures.size() == 1);
  fs::remove(out / "mask" / "img.pos.png");
  write_bytes(out / "test" / "img.test.png", "half-written by someone else");
  // A PNG cut short (as a power loss before the final sync may leave one)
  // has its header and size but no end: redone.
  const std::string two_png = read_file(out / "train" / "img.two.png");
  write_bytes(out / "train" / "img.two.png", two_png.substr(0, two_png.size() - 1));
  const PrepareReport r3 = prepare_dataset(again);
  CHECK(r3.written == 3);
  CHECK(r3.skipped == 2);
  expect_train("img.pos", pos);
  expect_train("img.two", two);
  CHECK(read_png(out / "test" / "img.test.png") == resize_like_reference(t.image, 40, 40));
  // A different size is not "complete".
  again.size = 24;
  again.threads = 1;
  const PrepareReport r4 = prepare_dataset(again);
  CHECK(r4.written == 5);
  CHECK(png_size(out / "train" / "img.pos.png") == std::pair<int, int>(24, 24));
  for (const auto& e : fs::recursive_directory_iterator(out)) {
    CHECK(e.path().filename().string().find(".tmp.") == std::string::npos);
  }
}

TEST_CASE("prepare: bad options are refused before anything is written") {
  TempDir tmp;
  PrepareOptions o;
  o.out_dir = tmp / "out";
  CHECK_THROWS_WITH_AS(prepare_dataset(o), has("give a train folder"), pn::Error);
  o.train_dir = tmp / "missing";
  CHECK_THROWS_WITH_AS(prepare_dataset(o), has("needs the RLE CSV"), pn::Error);
  o.rle_csv = tmp / "missing.csv";
  CHECK_THROWS_WITH_AS(prepare_dataset(o), has("missing.csv"), pn::Error);
  write_bytes(tmp / "rle.csv", "ImageId,EncodedPixels\na,-1\n");
  o.rle_csv = tmp / "rle.csv";
  CHECK_THROWS_WITH_AS(prepare_dataset(o), has("missing does not exist"), pn::Error);
  o.size = 0;
  CHECK_THROWS_WITH_AS(prepare_dataset(o), has("size must be at least 1"), pn::Error);
  CHECK_FALSE(fs::exists(tmp / "out"));
}

TEST_CASE("prepare: folds are stratified, deterministic, sorted") {
  std::vector<std::pair<std::string, int>> ids;
  for (int i = 0; i < 103; ++i) ids.push_back({"id" + std::to_string(1000 + i), i % 5 == 0});
  const auto a = make_folds(ids, 5, 7);
  const auto b = make_folds(ids, 5, 7);
  const auto c = make_folds(ids, 5, 8);
  REQUIRE(a.size() == 103);
  int pos[5] = {}, neg[5] = {};
  bool differ = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].fname == b[i].fname);
    CHECK(a[i].fold == b[i].fold);
    differ = differ || a[i].fold != c[i].fold;
    if (i) CHECK(a[i - 1].fname < a[i].fname);
    (a[i].exist_labels ? pos : neg)[a[i].fold]++;
  }
  CHECK(differ);
  for (int f = 0; f < 5; ++f) {
    CHECK(pos[f] == 21 / 5 + (f < 21 % 5));  // 21 positives dealt round-robin
    CHECK(neg[f] >= 16);
    CHECK(neg[f] <= 17);
  }
  CHECK_THROWS_AS(make_folds(ids, 1, 7), pn::Error);
  ids.push_back(ids.front());
  CHECK_THROWS_WITH_AS(make_folds(ids, 5, 7), has("appears twice"), pn::Error);
}

}  // namespace pn::data
