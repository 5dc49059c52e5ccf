// pneumo synth: a competition-shaped stand-in for the SIIM-ACR data.
#include <iostream>

#include "apps/args.h"
#include "apps/commands.h"
#include "pneumo/synth/synth_dataset.h"

namespace pn::apps {

int run_synth(int argc, char** argv) {
  Args args(argc, argv, 0, {"out", "train", "test", "size", "positive-share", "seed", "threads"}, {"force"});
  synth::SynthOptions o;
  o.out_dir = args.str("out");
  o.train = static_cast<int>(args.integer("train", 200));
  o.test = static_cast<int>(args.integer("test", 50));
  o.size = static_cast<int>(args.integer("size", 1024));
  o.positive_share = args.number("positive-share", 0.22);
  o.seed = static_cast<std::uint64_t>(args.integer("seed", 42));
  o.threads = static_cast<int>(args.integer("threads", 2));
  o.force = args.has("force");
  const synth::SynthReport r = synth::synthesize_dataset(o);
  auto split = [](const char* name, const synth::SynthSplitReport& s) {
    std::cout << "synth: " << name << " " << s.images << " images, " << s.positives << " with pneumothorax ("
              << s.regions << " regions)\n";
  };
  split("train", r.train);
  split("test ", r.test);
  std::cout << "synth: " << o.size << "x" << o.size << " DICOMs, train-rle.csv, test-truth.csv and "
            << "sample_submission.csv in " << o.out_dir.string() << "\n"
            << "synth: " << r.seconds << " s on " << o.threads << " threads; CPU time per image "
            << r.render_ms << " ms to draw and render, " << r.write_ms << " ms to encode and write\n";
  return 0;
}

}  // namespace pn::apps
