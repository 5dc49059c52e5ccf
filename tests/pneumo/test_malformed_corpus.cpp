// Malformed input: every file of tests/data/malformed (made by
// tests/reference/make_malformed_corpus.py) is refused by its reader with a
// pn::Error that names the file and says what is wrong, and the writing paths
// over malformed input leave nothing half-written behind.
#include <doctest/doctest.h>

#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <typeinfo>
#include <vector>

#include "data_test_util.h"
#include "nn/batch_norm.h"
#include "nn/checkpoint.h"
#include "nn/conv.h"
#include "nn/io/safetensors.h"
#include "nn/io/torch_checkpoint.h"
#include "nn/layers.h"
#include "pneumo/augment/transform_json.h"
#include "pneumo/config/yaml.h"
#include "pneumo/data/csv.h"
#include "pneumo/data/dicom.h"
#include "pneumo/data/png.h"
#include "pneumo/data/prepare.h"
#include "pneumo/data/rle_table.h"
#include "pneumo/loader/dataset.h"
#include "pneumo/train/train_config.h"
#include "tensor/error.h"
#include "tensor/random.h"

namespace pn {
namespace {

namespace fs = std::filesystem;
using data::test::read_bytes;
using data::test::TempDir;
using data::test::write_bytes;

fs::path corpus_dir() { return fs::path(PN_TEST_DATA_DIR) / "malformed"; }

// An RLE file read as the competition's tools read it: the format given (or
// detected), then every image's mask decoded at 1024 x 1024.
void read_rle_masks(const fs::path& path, std::optional<data::RleFormat> format) {
  const data::RleTable table = data::read_rle_csv(path, format);
  if (!table.format) return;
  for (const std::string& id : table.image_ids) table.mask(id, 1024, 1024);
}

// The manifest's reader names: each calls one reader of outside data on a path.
const std::map<std::string, std::function<void(const fs::path&)>>& readers() {
  static const std::map<std::string, std::function<void(const fs::path&)>> r = {
      {"dicom", [](const fs::path& p) { data::read_dicom(p); }},
      {"png", [](const fs::path& p) { data::read_png(p); }},
      {"csv", [](const fs::path& p) { data::read_csv(p); }},
      {"folds", [](const fs::path& p) { loader::read_folds(p); }},
      {"rle", [](const fs::path& p) { read_rle_masks(p, std::nullopt); }},
      {"rle_stage1", [](const fs::path& p) { read_rle_masks(p, data::RleFormat::Stage1Relative); }},
      {"rle_stage2", [](const fs::path& p) { read_rle_masks(p, data::RleFormat::Stage2Absolute); }},
      {"yaml", [](const fs::path& p) { config::load_yaml(p.string()); }},
      {"train_config", [](const fs::path& p) { train::load_train_config(p, p.parent_path()); }},
      {"transforms", [](const fs::path& p) { augment::load_transforms(p); }},
      {"safetensors", [](const fs::path& p) { nn::io::load_safetensors(p.string()); }},
      {"pth", [](const fs::path& p) { nn::io::load_torch_checkpoint(p.string()); }},
  };
  return r;
}

struct Refusal {
  std::string message;  // of the pn::Error; "" when none was thrown
  std::string other;    // the type and message of any other exception
};

Refusal refusal_of(const std::function<void()>& f) {
  Refusal r;
  try {
    f();
  } catch (const Error& e) {
    r.message = e.what();
    if (r.message.empty()) r.other = "a pn::Error with an empty message";
  } catch (const std::exception& e) {
    r.other = std::string(typeid(e).name()).append(": ").append(e.what());
  } catch (...) {
    r.other = "an exception that is not a std::exception";
  }
  return r;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::size_t from = 0;
  for (std::size_t at; (at = s.find(sep, from)) != std::string::npos; from = at + 1) out.push_back(s.substr(from, at - from));
  out.push_back(s.substr(from));
  return out;
}

struct CorpusEntry {
  fs::path path;
  std::string reader;
  std::vector<std::string> expect;
};

// The generated corpus, then the inputs that fuzzing found (tests/data/
// fuzz_findings: each a regression test, in the same manifest format).
std::vector<CorpusEntry> corpus() {
  std::vector<CorpusEntry> out;
  for (const fs::path& dir : {corpus_dir(), fs::path(PN_TEST_DATA_DIR) / "fuzz_findings"}) {
    const data::CsvTable m = data::read_csv(dir / "manifest.csv");
    const std::size_t c_file = m.column("file"), c_reader = m.column("reader"), c_expect = m.column("expect");
    for (const auto& row : m.rows) out.push_back({dir / row[c_file], row[c_reader], split(row[c_expect], '|')});
  }
  return out;
}

// The bytes of every tensor of a module's state, to compare before and after.
std::map<std::string, std::vector<unsigned char>> snapshot(const nn::Module& model) {
  std::map<std::string, std::vector<unsigned char>> out;
  for (const auto& [name, t] : model.state_dict()) {
    const auto* p = static_cast<const unsigned char*>(t.raw_data());  // tensors are contiguous
    out[name].assign(p, p + t.nbytes());
  }
  return out;
}

// Every regular file under dir, relative to it.
std::set<std::string> files_under(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (!e.is_directory()) out.insert(fs::relative(e.path(), dir).string());
  return out;
}

}  // namespace

TEST_CASE("malformed corpus: every file is refused with a pn::Error naming the file and the problem") {
  const std::vector<CorpusEntry> entries = corpus();
  // The corpus cannot silently shrink; every reader has its share.
  CHECK(entries.size() >= 200);
  std::map<std::string, int> per_reader;
  for (const CorpusEntry& e : entries) ++per_reader[e.reader];
  for (const auto& [name, read] : readers()) {
    INFO("reader ", name);
    CHECK(per_reader[name] >= 1);
  }
  for (const CorpusEntry& e : entries) {
    INFO("entry ", e.path.string(), " (reader ", e.reader, ")");
    REQUIRE(fs::is_regular_file(e.path));
    const auto reader = readers().find(e.reader);
    REQUIRE_MESSAGE(reader != readers().end(), "unknown reader");
    const Refusal r = refusal_of([&] { reader->second(e.path); });
    INFO("message: ", r.message);
    CHECK_MESSAGE(r.other.empty(), "threw another exception than pn::Error: ", r.other);
    CHECK_MESSAGE(!r.message.empty(), "accepted (no error)");
    if (r.message.empty()) continue;
    CHECK_MESSAGE(contains(r.message, e.path.string()), "the message does not name the file");
    for (const std::string& part : e.expect) CHECK_MESSAGE(contains(r.message, part), "missing '", part, "'");
  }
}

TEST_CASE("malformed corpus: prepare records each malformed DICOM and writes only complete PNGs") {
  TempDir tmp;
  const fs::path train = tmp.path() / "train-dicoms", out = tmp.path() / "out";
  auto place = [&](const std::string& id, const fs::path& src) {
    const fs::path folder = train / ("study." + id) / ("series." + id);
    fs::create_directories(folder);
    fs::copy_file(src, folder / (id + ".dcm"));
    return folder / (id + ".dcm");
  };
  place("good", data::test::data_dir() / "dicom" / "mono2_8bit_window_ignored.dcm");
  std::map<fs::path, std::string> bad;  // path -> id
  for (const CorpusEntry& e : corpus()) {
    if (e.reader != "dicom") continue;
    const std::string id = "bad_" + e.path.stem().string();
    bad[place(id, e.path)] = id;
  }
  REQUIRE(bad.size() >= 20);
  data::write_rle_csv(tmp.path() / "rle.csv", {{"good", "-1"}});

  data::PrepareOptions o;
  o.train_dir = train;
  o.rle_csv = tmp.path() / "rle.csv";
  o.out_dir = out;
  o.size = 32;
  o.threads = 2;
  const data::PrepareReport report = data::prepare_dataset(o);
  INFO("written: ", [&] {
    std::string s;
    for (const auto& f : files_under(out)) s.append(f).append(" ");
    return s;
  }());
  CHECK(report.written == 1);
  REQUIRE(report.failures.size() == bad.size());
  for (const data::PrepareFailure& f : report.failures) {
    INFO("failure ", f.file.string(), ": ", f.reason);
    CHECK(bad.count(f.file) == 1);
    CHECK(contains(f.reason, f.file.string()));
  }
  // Only the good image's two PNGs, complete; no temporary or partial file.
  CHECK(files_under(out) == std::set<std::string>{"mask/good.png", "train/good.png"});
  CHECK(data::read_png(out / "train" / "good.png").width == 32);
  CHECK(data::read_png(out / "mask" / "good.png").width == 32);

  // A second run redoes only the failures, which fail again the same way.
  const data::PrepareReport again = data::prepare_dataset(o);
  CHECK(again.skipped == 1);
  CHECK(again.failures.size() == bad.size());
  CHECK(files_under(out) == std::set<std::string>{"mask/good.png", "train/good.png"});
}

TEST_CASE("malformed corpus: prepare writes nothing for an image whose RLE row is malformed") {
  TempDir tmp;
  const fs::path train = tmp.path() / "train-dicoms", out = tmp.path() / "out";
  for (const char* id : {"a", "b"}) {
    const fs::path folder = train / "study" / (std::string("series.") + id);
    fs::create_directories(folder);
    fs::copy_file(data::test::data_dir() / "dicom" / "mono2_8bit_window_ignored.dcm", folder / (std::string(id) + ".dcm"));
  }
  // Row b: a run far past the image's last pixel.
  data::write_rle_csv(tmp.path() / "rle.csv", {{"a", "1 2"}, {"b", "5 99999999"}});
  data::PrepareOptions o;
  o.train_dir = train;
  o.rle_csv = tmp.path() / "rle.csv";
  o.rle_format = data::RleFormat::Stage1Relative;  // so that the table is read, and row b fails per image
  o.out_dir = out;
  o.size = 16;
  const data::PrepareReport report = data::prepare_dataset(o);
  CHECK(report.written == 1);
  REQUIRE(report.failures.size() == 1);
  CHECK(report.failures[0].file.filename() == "b.dcm");
  CHECK(contains(report.failures[0].reason, "line 3"));
  CHECK(contains(report.failures[0].reason, (tmp.path() / "rle.csv").string()));
  CHECK(files_under(out) == std::set<std::string>{"mask/a.png", "train/a.png"});
}

namespace {

std::shared_ptr<nn::Sequential> small_model(uint64_t seed) {
  manual_seed(seed);
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Conv2d>(1, 4, 3, 1, 1), std::make_shared<nn::BatchNorm2d>(4), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Conv2d>(4, 1, 1)});
}

}  // namespace

