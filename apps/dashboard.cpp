// pneumo dashboard: a page and figures summarising training experiments.
#include <iostream>

#include "apps/args.h"
#include "apps/commands.h"
#include "pneumo/report/dashboard.h"
#include "tensor/error.h"

namespace pn::apps {

int run_dashboard(int argc, char** argv) {
  Args args(argc, argv, 0, {"out", "samples"});
  PN_CHECK(args.positional().size() == 1, "expected one EXPERIMENTS_DIR, got ", args.positional().size(),
           " positional arguments");
  report::DashboardOptions o;
  o.experiments = args.positional()[0];
  o.out_dir = args.str("out");
  o.samples_per_fold = static_cast<int>(args.integer("samples", 8));
  const report::DashboardReport r = report::write_dashboard(o);
  for (const report::Experiment& e : r.experiments) {
    std::cout << e.name << ": " << e.folds.size() << " folds";
    if (const std::optional<double> m = e.mean_best_metric()) std::cout << ", mean best metric " << *m;
    std::cout << "\n";
    for (const report::FoldRun& f : e.folds) {
      for (const std::string& what : f.missing()) std::cout << "  fold " << f.fold << ": " << what << "\n";
    }
  }
  std::cout << "dashboard: wrote " << r.written.size() << " files; open " << (o.out_dir / "index.html").string()
            << "\n";
  return 0;
}

}  // namespace pn::apps
