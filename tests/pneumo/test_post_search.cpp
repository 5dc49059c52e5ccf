// The triplet threshold search: one pass per map equals the rule applied
// combination by combination; a hand-worked search end to end.
#include <doctest/doctest.h>

#include <cmath>

#include "error_text.h"
#include "post_test_util.h"
#include "pneumo/data/csv.h"
#include "pneumo/data/npz.h"
#include "pneumo/data/png.h"
#include "pneumo/post/score.h"
#include "pneumo/post/search.h"
#include "pneumo/post/triplet.h"
#include "tensor/random.h"

namespace pn::post {

using namespace pn::post::test;
using pn::test::check_message;
using pn::test::error_of;

TEST_CASE("search: evaluate_image equals dice(apply_triplet(...)) for every combination") {
  SearchGrid grid;
  grid.top = {0.5, 0.7, 0.3};
  grid.area = {0, 10, 40, 400};
  grid.bottom = {0.3, 0.5, 0.45};
  grid.min_contour_area = {0, 1, 5};
  // A map with blobs and noise (many small contours), and a truth around it.
  const int n = 40;
  std::vector<float> v(static_cast<size_t>(n * n));
  const std::vector<float> noise = uniform({n * n}, 0, 0.6).to_vector<float>();
  data::GrayImage truth(n, n, 0);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      const double d = std::hypot(x - 14, y - 20);
      const size_t i = static_cast<size_t>(y * n + x);
      v[i] = static_cast<float>(std::max(0.0, 1 - d / 12)) + noise[i] * (x > 28 ? 1.f : 0.f);
      truth.pixels[i] = d < 9 ? 255 : 0;
    }
  v[5] = std::nanf("");  // a NaN is above no threshold
  const Tensor map = from_vector<float>(v, {n, n});
  for (const data::GrayImage& t : {truth, data::GrayImage(n, n, 0)}) {
    const std::vector<double> got = evaluate_image(map, t, grid);
    REQUIRE(got.size() == grid.size());
    size_t c = 0;
    for (double top : grid.top)
      for (double area : grid.area)
        for (double bottom : grid.bottom)
          for (double mca : grid.min_contour_area) {
            TripletRule r;
            r.top_score = top;
            r.area = area;
            r.bottom_score = bottom;
            r.min_contour_area = mca;
            INFO("top ", top, " area ", area, " bottom ", bottom, " min contour area ", mca);
            CHECK(got[c++] == dice(apply_triplet(map, 1, r), t));
          }
  }
}

TEST_CASE("search: a hand-worked search with a folds file") {
  // img1: 0.9 on column 0, 0.4 at (1,0) and (1,1); truth column 0 and (1,0).
  //   bottom 0.3: 6 predicted, 5 common, 5 true -> 10/11; bottom 0.5: 4, 4, 5 -> 8/9;
  //   4 pixels above 0.5 and 0.8, so areas 0 and 2 both pass.
  // img2: 0.6 at (3,3), 0.1 elsewhere; no truth (exist_labels 0).
  //   area 2 rejects it (1 pixel above 0.5, none above 0.8) -> 1; area 0 passes -> 0.
  // Scores: area 0 -> (10/11)/2, (8/9)/2; area 2 -> (10/11 + 1)/2, (8/9 + 1)/2.
  TempDir dir;
  std::vector<float> m1(16, 0.f), m2(16, 0.1f);
  for (int y = 0; y < 4; ++y) m1[static_cast<size_t>(y * 4)] = 0.9f;
  m1[1] = m1[5] = 0.4f;
  m2[15] = 0.6f;
  {
    data::NpzWriter w(dir / "oof.npz");
    w.add("img1", from_vector<float>(m1, {4, 4}));
    w.add("img2", from_vector<float>(m2, {4, 4}));
    w.finish();
  }
  fs::create_directories(dir / "masks");
  data::write_png(dir / "masks" / "img1.png", mask_from_rows("1100/1000/1000/1000", 4, 4));
  data::write_csv(dir / "folds.csv", {"fname", "fold", "exist_labels"}, {{"img1.png", "0", "1"}, {"img2.png", "1", "0"}});

  SearchOptions o;
  o.predictions = dir / "oof.npz";
  o.masks = dir / "masks";
  o.folds = dir / "folds.csv";
  o.grid.top = {0.5, 0.8};
  o.grid.area = {0, 2};
  o.grid.bottom = {0.3, 0.5};
  o.block = 1;  // several blocks
  const std::vector<SearchResult> results = search_thresholds(o);
  REQUIRE(results.size() == 8);
  const double best = (10.0 / 11 + 1) / 2;
  // Best first; equal scores keep grid order (top 0.5 before 0.8).
  CHECK(results[0].top == 0.5);
  CHECK(results[0].area == 2);
  CHECK(results[0].bottom == 0.3);
  CHECK(results[0].score == doctest::Approx(best).epsilon(1e-12));
  CHECK(results[0].n_images == 2);
  CHECK(results[1].top == 0.8);
  CHECK(results[1].score == doctest::Approx(best).epsilon(1e-12));
  CHECK(results[2].score == doctest::Approx((8.0 / 9 + 1) / 2).epsilon(1e-12));
  CHECK(results[4].score == doctest::Approx(10.0 / 11 / 2).epsilon(1e-12));
  CHECK(results[7].score == doctest::Approx(8.0 / 9 / 2).epsilon(1e-12));

  write_search_table(dir / "table.csv", results);
  const data::CsvTable table = data::read_csv(dir / "table.csv");
  CHECK(table.header == std::vector<std::string>{"top_score_threshold", "area_threshold", "bottom_score_threshold",
                                                 "min_contour_area", "score", "n_images"});
  REQUIRE(table.rows.size() == 8);
  CHECK(table.rows[0] == std::vector<std::string>{"0.5", "2", "0.3", "0", "0.954545", "2"});

  // Without the folds file, img2's missing mask is an error; a mask of the
  // wrong size is one too.
  o.folds.reset();
  check_message(error_of([&] { search_thresholds(o); }), {"img2.png", "img2", "--folds"});
  o.folds = dir / "folds.csv";
  data::write_png(dir / "masks" / "img1.png", data::GrayImage(8, 4, 0));
  check_message(error_of([&] { search_thresholds(o); }), {"img1.png", "8x4", "4x4", "oof.npz"});
  o.grid.area = {-1};
  check_message(error_of([&] { search_thresholds(o); }), {"area", "negative"});
}

}  // namespace pn::post
