// Learning-rate schedulers against PyTorch 1.13 (tests/reference/make_optim_reference.py
// writes sched.bin), checkpoint round trips and errors.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <numbers>
#include <string>
#include <vector>

#include "nn/optim/sgd.h"
#include "nn/sched/cosine_annealing.h"
#include "nn/sched/cosine_warm_restarts.h"
#include "nn/sched/multi_step_lr.h"
#include "nn/sched/reduce_on_plateau.h"
#include "nn/sched/step_lr.h"
#include "reference.h"

using namespace pn;
using namespace pn::nn;
using namespace pn::nn::optim;
using namespace pn::nn::sched;

namespace {

const test::Reference& ref() {
  static const test::Reference r("sched.bin");
  return r;
}

std::vector<double> values(const std::string& name) { return ref()[name].to_vector<double>(); }

// An SGD with one one-element parameter per group, at the given lrs.
std::unique_ptr<SGD> optimizer_with(const std::vector<double>& lrs) {
  std::vector<ParamGroup<SgdOptions>> groups;
  for (double lr : lrs) groups.push_back({{zeros({1}).set_requires_grad()}, {.lr = lr}});
  return std::make_unique<SGD>(std::move(groups));
}

std::vector<double> lrs_of(const Optimizer& opt) {
  std::vector<double> lrs;
  for (size_t g = 0; g < opt.num_groups(); ++g) lrs.push_back(opt.lr(g));
  return lrs;
}

// Runs `step(i)` for every row of the case's lr table and compares each
// group's lr after it with PyTorch's, to 1e-12 relative (exactly where
// PyTorch's is 0).
void check_sequence(const std::string& name, const Optimizer& opt, const std::function<void(int)>& step) {
  const Tensor table = ref()[name + ".lr"];
  const int64_t steps = table.size(0), groups = table.size(1);
  REQUIRE(static_cast<int64_t>(opt.num_groups()) == groups);
  const std::vector<double> expected = table.to_vector<double>();
  double worst = 0;
  int64_t worst_at = -1;
  for (int64_t i = 0; i < steps; ++i) {
    step(static_cast<int>(i));
    for (int64_t g = 0; g < groups; ++g) {
      const double want = expected[static_cast<size_t>(i * groups + g)], got = opt.lr(static_cast<size_t>(g));
      const double err = want == 0.0 ? std::fabs(got) * 1e300 : std::fabs(got - want) / std::fabs(want);
      if (err > worst) worst = err, worst_at = i;
    }
  }
  INFO(name, ": worst relative error ", worst, " at step ", worst_at);
  CHECK(worst <= 1e-12);
}

}  // namespace

TEST_CASE("CosineAnnealingLR follows PyTorch's recursive form over 3 cycles") {
  for (const char* name : {"cosine_config", "cosine_two_groups", "cosine_external"}) {
    CAPTURE(name);
    std::vector<double> a = values(std::string(name) + ".args");  // T_max, eta_min, ext, factor
    auto opt = optimizer_with(values(std::string(name) + ".lr0"));
    CosineAnnealingLR sched(*opt, static_cast<int64_t>(a[0]), a[1]);
    CHECK(lrs_of(*opt) == values(std::string(name) + ".lr0"));  // step 0 changes nothing
    CHECK(sched.last_epoch() == 0);
    check_sequence(name, *opt, [&](int i) {
      if (i == static_cast<int>(a[2])) {
        for (size_t g = 0; g < opt->num_groups(); ++g) opt->set_lr(g, opt->lr(g) * a[3]);
      }
      opt->step();
      sched.step();
    });
    CHECK(sched.last_lr() == lrs_of(*opt));
  }
}

TEST_CASE("CosineAnnealingLR carries an outside change of the lr on, unlike the closed form") {
  // cosine_external halves the lrs before step 9 (T_max 6): PyTorch's
  // recursive values then stay far from the closed form, and so do ours.
  std::vector<double> a = values("cosine_external.args");
  const std::vector<double> lr0 = values("cosine_external.lr0"), table = values("cosine_external.lr");
  const int64_t e = 12, groups = static_cast<int64_t>(lr0.size());
  const double closed = a[1] + (lr0[0] - a[1]) * (1 + std::cos(std::numbers::pi * static_cast<double>(e) / a[0])) / 2;
  CHECK(std::fabs(table[static_cast<size_t>((e - 1) * groups)] - closed) > 1e-4 * closed);
}

