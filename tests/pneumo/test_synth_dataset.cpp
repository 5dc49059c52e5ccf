// `pneumo synth`'s data set: the competition's layout, headers and CSV files,
// masks that match the rows, exact shares, determinism over seeds and
// threads, the output folder rules, and `prepare` reading it unchanged.
#include <doctest/doctest.h>

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "data_test_util.h"
#include "pneumo/augment/rng.h"
#include "pneumo/data/csv.h"
#include "pneumo/data/dicom.h"
#include "pneumo/data/png.h"
#include "pneumo/data/prepare.h"
#include "pneumo/data/rle.h"
#include "pneumo/data/rle_table.h"
#include "pneumo/synth/anatomy.h"
#include "pneumo/synth/render.h"
#include "pneumo/synth/synth_dataset.h"
#include "tensor/error.h"

namespace pn::synth {
namespace {

using namespace pn::data::test;
using data::GrayImage;
using data::RleFormat;

SynthOptions small(const fs::path& out, int train = 24, int test = 8) {
  SynthOptions o;
  o.out_dir = out;
  o.train = train;
  o.test = test;
  o.size = 128;
  o.seed = 5;
  o.threads = 2;
  return o;
}

std::string element(const fs::path& file, const DcmTagKey& key) {
  DcmFileFormat ff;
  REQUIRE(ff.loadFile(file.c_str()).good());
  OFString s;
  REQUIRE(ff.getDataset()->findAndGetOFStringArray(key, s).good());
  return s.c_str();
}

// The rows of a stage 1 file, in order: (ImageId, EncodedPixels) with the
// leading spaces removed, after checking the exact bytes of every line.
std::vector<std::pair<std::string, std::string>> stage1_rows(const fs::path& file) {
  const std::string text = read_bytes(file);
  const std::string header = "ImageId, EncodedPixels\r\n";
  REQUIRE(text.compare(0, header.size(), header) == 0);
  std::vector<std::pair<std::string, std::string>> rows;
  std::size_t at = header.size();
  while (at < text.size()) {
    const std::size_t end = text.find("\r\n", at);
    REQUIRE(end != std::string::npos);
    const std::string line = text.substr(at, end - at);
    const std::size_t comma = line.find(", ");
    REQUIRE(comma != std::string::npos);
    rows.emplace_back(line.substr(0, comma), line.substr(comma + 2));
    at = end + 2;
  }
  return rows;
}

// Image ids in order of first row, with their rows' RLE strings.
std::vector<std::pair<std::string, std::vector<std::string>>> by_image(
    const std::vector<std::pair<std::string, std::string>>& rows) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const auto& [id, rle] : rows) {
    if (out.empty() || out.back().first != id) out.push_back({id, {}});
    if (rle != "-1") out.back().second.push_back(rle);
  }
  return out;
}

bool is_number(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "PREFIX.N.T.R" -> {N, T, R}; fails the test for any other form.
std::vector<std::string> uid_tail(const std::string& uid, const std::string& prefix) {
  INFO("UID ", uid);
  REQUIRE(uid.compare(0, prefix.size(), prefix) == 0);
  const std::vector<std::string> parts = [&] {
    std::vector<std::string> p;
    std::string rest = uid.substr(prefix.size()) + ".";
    for (std::size_t at = 0, dot; (dot = rest.find('.', at)) != std::string::npos; at = dot + 1)
      p.push_back(rest.substr(at, dot - at));
    return p;
  }();
  REQUIRE(parts.size() == 3);
  for (const auto& p : parts) CHECK(is_number(p));
  CHECK(uid.size() <= 64);
  return parts;
}

// Every file under `dir` by relative path, with its bytes.
std::map<std::string, std::string> tree(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) files[fs::relative(e.path(), dir).string()] = read_bytes(e.path());
  return files;
}

}  // namespace

