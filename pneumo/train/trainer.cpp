#include "pneumo/train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <set>
#include <sstream>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "nn/checkpoint.h"
#include "nn/io/atomic_file.h"
#include "nn/io/crash_point.h"
#include "nn/losses.h"
#include "nn/optim/clip_grad.h"
#include "pneumo/augment/rng.h"
#include "pneumo/augment/transform_json.h"
#include "pneumo/data/png.h"
#include "pneumo/loader/dataset.h"
#include "pneumo/loader/loader.h"
#include "pneumo/loader/sampler.h"
#include "pneumo/train/optim_factory.h"
#include "pneumo/progress.h"
#include "pneumo/train/run_files.h"
#include "pneumo/train/triplet_metrics.h"
#include "tensor/error.h"
#include "tensor/random.h"

namespace pn::train {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// One entry of the top-K list: Python's heapq of (score, path) tuples, whose
// smallest (score, then path text) is dropped first.
struct Kept {
  double score;
  std::string file;  // the checkpoint's file name
  bool operator<(const Kept& o) const { return score != o.score ? score < o.score : file < o.file; }
};

// What the resume file holds besides model, optimizer and scheduler.
struct RunState {
  int64_t next_epoch = 0;
  double best_score = 0;
  int64_t best_epoch = -1;
  std::vector<Kept> kept;
  std::size_t summary_rows = 0, history_rows = 0;
  bool finished = false, early_stopped = false;
};

nn::io::Metadata to_metadata(const RunState& s) {
  std::string kept;
  for (const Kept& k : s.kept) {
    if (!kept.empty()) kept += '\n';
    kept.append(float_repr(k.score)).append(" ").append(k.file);
  }
  return {{"next_epoch", std::to_string(s.next_epoch)},
          {"best_score", float_repr(s.best_score)},
          {"best_epoch", std::to_string(s.best_epoch)},
          {"kept", kept},
          {"summary_rows", std::to_string(s.summary_rows)},
          {"history_rows", std::to_string(s.history_rows)},
          {"finished", s.finished ? "1" : "0"},
          {"early_stopped", s.early_stopped ? "1" : "0"}};
}

RunState from_metadata(const nn::io::Metadata& m, const fs::path& file) {
  auto get = [&](const char* key) -> const std::string& {
    auto it = m.find(key);
    PN_CHECK(it != m.end(), file.string(), ": not a resume file of `pneumo train` (no '", key, "' entry)");
    return it->second;
  };
  const std::string where = file.string();
  RunState s;
  s.next_epoch = static_cast<int64_t>(parse_number(get("next_epoch"), where + ": next_epoch"));
  s.best_score = parse_number(get("best_score"), where + ": best_score");
  s.best_epoch = static_cast<int64_t>(parse_number(get("best_epoch"), where + ": best_epoch"));
  std::istringstream kept(get("kept"));
  for (std::string line; std::getline(kept, line);) {
    auto space = line.find(' ');
    PN_CHECK(space != std::string::npos, where, ": a malformed top-K entry '", line, "'");
    s.kept.push_back({parse_number(line.substr(0, space), where + ": kept"), line.substr(space + 1)});
  }
  s.summary_rows = static_cast<std::size_t>(parse_number(get("summary_rows"), where + ": summary_rows"));
  s.history_rows = static_cast<std::size_t>(parse_number(get("history_rows"), where + ": history_rows"));
  s.finished = get("finished") == "1";
  s.early_stopped = get("early_stopped") == "1";
  return s;
}

// Temporaries left by a process killed while writing into `dir`.
void remove_stale_temporaries_in(const fs::path& dir) {
  if (!fs::is_directory(dir)) return;
  std::set<std::string> targets;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    auto pos = name.find(".tmp-");
    if (pos != std::string::npos) targets.insert((dir / name.substr(0, pos)).string());
  }
  for (const auto& t : targets) nn::io::remove_stale_temporaries(t);
}

data::GrayImage to_gray(const float* v, int64_t h, int64_t w, bool rescale) {
  float lo = 0, hi = 1;
  if (rescale) {
    lo = *std::min_element(v, v + h * w);
    hi = *std::max_element(v, v + h * w);
    if (hi <= lo) hi = lo + 1;
  }
  data::GrayImage g(static_cast<int>(w), static_cast<int>(h));
  for (int64_t i = 0; i < h * w; ++i)
    g.pixels[static_cast<std::size_t>(i)] =
        static_cast<std::uint8_t>(std::clamp(std::lround(255.0 * (v[i] - lo) / (hi - lo)), 0L, 255L));
  return g;
}