TEST_CASE("CosineAnnealingWarmRestarts equals PyTorch over 3 restarts, per epoch and fractional") {
  for (const char* name : {"warm_t1_m2", "warm_t3_m1", "warm_t2_m3"}) {
    CAPTURE(name);
    std::vector<double> a = values(std::string(name) + ".args");  // T_0, T_mult, eta_min
    auto opt = optimizer_with(values(std::string(name) + ".lr0"));
    CosineAnnealingWarmRestarts sched(*opt, static_cast<int64_t>(a[0]), static_cast<int64_t>(a[1]), a[2]);
    check_sequence(name, *opt, [&](int) { sched.step(); });
  }
  for (const char* name : {"warm_frac_m2", "warm_frac_m1"}) {
    CAPTURE(name);
    std::vector<double> a = values(std::string(name) + ".args");
    const std::vector<double> epochs = values(std::string(name) + ".epochs");
    auto opt = optimizer_with(values(std::string(name) + ".lr0"));
    CosineAnnealingWarmRestarts sched(*opt, static_cast<int64_t>(a[0]), static_cast<int64_t>(a[1]), a[2]);
    check_sequence(name, *opt, [&](int i) { sched.step(epochs[static_cast<size_t>(i)]); });
    CHECK(sched.last_epoch() == static_cast<int64_t>(std::floor(epochs.back())));
  }
}

TEST_CASE("StepLR and MultiStepLR equal PyTorch") {
  {
    std::vector<double> a = values("steplr.args");
    auto opt = optimizer_with(values("steplr.lr0"));
    StepLR sched(*opt, static_cast<int64_t>(a[0]), a[1]);
    check_sequence("steplr", *opt, [&](int) { sched.step(); });
  }
  {
    std::vector<double> a = values("multisteplr.args");  // gamma, milestones...
    std::vector<int64_t> milestones;
    for (size_t i = 1; i < a.size(); ++i) milestones.push_back(static_cast<int64_t>(a[i]));
    auto opt = optimizer_with(values("multisteplr.lr0"));
    MultiStepLR sched(*opt, milestones, a[0]);
    check_sequence("multisteplr", *opt, [&](int) { sched.step(); });
  }
}

namespace {

PlateauOptions plateau_options(const std::string& name) {
  // mode, factor, patience, threshold, threshold_mode, cooldown, eps, min_lr...
  std::vector<double> a = values(name + ".args");
  PlateauOptions o;
  o.mode = a[0] == 1 ? PlateauMode::Max : PlateauMode::Min;
  o.factor = a[1];
  o.patience = static_cast<int64_t>(a[2]);
  o.threshold = a[3];
  o.threshold_mode = a[4] == 1 ? ThresholdMode::Abs : ThresholdMode::Rel;
  o.cooldown = static_cast<int64_t>(a[5]);
  o.eps = a[6];
  o.min_lr.assign(a.begin() + 7, a.end());
  return o;
}

}  // namespace

TEST_CASE("ReduceLROnPlateau equals PyTorch: patience, cooldown, threshold modes, min_lr, eps") {
  for (const char* name : {"plateau_config", "plateau_max_abs_cooldown", "plateau_min_rel",
                           "plateau_min_abs_eps"}) {
    CAPTURE(name);
    const std::vector<double> metrics = values(std::string(name) + ".metrics");
    auto opt = optimizer_with(values(std::string(name) + ".lr0"));
    ReduceLROnPlateau sched(*opt, plateau_options(name));
    check_sequence(name, *opt, [&](int i) { sched.epoch_end(metrics[static_cast<size_t>(i)]); });
    CHECK(sched.last_epoch() == static_cast<int64_t>(metrics.size()));
  }
  // The sequences reach min_lr, and the eps rule stops a reduction short of it.
  // (1e-6 * 0.1 rounds to just above min_lr 1e-7, and max() keeps it.)
  const std::vector<double> cfg = values("plateau_config.lr");
  CHECK(cfg.back() == doctest::Approx(1e-7).epsilon(1e-12));
  const std::vector<double> eps_case = values("plateau_min_abs_eps.lr");
  CHECK(eps_case.back() > 0.0);  // min_lr 0, but 1.25e-4 - 6.25e-5 < eps 1e-4
}

