#include "pneumo/train/train_config.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "nn/losses.h"
#include "pneumo/train/optim_factory.h"
#include "pneumo/train/python_numbers.h"
#include "tensor/error.h"

namespace pn::train {

namespace {

namespace fs = std::filesystem;
using config::Node;

int64_t positive(const Node& n) {
  int64_t v = n.integer();
  PN_CHECK(v > 0, n.where(), ": expected a positive integer, got ", v);
  return v;
}

int64_t non_negative(const Node& n) {
  int64_t v = n.integer();
  PN_CHECK(v >= 0, n.where(), ": expected an integer >= 0, got ", v);
  return v;
}

// Python's repr of a YAML number: an integer as written, a float as float_repr.
std::string python_repr(const Node& n) {
  if (n.str().find_first_of(".eE") == std::string::npos) return std::to_string(n.integer());
  return float_repr(n.number());
}

std::vector<Triplet> read_triplets(const Node& binarizer) {
  const std::string& cls = binarizer["CLASS"].str();
  PN_CHECK(cls == "TripletMaskBinarization", binarizer["CLASS"].where(),
           ": only TripletMaskBinarization is implemented, got '", cls, "'");
  const Node& list = binarizer["ARGS"]["triplets"];
  PN_CHECK(list.is_sequence() && list.size() > 0, list.where(), ": expected a non-empty list of triplets");
  std::vector<Triplet> out;
  std::set<std::string> seen;
  for (const Node& t : list.elements()) {
    PN_CHECK(t.is_sequence() && t.size() == 3, t.where(),
             ": expected [top_score_threshold, area_threshold, bottom_score_threshold]");
    Triplet tr{t[0].number(), t[1].number(), t[2].number(), {}};
    tr.name.append("(").append(python_repr(t[0])).append(", ").append(python_repr(t[1]));
    tr.name.append(", ").append(python_repr(t[2])).append(")");
    PN_CHECK(tr.area >= 0, t[1].where(), ": the area threshold must be >= 0");
    PN_CHECK(seen.insert(tr.name).second, t.where(), ": the triplet ", tr.name, " is listed twice");
    out.push_back(tr);
  }
  return out;
}

// Fails with a checker's error `e` about node n, its file, line and key in
// front unless the message names the file already (errors about nested nodes
// do).
[[noreturn]] void fail_at(const Node& n, const Error& e) {
  const std::string what = e.what();
  if (what.rfind(n.source() + ":", 0) == 0) throw e;
  fail(n.where(), ": ", what);
}

loader::SampleRateSchedule read_sample_rate(const Node* n) {
  if (!n || n->is_null()) return loader::SampleRateSchedule::constant(0.8);
  try {
    if (n->is_scalar()) return loader::SampleRateSchedule::constant(n->number());
    PN_CHECK(n->is_sequence(), "expected a number or a list of [epoch, p] points");
    std::vector<std::pair<int, double>> points;
    for (const Node& p : n->elements()) {
      PN_CHECK(p.is_sequence() && p.size() == 2, p.where(), ": expected [epoch, p]");
      points.emplace_back(static_cast<int>(p[0].integer()), p[1].number());
    }
    return loader::SampleRateSchedule(std::move(points), loader::SampleRateSchedule::Mode::Linear);
  } catch (const Error& e) {
    fail_at(*n, e);
  }
}

}  // namespace

fs::path resolve_path(const fs::path& base, const std::string& value) {
  PN_CHECK(!value.empty(), "an empty path");
  fs::path p(value);
  return p.is_absolute() ? p : base / p;
}

fs::path resolve_path(const fs::path& base, const Node& value) {
  PN_CHECK(!value.str().empty(), value.where(), ": expected a path, got an empty string");
  return resolve_path(base, value.str());
}

ConfigFile ConfigFile::load(const fs::path& path, const fs::path& root) {
  ConfigFile f;
  f.config_path = path;
  f.experiment_dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  f.root = root;
  f.yaml = config::load_yaml(path.string());
  PN_CHECK(f.yaml.is_mapping(), f.yaml.where(), ": expected a mapping of configuration keys");
  return f;
}

TrainConfig load_train_config(const fs::path& path, const fs::path& root) {
  TrainConfig c;
  static_cast<ConfigFile&>(c) = ConfigFile::load(path, root);
  const Node& y = c.yaml;

  c.pipeline_name = y["PIPELINE_NAME"].str();
  PN_CHECK(!c.pipeline_name.empty() && c.pipeline_name.find('/') == std::string::npos, y["PIPELINE_NAME"].where(),
           ": expected a file-name-like name");
  c.data_dir = resolve_path(root, y["DATA_DIRECTORY"]);
  c.log_dir = c.experiment_dir / (y.has("LOGGER_DIR") ? y["LOGGER_DIR"].str() : std::string("log"));
  if (const Node* s = y.find("SEED")) c.seed = static_cast<uint64_t>(non_negative(*s));
  if (const Node* d = y.find("DEVICE")) c.device = d->str();
  PN_CHECK(c.device == "cpu" || c.device == "cuda" || c.device.rfind("cuda:", 0) == 0, y["DEVICE"].where(),
           ": expected cpu or cuda, got '", c.device, "'");
  if (const Node* w = y.find("WORKERS")) c.workers = static_cast<int>(non_negative(*w));

  const Node& m = y["MODEL"];
  try {
    c.model = models::model_spec(m);
    models::build_model(c.model);  // checks class and arguments now, not after a fold has trained
  } catch (const Error& e) {
    fail_at(m, e);  // the factory's own messages name the class and argument, not the file
  }
  if (const Node* f = m.find("FREEZE")) c.freeze_model = f->boolean();
  if (const Node* f = m.find("FREEZE_ENCODER_EPOCHS")) c.freeze_encoder_epochs = non_negative(*f);
  if (const Node* p = m.find("PRETRAINED"); p && !p->is_null() && !(p->is_scalar() && !p->boolean())) {
    PN_CHECK(p->is_mapping(), p->where(), ": expected PIPELINE_PATH, CHECKPOINTS_FOLDER and PIPELINE_NAME");
    c.pretrained_dir = resolve_path(root, (*p)["PIPELINE_PATH"]) / (*p)["CHECKPOINTS_FOLDER"].str();
    c.pretrained_name = (*p)["PIPELINE_NAME"].str();
  }

  const Node& fold = y["FOLD"];
  c.n_folds = static_cast<int>(positive(fold["NUMBER"]));
  const Node& use = fold["USEFOLDS"];
  PN_CHECK(use.is_sequence() && use.size() > 0, use.where(), ": expected a non-empty list of folds");
  for (const Node& f : use.elements()) {
    int64_t v = f.integer();
    PN_CHECK(v >= 0 && v < c.n_folds, f.where(), ": fold ", v, " is not below FOLD.NUMBER = ", c.n_folds);
    PN_CHECK(std::find(c.use_folds.begin(), c.use_folds.end(), v) == c.use_folds.end(), f.where(), ": fold ", v,
             " is listed twice");
    c.use_folds.push_back(static_cast<int>(v));
  }
  c.folds_file = resolve_path(root, fold["FILE"]);

  if (const Node* s = y.find("USE_SAMPLER")) c.use_sampler = s->boolean();
  c.sample_rate = read_sample_rate(y.find("NON_EMPTY_MASK_PROBA"));
  c.train_transforms = resolve_path(root, y["TRAIN_TRANSFORMS"]);
  c.valid_transforms = resolve_path(root, y["VALID_TRANSFORMS"]);

  const Node& crit = y["CRITERION"];
  PN_CHECK(crit["CLASS"].str() == "ComboLoss", crit["CLASS"].where(), ": only ComboLoss is implemented, got '",
           crit["CLASS"].str(), "'");
  const Node& weights = crit["ARGS"]["weights"];
  PN_CHECK(weights.is_mapping() && weights.size() > 0, weights.where(), ": expected loss names with weights");
  for (const auto& [name, w] : weights.entries()) c.loss_weights[name] = w.number();
  try {
    nn::ComboLoss check(c.loss_weights);
  } catch (const Error& e) {
    fail_at(weights, e);
  }

  c.optimizer = y["OPTIMIZER"];
  c.scheduler = y["SCHEDULER"];
  lr_schedule(c.optimizer, c.scheduler, 1);  // builds both once: their errors now, not after a fold

  c.batch_size = positive(y["BATCH_SIZE"]);
  if (const Node* g = y.find("GRADIENT_ACCUMULATION_STEPS")) c.grad_accumulation = positive(*g);
  if (const Node* g = y.find("GRADIENT_CLIPPING"); g && !g->is_null()) {
    c.grad_clip = g->number();
    PN_CHECK(c.grad_clip >= 0 && std::isfinite(c.grad_clip), g->where(), ": expected a norm >= 0");
  }
  c.epochs = positive(y["EPOCHES"]);
  if (const Node* e = y.find("EARLY_STOPPING")) c.early_stopping = non_negative(*e);
  if (const Node* v = y.find("VALIDATION_FREQUENCY")) c.validation_frequency = positive(*v);
  if (const Node* n = y.find("NONFINITE")) {
    PN_CHECK(n->str() == "stop" || n->str() == "skip", n->where(), ": expected stop or skip, got '", n->str(), "'");
    c.skip_nonfinite = n->str() == "skip";
  }
  if (const Node* d = y.find("DETERMINISTIC")) c.deterministic = d->boolean();

  const Node& ck = y["CHECKPOINTS"];
  c.full_folder = c.experiment_dir / ck["FULL_FOLDER"].str();
  c.best_folder = c.experiment_dir / ck["BEST_FOLDER"].str();
  c.top_k = positive(ck["TOPK"]);

  c.triplets = read_triplets(y["MASK_BINARIZER"]);
  const Node& metric = y["EVALUATION_METRIC"];
  PN_CHECK(metric["CLASS"].str() == "dice_metric", metric["CLASS"].where(),
           ": only dice_metric is implemented, got '", metric["CLASS"].str(), "'");
  if (const Node* args = metric.find("ARGS"); args && args->is_mapping())
    if (const Node* p = args->find("per_image")) c.per_image_metric = p->boolean();
  return c;
}

}  // namespace pn::train