// A few validation images kept from the current epoch, written as the
// dashboard's samples when the epoch is the best.
struct Samples {
  std::set<std::size_t> wanted;  // dataset indices
  std::vector<std::pair<std::string, std::array<data::GrayImage, 3>>> taken;

  void take(const loader::Batch& batch, const Tensor& probs) {
    const int64_t h = probs.size(2), w = probs.size(3), c = batch.images.size(1);
    for (std::size_t b = 0; b < batch.items.size(); ++b) {
      if (!wanted.count(batch.items[b])) continue;
      const int64_t i = static_cast<int64_t>(b);
      taken.push_back({batch.ids[b],
                       {to_gray(batch.images.data<float>() + i * c * h * w, h, w, true),
                        to_gray(batch.masks.data<float>() + i * h * w, h, w, false),
                        to_gray(probs.data<float>() + i * h * w, h, w, false)}});
    }
  }
  void write(const fs::path& dir) const {
    fs::create_directories(dir);
    for (const auto& [id, images] : taken) {
      data::write_png(dir / (id + "_image.png"), images[0]);
      data::write_png(dir / (id + "_mask.png"), images[1]);
      data::write_png(dir / (id + "_prob.png"), images[2]);
    }
  }
};

class FoldRun {
 public:
  FoldRun(const TrainConfig& c, int fold, const TrainOptions& o)
      : c_(c), o_(o), fold_(fold), paths_(FoldPaths::of(c, fold)), log_(paths_.log, o.echo) {}

  FoldResult run();

 private:
  void build();
  void start_or_resume();
  double train_epoch(int64_t epoch);
  TripletMetrics validate(int64_t epoch, Samples& samples);
  void save_epoch(int64_t epoch, double score, const Samples& samples, std::vector<std::string>& dropped);
  void commit();
  void remove_dropped_checkpoints();
  std::string label(int64_t epoch) const {
    return "fold " + std::to_string(fold_) + " epoch " + std::to_string(epoch);
  }

  const TrainConfig& c_;
  const TrainOptions& o_;
  int fold_;
  FoldPaths paths_;
  RunLog log_;
  int workers_ = 0;
  std::shared_ptr<const loader::PneumoDataset> train_set_, val_set_;
  std::unique_ptr<loader::PneumoSampler> sampler_;
  std::shared_ptr<models::SegmentationModel> model_;
  std::unique_ptr<nn::optim::Optimizer> optimizer_;
  std::unique_ptr<nn::sched::Scheduler> scheduler_;
  std::unique_ptr<nn::ComboLoss> loss_;
  RunState state_;
};

void FoldRun::build() {
  auto rows = loader::read_folds(c_.folds_file);
  train_set_ = std::make_shared<loader::PneumoDataset>(loader::PneumoDataset::train(
      c_.data_dir, rows, fold_, augment::load_transforms(c_.train_transforms)));
  val_set_ = std::make_shared<loader::PneumoDataset>(
      loader::PneumoDataset::val(c_.data_dir, rows, fold_, augment::load_transforms(c_.valid_transforms)));
  if (c_.use_sampler)
    sampler_ = std::make_unique<loader::PneumoSampler>(train_set_->exist_labels(), c_.sample_rate,
                                                       fold_seed(c_.seed, fold_));
  workers_ = loader::worker_count(o_.workers, c_.workers);

  manual_seed(fold_seed(c_.seed, fold_));
  models::BuiltModel built = models::build_model(c_.model);
  model_ = built.model;
  if (!built.imagenet_weights_url.empty())
    log_.info("the encoder starts from random weights (the original loads " + built.imagenet_weights_url + ")");
  if (c_.pretrained_dir) {
    const std::string stem = c_.pretrained_name + "_fold" + std::to_string(fold_);
    if (auto file = find_model_file(*c_.pretrained_dir, stem)) {
      try {
        model_->load_state_dict(nn::load_weights(file->string()));
      } catch (const Error& e) {
        fail(file->string(), ": the pretrained weights do not fit the model: ", e.what());
      }
      log_.info("load model from " + file->string());
    } else {
      log_.info("no pretrained model " + (*c_.pretrained_dir / stem).string() +
                ".{safetensors,pth}: starting from the initial weights");
    }
  }
  model_->to(o_.device);
  optimizer_ = make_optimizer(c_.optimizer, model_->parameters());
  scheduler_ = make_scheduler(c_.scheduler, *optimizer_);
  loss_ = std::make_unique<nn::ComboLoss>(c_.loss_weights);
}

