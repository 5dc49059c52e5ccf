// pneumo infer CONFIG.yaml: the reference's Inference.py (pneumo/infer/ensemble.h).
#include <omp.h>

#include <iostream>

#include "apps/args.h"
#include "apps/commands.h"
#include "apps/device_option.h"
#include "pneumo/infer/ensemble.h"
#include "pneumo/train/train_config.h"

namespace pn::apps {

int run_infer(int argc, char** argv) {
  Args args(argc, argv, 0, {"root", "device", "workers", "threads", "data", "folds", "out"},
            {"oof", "float16", "quiet"});
  PN_CHECK(args.positional().size() == 1, "expected one configuration file: pneumo infer CONFIG.yaml");
  if (args.has("threads")) omp_set_num_threads(static_cast<int>(args.integer("threads", 1)));
  const std::string root = args.str("root", ".");
  infer::InferConfig config = infer::load_infer_config(args.positional()[0], root);
  infer::InferOptions options;
  options.device = pick_device(args.str("device", ""), config.device,
                               config.yaml.has("DEVICE") ? config.yaml["DEVICE"].where() : config.config_path.string());
  options.workers = static_cast<int>(args.integer("workers", -1));
  options.float16 = args.has("float16");
  options.progress = !args.has("quiet");
  if (args.has("oof")) {
    const auto out = args.str("out");
    std::size_t n = infer::infer_out_of_fold(config, train::resolve_path(root, args.str("data")),
                                             train::resolve_path(root, args.str("folds")), out, options);
    std::cout << "wrote " << n << " out-of-fold maps to " << out << "\n";
  } else {
    PN_CHECK(!args.has("data") && !args.has("folds") && !args.has("out"),
             "options --data, --folds and --out go with --oof (test mode writes RESULT)");
    std::size_t n = infer::infer_test(config, options);
    std::cout << "wrote " << n << " maps to " << config.result.string() << "\n";
  }
  return 0;
}

}  // namespace pn::apps
