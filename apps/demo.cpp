// pneumo demo: the whole workflow on a generated data set (pneumo/demo/demo.h).
#include <iostream>

#include "apps/args.h"
#include "apps/commands.h"
#include "pneumo/demo/demo.h"
#include "tensor/backend.h"

namespace pn::apps {

int run_demo(int argc, char** argv) {
  Args args(argc, argv, 0, {"out", "train", "test", "size", "folds", "epochs", "filters", "seed"}, {"quiet", "cpu"});
  demo::DemoOptions o;
  o.out_dir = args.str("out", "demo");
  o.train_images = static_cast<int>(args.integer("train", o.train_images));
  o.test_images = static_cast<int>(args.integer("test", o.test_images));
  o.size = static_cast<int>(args.integer("size", o.size));
  o.folds = static_cast<int>(args.integer("folds", o.folds));
  o.epochs = static_cast<int>(args.integer("epochs", o.epochs));
  o.num_filters = static_cast<int>(args.integer("filters", o.num_filters));
  o.seed = static_cast<uint64_t>(args.integer("seed", static_cast<int64_t>(o.seed)));
  o.progress = !args.has("quiet");
  // The GPU when one is present, else the CPU.
  o.device = !args.has("cpu") && has_backend(DeviceType::CUDA) ? Device::cuda() : Device::cpu();
  std::cout << "pneumo demo: the first-place workflow on generated chest X-rays, on the "
            << (o.device.is_cpu() ? "CPU" : "GPU") << ", in " << o.out_dir.string() << std::endl;
  demo::DemoResult r = demo::run_demo(o, std::cout);
  std::cout << "\nscore " << r.score << " (an all-empty submission scores " << r.empty_score << ")\n"
            << "mean Dice over the " << r.positive_test_images << " test images with pneumothorax: " << r.positive_dice
            << "\n" << r.seconds << " s in all\n"
            << "submission: " << (o.out_dir / "submission.csv").string() << "\n"
            << "dashboard (results, curves, validation overlays): " << (o.out_dir / "dashboard" / "index.html").string()
            << "\nresult: " << (o.out_dir / "result.json").string() << "\n";
  return 0;
}

}  // namespace pn::apps
