#include "pneumo/train/optim_factory.h"

#include <set>
#include <string>

#include "nn/optim/adam.h"
#include "nn/optim/sgd.h"
#include "nn/sched/cosine_annealing.h"
#include "nn/sched/cosine_warm_restarts.h"
#include "nn/sched/multi_step_lr.h"
#include "nn/sched/reduce_on_plateau.h"
#include "nn/sched/step_lr.h"
#include "tensor/error.h"

namespace pn::train {

namespace {

using config::Node;

// The ARGS of a section, read key by key; finish() rejects keys nobody read,
// so a misspelt argument is an error rather than a silent default.
class SectionArgs {
 public:
  SectionArgs(const Node& section, std::set<std::string> known) : known_(std::move(known)) {
    const Node* a = section.find("ARGS");
    if (a && !a->is_null()) {
      PN_CHECK(a->is_mapping(), a->where(), ": expected a mapping of argument names to values");
      args_ = a;
    }
    for (const auto& [key, value] : section.entries())
      PN_CHECK(key == "CLASS" || key == "ARGS" || key == "PY", value.where(), ": unknown key '", key,
               "' (expected CLASS and ARGS)");
    if (args_)
      for (const auto& [key, value] : args_->entries()) {
        if (known_.count(key)) continue;
        std::string list;
        for (const auto& k : known_) list += (list.empty() ? "" : ", ") + k;
        fail(value.where(), ": unknown argument '", key, "' of ", section["CLASS"].str(), " (it takes ", list, ")");
      }
  }
  const Node* find(const std::string& key) const { return args_ ? args_->find(key) : nullptr; }
  double number(const std::string& key, double fallback) const {
    const Node* n = find(key);
    return n ? n->number() : fallback;
  }
  int64_t integer(const std::string& key, int64_t fallback) const {
    const Node* n = find(key);
    return n ? n->integer() : fallback;
  }
  bool boolean(const std::string& key, bool fallback) const {
    const Node* n = find(key);
    return n ? n->boolean() : fallback;
  }
  const Node& required(const Node& section, const std::string& key) const {
    const Node* n = find(key);
    PN_CHECK(n, section.where(), ": ", section["CLASS"].str(), " needs the argument ", key);
    return *n;
  }

