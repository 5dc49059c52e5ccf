// pneumo train CONFIG.yaml: the reference's Train.py (pneumo/train/trainer.h).
#include <omp.h>

#include <iostream>

#include "apps/args.h"
#include "apps/commands.h"
#include "apps/device_option.h"
#include "pneumo/train/trainer.h"

namespace pn::apps {

int run_train(int argc, char** argv) {
  Args args(argc, argv, 0, {"root", "device", "workers", "threads"}, {"quiet"});
  PN_CHECK(args.positional().size() == 1, "expected one configuration file: pneumo train CONFIG.yaml");
  if (args.has("threads")) omp_set_num_threads(static_cast<int>(args.integer("threads", 1)));
  train::TrainConfig config = train::load_train_config(args.positional()[0], args.str("root", "."));
  train::TrainOptions options;
  options.device = pick_device(args.str("device", ""), config.device,
                               config.yaml.has("DEVICE") ? config.yaml["DEVICE"].where() : config.config_path.string());
  options.workers = static_cast<int>(args.integer("workers", -1));
  options.progress = !args.has("quiet");
  auto results = train::train_all(config, options);
  for (const auto& r : results)
    std::cout << "fold " << r.fold << ": best score " << r.best_score << " after " << r.epochs_done << " epochs\n";
  return 0;
}

}  // namespace pn::apps
