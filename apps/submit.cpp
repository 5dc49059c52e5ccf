// pneumo submit: the reference's submission config -> a submission CSV.
#include <filesystem>
#include <iostream>

#include "apps/args.h"
#include "apps/commands.h"
#include "pneumo/config/yaml.h"
#include "pneumo/post/submit.h"

namespace pn::apps {

int run_submit(int argc, char** argv) {
  Args args(argc, argv, 0, {"root"});
  PN_CHECK(args.positional().size() == 1, "expected one configuration file: pneumo submit CONFIG.yaml [--root DIR]");
  const std::string config_file = args.positional()[0];
  // The reference ran TripletSubmit.py from its pipeline folder; its relative
  // paths are taken from the current directory unless --root says otherwise.
  const std::filesystem::path base = args.str("root", std::filesystem::current_path().string());
  const post::SubmitConfig config = post::read_submit_config(config::load_yaml(config_file), base);
  const post::SubmitReport r = post::write_submission(config);
  std::cout << "submit: " << r.rows << " images, " << r.non_empty << " with a mask, written to "
            << config.submission.string() << "\n";
  return 0;
}

}  // namespace pn::apps