void FoldRun::start_or_resume() {
  fs::create_directories(paths_.history_dir);
  fs::create_directories(c_.best_folder);
  for (const fs::path& dir : {paths_.history_dir, c_.best_folder, c_.log_dir, paths_.samples})
    remove_stale_temporaries_in(dir);
  CsvLog summary(paths_.summary), history(paths_.history);
  if (fs::exists(paths_.resume)) {
    auto loaded = nn::load_checkpoint(paths_.resume.string(), *model_, optimizer_.get(), scheduler_.get());
    state_ = from_metadata(loaded.metadata, paths_.resume);
    summary.truncate(state_.summary_rows);
    history.truncate(state_.history_rows);
    remove_dropped_checkpoints();
    log_.info(state_.finished ? "fold already trained (" + paths_.resume.string() + ")"
                              : "resume from " + paths_.resume.string() + " at epoch " +
                                    std::to_string(state_.next_epoch));
    return;
  }
  state_ = RunState{};
  state_.best_score = summary.max_of("best_metric").value_or(0.0);
  if (state_.best_score > 0) log_.info("Pretrained best score is " + float_repr(state_.best_score));
  state_.summary_rows = summary.rows();
  state_.history_rows = history.rows();
  commit();  // fixes the row counts this run starts from
}

// A kill after an epoch's commit but before the checkpoints it dropped from
// the top-K were removed leaves them behind: remove the epoch checkpoints of
// committed epochs that the committed state no longer keeps. (The files of
// the interrupted epoch are left alone: it is redone and writes them again.)
void FoldRun::remove_dropped_checkpoints() {
  for (int64_t epoch = 0; epoch < state_.next_epoch; ++epoch) {
    const fs::path file = paths_.epoch_checkpoint(epoch);
    const bool kept = std::any_of(state_.kept.begin(), state_.kept.end(),
                                  [&](const Kept& k) { return k.file == file.filename().string(); });
    std::error_code ec;
    if (!kept && fs::remove(file, ec)) log_.info("Removed checkpoint is " + file.string());
  }
}

void FoldRun::commit() {
  nn::save_checkpoint(paths_.resume.string(), *model_, optimizer_.get(), scheduler_.get(), {},
                      to_metadata(state_));
}

