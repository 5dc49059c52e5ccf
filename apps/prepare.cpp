// pneumo prepare: the competition's DICOMs and RLE CSV -> PNG folders.
#include <iostream>
#include <memory>

#include "apps/args.h"
#include "apps/commands.h"
#include "pneumo/data/prepare.h"
#include "pneumo/progress.h"

namespace pn::apps {

int run_prepare(int argc, char** argv) {
  Args args(argc, argv, 0,
            {"train", "test", "rle", "rle-format", "out", "size", "threads", "folds", "n-folds", "seed"},
            {"reference-masks"});
  data::PrepareOptions o;
  o.train_dir = args.str("train", "");
  o.test_dir = args.str("test", "");
  o.rle_csv = args.str("rle", "");
  if (args.has("rle-format")) o.rle_format = data::parse_rle_format(args.str("rle-format"), "option --rle-format");
  o.out_dir = args.str("out");
  o.size = static_cast<int>(args.integer("size", 1024));
  o.threads = static_cast<int>(args.integer("threads", 2));
  o.folds_csv = args.str("folds", "");
  o.n_folds = static_cast<int>(args.integer("n-folds", 5));
  o.fold_seed = static_cast<unsigned long long>(args.integer("seed", 42));
  // Masks are 0/255 at every size; --reference-masks keeps the grey edges the
  // reference's resize leaves at sizes other than 1024.
  o.binarize_masks = !args.has("reference-masks");
  std::unique_ptr<Progress> bar;  // made at the first call, when the total is known
  o.progress = [&bar](std::size_t done, std::size_t total) {
    if (!bar) bar = std::make_unique<Progress>("prepare", total);
    bar->update(done);
  };
  data::PrepareReport r = data::prepare_dataset(o);
  if (bar) bar->finish();
  std::cout << "prepare: " << r.train_total << " train and " << r.test_total << " test DICOMs; " << r.written
            << " written, " << r.skipped << " already done, " << r.failures.size() << " failed\n";
  if (!r.ids_without_row.empty())
    std::cout << "prepare: " << r.ids_without_row.size() << " train images have no RLE row (empty masks)\n";
  if (r.rows_without_image)
    std::cout << "prepare: " << r.rows_without_image << " RLE rows name no train image\n";
  for (const auto& f : r.failures) std::cerr << "prepare: " << f.file.string() << ": " << f.reason << "\n";
  return r.failures.empty() ? 0 : 1;
}

}  // namespace pn::apps
