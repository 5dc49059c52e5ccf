#include "pneumo/synth/synth_dataset.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cmath>
#include <fstream>
#include <numeric>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "nn/io/atomic_file.h"
#include "pneumo/augment/rng.h"
#include "pneumo/data/dicom_write.h"
#include "pneumo/data/rle.h"
#include "pneumo/data/rle_table.h"
#include "pneumo/synth/anatomy.h"
#include "pneumo/synth/render.h"
#include "pneumo/synth/uid.h"
#include "tensor/error.h"

namespace pn::synth {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// CPU seconds used by the calling thread: per-image costs that do not depend
// on what else the machine runs.
double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

constexpr const char* kMarker = "synth.txt";
constexpr const char* kMarkerFirstLine = "pneumo synth";
constexpr const char* kSplitFolder[2] = {"dicom-images-train", "dicom-images-test"};
constexpr const char* kTruthCsv[2] = {"train-rle.csv", "test-truth.csv"};
constexpr const char* kSampleSubmission = "sample_submission.csv";

// The random streams: image i of split s draws its anatomy from
// for_sample(seed, s, i); the plan (names, who is positive, headers) is one
// sequential stream.
constexpr std::uint64_t kPlanStream = 2;

struct ImagePlan {
  int split = 0;
  int index = 0;
  int regions = 0;
  data::DicomWriteTags tags;
  fs::path file;
};

std::string patient_uuid(augment::Rng& rng) {
  // A version 4 UUID, as the competition's anonymised patient ids.
  std::uint64_t hi = rng.bits(), lo = rng.bits();
  hi = (hi & ~0xF000ull) | 0x4000ull;
  lo = (lo & ~(0xCull << 60)) | (0x8ull << 60);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32), static_cast<unsigned long long>((hi >> 16) & 0xFFFF),
                static_cast<unsigned long long>(hi & 0xFFFF), static_cast<unsigned long long>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return buf;
}

template <class T>
void shuffle(std::vector<T>& v, augment::Rng& rng) {
  for (std::size_t i = v.size(); i > 1; --i) {
    std::swap(v[i - 1], v[static_cast<std::size_t>(rng.randint(0, static_cast<std::int64_t>(i) - 1))]);
  }
}

std::vector<ImagePlan> make_plan(const SynthOptions& o) {
  augment::Rng rng = augment::Rng::for_sample(o.seed, kPlanStream, 0);
  const int counts[2] = {o.train, o.test};
  const int total = o.train + o.test;

  // Distinct counters N from 1 .. max(13000, 2 * total), as the competition's
  // ~12000 images have.
  std::vector<std::uint32_t> numbers(static_cast<std::size_t>(std::max(13000, 2 * total)));
  std::iota(numbers.begin(), numbers.end(), 1u);
  for (int i = 0; i < total; ++i) {
    std::swap(numbers[static_cast<std::size_t>(i)],
              numbers[static_cast<std::size_t>(rng.randint(i, static_cast<std::int64_t>(numbers.size()) - 1))]);
  }

  std::vector<ImagePlan> plan;
  for (int split = 0; split < 2; ++split) {
    const int n = counts[split];
    std::vector<int> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    shuffle(order, rng);
    const int positives = static_cast<int>(std::lround(o.positive_share * n));
    int two = static_cast<int>(std::lround(o.two_region_share * positives));
    if (o.two_region_share > 0 && positives >= 2) two = std::max(two, 1);
    std::vector<int> regions(static_cast<std::size_t>(n), 0);
    for (int k = 0; k < positives; ++k) regions[static_cast<std::size_t>(order[static_cast<std::size_t>(k)])] = k < two ? 2 : 1;

    for (int i = 0; i < n; ++i) {
      ImagePlan p;
      p.split = split;
      p.index = i;
      p.regions = regions[static_cast<std::size_t>(i)];
      const std::uint64_t number = numbers[plan.size()];
      // The competition's times grow with N, about 0.0063 s per image.
      const std::uint64_t time = 1517875160ull + number * 63 / 10000 + static_cast<std::uint64_t>(rng.randint(0, 1));
      const ImageUids uids = competition_uids(number, time, static_cast<std::uint64_t>(rng.randint(100002, 999999)));
      p.tags.sop_instance_uid = uids.sop;
      p.tags.study_instance_uid = uids.study;
      p.tags.series_instance_uid = uids.series;
      p.tags.patient_id = patient_uuid(rng);
      p.tags.patient_sex = rng.uniform() < 0.55 ? "M" : "F";
      p.tags.patient_age = std::to_string(rng.randint(16, 90));
      p.tags.view_position = rng.uniform() < 0.6 ? "PA" : "AP";
      constexpr double kSpacings[] = {0.139, 0.143, 0.168, 0.171};
      p.tags.pixel_spacing_mm = kSpacings[rng.randint(0, 3)] * 1024.0 / o.size;
      p.file = o.out_dir / kSplitFolder[split] / uids.study / uids.series / (uids.sop + ".dcm");
      plan.push_back(std::move(p));
    }
  }
  return plan;
}

bool is_synth_output(const fs::path& dir) {
  std::ifstream in(dir / kMarker);
  std::string first;
  return in && std::getline(in, first) && first == kMarkerFirstLine;
}

