#include "pneumo/infer/ensemble.h"

#include <algorithm>
#include <memory>

#include "autograd/grad_mode.h"
#include "nn/checkpoint.h"
#include "pneumo/augment/transform_json.h"
#include "pneumo/data/npz.h"
#include "pneumo/infer/predict.h"
#include "pneumo/loader/dataset.h"
#include "pneumo/loader/loader.h"
#include "pneumo/progress.h"
#include "pneumo/train/run_files.h"
#include "pneumo/train/train_config.h"
#include "tensor/error.h"

namespace pn::infer {

namespace {

namespace fs = std::filesystem;
using config::Node;

fs::path model_file(const fs::path& dir, const std::string& stem, const Node& where) {
  auto f = train::find_model_file(dir, stem);
  PN_CHECK(f.has_value(), where.where(), ": the checkpoint ", (dir / stem).string(),
           ".safetensors (or .pth) does not exist");
  return *f;
}

// The fold number of a SELECTED_CHECKPOINTS key "fold<I>".
int fold_of(const std::string& key, const Node& where) {
  PN_CHECK(key.size() > 4 && key.rfind("fold", 0) == 0 &&
               key.find_first_not_of("0123456789", 4) == std::string::npos,
           where.where(), ": expected keys fold0, fold1, ..., got '", key, "'");
  return std::stoi(key.substr(4));
}

struct Ensemble {
  std::vector<std::shared_ptr<models::SegmentationModel>> models;

  Ensemble(const InferConfig& c, const std::vector<fs::path>& files, Device device) {
    for (const fs::path& f : files) {
      auto m = models::build_model(c.model).model;
      try {
        m->load_state_dict(nn::load_weights(f.string()));
      } catch (const Error& e) {
        fail(f.string(), ": the weights do not fit the model ", c.model.class_name, ": ", e.what());
      }
      m->to(device);
      m->eval();
      models.push_back(std::move(m));
    }
  }