TEST_CASE("synth data set: the competition's layout, headers and CSV files") {
  TempDir tmp;
  const SynthOptions o = small(tmp / "out");
  const SynthReport r = synthesize_dataset(o);
  CHECK(r.train.images == 24);
  CHECK(r.train.positives == 5);  // round(0.22 * 24)
  CHECK(r.test.images == 8);
  CHECK(r.test.positives == 2);
  CHECK(r.seconds > 0);

  std::set<std::string> all_ids;
  const char* folders[2] = {"dicom-images-train", "dicom-images-test"};
  const char* truths[2] = {"train-rle.csv", "test-truth.csv"};
  for (int split = 0; split < 2; ++split) {
    INFO("split ", split);
    const auto dicoms = data::find_dicoms(o.out_dir / folders[split]);
    const auto images = by_image(stage1_rows(o.out_dir / truths[split]));
    REQUIRE(dicoms.size() == images.size());
    std::map<std::string, fs::path> file_of;
    for (const fs::path& f : dicoms) {
      INFO(f.string());
      const std::string sop = f.stem().string();
      file_of[sop] = f;
      CHECK(all_ids.insert(sop).second);  // distinct over train and test
      // STUDY_UID/SERIES_UID/SOP_UID.dcm, UIDs in the competition's form,
      // the three sharing N and T.
      const auto n_t_r = uid_tail(sop, "1.2.276.0.7230010.3.1.4.8323329.");
      const std::string series = f.parent_path().filename().string();
      const std::string study = f.parent_path().parent_path().filename().string();
      const auto s3 = uid_tail(series, "1.2.276.0.7230010.3.1.3.8323329.");
      const auto s2 = uid_tail(study, "1.2.276.0.7230010.3.1.2.8323329.");
      CHECK(s3[0] == n_t_r[0]);
      CHECK(s2[1] == n_t_r[1]);
      CHECK(element(f, DCM_StudyInstanceUID) == study);
      CHECK(element(f, DCM_SeriesInstanceUID) == series);
      CHECK(element(f, DCM_Modality) == "CR");
      CHECK(element(f, DCM_BodyPartExamined) == "CHEST");
      const std::string view = element(f, DCM_ViewPosition);
      CHECK((view == "PA" || view == "AP"));
      CHECK(element(f, DCM_PixelSpacing).find('\\') != std::string::npos);
      const data::DicomInfo info = data::read_dicom_info(f);
      CHECK(info.sop_instance_uid == sop);
      CHECK(info.rows == 128);
      CHECK(info.columns == 128);
      CHECK(info.bits_allocated == 8);
      CHECK(info.bits_stored == 8);
      CHECK(info.photometric == "MONOCHROME2");
    }
    // Rows are in image order: image k of the split is the anatomy of
    // stream (seed, split, k), and its rows decode to its region masks.
    for (std::size_t k = 0; k < images.size(); ++k) {
      const auto& [id, rles] = images[k];
      INFO("image ", k, " ", id);
      REQUIRE(file_of.count(id) == 1);
      augment::Rng rng = augment::Rng::for_sample(o.seed, static_cast<std::uint64_t>(split), k);
      const ChestImage expected = render_chest(draw_anatomy(rng, static_cast<int>(rles.size())), o.size);
      CHECK(data::read_dicom(file_of[id]).image == expected.image);
      REQUIRE(expected.regions.size() == rles.size());
      for (std::size_t j = 0; j < rles.size(); ++j) {
        CHECK(data::rle_decode(rles[j], RleFormat::Stage1Relative, 128, 128) == expected.regions[j]);
      }
    }
    // The project's own reader takes the file as it is.
    const data::RleTable table = data::read_rle_csv(o.out_dir / truths[split], std::nullopt, 128, 128);
    CHECK(table.image_ids.size() == images.size());
    if (split == 0) CHECK(table.format == RleFormat::Stage1Relative);
  }

  // The sample submission: each test image once, -1, as the competition's.
  std::string expected = "ImageId,EncodedPixels\n";
  for (const auto& [id, rles] : by_image(stage1_rows(o.out_dir / "test-truth.csv"))) expected += id + ",-1\n";
  CHECK(read_bytes(o.out_dir / "sample_submission.csv") == expected);
  CHECK(read_bytes(o.out_dir / synth_marker_name()).rfind("pneumo synth\n", 0) == 0);
}

TEST_CASE("synth data set: exact shares of positives and of two-region images") {
  TempDir tmp;
  SynthOptions o = small(tmp / "out", 100, 10);
  o.size = 64;
  o.positive_share = 0.3;
  const SynthReport r = synthesize_dataset(o);
  CHECK(r.train.positives == 30);
  CHECK(r.train.regions == 33);  // round(0.1 * 30) images with two
  CHECK(r.test.positives == 3);
  CHECK(r.test.regions == 4);  // at least one with two when there are two or more positives
  std::map<std::string, int> rows;
  for (const auto& [id, rle] : stage1_rows(o.out_dir / "train-rle.csv")) rows[id] += rle != "-1";
  int two = 0, positive = 0;
  for (const auto& [id, n] : rows) two += n == 2, positive += n > 0;
  CHECK(rows.size() == 100);
  CHECK(positive == 30);
  CHECK(two == 3);

  for (double share : {0.0, 1.0}) {
    o.positive_share = share;
    o.train = 12;
    const SynthReport s = synthesize_dataset(o);  // over the previous output
    CHECK(s.train.positives == static_cast<std::size_t>(12 * share));
  }
}

