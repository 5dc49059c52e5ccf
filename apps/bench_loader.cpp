// pneumo bench --mode load: the batch loader alone, as one JSON line. Worker
// threads read the prepared PNGs, run the training transforms and collate
// batches (pneumo/loader/loader.h), exactly as `pneumo train` has them built;
// nothing consumes the batches but this loop. The loader keeps up with
// training when its images_per_s exceeds the training step's
// (`pneumo bench --mode train`) on the same machine.
#include <chrono>
#include <iostream>
#include <memory>
#include <numeric>
#include <thread>

#include "apps/args.h"
#include "apps/commands.h"
#include "pneumo/augment/transform_json.h"
#include "pneumo/loader/loader.h"

namespace pn::apps {

int run_bench_loader(int argc, char** argv) {
  Args args(argc, argv, 0, {"mode", "data", "folds", "fold", "transforms", "batch", "workers", "batches", "seed"});
  const std::string transforms = args.str("transforms");
  const int64_t batch = args.integer("batch", 4), batches = args.integer("batches", 50);
  const int64_t workers = args.integer("workers", std::max(1u, std::thread::hardware_concurrency()));
  PN_CHECK(batch >= 1 && batches >= 1, "options --batch and --batches must be positive");
  PN_CHECK(workers >= 1, "option --workers: needs at least 1, got ", workers);
  const auto rows = loader::read_folds(args.str("folds"));
  const auto dataset = std::make_shared<const loader::PneumoDataset>(loader::PneumoDataset::train(
      args.str("data"), rows, static_cast<int>(args.integer("fold", 0)), augment::load_transforms(transforms)));
  PN_CHECK(dataset->size() >= static_cast<std::size_t>(batch), "bench --mode load: the training split of ",
           args.str("folds"), " has ", dataset->size(), " images, fewer than one batch of ", batch);
  const auto seed = static_cast<std::uint64_t>(args.integer("seed", 0));

  // Epochs over the split in file order until `batches` batches have come out
  // after the first, which is not timed (the workers' start, first touches).
  using Clock = std::chrono::steady_clock;
  Clock::time_point t0;
  int64_t timed = -1;
  Shape shape;
  for (int64_t epoch = 0; timed < batches; ++epoch) {
    std::vector<std::size_t> order(dataset->size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    loader::Loader loader(dataset, std::move(order), seed, epoch,
                          {.batch_size = static_cast<std::size_t>(batch),
                           .workers = static_cast<int>(workers),
                           .drop_last = true});
    while (timed < batches) {
      std::optional<loader::Batch> b = loader.next();
      if (!b) break;
      if (timed < 0) {
        t0 = Clock::now();
        shape = b->images.shape();
      }
      ++timed;
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const double images_per_s = static_cast<double>(batches * batch) / seconds;
  std::string name = transforms;
  name.erase(0, name.find_last_of('/') + 1);
  std::cout << "{\"impl\": \"pneumo\", \"mode\": \"load\", \"transforms\": \"" << name
            << "\", \"height\": " << shape[2] << ", \"width\": " << shape[3] << ", \"batch\": " << batch
            << ", \"workers\": " << workers << ", \"batches\": " << batches << ", \"seconds\": " << seconds
            << ", \"images_per_s\": " << images_per_s
            << ", \"images_per_s_per_worker\": " << images_per_s / static_cast<double>(workers) << "}" << std::endl;
  return 0;
}

}  // namespace pn::apps
