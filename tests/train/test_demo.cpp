// pneumo demo, reduced to CI size: every step runs and leaves its files, and
// result.json holds the figures. (The full demo's quality figures are
// measured, not tested: see the README.)
#include <doctest/doctest.h>

#include <sstream>

#include "nn/io/json.h"
#include "pneumo/data/csv.h"
#include "pneumo/demo/demo.h"
#include "train_fixture.h"

using namespace pn;
using namespace pn::train::test;
namespace fs = std::filesystem;

TEST_CASE("demo: a reduced run goes through all eight steps and writes result.json") {
  TempDir dir;
  demo::DemoOptions o;
  o.out_dir = dir.path() / "demo";
  o.train_images = 24;
  o.test_images = 6;
  o.size = 64;
  o.epochs = 2;
  o.num_filters = 4;
  o.progress = false;
  o.echo = false;
  std::ostringstream log;
  demo::DemoResult r = demo::run_demo(o, log);
  for (const char* step : {"[1/8]", "[2/8]", "[3/8]", "[4/8]", "[5/8]", "[6/8]", "[7/8]", "[8/8]"})
    CHECK(log.str().find(step) != std::string::npos);

  const fs::path out = o.out_dir;
  for (const char* f : {"experiments/demo/train_config.yaml", "experiments/demo/inference.yaml",
                        "experiments/demo/submit.yaml", "experiments/demo/search.csv", "experiments/demo/oof.npz",
                        "experiments/demo/result.npz", "experiments/demo/checkpoints/demo_fold1.safetensors",
                        "dashboard/index.html", "dataset64/folds.csv", "raw/test-truth.csv"}) {
    INFO(f);
    CHECK(fs::exists(out / f));
  }
  auto sub = data::read_csv(out / "submission.csv");
  CHECK(sub.rows.size() == 6);

  // One of the 6 test images has a pneumothorax (round(0.22 * 6)): the
  // all-empty submission scores the other five.
  CHECK(r.test_images == 6);
  CHECK(r.positive_test_images == 1);
  CHECK(r.empty_score == doctest::Approx(5.0 / 6.0));
  CHECK(r.score >= 0.0);
  CHECK(r.score <= 1.0);
  CHECK(r.positive_dice >= 0.0);
  CHECK(r.positive_dice <= 1.0);

  auto json = nn::io::parse_json(slurp(out / "result.json"), "result.json");
  for (const char* key : {"score", "empty_score", "positive_dice", "seconds"}) {
    INFO(key);
    CHECK(json.find(key) != nullptr);
  }
  CHECK(std::stod(json.find("empty_score")->text) == doctest::Approx(r.empty_score).epsilon(1e-5));
}
