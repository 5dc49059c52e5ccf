#include "pneumo/demo/demo.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <thread>

#include "nn/io/atomic_file.h"
#include "pneumo/config/yaml.h"
#include "pneumo/data/prepare.h"
#include "pneumo/data/rle_table.h"
#include "pneumo/infer/ensemble.h"
#include "pneumo/post/score.h"
#include "pneumo/post/search.h"
#include "pneumo/post/submit.h"
#include "pneumo/report/dashboard.h"
#include "pneumo/synth/synth_dataset.h"
#include "pneumo/train/trainer.h"
#include "tensor/error.h"

namespace pn::demo {

namespace {

namespace fs = std::filesystem;

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

const char* kCompose = R"({"__version__": "0.3.1", "transform": {"__class_fullname__": )"
                       R"("albumentations.core.composition.Compose", "p": 1.0, "transforms": [)";
const char* kComposeEnd = R"(], "bbox_params": {}, "keypoint_params": {}, "additional_targets": {}}})";

// Training: horizontal flips and small shifts, scales and rotations.
std::string train_transforms() {
  return std::string(kCompose) +
         R"({"__class_fullname__": "albumentations.augmentations.transforms.HorizontalFlip", "always_apply": false, "p": 0.5}, )"
         R"({"__class_fullname__": "albumentations.augmentations.transforms.ShiftScaleRotate", "always_apply": false, "p": 0.5, )"
         R"("shift_limit": [-0.05, 0.05], "scale_limit": [-0.05, 0.05], "rotate_limit": [-5, 5], "interpolation": 1, )"
         R"("border_mode": 4, "value": null, "mask_value": null})" +
         kComposeEnd;
}

std::string train_config(const DemoOptions& o, const std::string& dataset) {
  std::string folds;
  for (int f = 0; f < o.folds; ++f) folds += (f ? ", " : "") + std::to_string(f);
  // A one-epoch run has no schedule to slide along, and validates its only epoch.
  const std::string sample_rate =
      o.epochs > 1 ? std::string("[[0, 0.8], [").append(std::to_string(o.epochs - 1)).append(", 0.5]]") : "0.8";
  const std::string validation_frequency = o.epochs > 1 ? "2" : "1";
  return "# pneumo demo: the reference's training configuration format, sized for a CPU\n"
         "PIPELINE_NAME: demo\nDATA_DIRECTORY: '" + dataset + "'\nLOGGER_DIR: 'log'\n\nSEED: " +
         std::to_string(o.seed) + "\nDEVICE: cpu\nWORKERS: 2\n\nMODEL:\n  FREEZE: False\n  CLASS: UNet\n  ARGS:\n"
         "    seg_classes: 1\n    num_filters: " + std::to_string(o.num_filters) + "\n    depth: 4\n\n"
         "FOLD:\n  NUMBER: " + std::to_string(o.folds) + "\n  USEFOLDS: [" + folds + "]\n  FILE: " + dataset +
         "/folds.csv\n\n# the sliding sample rate: many positives first, fewer later\nUSE_SAMPLER: True\n"
         "NON_EMPTY_MASK_PROBA: " + sample_rate + "\n\n"
         "TRAIN_TRANSFORMS: transforms/train.json\nVALID_TRANSFORMS: transforms/valid.json\n\n"
         "CRITERION:\n  CLASS: ComboLoss\n  ARGS:\n    weights:\n      bce: 1\n      dice: 2\n      focal: 2\n\n"
         "OPTIMIZER:\n  CLASS: Adam\n  ARGS:\n    lr: 0.003\n    weight_decay: 0.000005\n\n"
         "SCHEDULER:\n  CLASS: CosineAnnealingLR\n  ARGS:\n    T_max: " + std::to_string(o.epochs) +
         "\n    eta_min: 0.00003\n\nBATCH_SIZE: 8\nGRADIENT_ACCUMULATION_STEPS: 1\nGRADIENT_CLIPPING: 1\nEPOCHES: " +
         std::to_string(o.epochs) + "\nEARLY_STOPPING: " + std::to_string(o.epochs) + "\nVALIDATION_FREQUENCY: " + validation_frequency +
         "\n\nCHECKPOINTS:\n  FULL_FOLDER: checkpoints\n  BEST_FOLDER: checkpoints\n  TOPK: 2\n\n"
         "MASK_BINARIZER:\n  CLASS: TripletMaskBinarization\n  ARGS:\n"
         "    triplets: [[0.75, 16, 0.3], [0.75, 16, 0.4], [0.6, 32, 0.3], [0.6, 32, 0.4], [0.5, 0, 0.5]]\n\n"
         "EVALUATION_METRIC:\n  CLASS: dice_metric\n  ARGS:\n    per_image: True\n";
}

std::string inference_config(const DemoOptions& o, const std::string& dataset) {
  std::string folds;
  for (int f = 0; f < o.folds; ++f) folds += (f ? ", " : "") + std::to_string(f);
  return "DATA_DIRECTORY: '" + dataset + "'\nNUM_WORKERS: 2\nDEVICE: cpu\nBATCH_SIZE: 8\n\nMODEL:\n  CLASS: UNet\n"
         "  ARGS:\n    seg_classes: 1\n    num_filters: " + std::to_string(o.num_filters) + "\n    depth: 4\n\n"
         "CHECKPOINTS:\n  FULL_FOLDER: checkpoints\n  BEST_FOLDER: checkpoints\n  PIPELINE_PATH: experiments/demo\n"
         "  PIPELINE_NAME: demo\n\nSUBMIT_BEST: True\nUSEFOLDS: [" + folds + "]\n\n"
         "TEST_TRANSFORMS: transforms/valid.json\nFLIP: True\n\nRESULT: result.pkl\n";
}

std::string submit_config(const post::SearchResult& best) {
  return "SAMPLE_SUB: raw/sample_submission.csv\nMASK_DICT: experiments/demo/result.pkl\n\n"
         "# the thresholds pneumo search chose out of fold (areas in pixels of the maps)\n"
         "AREA_THRESHOLD: " + number(best.area) + "\nTOP_SCORE_THRESHOLD: " + number(best.top) +
         "\nBOTTOM_SCORE_THRESHOLD: " + number(best.bottom) +
         "\nLEAK_SCORE_THRESHOLD: " + number(best.bottom) +
         "\nUSELEAK: False\nUSECONTOURS: False\nMIN_CONTOUR_AREA: 0\n\nSUB_FILE: submission.csv\n";
}

class Steps {
 public:
  Steps(std::ostream& log) : log_(log), start_(std::chrono::steady_clock::now()) {}
  void begin(const std::string& what) {
    ++n_;
    log_ << "\n[" << n_ << "/8] " << what << "  (" << number(seconds()) << " s)" << std::endl;
  }
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::ostream& log_;
  std::chrono::steady_clock::time_point start_;
  int n_ = 0;
};

}  // namespace

DemoResult run_demo(const DemoOptions& o, std::ostream& log) {
  PN_CHECK(o.train_images >= 4 * o.folds && o.test_images >= 1 && o.folds >= 2 && o.epochs >= 1 &&
               o.size >= 16 && o.size % 16 == 0,
           "demo: expected at least 4 training images per fold, a test image, 2 folds, an epoch and a size that is "
           "a multiple of 16");
  Steps steps(log);
  const fs::path out = fs::absolute(o.out_dir);
  const std::string dataset = "dataset" + std::to_string(o.size);
  fs::create_directories(out / "transforms");
  fs::create_directories(out / "experiments" / "demo");

  steps.begin("synth: a generated, competition-shaped chest X-ray set");
  synth::SynthOptions so;
  so.out_dir = out / "raw";
  so.train = o.train_images;
  so.test = o.test_images;
  so.seed = o.seed;
  so.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  so.force = true;
  auto synth = synth::synthesize_dataset(so);
  log << synth.train.images << " train (" << synth.train.positives << " with pneumothorax), " << synth.test.images
      << " test (" << synth.test.positives << ") DICOMs at 1024 x 1024 in " << out / "raw" << std::endl;

  steps.begin("prepare: PNGs at " + std::to_string(o.size) + " and " + std::to_string(o.folds) + " folds");
  data::PrepareOptions po;
  po.train_dir = out / "raw" / "dicom-images-train";
  po.test_dir = out / "raw" / "dicom-images-test";
  po.rle_csv = out / "raw" / "train-rle.csv";
  po.out_dir = out / dataset;
  po.size = o.size;
  po.threads = so.threads;
  po.folds_csv = out / dataset / "folds.csv";
  po.n_folds = o.folds;
  po.fold_seed = o.seed;
  auto prepared = data::prepare_dataset(po);
  PN_CHECK(prepared.failures.empty(), "demo: prepare failed on ", prepared.failures.front().file.string(), ": ",
           prepared.failures.front().reason);
  nn::io::write_file_atomic((out / "transforms" / "train.json").string(), train_transforms());
  nn::io::write_file_atomic((out / "transforms" / "valid.json").string(), std::string(kCompose) + kComposeEnd);

  steps.begin("train: " + std::to_string(o.folds) + " folds x " + std::to_string(o.epochs) +
              " epochs (experiments/demo/train_config.yaml)");
  const fs::path exp = out / "experiments" / "demo";
  nn::io::write_file_atomic((exp / "train_config.yaml").string(), train_config(o, dataset));
  train::TrainOptions to;
  to.device = o.device;
  to.progress = o.progress;
  to.echo = o.echo;
  auto trained = train::train_all(train::load_train_config(exp / "train_config.yaml", out), to);
  for (const auto& r : trained)
    log << "fold " << r.fold << ": best validation score " << number(r.best_score) << " at epoch " << r.best_epoch
        << std::endl;

  steps.begin("infer: out-of-fold maps, then the test maps of every fold's best model with flip TTA");
  nn::io::write_file_atomic((exp / "inference.yaml").string(), inference_config(o, dataset));
  auto ic = infer::load_infer_config(exp / "inference.yaml", out);
  infer::InferOptions io;
  io.device = o.device;
  io.progress = o.progress;
  infer::infer_out_of_fold(ic, out / dataset, out / dataset / "folds.csv", exp / "oof.npz", io);
  infer::infer_test(ic, io);

  steps.begin("search: the triplet thresholds on the out-of-fold maps");
  post::SearchOptions search;
  search.predictions = exp / "oof.npz";
  search.masks = out / dataset / "mask";
  search.folds = out / dataset / "folds.csv";
  const double scale = static_cast<double>(o.size) * o.size / (1024.0 * 1024.0);
  search.grid.area.clear();
  for (double a : {0.0, 250.0, 500.0, 1000.0, 2000.0, 3000.0, 5000.0}) search.grid.area.push_back(std::round(a * scale));
  auto results = post::search_thresholds(search);
  post::write_search_table(exp / "search.csv", results);
  const post::SearchResult& best = results.front();
  log << "best out of fold: top " << best.top << ", area " << best.area << ", bottom " << best.bottom << ": "
      << number(best.score) << std::endl;

  steps.begin("submit: experiments/demo/submit.yaml -> submission.csv");
  nn::io::write_file_atomic((exp / "submit.yaml").string(), submit_config(best));
  auto sc = post::read_submit_config(config::load_yaml((exp / "submit.yaml").string()), out);
  auto submitted = post::write_submission(sc);
  log << submitted.rows << " rows, " << submitted.non_empty << " with a mask" << std::endl;

  steps.begin("score: the submission and an all-empty one against the held-out truth");
  auto truth = data::read_rle_csv(out / "raw" / "test-truth.csv");
  auto sub = data::read_rle_csv(out / "submission.csv");
  DemoResult result;
  result.score = post::score_submission(sub, truth).score;
  result.empty_score = post::score_submission(data::read_rle_csv(out / "raw" / "sample_submission.csv"), truth).score;
  double dice_sum = 0;
  for (const auto& id : truth.image_ids) {
    if (!truth.has_mask(id)) continue;
    dice_sum += post::dice(sub.mask(id, 1024, 1024), truth.mask(id, 1024, 1024));
    ++result.positive_test_images;
  }
  result.positive_dice = result.positive_test_images ? dice_sum / static_cast<double>(result.positive_test_images) : 0;
  result.test_images = truth.image_ids.size();
  result.top = best.top;
  result.area = best.area;
  result.bottom = best.bottom;

  steps.begin("dashboard");
  report::DashboardOptions dash;
  dash.experiments = out / "experiments";
  dash.out_dir = out / "dashboard";
  report::write_dashboard(dash);

  result.seconds = steps.seconds();
  std::ostringstream json;
  json << "{\"score\": " << number(result.score) << ", \"empty_score\": " << number(result.empty_score)
       << ", \"positive_dice\": " << number(result.positive_dice) << ", \"seconds\": " << number(result.seconds)
       << ", \"test_images\": " << result.test_images << ", \"positive_test_images\": " << result.positive_test_images
       << ", \"top_score_threshold\": " << number(result.top) << ", \"area_threshold\": " << number(result.area)
       << ", \"bottom_score_threshold\": " << number(result.bottom) << ", \"size\": " << o.size
       << ", \"epochs\": " << o.epochs << ", \"folds\": " << o.folds << "}\n";
  nn::io::write_file_atomic((out / "result.json").string(), json.str());
  return result;
}

}  // namespace pn::demo