double FoldRun::train_epoch(int64_t epoch) {
  model_->train();
  const bool frozen = epoch < c_.freeze_encoder_epochs;
  model_->freeze_encoder(frozen);
  if (frozen) log_.info(std::to_string(epoch) + " epoch: \t encoder frozen");
  std::vector<std::size_t> order;
  if (sampler_) {
    order = sampler_->epoch_indices(epoch);
  } else {  // shuffle=True
    order.resize(train_set_->size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    augment::Rng rng = augment::Rng::for_sample(fold_seed(c_.seed, fold_), static_cast<uint64_t>(epoch), ~0ull);
    for (std::size_t i = order.size(); i > 1; --i)
      std::swap(order[i - 1], order[static_cast<std::size_t>(rng.randint(0, static_cast<int64_t>(i) - 1))]);
  }
  loader::Loader loader(train_set_, std::move(order), c_.seed, epoch,
                        {.batch_size = static_cast<std::size_t>(c_.batch_size), .workers = workers_});
  Progress bar(label(epoch) + " train", loader.num_batches(), o_.progress);
  const std::vector<Tensor> params = model_->parameters();
  double mean = 0;
  int64_t step = 0, skipped = 0;
  optimizer_->zero_grad();
  while (auto batch = loader.next()) {
    Tensor logits = model_->forward(batch->images.to(o_.device));
    Tensor loss = (*loss_)(logits, batch->masks.to(o_.device));
    const double value = loss.item();
    auto where = [&] {  // built only for an error message
      return "fold " + std::to_string(fold_) + " epoch " + std::to_string(epoch) + " step " + std::to_string(step) +
             " (images " + batch->ids.front() + "...)";
    };
    bool skip = false;
    if (!std::isfinite(value)) {
      PN_CHECK(c_.skip_nonfinite, where(), ": the loss is ", value, "; the last good state is ",
               paths_.resume.string(), " (NONFINITE: skip would skip such steps)");
      skip = true;
    } else {
      loss.backward();
    }
    if (!skip && step % c_.grad_accumulation == c_.grad_accumulation - 1) {
      if (c_.grad_clip > 0) {
        try {
          nn::optim::clip_grad_norm(params, c_.grad_clip, 2.0, nn::optim::NonFinite::Error);
        } catch (const Error& e) {
          PN_CHECK(c_.skip_nonfinite, where(), ": ", e.what(), "; the last good state is ", paths_.resume.string());
          skip = true;
        }
      }
      if (!skip) optimizer_->step();
      optimizer_->zero_grad();
    }
    if (skip) {
      optimizer_->zero_grad();
      ++skipped;
    } else {
      // the reference's running mean of the step losses
      mean = (mean * static_cast<double>(step - skipped) + value) / static_cast<double>(step - skipped + 1);
    }
    ++step;
    nn::io::crash_point("train: step done");
    char post[96];
    std::snprintf(post, sizeof post, "loss %.4g lr %.3g", mean, optimizer_->lr(0));
    bar.update(static_cast<std::size_t>(step), post);
  }
  optimizer_->zero_grad();  // drop an incomplete accumulation (see the header)
  bar.finish();
  if (skipped) log_.info(std::to_string(epoch) + " epoch: \t skipped " + std::to_string(skipped) + " non-finite steps");
  return mean;
}

TripletMetrics FoldRun::validate(int64_t epoch, Samples& samples) {
  model_->eval();
  NoGradGuard no_grad;
  std::vector<std::size_t> order(val_set_->size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  loader::Loader loader(val_set_, std::move(order), c_.seed, epoch,
                        {.batch_size = static_cast<std::size_t>(c_.batch_size), .workers = workers_});
  TripletMetrics metrics(c_.triplets, c_.per_image_metric);
  Progress bar(label(epoch) + " valid", loader.num_batches(), o_.progress);
  while (auto batch = loader.next()) {
    Tensor probs = sigmoid(model_->forward(batch->images.to(o_.device))).to(Device::cpu());
    metrics.add_batch(probs, batch->masks);
    samples.take(*batch, probs);
    bar.update(metrics.batches(), "score " + float_repr(metrics.best_metric()).substr(0, 7) + " on " +
                                      c_.triplets[metrics.best()].name);
  }
  bar.finish();
  return metrics;
}

void FoldRun::save_epoch(int64_t epoch, double score, const Samples& samples, std::vector<std::string>& dropped) {
  const fs::path file = paths_.epoch_checkpoint(epoch);
  const nn::io::Metadata meta{{"epoch", std::to_string(epoch)}, {"score", float_repr(score)}, {"fold", std::to_string(fold_)}};
  nn::save_checkpoint(file.string(), *model_, nullptr, nullptr, {}, meta);
  state_.kept.push_back({score, file.filename().string()});
  if (static_cast<int64_t>(state_.kept.size()) > c_.top_k) {
    auto worst = std::min_element(state_.kept.begin(), state_.kept.end());
    dropped.push_back(worst->file);
    state_.kept.erase(worst);
  }
  if (score > state_.best_score) {
    state_.best_score = score;
    state_.best_epoch = epoch;
    nn::save_checkpoint(paths_.best.string(), *model_, nullptr, nullptr, {}, meta);
    samples.write(paths_.samples);
    log_.info("best model: " + std::to_string(epoch) + " epoch - " + float_repr(score));
  }
  scheduler_->epoch_end(score);
}

FoldResult FoldRun::run() {
  log_.info("Start training of " + std::to_string(fold_) + " fold....");
  build();
  start_or_resume();
  int64_t committed_here = 0;
  for (int64_t epoch = state_.next_epoch; epoch < c_.epochs && !state_.finished; ++epoch) {
    if (o_.stop_after_epochs >= 0 && committed_here >= o_.stop_after_epochs) break;
    const auto t0 = Clock::now();
    const double lr = optimizer_->lr(0);
    double train_loss = NAN;
    if (!c_.freeze_model) {
      log_.info(std::to_string(epoch) + " epoch: \t start training....");
      train_loss = train_epoch(epoch);
      log_.info(std::to_string(epoch) + " epoch: \t Calculated train loss: " + float_repr(train_loss));
    }
    std::vector<std::string> dropped;
    double best_metric = NAN;
    if (epoch % c_.validation_frequency != c_.validation_frequency - 1) {
      log_.info("skip validation....");
    } else {
      log_.info(std::to_string(epoch) + " epoch: \t start validation....");
      Samples samples;
      for (std::size_t i = 0; i < val_set_->size() && samples.wanted.size() < 4; ++i)
        if (val_set_->exist_labels()[i]) samples.wanted.insert(i);
      TripletMetrics metrics = validate(epoch, samples);
      best_metric = metrics.best_metric();
      std::vector<std::string> header{"epoch", "best_metric"}, row{std::to_string(epoch), float_repr(best_metric)};
      for (std::size_t k = 0; k < metrics.triplets().size(); ++k) {
        header.push_back(metrics.triplets()[k].name);
        row.push_back(float_repr(metrics.means()[k]));
      }
      CsvLog(paths_.summary).append(header, row);
      ++state_.summary_rows;
      nn::io::crash_point("train: summary row appended");
      log_.info(std::to_string(epoch) + " epoch: \t Score: " + float_repr(best_metric) + "\t Params: " +
                metrics.triplets()[metrics.best()].name);
      if (!c_.freeze_model) save_epoch(epoch, best_metric, samples, dropped);
      if (epoch - state_.best_epoch > c_.early_stopping) {
        log_.info("EARLY STOPPING");
        state_.finished = state_.early_stopped = true;
      }
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    CsvLog(paths_.history)
        .append({"epoch", "train_loss", "lr", "best_metric", "seconds"},
                {std::to_string(state_.history_rows), float_repr(train_loss), float_repr(lr),
                 float_repr(best_metric), float_repr(std::round(seconds * 1000) / 1000)});
    ++state_.history_rows;
    nn::io::crash_point("train: history row appended");
    state_.next_epoch = epoch + 1;
    if (state_.next_epoch == c_.epochs) state_.finished = true;
    commit();
    nn::io::crash_point("train: epoch committed");
    ++committed_here;
    for (const std::string& f : dropped) {
      std::error_code ec;  // already gone when an interrupted run had removed it
      if (fs::remove(paths_.history_dir / f, ec)) log_.info("Removed checkpoint is " + (paths_.history_dir / f).string());
      nn::io::crash_point("train: dropped checkpoint removed");
    }
  }
  return {fold_, state_.best_score, state_.best_epoch, state_.next_epoch, state_.finished, state_.early_stopped};
}

}  // namespace

uint64_t fold_seed(uint64_t seed, int fold) {
  // SplitMix64's finaliser of (seed, fold): distinct, well-mixed seeds per fold.
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (static_cast<uint64_t>(fold) + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

FoldResult train_fold(const TrainConfig& config, int fold, const TrainOptions& options) {
  return FoldRun(config, fold, options).run();
}

std::vector<FoldResult> train_all(const TrainConfig& config, const TrainOptions& options) {
  RunLog main_log(config.log_dir / "train_main.log", options.echo);
  main_log.info("configuration " + config.config_path.string() + ", data " + config.data_dir.string() +
                ", device " + (options.device.is_cpu() ? std::string("cpu") : "cuda:" + std::to_string(options.device.index)));
  std::vector<FoldResult> results;
  for (int fold : config.use_folds) {
    results.push_back(train_fold(config, fold, options));
    const FoldResult& r = results.back();
    main_log.info("fold " + std::to_string(fold) + ": best score " + float_repr(r.best_score) +
                  (r.best_epoch >= 0 ? " at epoch " + std::to_string(r.best_epoch) : std::string()) + ", " +
                  std::to_string(r.epochs_done) + " epochs" + (r.early_stopped ? " (early stopping)" : ""));
    if (!r.finished) break;  // interrupted (stop_after_epochs)
  }
  return results;
}

}  // namespace pn::train
