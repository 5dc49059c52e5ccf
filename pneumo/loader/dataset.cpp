#include "pneumo/loader/dataset.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "pneumo/data/csv.h"
#include "pneumo/data/png.h"
#include "tensor/error.h"

namespace pn::loader {

namespace fs = std::filesystem;

namespace {

int parse_int(const std::string& text, const data::CsvTable& table, std::size_t row, const char* column) {
  int value = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
  PN_CHECK(!text.empty() && r.ec == std::errc() && r.ptr == text.data() + text.size(), table.where(row), ": ",
           column, " must be an integer, got '", text, "'");
  return value;
}

}  // namespace

const char* split_name(Split s) {
  switch (s) {
    case Split::Train: return "train";
    case Split::Val: return "val";
    case Split::Test: return "test";
  }
  return "?";
}

std::vector<FoldRow> read_folds(const fs::path& csv) {
  const data::CsvTable table = data::read_csv(csv);
  const std::size_t c_name = table.column("fname"), c_fold = table.column("fold"),
                    c_label = table.column("exist_labels");
  std::vector<FoldRow> rows;
  rows.reserve(table.rows.size());
  std::set<std::string> seen;
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    const auto& r = table.rows[i];
    FoldRow row;
    row.fname = r[c_name];
    PN_CHECK(!row.fname.empty(), table.where(i), ": empty fname");
    PN_CHECK(seen.insert(row.fname).second, table.where(i), ": fname ", row.fname, " appears twice");
    row.fold = parse_int(r[c_fold], table, i, "fold");
    row.exist_labels = parse_int(r[c_label], table, i, "exist_labels");
    PN_CHECK(row.exist_labels == 0 || row.exist_labels == 1, table.where(i), ": exist_labels must be 0 or 1, got ",
             row.exist_labels);
    rows.push_back(std::move(row));
  }
  return rows;
}

PneumoDataset PneumoDataset::train(const fs::path& root, const std::vector<FoldRow>& rows, int fold,
                                   augment::TransformPtr transform) {
  PneumoDataset d(Split::Train, root, std::move(transform));
  bool found = false;
  for (const FoldRow& r : rows) {
    if (r.fold == fold) {
      found = true;
      continue;
    }
    d.fnames_.push_back(r.fname);
    d.labels_.push_back(r.exist_labels);
  }
  PN_CHECK(found, "PneumoDataset: validation fold ", fold, " does not occur in the folds file");
  return d;
}

PneumoDataset PneumoDataset::val(const fs::path& root, const std::vector<FoldRow>& rows, int fold,
                                 augment::TransformPtr transform) {
  PneumoDataset d(Split::Val, root, std::move(transform));
  for (const FoldRow& r : rows) {
    if (r.fold != fold) continue;
    d.fnames_.push_back(r.fname);
    d.labels_.push_back(r.exist_labels);
  }
  PN_CHECK(!d.fnames_.empty(), "PneumoDataset: validation fold ", fold, " does not occur in the folds file");
  return d;
}

PneumoDataset PneumoDataset::test(const fs::path& root, augment::TransformPtr transform) {
  PneumoDataset d(Split::Test, root, std::move(transform));
  const fs::path dir = root / "test";
  PN_CHECK(fs::is_directory(dir), dir.string(), ": no such folder (the test images of the prepared dataset)");
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".png") d.fnames_.push_back(entry.path().filename().string());
  }
  std::sort(d.fnames_.begin(), d.fnames_.end());  // sorted(os.listdir(...)) in the reference
  return d;
}

std::string PneumoDataset::id(std::size_t i) const {
  const std::string& f = fname(i);
  return f.size() > 4 && f.compare(f.size() - 4, 4, ".png") == 0 ? f.substr(0, f.size() - 4) : f;
}

fs::path PneumoDataset::image_path(std::size_t i) const {
  return root_ / (split_ == Split::Test ? "test" : "train") / fname(i);
}

fs::path PneumoDataset::mask_path(std::size_t i) const { return root_ / "mask" / fname(i); }

augment::Sample PneumoDataset::read(std::size_t i) const {
  PN_CHECK(i < size(), "PneumoDataset: item ", i, " of ", size());
  augment::Sample s;
  s.image = augment::from_gray(data::read_png(image_path(i)));
  if (split_ == Split::Test) return s;
  if (split_ == Split::Train && labels_[i] == 0) {
    s.mask = augment::Image(s.image.width, s.image.height, 1, 0);
    return s;
  }
  const fs::path mp = mask_path(i);
  s.mask = augment::from_gray(data::read_png(mp));
  PN_CHECK(s.mask.width == s.image.width && s.mask.height == s.image.height, mp.string(), ": the mask is ",
           s.mask.width, "x", s.mask.height, " but its image ", image_path(i).string(), " is ", s.image.width, "x",
           s.image.height);
  return s;
}

augment::Sample PneumoDataset::load(std::size_t i, augment::Rng& rng) const {
  augment::Sample s = read(i);
  if (transform_) {
    try {
      (*transform_)(s, rng);
    } catch (const Error& e) {
      pn::fail(image_path(i).string(), ": ", e.what());
    }
  }
  return s;
}

}  // namespace pn::loader
