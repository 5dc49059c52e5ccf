// pneumo schedule CONFIG.yaml [--epochs N]: the learning rate of each epoch
// that the configuration's OPTIMIZER and SCHEDULER give, one "epoch lr" pair
// per line (ReduceLROnPlateau sees a constant validation score).
#include <cstdio>

#include "apps/args.h"
#include "apps/commands.h"
#include "pneumo/config/yaml.h"
#include "pneumo/train/optim_factory.h"

namespace pn::apps {

int run_schedule(int argc, char** argv) {
  Args args(argc, argv, 0, {"epochs", "metric"});
  PN_CHECK(args.positional().size() == 1, "expected one configuration file: pneumo schedule CONFIG.yaml");
  config::Node y = config::load_yaml(args.positional()[0]);
  int64_t epochs = args.has("epochs") ? args.integer("epochs", 0) : y["EPOCHES"].integer();
  PN_CHECK(epochs >= 0, "option --epochs: expected a count >= 0, got ", epochs);
  auto lrs = train::lr_schedule(y["OPTIMIZER"], y["SCHEDULER"], epochs, args.number("metric", 0.0));
  for (std::size_t e = 0; e < lrs.size(); ++e) std::printf("%zu %.10g\n", e, lrs[e]);
  return 0;
}

}  // namespace pn::apps
