#include "pneumo/data/prepare.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "pneumo/data/csv.h"
#include "pneumo/data/dicom.h"
#include "pneumo/data/png.h"
#include "pneumo/data/resize.h"
#include "pneumo/data/rle_table.h"
#include "tensor/error.h"

namespace pn::data {
namespace {

namespace fs = std::filesystem;

struct Job {
  bool train = false;
  fs::path dicom;
  std::string id;
};

// What one job produced, kept per job so the report's order does not depend
// on the threads.
struct Outcome {
  enum Kind { Written, Skipped, Failed } kind = Failed;
  std::string reason;
  bool no_row = false;
};

std::vector<fs::path> sorted_subdirs(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_directory()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A PNG of an earlier run counts when it has the size asked for and its end
// is there: the PNGs are written without fsync (see prepare_dataset), so
// after a power loss one may be cut short.
bool complete(const fs::path& png, int size) {
  const auto wh = png_size(png);
  return wh && wh->first == size && wh->second == size && png_has_end(png);
}

}  // namespace

std::vector<fs::path> find_dicoms(const fs::path& dir) {
  std::error_code ec;
  PN_CHECK(fs::is_directory(dir, ec), "DICOM folder ", dir.string(),
           " does not exist or is not a folder");
  std::vector<fs::path> files;
  try {
    for (const fs::path& a : sorted_subdirs(dir)) {
      for (const fs::path& b : sorted_subdirs(a)) {
        for (const auto& e : fs::directory_iterator(b)) {
          if (e.path().extension() == ".dcm" && !e.is_directory()) files.push_back(e.path());
        }
      }
    }
  } catch (const fs::filesystem_error& e) {
    pn::fail("cannot list DICOM folder ", dir.string(), ": ", e.what());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<FoldRow> make_folds(std::vector<std::pair<std::string, int>> id_labels, int n_folds,
                                unsigned long long seed) {
  PN_CHECK(n_folds >= 2, "make_folds: n_folds must be at least 2, got ", n_folds);
  std::sort(id_labels.begin(), id_labels.end());
  for (std::size_t i = 1; i < id_labels.size(); ++i) {
    PN_CHECK(id_labels[i].first != id_labels[i - 1].first, "make_folds: image id ",
             id_labels[i].first, " appears twice");
  }
  std::mt19937_64 rng(seed);
  std::vector<FoldRow> rows;
  rows.reserve(id_labels.size());
  for (int label : {0, 1}) {
    std::vector<std::string> ids;
    for (const auto& [id, l] : id_labels) {
      if ((l != 0 ? 1 : 0) == label) ids.push_back(id);
    }
    // Fisher-Yates with our own index draws: std::shuffle's use of the engine
    // is not specified, so its order could differ between standard libraries.
    for (std::size_t i = ids.size(); i > 1; --i) {
      const std::size_t j = static_cast<std::size_t>(rng() % i);
      std::swap(ids[i - 1], ids[j]);
    }
    for (std::size_t i = 0; i < ids.size(); ++i) {
      rows.push_back({ids[i] + ".png", static_cast<int>(i % static_cast<std::size_t>(n_folds)),
                      label});
    }
  }
  std::sort(rows.begin(), rows.end(),
            [](const FoldRow& a, const FoldRow& b) { return a.fname < b.fname; });
  return rows;
}

void write_folds(const fs::path& path, const std::vector<FoldRow>& rows) {
  std::vector<std::vector<std::string>> cells;
  cells.reserve(rows.size());
  for (const FoldRow& r : rows) {
    cells.push_back({r.fname, std::to_string(r.fold), std::to_string(r.exist_labels)});
  }
  write_csv(path, {"fname", "fold", "exist_labels"}, cells);
}

PrepareReport prepare_dataset(const PrepareOptions& o) {
  PN_CHECK(o.size >= 1, "prepare: size must be at least 1, got ", o.size);
  PN_CHECK(o.threads >= 1, "prepare: threads must be at least 1, got ", o.threads);
  PN_CHECK(!o.train_dir.empty() || !o.test_dir.empty(),
           "prepare: give a train folder, a test folder or both");
  PN_CHECK(o.train_dir.empty() || !o.rle_csv.empty(),
           "prepare: the train folder needs the RLE CSV file");
  PN_CHECK(!o.out_dir.empty(), "prepare: no output folder");
  PN_CHECK(o.folds_csv.empty() || o.n_folds >= 2, "prepare: n_folds must be at least 2, got ",
           o.n_folds);

  PrepareReport report;
  std::vector<Job> jobs;
  RleTable table;
  if (!o.train_dir.empty()) {
    table = read_rle_csv(o.rle_csv, o.rle_format);
    report.rle_format = table.format;
    for (const fs::path& f : find_dicoms(o.train_dir)) jobs.push_back({true, f, f.stem().string()});
    report.train_total = jobs.size();
  }
  if (!o.test_dir.empty()) {
    for (const fs::path& f : find_dicoms(o.test_dir)) jobs.push_back({false, f, f.stem().string()});
    report.test_total = jobs.size() - report.train_total;
  }

  const fs::path train_out = o.out_dir / "train", mask_out = o.out_dir / "mask",
                 test_out = o.out_dir / "test";
  try {
    if (report.train_total) {
      fs::create_directories(train_out);
      fs::create_directories(mask_out);
    }
    if (report.test_total) fs::create_directories(test_out);
  } catch (const fs::filesystem_error& e) {
    pn::fail("prepare: cannot create the output folders in ", o.out_dir.string(), ": ", e.what());
  }

  // A repeated id would overwrite another image's output: only the first
  // file (in path order) of each id, per kind, is used.
  std::vector<Outcome> outcomes(jobs.size());
  std::vector<bool> duplicate(jobs.size(), false);
  {
    std::unordered_map<std::string, std::size_t> first[2];
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      auto [it, fresh] = first[jobs[i].train].try_emplace(jobs[i].id, i);
      if (!fresh) {
        duplicate[i] = true;
        outcomes[i].reason = "image id " + jobs[i].id + " already used by " +
                             jobs[it->second].dicom.string();
      }
    }
  }

  // Each PNG is renamed into place complete (atomic against a stopped run)
  // but not fsynced one by one: two fsyncs per file took most of a run's
  // time.  One sync of the file system at the end makes the batch durable.
  constexpr nn::io::Durability kDeferred = nn::io::Durability::Deferred;
  auto run_job = [&](std::size_t i) {
    const Job& job = jobs[i];
    Outcome& out = outcomes[i];
    if (duplicate[i]) return;
    const std::string png = job.id + ".png";
    if (job.train) out.no_row = !table.contains(job.id);
    if (job.train ? complete(train_out / png, o.size) && complete(mask_out / png, o.size)
                  : complete(test_out / png, o.size)) {
      out.kind = Outcome::Skipped;
      return;
    }
    const DicomImage8 dicom = read_dicom(job.dicom);
    const GrayImage& img = dicom.image;
    if (!job.train) {
      write_png(test_out / png, resize_like_reference(img, o.size, o.size), kDeferred);
      out.kind = Outcome::Written;
      return;
    }
    GrayImage mask = out.no_row ? GrayImage(img.width, img.height, 0)
                                : table.mask(job.id, img.width, img.height);
    mask = resize_like_reference(mask, o.size, o.size);
    if (o.binarize_masks) {
      for (auto& v : mask.pixels) v = v >= 128 ? 255 : 0;
    }
    // The mask first: an image whose train PNG exists but whose mask does not
    // is redone, never used without its mask.
    write_png(mask_out / png, mask, kDeferred);
    write_png(train_out / png, resize_like_reference(img, o.size, o.size), kDeferred);
    out.kind = Outcome::Written;
  };

  std::mutex progress_mutex;
  std::size_t done = 0;
  if (o.progress) o.progress(0, jobs.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    while (true) {
      const std::size_t i = next.fetch_add(1);
      if (i >= jobs.size()) return;
      try {
        run_job(i);
      } catch (const std::exception& e) {
        outcomes[i].kind = Outcome::Failed;
        outcomes[i].reason = e.what();
      }
      std::lock_guard<std::mutex> lock(progress_mutex);
      ++done;
      if (o.progress) o.progress(done, jobs.size());
    }
  };
  const int n_threads =
      std::min<int>(o.threads, static_cast<int>(std::max<std::size_t>(jobs.size(), 1)));
  if (n_threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < n_threads; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }

  if (std::any_of(outcomes.begin(), outcomes.end(), [](const Outcome& x) { return x.kind == Outcome::Written; })) {
    nn::io::sync_file_system(o.out_dir.string());
  }

  std::unordered_set<std::string> train_ids;
  std::vector<std::pair<std::string, int>> labels;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const Outcome& out = outcomes[i];
    if (out.kind == Outcome::Written) ++report.written;
    if (out.kind == Outcome::Skipped) ++report.skipped;
    if (out.kind == Outcome::Failed) report.failures.push_back({jobs[i].dicom, out.reason});
    if (!jobs[i].train || duplicate[i]) continue;
    train_ids.insert(jobs[i].id);
    if (out.no_row) report.ids_without_row.push_back(jobs[i].id);
    if (out.kind != Outcome::Failed) {
      labels.emplace_back(jobs[i].id, !out.no_row && table.has_mask(jobs[i].id) ? 1 : 0);
    }
  }
  for (const std::string& id : table.image_ids) report.rows_without_image += !train_ids.count(id);
  if (!o.folds_csv.empty()) write_folds(o.folds_csv, make_folds(labels, o.n_folds, o.fold_seed));
  return report;
}

}  // namespace pn::data
