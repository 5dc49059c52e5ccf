// pneumo augment: K augmented samples of one image (and mask) to look at, or,
// with --bench N, the time the pipeline takes per sample as one JSON line
// (bench/augment_peer.py prints the same line for albumentations, and
// bench/compare_augment runs both).
#include <omp.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <vector>

#include "apps/args.h"
#include "apps/commands.h"
#include "pneumo/augment/preview.h"
#include "pneumo/augment/rng.h"
#include "pneumo/augment/transform_json.h"
#include "pneumo/data/png.h"

namespace pn::apps {

namespace {

// Runs the pipeline on copies of one image/mask pair, sample k with the
// stream Rng::for_sample(seed, 0, k) as in training, and times only the
// pipeline calls (the copies are made before the clock starts).
int bench_augment(const Args& args) {
  const int64_t samples = args.integer("bench", 40);
  const int channels = static_cast<int>(args.integer("channels", 1));
  const int threads = static_cast<int>(args.integer("threads", 1));
  PN_CHECK(samples >= 1, "option --bench: needs at least 1 sample, got ", samples);
  PN_CHECK(channels == 1 || channels == 3, "option --channels: expected 1 or 3, got ", channels);
  PN_CHECK(threads >= 1, "option --threads: needs at least 1, got ", threads);
  omp_set_num_threads(threads);
  const auto transforms = args.str("transforms");
  const augment::TransformPtr pipeline = augment::load_transforms(transforms);
  augment::Sample input;
  // The loader reads one gray channel (pneumo/loader/dataset.h); --channels 3
  // makes the three equal channels the reference's cv2.imread(path, 1) makes.
  input.image = augment::replicate_channels(augment::from_gray(data::read_png(args.str("image"))), channels);
  if (args.has("mask")) input.mask = augment::from_gray(data::read_png(args.str("mask")));
  const auto seed = static_cast<std::uint64_t>(args.integer("seed", 0));

  // Wall time, and the process's CPU time (user + system), which other
  // processes on a busy machine disturb less.
  auto cpu_now = [] {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
  };
  double total = 0, cpu = 0;
  auto run = [&](std::uint64_t k) {
    augment::Sample s = input;
    augment::Rng rng = augment::Rng::for_sample(seed, 0, k);
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpu_now();
    (*pipeline)(s, rng);
    cpu += cpu_now() - c0;
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  run(static_cast<std::uint64_t>(samples));  // warm-up: first-touch allocations
  total = cpu = 0;
  for (int64_t k = 0; k < samples; ++k) run(static_cast<std::uint64_t>(k));
  std::string name = transforms;
  name.erase(0, name.find_last_of('/') + 1);
  std::cout << "{\"impl\": \"pneumo\", \"transforms\": \"" << name << "\", \"width\": " << input.image.width
            << ", \"height\": " << input.image.height << ", \"channels\": " << channels
            << ", \"samples\": " << samples << ", \"threads\": " << threads << ", \"seconds\": " << total
            << ", \"images_per_s\": " << static_cast<double>(samples) / total << ", \"cpu_seconds\": " << cpu
            << ", \"images_per_cpu_s\": " << static_cast<double>(samples) / cpu << "}" << std::endl;
  return 0;
}

}  // namespace

int run_augment(int argc, char** argv) {
  Args args(argc, argv, 0, {"transforms", "image", "mask", "seed", "count", "out", "bench", "channels", "threads"});
  if (args.has("bench")) return bench_augment(args);
  augment::PreviewOptions o;
  o.transforms = args.str("transforms");
  o.image = args.str("image");
  if (args.has("mask")) o.mask = args.str("mask");
  o.seed = static_cast<std::uint64_t>(args.integer("seed", 0));
  o.count = static_cast<int>(args.integer("count", 8));
  o.out_dir = args.str("out");
  augment::PreviewReport r = augment::write_augmented_samples(o);
  std::cout << r.pipeline << "\n";
  std::cout << "augment: wrote " << r.written.size() << " files to " << o.out_dir.string() << "\n";
  return 0;
}

}  // namespace pn::apps
