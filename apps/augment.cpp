// pneumo augment: K augmented samples of one image (and mask) to look at.
#include <iostream>

#include "apps/args.h"
#include "apps/commands.h"
#include "pneumo/augment/preview.h"

namespace pn::apps {

int run_augment(int argc, char** argv) {
  Args args(argc, argv, 0, {"transforms", "image", "mask", "seed", "count", "out"});
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
