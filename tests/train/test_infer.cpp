// pneumo infer: the chosen checkpoints' maps averaged as the reference does,
// flip TTA, the .npz written, out-of-fold mode and checkpoint errors.
#include <doctest/doctest.h>

#include "autograd/grad_mode.h"
#include "nn/checkpoint.h"
#include "pneumo/data/npz.h"
#include "pneumo/data/png.h"
#include "pneumo/infer/ensemble.h"
#include "pneumo/infer/predict.h"
#include "pneumo/train/trainer.h"
#include "tensor/error.h"
#include "train_fixture.h"

using namespace pn;
using namespace pn::train::test;
namespace fs = std::filesystem;

namespace {

std::string infer_yaml(const fs::path& exp, const fs::path& data, const std::string& choice) {
  return "DATA_DIRECTORY: '" + data.string() +
         "'\nSEED: 42\nNUM_WORKERS: 0\nDEVICE: cpu\nBATCH_SIZE: 2\n\nMODEL:\n  CLASS: UNet\n  ARGS:\n"
         "    seg_classes: 1\n    num_filters: 4\n    depth: 3\n\nCHECKPOINTS:\n  FULL_FOLDER: checkpoints\n"
         "  BEST_FOLDER: checkpoints\n  PIPELINE_PATH: " + exp.string() + "\n  PIPELINE_NAME: tiny\n\n" + choice +
         "\nTEST_TRANSFORMS:\n    " + (data / "valid_transforms.json").string() + "\nFLIP: True\n\nRESULT: result_top2.pkl\n";
}

// One trained experiment (2 folds, 2 epochs, top 2) shared by the cases.
struct Trained {
  TempDir dir;
  fs::path data = dir.path() / "data", exp = dir.path() / "exp";
  Trained() {
    make_dataset(data);
    ConfigOptions o;
    o.top_k = 2;
    spit(exp / "train_config.yaml", config_text(data, o));
    train::TrainOptions t;
    t.progress = t.echo = false;
    t.workers = 0;
    train::train_all(train::load_train_config(exp / "train_config.yaml"), t);
  }
};

Trained& trained() {
  static Trained t;
  return t;
}

}  // namespace

TEST_CASE("infer: the running mean over the selected checkpoints of flip-averaged maps, as .npz") {
  Trained& t = trained();
  spit(t.exp / "infer.yaml",
       infer_yaml(t.exp, t.data, "SUBMIT_BEST: False\nSELECTED_CHECKPOINTS:\n  fold0: [0, 1]\n  fold1: [1]\n"));
  auto config = infer::load_infer_config(t.exp / "infer.yaml");
  CHECK(config.result == t.exp / "result_top2.npz");
  REQUIRE(config.checkpoints.size() == 2);
  CHECK(config.checkpoints.at(0).size() == 2);
  infer::InferOptions o;
  o.progress = false;
  o.workers = 0;
  CHECK(infer::infer_test(config, o) == 3);

  data::NpzReader npz(config.result);
  CHECK(npz.names() == std::vector<std::string>{"test0", "test1", "test2"});
  // The same by hand: three models, the reference's running mean.
  std::vector<std::shared_ptr<models::SegmentationModel>> models;
  for (const auto& f : {t.exp / "checkpoints" / "fold0" / "tiny_fold0_epoch0.safetensors",
                        t.exp / "checkpoints" / "fold0" / "tiny_fold0_epoch1.safetensors",
                        t.exp / "checkpoints" / "fold1" / "tiny_fold1_epoch1.safetensors"}) {
    auto m = models::build_model(config.model).model;
    m->load_state_dict(nn::load_weights(f.string()));
    models.push_back(m);
  }
  for (int i = 0; i < 3; ++i) {
    const std::string id = "test" + std::to_string(i);
    // the loader's input without Normalize: pixel / 255 in three equal planes
    Tensor x = zeros({1, 3, 64, 64});
    auto img = data::read_png(t.data / "test" / (id + ".png"));
    float* px = x.data<float>();
    for (int c = 0; c < 3; ++c)
      for (int k = 0; k < 64 * 64; ++k) px[c * 64 * 64 + k] = static_cast<float>(img.pixels[static_cast<std::size_t>(k)]) / 255.0f;
    std::vector<float> mean(64 * 64, 0.0f);
    for (std::size_t k = 0; k < models.size(); ++k) {
      auto p = infer::predict_probabilities(*models[k], x, true).to_vector<float>();
      for (std::size_t j = 0; j < mean.size(); ++j)
        mean[j] = (mean[j] * static_cast<float>(k) + p[j]) / static_cast<float>(k + 1);
    }
    Tensor got = npz.read(id);
    REQUIRE(got.shape() == Shape{64, 64});
    CHECK(got.to_vector<float>() == mean);
  }
}

TEST_CASE("infer: SUBMIT_BEST takes each fold's best model; out-of-fold mode covers every validation image once") {
  Trained& t = trained();
  spit(t.exp / "best.yaml", infer_yaml(t.exp, t.data, "SUBMIT_BEST: True\nUSEFOLDS: [0, 1]\n"));
  auto config = infer::load_infer_config(t.exp / "best.yaml");
  REQUIRE(config.checkpoints.size() == 2);
  CHECK(config.checkpoints.at(1).front() == t.exp / "checkpoints" / "tiny_fold1.safetensors");
  infer::InferOptions o;
  o.progress = false;
  o.workers = 1;
  o.float16 = true;
  CHECK(infer::infer_out_of_fold(config, t.data, t.data / "folds.csv", t.exp / "oof.npz", o) == 16);
  data::NpzReader npz(t.exp / "oof.npz");
  CHECK(npz.names().size() == 16);
  for (int i = 0; i < 16; ++i) CHECK(npz.has("img" + std::to_string(i)));
  auto v = npz.read("img3").to_vector<float>();
  for (float p : v) {
    CHECK(p >= 0.0f);
    CHECK(p <= 1.0f);
  }
}

TEST_CASE("infer: a missing checkpoint or a malformed choice is named") {
  Trained& t = trained();
  spit(t.exp / "bad.yaml",
       infer_yaml(t.exp, t.data, "SUBMIT_BEST: False\nSELECTED_CHECKPOINTS:\n  fold0: [0, 7]\n"));
  CHECK_THROWS_WITH_AS(infer::load_infer_config(t.exp / "bad.yaml"),
                       doctest::Contains("tiny_fold0_epoch7.safetensors (or .pth) does not exist"), Error);
  spit(t.exp / "bad.yaml", infer_yaml(t.exp, t.data, "SUBMIT_BEST: False\nSELECTED_CHECKPOINTS:\n  f0: [0]\n"));
  CHECK_THROWS_WITH_AS(infer::load_infer_config(t.exp / "bad.yaml"), doctest::Contains("expected keys fold0"), Error);
}