 private:
  const Node* args_ = nullptr;
  std::set<std::string> known_;
};

// Construction errors (an invalid value) name the section's place.
template <class F>
auto at_section(const Node& section, F&& make) {
  try {
    return make();
  } catch (const Error& e) {
    fail(section.where(), ": ", e.what());
  }
}

}  // namespace

std::unique_ptr<nn::optim::Optimizer> make_optimizer(const Node& section, std::vector<Tensor> params) {
  using namespace nn::optim;
  const std::string& cls = section["CLASS"].str();
  if (cls == "Adam" || cls == "AdamW") {
    SectionArgs a(section, {"lr", "betas", "eps", "weight_decay", "amsgrad"});
    AdamOptions o = cls == "AdamW" ? AdamWOptions{} : AdamOptions{};
    o.lr = a.number("lr", o.lr);
    if (const Node* b = a.find("betas")) {
      PN_CHECK(b->is_sequence() && b->size() == 2, b->where(), ": expected [beta1, beta2]");
      o.beta1 = (*b)[0].number();
      o.beta2 = (*b)[1].number();
    }
    o.eps = a.number("eps", o.eps);
    o.weight_decay = a.number("weight_decay", o.weight_decay);
    o.amsgrad = a.boolean("amsgrad", o.amsgrad);
    return at_section(section, [&]() -> std::unique_ptr<Optimizer> {
      if (cls == "AdamW") return std::make_unique<AdamW>(std::move(params), o);
      return std::make_unique<Adam>(std::move(params), o);
    });
  }
  if (cls == "SGD") {
    SectionArgs a(section, {"lr", "momentum", "dampening", "weight_decay", "nesterov"});
    SgdOptions o;
    o.lr = a.required(section, "lr").number();
    o.momentum = a.number("momentum", o.momentum);
    o.dampening = a.number("dampening", o.dampening);
    o.weight_decay = a.number("weight_decay", o.weight_decay);
    o.nesterov = a.boolean("nesterov", o.nesterov);
    return at_section(section,
                      [&]() -> std::unique_ptr<Optimizer> { return std::make_unique<SGD>(std::move(params), o); });
  }
  fail(section["CLASS"].where(), ": unknown optimizer '", cls, "' (known: Adam, AdamW, SGD)");
}

std::unique_ptr<nn::sched::Scheduler> make_scheduler(const Node& section, nn::optim::Optimizer& optimizer) {
  using namespace nn::sched;
  const std::string& cls = section["CLASS"].str();
  if (cls == "ReduceLROnPlateau") {
    SectionArgs a(section, {"mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr",
                            "eps", "verbose"});
    PlateauOptions o;
    if (const Node* m = a.find("mode")) {
      PN_CHECK(m->str() == "min" || m->str() == "max", m->where(), ": expected min or max");
      o.mode = m->str() == "max" ? PlateauMode::Max : PlateauMode::Min;
    }
    if (const Node* m = a.find("threshold_mode")) {
      PN_CHECK(m->str() == "rel" || m->str() == "abs", m->where(), ": expected rel or abs");
      o.threshold_mode = m->str() == "abs" ? ThresholdMode::Abs : ThresholdMode::Rel;
    }
    o.factor = a.number("factor", o.factor);
    o.patience = a.integer("patience", o.patience);
    o.threshold = a.number("threshold", o.threshold);
    o.cooldown = a.integer("cooldown", o.cooldown);
    if (const Node* m = a.find("min_lr")) {
      o.min_lr.clear();
      if (m->is_sequence())
        for (const Node& v : m->elements()) o.min_lr.push_back(v.number());
      else
        o.min_lr.push_back(m->number());
    }
    o.eps = a.number("eps", o.eps);
    a.boolean("verbose", false);
    return at_section(section,
                      [&]() -> std::unique_ptr<Scheduler> { return std::make_unique<ReduceLROnPlateau>(optimizer, o); });
  }
  if (cls == "CosineAnnealingLR") {
    SectionArgs a(section, {"T_max", "eta_min", "last_epoch", "verbose"});
    int64_t t_max = a.required(section, "T_max").integer();
    double eta_min = a.number("eta_min", 0.0);
    PN_CHECK(a.integer("last_epoch", -1) == -1, section.where(), ": last_epoch other than -1 is not supported");
    return at_section(section, [&]() -> std::unique_ptr<Scheduler> {
      return std::make_unique<CosineAnnealingLR>(optimizer, t_max, eta_min);
    });
  }
  if (cls == "CosineAnnealingWarmRestarts") {
    SectionArgs a(section, {"T_0", "T_mult", "eta_min", "last_epoch", "verbose"});
    int64_t t0 = a.required(section, "T_0").integer(), t_mult = a.integer("T_mult", 1);
    double eta_min = a.number("eta_min", 0.0);
    PN_CHECK(a.integer("last_epoch", -1) == -1, section.where(), ": last_epoch other than -1 is not supported");
    return at_section(section, [&]() -> std::unique_ptr<Scheduler> {
      return std::make_unique<CosineAnnealingWarmRestarts>(optimizer, t0, t_mult, eta_min);
    });
  }
  if (cls == "StepLR") {
    SectionArgs a(section, {"step_size", "gamma", "last_epoch", "verbose"});
    int64_t step = a.required(section, "step_size").integer();
    double gamma = a.number("gamma", 0.1);
    PN_CHECK(a.integer("last_epoch", -1) == -1, section.where(), ": last_epoch other than -1 is not supported");
    return at_section(section,
                      [&]() -> std::unique_ptr<Scheduler> { return std::make_unique<StepLR>(optimizer, step, gamma); });
  }
  if (cls == "MultiStepLR") {
    SectionArgs a(section, {"milestones", "gamma", "last_epoch", "verbose"});
    const Node& ms = a.required(section, "milestones");
    PN_CHECK(ms.is_sequence(), ms.where(), ": expected a list of epochs");
    std::vector<int64_t> milestones;
    for (const Node& m : ms.elements()) milestones.push_back(m.integer());
    double gamma = a.number("gamma", 0.1);
    PN_CHECK(a.integer("last_epoch", -1) == -1, section.where(), ": last_epoch other than -1 is not supported");
    return at_section(section, [&]() -> std::unique_ptr<Scheduler> {
      return std::make_unique<MultiStepLR>(optimizer, milestones, gamma);
    });
  }
  fail(section["CLASS"].where(), ": unknown scheduler '", cls,
       "' (known: ReduceLROnPlateau, CosineAnnealingLR, CosineAnnealingWarmRestarts, StepLR, MultiStepLR)");
}

std::vector<double> lr_schedule(const Node& optimizer, const Node& scheduler, int64_t epochs, double metric) {
  PN_CHECK(epochs >= 0, "lr_schedule: epochs must be >= 0, got ", epochs);
  Tensor p = zeros({1});
  p.set_requires_grad(true);
  auto opt = make_optimizer(optimizer, {p});
  auto sched = make_scheduler(scheduler, *opt);
  std::vector<double> lrs;
  for (int64_t e = 0; e < epochs; ++e) {
    lrs.push_back(opt->lr(0));
    sched->epoch_end(metric);
  }
  return lrs;
}

}  // namespace pn::train