// Checks that OUT may be written (see synthesize_dataset), removes the earlier
// outputs, and writes the marker.
void claim_output(const SynthOptions& o) {
  const fs::path& out = o.out_dir;
  std::error_code ec;
  const fs::file_status st = fs::status(out, ec);
  if (fs::exists(st)) {
    PN_CHECK(fs::is_directory(st), "synth: --out ", out.string(), " exists and is not a folder");
    const bool empty = fs::directory_iterator(out) == fs::directory_iterator();
    PN_CHECK(empty || o.force || is_synth_output(out), "synth: ", out.string(),
             " is not empty and holds no earlier `pneumo synth` output (no ", kMarker,
             "); choose a new or empty folder, or pass --force to write there anyway (replacing ",
             kSplitFolder[0], "/, ", kSplitFolder[1], "/, ", kTruthCsv[0], ", ", kTruthCsv[1], ", ",
             kSampleSubmission, ")");
  }
  for (const char* name : {kSplitFolder[0], kSplitFolder[1], kTruthCsv[0], kTruthCsv[1], kSampleSubmission}) {
    fs::remove_all(out / name, ec);
    PN_CHECK(!ec, "synth: cannot remove the earlier ", (out / name).string(), ": ", ec.message());
  }
  fs::create_directories(out, ec);
  PN_CHECK(!ec, "synth: cannot create ", out.string(), ": ", ec.message());
  std::ostringstream marker;
  marker << kMarkerFirstLine << "\ntrain " << o.train << "\ntest " << o.test << "\nsize " << o.size
         << "\npositive-share " << o.positive_share << "\ntwo-region-share " << o.two_region_share << "\nseed "
         << o.seed << "\n";
  nn::io::write_file_atomic((out / kMarker).string(), marker.str());
}

void check_options(const SynthOptions& o) {
  PN_CHECK(!o.out_dir.empty(), "synth: an output folder is required");
  PN_CHECK(o.train >= 0 && o.test >= 0 && o.train + o.test >= 1,
           "synth: need train >= 0, test >= 0 and at least one image, got train ", o.train, ", test ", o.test);
  PN_CHECK(o.train + o.test <= 1000000, "synth: at most 1000000 images, got ", o.train + o.test);
  PN_CHECK(o.size >= 64 && o.size <= 4096, "synth: size must be in 64 .. 4096, got ", o.size);
  PN_CHECK(o.positive_share >= 0 && o.positive_share <= 1, "synth: positive share must be in [0, 1], got ",
           o.positive_share);
  PN_CHECK(o.two_region_share >= 0 && o.two_region_share <= 1,
           "synth: two-region share must be in [0, 1], got ", o.two_region_share);
  PN_CHECK(o.threads >= 1, "synth: threads must be >= 1, got ", o.threads);
}

}  // namespace

const char* synth_marker_name() { return kMarker; }

SynthReport synthesize_dataset(const SynthOptions& o) {
  check_options(o);
  const Clock::time_point start = Clock::now();
  const std::vector<ImagePlan> plan = make_plan(o);
  claim_output(o);
  for (const ImagePlan& p : plan) {
    std::error_code ec;
    fs::create_directories(p.file.parent_path(), ec);
    PN_CHECK(!ec, "synth: cannot create ", p.file.parent_path().string(), ": ", ec.message());
  }

  // Each image's RLE rows, and the first failure (by image) to report.
  const auto count = static_cast<std::int64_t>(plan.size());
  std::vector<std::vector<std::string>> rles(plan.size());
  std::vector<double> render_s(plan.size(), 0), write_s(plan.size(), 0);
  std::vector<std::optional<std::string>> errors(plan.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(o.threads)
  for (std::int64_t k = 0; k < count; ++k) {
    const ImagePlan& p = plan[static_cast<std::size_t>(k)];
    try {
      const double t0 = thread_cpu_seconds();
      augment::Rng rng = augment::Rng::for_sample(o.seed, static_cast<std::uint64_t>(p.split),
                                                  static_cast<std::uint64_t>(p.index));
      const ChestImage chest = render_chest(draw_anatomy(rng, p.regions), o.size);
      for (const data::GrayImage& m : chest.regions) {
        rles[static_cast<std::size_t>(k)].push_back(data::rle_encode(m, data::RleFormat::Stage1Relative));
      }
      const double t1 = thread_cpu_seconds();
      data::write_dicom8(p.file, chest.image, p.tags);
      render_s[static_cast<std::size_t>(k)] = t1 - t0;
      write_s[static_cast<std::size_t>(k)] = thread_cpu_seconds() - t1;
    } catch (const std::exception& e) {
      errors[static_cast<std::size_t>(k)] = e.what();
    }
  }
  for (std::size_t k = 0; k < plan.size(); ++k) {
    PN_CHECK(!errors[k], "synth: ", plan[k].file.string(), ": ", *errors[k]);
  }

  SynthReport report;
  std::string truth[2];
  std::vector<std::pair<std::string, std::string>> submission;
  for (int split = 0; split < 2; ++split) truth[split] = "ImageId, EncodedPixels\r\n";
  for (std::size_t k = 0; k < plan.size(); ++k) {
    const ImagePlan& p = plan[k];
    SynthSplitReport& r = p.split == 0 ? report.train : report.test;
    const std::string& id = p.tags.sop_instance_uid;
    ++r.images;
    if (rles[k].empty()) {
      truth[p.split] += id + ", -1\r\n";
    } else {
      ++r.positives;
      r.regions += rles[k].size();
      for (const std::string& rle : rles[k]) truth[p.split] += id + ", " + rle + "\r\n";
    }
    if (p.split == 1) submission.emplace_back(id, "-1");
  }
  for (int split = 0; split < 2; ++split) {
    nn::io::write_file_atomic((o.out_dir / kTruthCsv[split]).string(), truth[split]);
  }
  data::write_rle_csv(o.out_dir / kSampleSubmission, submission);

  const double n = static_cast<double>(plan.size());
  report.render_ms = 1000 * std::accumulate(render_s.begin(), render_s.end(), 0.0) / n;
  report.write_ms = 1000 * std::accumulate(write_s.begin(), write_s.end(), 0.0) / n;
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

}  // namespace pn::synth