TEST_CASE("synth data set: same seed, same bytes, whatever the threads; another seed differs") {
  TempDir tmp;
  SynthOptions a = small(tmp / "a", 10, 4), b = a, c = a;
  a.threads = 1;
  b.out_dir = tmp / "b";
  b.threads = 3;
  c.out_dir = tmp / "c";
  c.seed = 6;
  synthesize_dataset(a);
  synthesize_dataset(b);
  synthesize_dataset(c);
  const auto ta = tree(a.out_dir), tb = tree(b.out_dir), tc = tree(c.out_dir);
  CHECK(ta.size() == 10 + 4 + 4);
  CHECK(ta == tb);
  CHECK(ta.at("train-rle.csv") != tc.at("train-rle.csv"));
  std::set<std::string> bytes_a, bytes_c;
  for (const auto& [path, bytes] : ta)
    if (path.ends_with(".dcm")) bytes_a.insert(bytes);
  for (const auto& [path, bytes] : tc)
    if (path.ends_with(".dcm")) CHECK(bytes_a.count(bytes) == 0);
}

TEST_CASE("synth data set: the output folder") {
  TempDir tmp;
  // A folder with something else in it is refused, and left alone.
  fs::create_directories(tmp / "busy");
  write_bytes(tmp / "busy" / "notes.txt", "mine");
  CHECK_THROWS_WITH_AS(synthesize_dataset(small(tmp / "busy")), has("is not empty"), pn::Error);
  CHECK_THROWS_WITH_AS(synthesize_dataset(small(tmp / "busy")), has("--force"), pn::Error);
  CHECK(tree(tmp / "busy").size() == 1);
  // With force it is written, and the other file stays.
  SynthOptions forced = small(tmp / "busy", 4, 2);
  forced.force = true;
  synthesize_dataset(forced);
  CHECK(read_bytes(tmp / "busy" / "notes.txt") == "mine");
  CHECK(data::find_dicoms(tmp / "busy" / "dicom-images-train").size() == 4);

  // An earlier output is replaced without force, leaving no stale image.
  synthesize_dataset(small(tmp / "out", 6, 3));
  SynthOptions again = small(tmp / "out", 4, 2);
  again.seed = 9;
  synthesize_dataset(again);
  CHECK(data::find_dicoms(tmp / "out" / "dicom-images-train").size() == 4);
  CHECK(data::find_dicoms(tmp / "out" / "dicom-images-test").size() == 2);

  // A file is not a folder; bad options are refused before anything is made.
  write_bytes(tmp / "file", "x");
  CHECK_THROWS_WITH_AS(synthesize_dataset(small(tmp / "file")), has("not a folder"), pn::Error);
  SynthOptions bad = small(tmp / "never");
  bad.size = 16;
  CHECK_THROWS_WITH_AS(synthesize_dataset(bad), has("size"), pn::Error);
  bad = small(tmp / "never");
  bad.positive_share = 1.5;
  CHECK_THROWS_WITH_AS(synthesize_dataset(bad), has("positive share"), pn::Error);
  bad = small(tmp / "never", 0, 0);
  CHECK_THROWS_WITH_AS(synthesize_dataset(bad), has("at least one image"), pn::Error);
  CHECK_FALSE(fs::exists(tmp / "never"));
}

TEST_CASE("synth data set: prepare reads it unchanged") {
  TempDir tmp;
  const SynthOptions o = small(tmp / "synth", 12, 4);
  const SynthReport s = synthesize_dataset(o);
  data::PrepareOptions p;
  p.train_dir = o.out_dir / "dicom-images-train";
  p.test_dir = o.out_dir / "dicom-images-test";
  p.rle_csv = o.out_dir / "train-rle.csv";
  p.out_dir = tmp / "png";
  p.size = 128;
  p.threads = 2;
  p.folds_csv = tmp / "png" / "folds.csv";
  const data::PrepareReport r = data::prepare_dataset(p);
  CHECK(r.failures.empty());
  CHECK(r.written == 16);
  CHECK(r.ids_without_row.empty());
  CHECK(r.rows_without_image == 0);
  CHECK(r.rle_format == RleFormat::Stage1Relative);

  const data::RleTable truth = data::read_rle_csv(o.out_dir / "train-rle.csv", RleFormat::Stage1Relative);
  std::size_t positives = 0;
  for (const std::string& id : truth.image_ids) {
    INFO(id);
    const GrayImage mask = data::read_png(p.out_dir / "mask" / (id + ".png"));
    CHECK(mask == truth.mask(id, 128, 128));
    positives += truth.has_mask(id);
    CHECK(data::png_size(p.out_dir / "train" / (id + ".png")) == std::pair<int, int>{128, 128});
  }
  CHECK(positives == s.train.positives);
  const data::CsvTable folds = data::read_csv(p.folds_csv);
  CHECK(folds.rows.size() == 12);
  std::size_t labelled = 0;
  for (const auto& row : folds.rows) labelled += row[2] == "1";
  CHECK(labelled == positives);
  CHECK(data::find_dicoms(p.test_dir).size() == 4);
}

}  // namespace pn::synth
