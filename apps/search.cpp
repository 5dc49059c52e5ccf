// pneumo search: the triplet threshold search on out-of-fold predictions.
#include <cstdio>
#include <iostream>

#include "apps/args.h"
#include "apps/commands.h"
#include "pneumo/post/search.h"

namespace pn::apps {

int run_search(int argc, char** argv) {
  Args args(argc, argv, 0,
            {"predictions", "masks", "folds", "top", "area", "bottom", "min-contour-area", "out"});
  post::SearchOptions o;
  o.predictions = args.str("predictions");
  o.masks = args.str("masks");
  if (args.has("folds")) o.folds = args.str("folds");
  o.grid.top = args.numbers("top", o.grid.top);
  o.grid.area = args.numbers("area", o.grid.area);
  o.grid.bottom = args.numbers("bottom", o.grid.bottom);
  o.grid.min_contour_area = args.numbers("min-contour-area", o.grid.min_contour_area);
  const std::string out = args.str("out");
  const std::vector<post::SearchResult> results = post::search_thresholds(o);
  post::write_search_table(out, results);
  const post::SearchResult& best = results.front();
  char line[256];
  std::snprintf(line, sizeof line,
                "search: best of %zu combinations on %zu images: top %g, area %g, bottom %g, min contour area %g: "
                "score %.6f",
                results.size(), best.n_images, best.top, best.area, best.bottom, best.min_contour_area, best.score);
  std::cout << line << "\nsearch: table written to " << out << "\n";
  return 0;
}

}  // namespace pn::apps
