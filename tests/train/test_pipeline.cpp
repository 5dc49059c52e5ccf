// The whole workflow on a small competition-shaped set, as a user runs it:
// synthetic DICOMs and RLE CSV -> prepare -> train two folds -> infer (test
// and out-of-fold) -> threshold search -> submit -> score against the truth.
#include <doctest/doctest.h>

#include "pneumo/config/yaml.h"
#include "pneumo/data/csv.h"
#include "pneumo/data/npz.h"
#include "pneumo/data/prepare.h"
#include "pneumo/data/rle_table.h"
#include "pneumo/infer/ensemble.h"
#include "pneumo/post/score.h"
#include "pneumo/post/search.h"
#include "pneumo/post/submit.h"
#include "pneumo/synth/synth_dataset.h"
#include "pneumo/train/trainer.h"
#include "train_fixture.h"

using namespace pn;
using namespace pn::train::test;
namespace fs = std::filesystem;

TEST_CASE("pipeline: synth, prepare, train, infer, search, submit and score, each step's files checked") {
  TempDir dir;
  const fs::path raw = dir.path() / "raw", data = dir.path() / "data", exp = dir.path() / "exp";

  synth::SynthOptions so;
  so.out_dir = raw;
  so.train = 16;
  so.test = 4;
  so.size = 1024;  // the competition's size: the submission is made at 1024
  so.positive_share = 0.5;
  so.seed = 5;
  synth::synthesize_dataset(so);

  data::PrepareOptions po;
  po.train_dir = raw / "dicom-images-train";
  po.test_dir = raw / "dicom-images-test";
  po.rle_csv = raw / "train-rle.csv";
  po.out_dir = data;
  po.size = 64;
  po.folds_csv = data / "folds.csv";
  po.n_folds = 2;
  auto prepared = data::prepare_dataset(po);
  CHECK(prepared.failures.empty());
  CHECK(prepared.written == 20);
  write_transforms(data);

  // FOLD.FILE is the prepared folds file; the fixture's configuration expects DATA/folds.csv.
  ConfigOptions o;
  o.top_k = 2;
  spit(exp / "train_config.yaml", config_text(data, o));
  train::TrainOptions t;
  t.progress = t.echo = false;
  t.workers = 1;
  auto trained = train::train_all(train::load_train_config(exp / "train_config.yaml"), t);
  REQUIRE(trained.size() == 2);
  CHECK(trained[0].finished);
  CHECK(trained[1].finished);

  spit(exp / "infer.yaml",
       "DATA_DIRECTORY: '" + data.string() +
           "'\nNUM_WORKERS: 1\nDEVICE: cpu\nBATCH_SIZE: 2\nMODEL:\n  CLASS: UNet\n  ARGS: {num_filters: 4, depth: 3}\n"
           "CHECKPOINTS:\n  FULL_FOLDER: checkpoints\n  BEST_FOLDER: checkpoints\n  PIPELINE_PATH: " + exp.string() +
           "\n  PIPELINE_NAME: tiny\nSUBMIT_BEST: False\nSELECTED_CHECKPOINTS:\n  fold0: [0, 1]\n  fold1: [0, 1]\n"
           "TEST_TRANSFORMS: " + (data / "valid_transforms.json").string() + "\nFLIP: True\nRESULT: result.pkl\n");
  auto ic = infer::load_infer_config(exp / "infer.yaml");
  infer::InferOptions io;
  io.progress = false;
  io.workers = 1;
  CHECK(infer::infer_test(ic, io) == 4);
  CHECK(data::NpzReader(exp / "result.npz").names().size() == 4);
  CHECK(infer::infer_out_of_fold(ic, data, data / "folds.csv", exp / "oof.npz", io) == 16);

  post::SearchOptions search;
  search.predictions = exp / "oof.npz";
  search.masks = data / "mask";
  search.folds = data / "folds.csv";
  search.grid.top = {0.5, 0.7};
  search.grid.area = {0, 10};
  search.grid.bottom = {0.3, 0.5};
  auto results = post::search_thresholds(search);
  REQUIRE(results.size() == 8);
  CHECK(results.front().n_images == 16);
  CHECK(results.front().score >= results.back().score);

  spit(exp / "submit.yaml", "SAMPLE_SUB: " + (raw / "sample_submission.csv").string() + "\nMASK_DICT: " +
                                (exp / "result.pkl").string() +
                                "\nAREA_THRESHOLD: 10\nTOP_SCORE_THRESHOLD: 0.7\nBOTTOM_SCORE_THRESHOLD: 0.4\n"
                                "LEAK_SCORE_THRESHOLD: 0.3\nUSELEAK: False\nUSECONTOURS: False\nMIN_CONTOUR_AREA: 0\n"
                                "SUB_FILE: " + (exp / "sub.csv").string() + "\n");
  auto sc = post::read_submit_config(config::load_yaml((exp / "submit.yaml").string()), exp);
  auto report = post::write_submission(sc);
  CHECK(report.rows == 4);
  auto sub = data::read_csv(exp / "sub.csv");
  CHECK(sub.header == std::vector<std::string>{"ImageId", "EncodedPixels"});
  CHECK(sub.rows.size() == 4);

  auto scored = post::score_submission(data::read_rle_csv(exp / "sub.csv"), data::read_rle_csv(raw / "test-truth.csv"));
  CHECK(scored.submission_images == 4);
  CHECK(scored.truth_images == 4);
  CHECK(scored.score >= 0.0);
  CHECK(scored.score <= 1.0);
}
