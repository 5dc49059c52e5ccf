// `pneumo dashboard` on a fake experiments tree: what the page says, the
// figures it writes, and the errors for malformed logs.
#include <doctest/doctest.h>

#include <cmath>

#include "data_test_util.h"
#include "error_text.h"
#include "pneumo/data/png.h"
#include "pneumo/report/curves_figure.h"
#include "pneumo/report/dashboard.h"
#include "pneumo/report/experiments.h"
#include "pneumo/report/sample_figure.h"

namespace pn::report::test {
namespace {

using data::test::has;
using data::test::read_bytes;
using data::test::TempDir;
using data::test::write_bytes;
namespace fs = std::filesystem;

void write_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  write_bytes(path, text);
}

// The summary header of two triplets, as pandas writes str(tuple) names.
const std::string kSummaryHeader = "epoch,best_metric,\"(0.75, 1000, 0.3)\",\"(0.75, 2000, 0.3)\"\n";

// Two experiments of two folds:
//   albunet fold 0: best 0.8612 at epoch 1 of 3, triplet (0.75, 2000, 0.3);
//                   a history, a best and a top-k checkpoint, one sample
//   albunet fold 1: best 0.8534 at epoch 2, no history
//   seunet  fold 0: best 0.8700 at epoch 0 of 2; fold 1: best 0.8650 at epoch 1 of 2
void make_tree(const fs::path& root) {
  const fs::path a = root / "albunet";
  write_text(a / "checkpoints/fold0/summary.csv", kSummaryHeader +
                                                      "0,0.8011,0.8011,0.7900\n"
                                                      "1,0.8612,0.8500,0.8612\n"
                                                      "2,0.8600,0.8600,0.8400\n");
  write_text(a / "checkpoints/fold1/summary.csv", kSummaryHeader +
                                                      "0,0.8100,0.8100,0.8000\n"
                                                      "2,0.8534,0.8534,0.8500\n");
  write_text(a / "log/history_fold0.csv",
             "epoch,train_loss,lr,best_metric,seconds\n"
             "0,0.9,0.0001,0.8011,12.5\n"
             "1,0.6,5e-05,0.8612,12.1\n"
             "2,0.5,2.5e-05,0.86,12.0\n");
  write_text(a / "checkpoints/albunet_fold0.safetensors", "");
  write_text(a / "checkpoints/fold0/albunet_fold0_epoch1.safetensors", "");
  // One sample: a 64x48 gradient, truth the square x 10..29, y 8..27, the
  // prediction the same square moved right by 10 (probabilities 0.9 and 0.2).
  data::GrayImage image(64, 48), mask(64, 48, 0), prob(64, 48, 51);
  for (int y = 0; y < 48; ++y) {
    for (int x = 0; x < 64; ++x) {
      image.at(x, y) = static_cast<std::uint8_t>(2 * x + y);
      if (x >= 10 && x < 30 && y >= 8 && y < 28) mask.at(x, y) = 255;
      if (x >= 20 && x < 40 && y >= 8 && y < 28) prob.at(x, y) = 230;
    }
  }
  fs::create_directories(a / "checkpoints/fold0/samples");
  data::write_png(a / "checkpoints/fold0/samples/ID_1_image.png", image);
  data::write_png(a / "checkpoints/fold0/samples/ID_1_mask.png", mask);
  data::write_png(a / "checkpoints/fold0/samples/ID_1_prob.png", prob);

  const fs::path s = root / "seunet";
  write_text(s / "checkpoints/fold0/summary.csv", kSummaryHeader + "0,0.8700,0.8700,0.8600\n1,0.8690,0.8690,0.8600\n");
  write_text(s / "checkpoints/fold1/summary.csv", kSummaryHeader + "0,0.8600,0.8600,0.8500\n1,0.8650,0.8500,0.8650\n");
  write_text(s / "log/history_fold0.csv", "epoch,train_loss,lr,best_metric,seconds\n0,1.0,0.001,,3\n1,0.7,0.0005,0.869,3\n");
  write_text(s / "log/history_fold1.csv", "epoch,train_loss,lr,best_metric,seconds\n0,1.1,0.001,0.86,3\n1,0.8,0.0005,0.865,3\n");
  // A folder that is not an experiment is passed over.
  fs::create_directories(root / "notes");
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Decodes an RGB PNG and returns the colour of pixel (x, y).
struct Picture {
  data::PngPixels p;
  explicit Picture(const fs::path& path) : p(data::decode_png_pixels(read_bytes(path), path.string(), 3)) {}
  Rgb at(int x, int y) const {
    const std::size_t i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(p.width) + static_cast<std::size_t>(x)) * 3;
    return {p.data[i], p.data[i + 1], p.data[i + 2]};
  }
  std::size_t count(Rgb c) const {
    std::size_t n = 0;
    for (int y = 0; y < p.height; ++y) {
      for (int x = 0; x < p.width; ++x) n += at(x, y) == c;
    }
    return n;
  }
};

TEST_CASE("experiments: folds, best epochs, triplets, checkpoints and what is missing") {
  TempDir dir;
  make_tree(dir.path());
  const std::vector<Experiment> es = find_experiments(dir.path());
  REQUIRE(es.size() == 2);
  CHECK(es[0].name == "albunet");
  CHECK(es[1].name == "seunet");
  const Experiment& a = es[0];
  REQUIRE(a.folds.size() == 2);
  const FoldRun& f0 = a.folds[0];
  REQUIRE(f0.best() != nullptr);
  CHECK(f0.best()->epoch == 1);
  CHECK(f0.best()->best_metric == 0.8612);
  CHECK(f0.best()->best_triplet == "(0.75, 2000, 0.3)");
  CHECK(f0.epochs() == 3);
  REQUIRE(f0.history.size() == 3);
  CHECK(f0.history[1].lr == 5e-05);
  CHECK(f0.history[2].seconds == 12.0);
  REQUIRE(f0.best_checkpoint.has_value());
  CHECK(f0.best_checkpoint->filename() == "albunet_fold0.safetensors");
  REQUIRE(f0.topk_checkpoints.size() == 1);
  REQUIRE(f0.samples.size() == 1);
  CHECK(f0.samples[0].id == "ID_1");
  CHECK(f0.missing().empty());

  const FoldRun& f1 = a.folds[1];
  CHECK(f1.best()->epoch == 2);
  CHECK(f1.best()->best_triplet == "(0.75, 1000, 0.3)");
  CHECK(!f1.epochs().has_value());
  const std::vector<std::string> missing = f1.missing();
  CHECK(missing == std::vector<std::string>{"no history_fold1.csv", "no validation samples", "no best checkpoint"});

  REQUIRE(a.mean_best_metric().has_value());
  CHECK(*a.mean_best_metric() == doctest::Approx((0.8612 + 0.8534) / 2));
  // An empty best_metric cell in the history is NaN (not validated).
  CHECK(std::isnan(es[1].folds[0].history[0].best_metric));

  // One experiment folder passed directly.
  const std::vector<Experiment> one = find_experiments(dir / "seunet");
  REQUIRE(one.size() == 1);
  CHECK(one[0].name == "seunet");
}

TEST_CASE("dashboard: the page holds the table's values; figures decode at their sizes") {
  TempDir dir;
  make_tree(dir / "exps");
  DashboardOptions o;
  o.experiments = dir / "exps";
  o.out_dir = dir / "out";
  const DashboardReport r = write_dashboard(o);
  REQUIRE(r.experiments.size() == 2);

  const std::string html = read_bytes(dir / "out" / "index.html");
  CHECK(html.starts_with("<!DOCTYPE html>"));
  for (const char* part : {"<th>Fold 0</th>", "<th>Fold 1</th>", "<th>Mean by folds</th>", "albunet", "seunet",
                           "0.8612", "0.8534", "0.8700", "0.8650", "epoch 1 of 3", "epoch 2<",
                           "(0.75, 2000, 0.3)", "no history_fold1.csv", "albunet_fold0.safetensors",
                           "albunet_fold0_epoch1.safetensors", "src=\"curves_albunet.png\"",
                           "src=\"samples_albunet_fold0.png\"", "src=\"curves_seunet.png\""}) {
    INFO(part);
    CHECK(contains(html, part));
  }
  // The means by hand: (0.8612 + 0.8534) / 2 and (0.8700 + 0.8650) / 2, to
  // five decimals; the better one green, the worse red.
  CHECK(contains(html, "background:#57bb8a\"><b>0.86750</b>"));
  CHECK(contains(html, "background:#e67c73\"><b>0.85730</b>"));
  CHECK(!contains(html, "samples_seunet"));  // seunet has no samples

  // Every figure is a PNG; the curves figure has its documented size.
  for (const char* name : {"table.png", "curves_albunet.png", "curves_seunet.png", "samples_albunet_fold0.png"}) {
    INFO(name);
    CHECK(data::png_size(dir / "out" / name).has_value());
  }
  const CurvesLayout layout;
  const Picture curves(dir / "out" / "curves_albunet.png");
  CHECK(curves.p.width == 3 * layout.panel_width);
  CHECK(curves.p.height == layout.header_height + layout.panel_height);
  // Fold 0's lines pass through their points: loss 0.6 at epoch 1, the
  // metric 0.8612 at epoch 1, lr 5e-5 at epoch 1 (log scale); fold 1 (no
  // history) has only the metric.
  std::vector<PlotFrame> frames;
  draw_training_curves(r.experiments[0], layout, &frames);
  REQUIRE(frames.size() == 3);
  auto at = [&](const PlotFrame& f, double x, double y) {
    return curves.at(static_cast<int>(std::floor(f.to_pixel_x(x))), static_cast<int>(std::floor(f.to_pixel_y(y))));
  };
  CHECK(at(frames[0], 1, 0.6) == palette(0));
  CHECK(at(frames[0], 1.5, 0.55) == palette(0));  // halfway along the segment
  CHECK(at(frames[1], 1, 0.8612) == palette(0));
  CHECK(at(frames[1], 2, 0.8534) == palette(1));
  CHECK(at(frames[2], 1, 5e-05) == palette(0));
  CHECK(at(frames[2], 0.5, std::sqrt(1e-4 * 5e-5)) == palette(0));  // straight on the log axis

  // The samples figure shows both outlines (2 pixels wide around 20x20
  // squares: 144 pixels each, 40 of the truth's under the prediction's),
  // besides the legend's swatches of 24x4 pixels.
  const Picture samples(dir / "out" / "samples_albunet_fold0.png");
  CHECK(samples.count(kTruthColour) == 96 + 104);
  CHECK(samples.count(kPredictionColour) == 96 + 144);
  const Picture table(dir / "out" / "table.png");
  CHECK(table.count(hex(0x57BB8A)) > 100);
}

TEST_CASE("dashboard: malformed and missing inputs") {
  TempDir dir;
  make_tree(dir.path());
  const fs::path summary = dir / "albunet/checkpoints/fold1/summary.csv";
  write_text(summary, kSummaryHeader + "0,0.81,0.81,0.80\n1,abc,0.8,0.7\n");
  DashboardOptions o;
  o.experiments = dir.path();
  o.out_dir = dir / "out";
  pn::test::check_message(pn::test::error_of([&] { write_dashboard(o); }),
                          {summary.string().c_str(), "line 3", "best_metric", "'abc' is not a number"});

  write_text(summary, kSummaryHeader + "0,0.81,0.81\n");
  pn::test::check_message(pn::test::error_of([&] { read_summary(summary); }), {summary.string().c_str(), "line 2"});

  const fs::path history = dir / "seunet/log/history_fold1.csv";
  write_text(history, "epoch,train_loss,best_metric\n0,1.0,0.8\n");
  pn::test::check_message(pn::test::error_of([&] { read_history(history); }), {history.string().c_str(), "\"lr\""});
  write_text(history, "epoch,train_loss,lr\n0,1.0,0.001\n-1,1.0,0.001\n");
  pn::test::check_message(pn::test::error_of([&] { read_history(history); }),
                          {history.string().c_str(), "line 3", "epoch"});

  pn::test::check_message(pn::test::error_of([&] { find_experiments(dir / "nowhere"); }), {"is not a folder"});
  pn::test::check_message(pn::test::error_of([&] { find_experiments(dir / "seunet/log"); }), {"no experiment in"});

  // A sample whose mask has another size than its image.
  write_text(summary, kSummaryHeader + "0,0.81,0.81,0.80\n");
  write_text(history, "epoch,train_loss,lr\n0,1.0,0.001\n");
  const fs::path mask = dir / "albunet/checkpoints/fold0/samples/ID_1_mask.png";
  data::write_png(mask, data::GrayImage(8, 8, 0));
  pn::test::check_message(pn::test::error_of([&] { write_dashboard(o); }), {mask.string().c_str(), "8x8"});

  // An experiment with nothing but empty folders still makes a page, which
  // names the fold it lacks that another experiment has.
  TempDir bare;
  fs::create_directories(bare / "empty/checkpoints");
  write_text(bare / "other/log/history_fold3.csv", "epoch,train_loss,lr\n0,1.0,0.001\n");
  o.experiments = bare.path();
  o.out_dir = bare / "out";
  const DashboardReport r = write_dashboard(o);
  REQUIRE(r.experiments.size() == 2);
  CHECK(r.experiments[0].folds.empty());
  const std::string html = read_bytes(bare / "out" / "index.html");
  CHECK(contains(html, "no folds"));
  CHECK(contains(html, "nothing: no checkpoints/fold3/"));
  CHECK(contains(html, "<td class=\"value muted\">missing</td>"));
  CHECK(contains(html, "not validated<br>1 epoch<"));
}

}  // namespace
}  // namespace pn::report::test