TEST_CASE("epoch_end steps every scheduler as the reference training does") {
  auto opt = optimizer_with({1.0});
  CosineAnnealingLR cos(*opt, 2, 0.0);
  cos.epoch_end(0.123);  // the metric is ignored
  CHECK(cos.last_epoch() == 1);
  CHECK(opt->lr(0) == doctest::Approx(0.5).epsilon(1e-15));
  auto opt2 = optimizer_with({1.0});
  ReduceLROnPlateau plateau(*opt2, {.mode = PlateauMode::Max, .patience = 0});
  plateau.epoch_end(0.5);
  CHECK(plateau.best() == 0.5);
  plateau.epoch_end(0.4);
  CHECK(opt2->lr(0) == 0.1);
}

namespace {

StateDict deep_copy(const StateDict& sd) {
  StateDict out;
  for (const auto& [k, t] : sd) out[k] = t.clone();
  return out;
}

// Runs `make` twice: once for 9 steps straight, once for 4, then saves the
// optimizer and scheduler state, loads it into a fresh pair made by
// `make_other` and runs the last 5 steps there. Every lr must be identical.
void check_resume(const std::function<std::unique_ptr<Scheduler>(Optimizer&)>& make,
                  const std::function<std::unique_ptr<Scheduler>(Optimizer&)>& make_other,
                  const std::function<void(Scheduler&, int)>& step) {
  auto opt = optimizer_with({1e-3, 3e-4});
  auto sched = make(*opt);
  std::vector<std::vector<double>> straight;
  StateDict saved;
  for (int i = 0; i < 9; ++i) {
    if (i == 4) {
      saved = deep_copy(opt->state_dict());
      StateDict s = deep_copy(sched->state_dict());
      saved.insert(s.begin(), s.end());
    }
    step(*sched, i);
    straight.push_back(lrs_of(*opt));
  }
  auto opt2 = optimizer_with({5e-2, 5e-2});
  auto sched2 = make_other(*opt2);
  opt2->load_state_dict(saved);
  sched2->load_state_dict(saved);
  for (int i = 4; i < 9; ++i) {
    step(*sched2, i);
    CHECK(lrs_of(*opt2) == straight[static_cast<size_t>(i)]);
  }
  CHECK(sched2->last_epoch() == sched->last_epoch());
  CHECK(sched2->last_lr() == sched->last_lr());
}

}  // namespace

TEST_CASE("every scheduler resumes from its state dict exactly") {
  const std::vector<double> metrics = {0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7};
  auto plain = [](Scheduler& s, int) { s.epoch_end(0.0); };
  check_resume([](Optimizer& o) { return std::make_unique<CosineAnnealingLR>(o, 3, 1e-5); },
               [](Optimizer& o) { return std::make_unique<CosineAnnealingLR>(o, 7, 0.0); }, plain);
  check_resume([](Optimizer& o) { return std::make_unique<CosineAnnealingWarmRestarts>(o, 1, 2, 1e-6); },
               [](Optimizer& o) { return std::make_unique<CosineAnnealingWarmRestarts>(o, 5, 1); }, plain);
  check_resume(
      [](Optimizer& o) { return std::make_unique<CosineAnnealingWarmRestarts>(o, 2, 3); },
      [](Optimizer& o) { return std::make_unique<CosineAnnealingWarmRestarts>(o, 1, 1); },
      [](Scheduler& s, int i) { static_cast<CosineAnnealingWarmRestarts&>(s).step(0.7 * i); });
  check_resume([](Optimizer& o) { return std::make_unique<StepLR>(o, 2, 0.5); },
               [](Optimizer& o) { return std::make_unique<StepLR>(o, 5, 0.1); }, plain);
  check_resume([](Optimizer& o) { return std::make_unique<MultiStepLR>(o, std::vector<int64_t>{3, 6, 6}, 0.5); },
               [](Optimizer& o) { return std::make_unique<MultiStepLR>(o, std::vector<int64_t>{1}, 0.9); }, plain);
  check_resume(
      [](Optimizer& o) {
        return std::make_unique<ReduceLROnPlateau>(
            o, PlateauOptions{.mode = PlateauMode::Max, .factor = 0.5, .patience = 1, .cooldown = 1,
                              .min_lr = {1e-5, 2e-5}});
      },
      [](Optimizer& o) { return std::make_unique<ReduceLROnPlateau>(o); },
      [&](Scheduler& s, int i) { s.epoch_end(metrics[static_cast<size_t>(i)]); });
}