  // The running mean over the models of each one's (flip-averaged) map.
  Tensor predict(const Tensor& images, bool flip) const {
    Tensor mean;
    for (std::size_t k = 0; k < models.size(); ++k) {
      Tensor p = predict_probabilities(*models[k], images, flip).to(Device::cpu());
      if (k == 0) {
        mean = p;
      } else {
        const float kf = static_cast<float>(k);
        float* m = mean.data<float>();
        const float* q = p.data<float>();
        for (int64_t i = 0; i < mean.numel(); ++i) m[i] = (m[i] * kf + q[i]) / (kf + 1.0f);
      }
    }
    return mean;
  }
};

// Runs the dataset's images through the ensemble into `out`.
void predict_into(const InferConfig& c, const Ensemble& ensemble,
                  const std::shared_ptr<const loader::PneumoDataset>& dataset, data::NpzWriter& out,
                  const InferOptions& o, const std::string& label) {
  NoGradGuard no_grad;
  std::vector<std::size_t> order(dataset->size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  loader::Loader loader(dataset, std::move(order), 0, 0,
                        {.batch_size = static_cast<std::size_t>(c.batch_size), .workers = loader::worker_count(o.workers, c.workers)});
  Progress bar(label, loader.num_batches(), o.progress);
  std::size_t done = 0;
  while (auto batch = loader.next()) {
    Tensor probs = ensemble.predict(batch->images.to(o.device), c.flip);
    // one map per image: [H, W] for one class, as the reference's squeeze(1)
    const int64_t c_out = probs.size(1), h = probs.size(2), w = probs.size(3);
    const Shape map_shape = c_out == 1 ? Shape{h, w} : Shape{c_out, h, w};
    for (std::size_t b = 0; b < batch->ids.size(); ++b) {
      const int64_t i = static_cast<int64_t>(b);
      out.add(batch->ids[b], probs.slice(i, i + 1).reshape(map_shape));
    }
    bar.update(++done);
  }
}

}  // namespace

InferConfig load_infer_config(const fs::path& path, const fs::path& root) {
  InferConfig c;
  static_cast<train::ConfigFile&>(c) = train::ConfigFile::load(path, root);
  const Node& y = c.yaml;
  c.data_dir = train::resolve_path(root, y["DATA_DIRECTORY"]);
  c.batch_size = y["BATCH_SIZE"].integer();
  PN_CHECK(c.batch_size > 0, y["BATCH_SIZE"].where(), ": expected a positive batch size");
  if (const Node* d = y.find("DEVICE")) c.device = d->str();
  if (const Node* w = y.find("NUM_WORKERS")) c.workers = static_cast<int>(std::max<int64_t>(0, w->integer()));
  c.model = models::model_spec(y["MODEL"]);
  models::build_model(c.model);
  c.test_transforms = train::resolve_path(root, y["TEST_TRANSFORMS"]);
  if (const Node* f = y.find("FLIP")) c.flip = f->boolean();

  const Node& ck = y["CHECKPOINTS"];
  const fs::path pipeline = train::resolve_path(root, ck["PIPELINE_PATH"]);
  const std::string name = ck["PIPELINE_NAME"].str();
  const bool best = y.has("SUBMIT_BEST") && y["SUBMIT_BEST"].boolean();
  if (best) {
    const Node& use = y["USEFOLDS"];
    PN_CHECK(use.is_sequence() && use.size() > 0, use.where(), ": expected a non-empty list of folds");
    for (const Node& f : use.elements()) {
      const int fold = static_cast<int>(f.integer());
      c.checkpoints[fold].push_back(
          model_file(pipeline / ck["BEST_FOLDER"].str(), name + "_fold" + std::to_string(fold), f));
    }
  } else {
    const Node& sel = y["SELECTED_CHECKPOINTS"];
    PN_CHECK(sel.is_mapping() && sel.size() > 0, sel.where(), ": expected fold<I>: [epochs] entries");
    for (const auto& [key, epochs] : sel.entries()) {
      const int fold = fold_of(key, epochs);
      PN_CHECK(epochs.is_sequence() && epochs.size() > 0, epochs.where(), ": expected a list of epochs");
      for (const Node& e : epochs.elements())
        c.checkpoints[fold].push_back(model_file(pipeline / ck["FULL_FOLDER"].str() / key,
                                                 name + "_" + key + "_epoch" + std::to_string(e.integer()), e));
    }
  }
  const fs::path folder = y.has("RESULT_FOLDER") ? train::resolve_path(root, y["RESULT_FOLDER"]) : c.experiment_dir;
  c.result = data::npz_path_for(folder / y["RESULT"].str());
  return c;
}

std::size_t infer_test(const InferConfig& c, const InferOptions& o) {
  std::vector<fs::path> files;
  for (const auto& [fold, list] : c.checkpoints) files.insert(files.end(), list.begin(), list.end());
  Ensemble ensemble(c, files, o.device);
  auto dataset = std::make_shared<const loader::PneumoDataset>(
      loader::PneumoDataset::test(c.data_dir, augment::load_transforms(c.test_transforms)));
  PN_CHECK(dataset->size() > 0, (c.data_dir / "test").string(), ": no test images (*.png)");
  data::NpzWriter out(c.result, o.float16 ? data::NpzDtype::Float16 : data::NpzDtype::Float32);
  predict_into(c, ensemble, dataset, out,
               o, "infer " + std::to_string(files.size()) + " checkpoints" + (c.flip ? " + flip" : ""));
  out.finish();
  return dataset->size();
}

std::size_t infer_out_of_fold(const InferConfig& c, const fs::path& data_dir, const fs::path& folds_file,
                              const fs::path& out_path, const InferOptions& o) {
  auto rows = loader::read_folds(folds_file);
  auto transform = augment::load_transforms(c.test_transforms);
  data::NpzWriter out(out_path, o.float16 ? data::NpzDtype::Float16 : data::NpzDtype::Float32);
  std::size_t images = 0;
  for (const auto& [fold, files] : c.checkpoints) {
    Ensemble ensemble(c, files, o.device);
    auto dataset = std::make_shared<const loader::PneumoDataset>(loader::PneumoDataset::val(data_dir, rows, fold, transform));
    predict_into(c, ensemble, dataset, out, o, "out-of-fold fold " + std::to_string(fold));
    images += dataset->size();
  }
  out.finish();
  return images;
}

}  // namespace pn::infer