TEST_CASE("malformed corpus: a checkpoint that fails to load leaves the model as it was") {
  TempDir tmp;
  const fs::path good = tmp.path() / "good.safetensors";
  nn::save_checkpoint(good.string(), *small_model(1), nullptr, nullptr);
  const std::string bytes = read_bytes(good);

  std::vector<fs::path> bad;
  // Truncated at many offsets, and one byte changed in the header's JSON.
  for (std::size_t cut : {std::size_t{0}, std::size_t{7}, std::size_t{8}, std::size_t{40}, bytes.size() / 2,
                          bytes.size() - 4, bytes.size() - 1}) {
    bad.push_back(tmp.path() / ("cut_" + std::to_string(cut) + ".safetensors"));
    write_bytes(bad.back(), bytes.substr(0, cut));
  }
  // Complete files that do not fit the model: the last tensor missing, the
  // last tensor of another shape, an extra tensor. The tensors before the
  // faulty one are fine, so a loader that copied as it went would change them.
  nn::StateDict state = small_model(2)->state_dict();
  const std::string last = state.rbegin()->first;
  {
    nn::StateDict s = state;
    s.erase(last);
    bad.push_back(tmp.path() / "missing_last.safetensors");
    nn::io::save_safetensors(bad.back().string(), s);
  }
  {
    nn::StateDict s = state;
    s[last] = zeros({3});
    bad.push_back(tmp.path() / "last_reshaped.safetensors");
    nn::io::save_safetensors(bad.back().string(), s);
  }
  {
    nn::StateDict s = state;
    s["9.weight"] = zeros({1});
    bad.push_back(tmp.path() / "extra_tensor.safetensors");
    nn::io::save_safetensors(bad.back().string(), s);
  }
  for (const CorpusEntry& e : corpus())
    if (e.reader == "safetensors") bad.push_back(e.path);

  auto model = small_model(3);
  const auto before = snapshot(*model);
  for (const fs::path& p : bad) {
    INFO("file ", p.string());
    const Refusal r = refusal_of([&] { nn::load_checkpoint(p.string(), *model, nullptr, nullptr); });
    INFO("message: ", r.message);
    CHECK(r.other.empty());
    CHECK(contains(r.message, p.string()));
    CHECK(snapshot(*model) == before);
  }
  // The good file does change it (so the comparison above can fail).
  nn::load_checkpoint(good.string(), *model, nullptr, nullptr);
  CHECK(snapshot(*model) != before);
}

}  // namespace pn