TEST_CASE("bad scheduler arguments are refused with the scheduler's name") {
  auto opt = optimizer_with({0.1, 0.2});
  CHECK_THROWS_WITH_AS(CosineAnnealingLR(*opt, 0), doctest::Contains("CosineAnnealingLR: T_max must be >= 1, got 0"), Error);
  CHECK_THROWS_WITH_AS(CosineAnnealingLR(*opt, 5, -1e-3), doctest::Contains("eta_min must be >= 0"), Error);
  CHECK_THROWS_WITH_AS(CosineAnnealingWarmRestarts(*opt, 0), doctest::Contains("CosineAnnealingWarmRestarts: T_0 must be a positive integer, got 0"), Error);
  CHECK_THROWS_WITH_AS(CosineAnnealingWarmRestarts(*opt, 1, 0), doctest::Contains("T_mult must be an integer >= 1, got 0"), Error);
  CHECK_THROWS_WITH_AS(StepLR(*opt, 0), doctest::Contains("StepLR: step_size must be >= 1"), Error);
  CHECK_THROWS_WITH_AS(MultiStepLR(*opt, {-1}), doctest::Contains("MultiStepLR: milestones must be >= 0, got -1"), Error);
  CHECK_THROWS_WITH_AS(ReduceLROnPlateau(*opt, {.factor = 1.0}), doctest::Contains("ReduceLROnPlateau: factor must be in [0, 1), got 1"), Error);
  CHECK_THROWS_WITH_AS(ReduceLROnPlateau(*opt, {.patience = -1}), doctest::Contains("patience must be >= 0"), Error);
  CHECK_THROWS_WITH_AS(ReduceLROnPlateau(*opt, {.min_lr = {0.0, 0.0, 0.0}}), doctest::Contains("expected 1 or 2 min_lr values, got 3"), Error);
  CosineAnnealingWarmRestarts warm(*opt, 2);
  CHECK_THROWS_WITH_AS(warm.step(-0.5), doctest::Contains("expected a non-negative epoch, got -0.5"), Error);
}

TEST_CASE("a scheduler state that does not match is refused and changes nothing") {
  auto opt = optimizer_with({0.1, 0.2});
  CosineAnnealingLR cos(*opt, 4, 1e-3);
  cos.step();
  const StateDict good = deep_copy(cos.state_dict());

  // Another scheduler's state.
  auto opt2 = optimizer_with({0.1, 0.2});
  CosineAnnealingWarmRestarts warm(*opt2, 3);
  CHECK_THROWS_WITH_AS(warm.load_state_dict(good),
                       doctest::Contains("CosineAnnealingWarmRestarts.load_state_dict: missing key 'scheduler.T_0'"), Error);
  CHECK(warm.T_i() == 3);
  CHECK(warm.last_epoch() == 0);

  // Another number of groups.
  auto opt1 = optimizer_with({0.1});
  CosineAnnealingLR one(*opt1, 4);
  CHECK_THROWS_WITH_AS(one.load_state_dict(good), doctest::Contains("unexpected entries 'scheduler.base_lrs.1', 'scheduler.last_lr.1'"), Error);

  // An invalid value, after valid ones were read: everything is put back.
  auto opt3 = optimizer_with({0.1, 0.2});
  CosineAnnealingLR three(*opt3, 9, 0.0);
  StateDict bad = good;
  bad["scheduler.T_max"] = count_state(0);
  CHECK_THROWS_WITH_AS(three.load_state_dict(bad), doctest::Contains("CosineAnnealingLR.load_state_dict: T_max must be >= 1"), Error);
  CHECK(three.T_max() == 9);
  CHECK(three.last_epoch() == 0);
  CHECK(three.base_lrs() == std::vector<double>{0.1, 0.2});

  // A different prefix loads nothing but is a mismatch too.
  CHECK_THROWS_WITH_AS(three.load_state_dict(good, "sched"), doctest::Contains("missing key 'sched.last_epoch'"), Error);
  three.load_state_dict(good);
  CHECK(three.T_max() == 4);
  CHECK(three.last_epoch() == 1);
}
