// Adam, AdamW and SGD against PyTorch 1.13 (tests/reference/make_optim_reference.py),
// frozen parameters, checkpoint round trips and errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "autograd/grad_mode.h"
#include "error_text.h"
#include "autograd/ops.h"
#include "nn/optim/adam.h"
#include "nn/optim/clip_grad.h"
#include "nn/optim/sgd.h"
#include "nn/sched/cosine_annealing.h"
#include "reference.h"
#include "tensor/cpu/cpu_backend.h"

using namespace pn;
using namespace pn::nn;
using namespace pn::nn::optim;
using pn::test::error_of;

namespace {

const test::Reference& ref() {
  static const test::Reference r("optim.bin");
  return r;
}

// The reference problem in dtype `dt`: parameters p0 [3,4], p1 [5] and the
// loss whose gradients drive the optimizers (see the script's docstring).
struct Problem {
  explicit Problem(DType dt) {
    auto get = [&](const char* name) { return ref()[name].to(dt); };
    p0 = get("problem.p0").set_requires_grad();
    p1 = get("problem.p1").set_requires_grad();
    a0 = get("problem.a0");
    c0 = get("problem.c0");
    a1 = get("problem.a1");
    c1 = get("problem.c1");
  }
  Tensor loss() const {
    Tensor d0 = p0 - c0, d1 = (p1 - c1) * (p1 - c1);
    return sum(a0 * d0 * d0) + sum(a1 * d1 * d1 * 0.25) + sum(p0 * p0) * sum(p1) * 0.1;
  }
  Tensor p0, p1, a0, c0, a1, c1;
};

// A case's hyperparameters: (kind, lr, group-1 lr, beta1/momentum,
// beta2/dampening, eps, weight_decay, group-1 weight_decay, amsgrad/nesterov).
struct Case {
  explicit Case(const std::string& name) {
    std::vector<double> a = ref()[name + ".args"].to_vector<double>();
    REQUIRE(a.size() == 9);
    kind = static_cast<int>(a[0]);
    lr = a[1], lr1 = a[2], b1 = a[3], b2 = a[4], eps = a[5], wd = a[6], wd1 = a[7];
    flag = a[8] != 0.0;
  }
  // An optimizer over {p0 and `extra`} (group 0) and {p1} (group 1).
  std::unique_ptr<Optimizer> make(const Tensor& p0, const Tensor& p1,
                                  const std::vector<Tensor>& extra = {}) const {
    std::vector<Tensor> g0{p0};
    g0.insert(g0.end(), extra.begin(), extra.end());
    if (kind == 2) {
      SgdOptions o{.lr = lr, .momentum = b1, .dampening = b2, .weight_decay = wd, .nesterov = flag};
      SgdOptions o1 = o;
      o1.lr = lr1;
      o1.weight_decay = wd1;
      return std::make_unique<SGD>(std::vector<ParamGroup<SgdOptions>>{{g0, o}, {{p1}, o1}});
    }
    AdamOptions o{.lr = lr, .beta1 = b1, .beta2 = b2, .eps = eps, .weight_decay = wd, .amsgrad = flag};
    AdamOptions o1 = o;
    o1.lr = lr1;
    o1.weight_decay = wd1;
    std::vector<ParamGroup<AdamOptions>> groups{{g0, o}, {{p1}, o1}};
    if (kind == 1) return std::make_unique<AdamW>(std::move(groups));
    return std::make_unique<Adam>(std::move(groups));
  }
  int kind;
  double lr, lr1, b1, b2, eps, wd, wd1;
  bool flag;
};

constexpr int kSteps = 20, kLrChangeStep = 10;

// One training step as the script takes it.
void train_step(Optimizer& opt, const Problem& pr, int step) {
  if (step == kLrChangeStep) opt.set_lr(0, opt.lr(0) * 0.5);
  opt.zero_grad();
  pr.loss().backward();
  opt.step();
}

const char* const kCases[] = {"adam",         "adam_wd", "adamw",        "adamw_amsgrad",
                              "adam_amsgrad", "sgd",     "sgd_momentum", "sgd_nesterov"};
}  // namespace

TEST_CASE("optimizer trajectories equal PyTorch's (float64 to 1e-12, float32 to 1e-6)") {
  for (const char* name : kCases) {
    for (DType dt : {DType::Float64, DType::Float32}) {
      const std::string tag = std::string(name) + (dt == DType::Float64 ? ".f64" : ".f32");
      CAPTURE(tag);
      Case c(name);
      Problem pr(dt);
      auto opt = c.make(pr.p0, pr.p1);
      CHECK(opt->name() == (c.kind == 0 ? "Adam" : c.kind == 1 ? "AdamW" : "SGD"));
      const Tensor traj0 = ref()[tag + ".traj0"], traj1 = ref()[tag + ".traj1"];
      const double tol = dt == DType::Float64 ? 1e-12 : 1e-6;
      double worst = 0;
      for (int s = 0; s < kSteps; ++s) {
        train_step(*opt, pr, s);
        worst = std::max(worst, test::relative_error(pr.p0.to(DType::Float64), traj0.slice(s, s + 1).reshape({3, 4})));
        worst = std::max(worst, test::relative_error(pr.p1.to(DType::Float64), traj1.slice(s, s + 1).reshape({5})));
      }
      INFO("worst relative error over the trajectory: ", worst);
      CHECK(worst <= tol);
      // The parameters moved: a test of a no-op optimizer would fail here.
      CHECK(test::relative_error(pr.p0.to(DType::Float64), ref()["problem.p0"]) > 1e-2);
    }
  }
}

TEST_CASE("the example of optimizer.h compiles and runs") {
  Tensor w0 = ones({2}).set_requires_grad(), w1 = ones({3}).set_requires_grad();
  std::vector<Tensor> encoder_params{w0}, decoder_params{w1};
  Tensor loss = sum(w0 * w0) + sum(w1);
  // --- as in the header ---
  Adam adam({{encoder_params, {.lr = 1e-5}}, {decoder_params, {.lr = 1e-4}}});
  loss.backward();
  adam.step();          // updates every parameter that has a gradient
  adam.zero_grad();
  // ---
  CHECK(adam.num_groups() == 2);
  // Adam's first step moves each element by lr against the gradient's sign.
  CHECK(w0.to_vector<float>()[0] == doctest::Approx(1.0 - 1e-5).epsilon(1e-7));
  CHECK(w1.to_vector<float>()[2] == doctest::Approx(1.0 - 1e-4).epsilon(1e-7));
}

TEST_CASE("parameters that are frozen or have no gradient are left alone, without state") {
  Case c("adam_wd");
  Problem pr(DType::Float32);
  Tensor frozen = ones({4}), unused = ones({2, 2}).set_requires_grad();
  frozen.set_grad(full({4}, 3.0));  // a gradient alone does not make it trainable
  auto opt = c.make(pr.p0, pr.p1, {frozen, unused});
  REQUIRE(opt->num_params() == 4);
  for (int s = 0; s < 3; ++s) train_step(*opt, pr, s);
  CHECK(frozen.to_vector<float>() == std::vector<float>(4, 1.0f));
  CHECK(unused.to_vector<float>() == std::vector<float>(4, 1.0f));
  CHECK(!unused.grad().defined());
  CHECK(opt->state(0).step == 3);  // p0
  CHECK(opt->state(1).step == 0);  // frozen
  CHECK(opt->state(2).step == 0);  // unused
  CHECK(opt->state(3).step == 3);  // p1 (group 1)
  CHECK(opt->state(1).buffers.empty());
}

TEST_CASE("zero_grad fills with zeros or undefines, and a zero gradient still moves Adam") {
  Problem pr(DType::Float64);
  Adam adam({pr.p0}, {.lr = 0.1});
  pr.loss().backward();
  adam.step();
  adam.zero_grad();
  REQUIRE(pr.p0.grad().defined());
  CHECK(pr.p0.grad().to_vector<double>() == std::vector<double>(12, 0.0));
  // Momentum keeps moving the parameter under a zero gradient ...
  std::vector<double> before = pr.p0.to_vector<double>();
  adam.step();
  CHECK(pr.p0.to_vector<double>() != before);
  CHECK(adam.state(0).step == 2);
  // ... but not without one.
  adam.zero_grad(GradReset::Undefine);
  CHECK(!pr.p0.grad().defined());
  before = pr.p0.to_vector<double>();
  adam.step();
  CHECK(pr.p0.to_vector<double>() == before);
  CHECK(adam.state(0).step == 2);
}

TEST_CASE("the update is done in place and marks the parameter as changed") {
  Problem pr(DType::Float32);
  SGD sgd({pr.p0, pr.p1}, {.lr = 0.01});
  Tensor alias = pr.p0;
  pr.loss().backward();
  const uint64_t v = pr.p0.version();
  sgd.step();
  CHECK(pr.p0.version() > v);
  CHECK(alias.is_same(pr.p0));
  CHECK(!pr.p0.grad_fn());  // no autograd history recorded
}

namespace {

// A deep copy, as writing a checkpoint and reading it back gives.
StateDict deep_copy(const StateDict& sd) {
  StateDict out;
  for (const auto& [k, t] : sd) out[k] = t.clone();
  return out;
}

StateDict merged(StateDict a, const StateDict& b) {
  a.insert(b.begin(), b.end());
  return a;
}
}  // namespace

TEST_CASE("saving after k steps and resuming in a fresh optimizer continues bit for bit") {
  for (const char* name : {"adam_amsgrad", "adamw", "sgd_nesterov", "sgd_momentum"}) {
    for (DType dt : {DType::Float32, DType::Float64}) {
      CAPTURE(name);
      CAPTURE(dt);
      Case c(name);
      // Uninterrupted: 14 steps with a cosine schedule stepped every step.
      Problem run(dt);
      auto opt = c.make(run.p0, run.p1);
      sched::CosineAnnealingLR cos(*opt, 4, 1e-4);
      StateDict saved;
      Tensor saved_p0, saved_p1;
      for (int s = 0; s < 14; ++s) {
        if (s == 6) {
          saved = deep_copy(merged(opt->state_dict(), cos.state_dict()));
          saved_p0 = run.p0.detach().clone();
          saved_p1 = run.p1.detach().clone();
        }
        train_step(*opt, run, s);
        cos.step();
      }
      // Resumed: fresh parameters, optimizer and scheduler made with other
      // hyperparameters, which the loaded state replaces.
      Problem resumed(dt);
      {
        NoGradGuard no_grad;
        resumed.p0.copy_(saved_p0);
        resumed.p1.copy_(saved_p1);
      }
      Case other = c;
      other.lr *= 3;
      other.lr1 *= 3;
      other.wd1 = 0.5;
      auto opt2 = other.make(resumed.p0, resumed.p1);
      sched::CosineAnnealingLR cos2(*opt2, 9, 0.0);
      opt2->load_state_dict(saved);
      cos2.load_state_dict(saved);
      CHECK(opt2->lr(0) == saved.at("optimizer.param_groups.0.lr").item());
      for (int s = 6; s < 14; ++s) {
        train_step(*opt2, resumed, s);
        cos2.step();
      }
      CHECK(resumed.p0.to_vector<double>() == run.p0.to_vector<double>());
      CHECK(resumed.p1.to_vector<double>() == run.p1.to_vector<double>());
      CHECK(opt2->lr(0) == opt->lr(0));
      CHECK(opt2->lr(1) == opt->lr(1));
    }
  }
}

TEST_CASE("state_dict names: groups, hyperparameters, per-parameter state") {
  Problem pr(DType::Float32);
  Adam adam({{{pr.p0}, {.lr = 0.1, .amsgrad = true}}, {{pr.p1}, {.lr = 0.2}}});
  StateDict before = adam.state_dict("opt");
  CHECK(before.count("opt.param_groups.1.lr") == 1);
  CHECK(before.count("opt.state.0.step") == 0);  // no state before the first update
  pr.loss().backward();
  adam.step();
  StateDict sd = adam.state_dict("opt");
  CHECK(sd.at("opt.param_groups.0.lr").item() == 0.1);
  CHECK(sd.at("opt.param_groups.0.lr").dtype() == DType::Float64);
  CHECK(sd.at("opt.param_groups.0.amsgrad").item() == 1);
  CHECK(sd.at("opt.param_groups.1.amsgrad").item() == 0);
  CHECK(sd.at("opt.param_groups.1.beta2").item() == 0.999);
  CHECK(sd.at("opt.param_groups.0.num_params").dtype() == DType::Int64);
  CHECK(sd.at("opt.state.0.step").item() == 1);
  CHECK(sd.at("opt.state.0.exp_avg").shape() == Shape{3, 4});
  CHECK(sd.count("opt.state.0.max_exp_avg_sq") == 1);
  CHECK(sd.count("opt.state.1.max_exp_avg_sq") == 0);
  CHECK(sd.at("opt.state.1.exp_avg_sq").shape() == Shape{5});
  // 2 groups x (6 hyperparameters + num_params), step + 3 buffers, step + 2 buffers.
  CHECK(sd.size() == 14 + 4 + 3);
}

TEST_CASE("bad hyperparameters are refused with the optimizer's name and the value") {
  Tensor p = zeros({2}).set_requires_grad();
  CHECK_THROWS_WITH_AS(Adam({p}, {.lr = -1.0}), doctest::Contains("Adam: invalid learning rate -1"), Error);
  CHECK_THROWS_WITH_AS(Adam({p}, {.beta1 = 1.0}), doctest::Contains("Adam: invalid beta1 1 (must be in [0, 1))"), Error);
  CHECK_THROWS_WITH_AS(Adam({p}, {.beta2 = -0.5}), doctest::Contains("invalid beta2 -0.5"), Error);
  CHECK_THROWS_WITH_AS(Adam({p}, {.eps = -1e-8}), doctest::Contains("invalid eps"), Error);
  CHECK_THROWS_WITH_AS(AdamW({p}, {.weight_decay = -0.1}), doctest::Contains("AdamW: invalid weight_decay -0.1"), Error);
  CHECK_THROWS_WITH_AS(Adam({p}, {.lr = NAN}), doctest::Contains("invalid learning rate"), Error);
  CHECK_THROWS_WITH_AS(SGD({p}, {.lr = -0.1}), doctest::Contains("SGD: invalid learning rate -0.1"), Error);
  CHECK_THROWS_WITH_AS(SGD({p}, {.lr = 0.1, .momentum = -0.9}), doctest::Contains("SGD: invalid momentum -0.9"), Error);
  CHECK_THROWS_WITH_AS(SGD({p}, {.lr = 0.1, .nesterov = true}), doctest::Contains("nesterov momentum needs momentum > 0"), Error);
  CHECK_THROWS_WITH_AS(SGD({p}, {.lr = 0.1, .momentum = 0.9, .dampening = 0.1, .nesterov = true}),
                       doctest::Contains("dampening 0.1"), Error);
  Adam adam({p});
  CHECK_THROWS_WITH_AS(adam.set_lr(0, -1e-3), doctest::Contains("Adam: invalid learning rate"), Error);
  CHECK(adam.lr(0) == 1e-3);  // unchanged by the refused value
  CHECK_THROWS_WITH_AS(adam.set_lr(1, 1e-3), doctest::Contains("Adam: no parameter group 1"), Error);

  // Parameters themselves.
  CHECK_THROWS_WITH_AS(Adam({p, p}), doctest::Contains("appears more than once"), Error);
  CHECK_THROWS_WITH_AS(Adam({{{p}, {}}, {{p}, {}}}), doctest::Contains("appears more than once"), Error);
  CHECK_THROWS_WITH_AS(Adam(std::vector<Tensor>{}), doctest::Contains("group 0 has no parameters"), Error);
  CHECK_THROWS_WITH_AS(Adam({p * 2.0}), doctest::Contains("is not a leaf"), Error);
  CHECK_THROWS_WITH_AS(Adam({Tensor()}), doctest::Contains("is undefined"), Error);
  CHECK_THROWS_WITH_AS(Adam({zeros({2}, DType::Int64)}), doctest::Contains("only float32 and float64"), Error);
  // A gradient of another dtype.
  p.set_grad(zeros({2}, DType::Float64));
  CHECK_THROWS_WITH_AS(adam.step(), doctest::Contains("Adam: parameter 0 is float32 on cpu but its gradient is float64"), Error);
}

TEST_CASE("a state dict that does not match is refused and changes nothing") {
  Problem pr(DType::Float32);
  Adam adam({{{pr.p0}, {.lr = 0.1}}, {{pr.p1}, {.lr = 0.2}}});
  pr.loss().backward();
  adam.step();
  const StateDict good = deep_copy(adam.state_dict());

  auto refused = [&](const StateDict& sd, const std::string& expected) {
    Problem q(DType::Float32);
    Adam fresh({{{q.p0}, {.lr = 0.5}}, {{q.p1}, {.lr = 0.6}}});
    std::string msg = error_of([&] { fresh.load_state_dict(sd); });
    INFO(msg);
    CHECK(msg.find("Adam.load_state_dict") != std::string::npos);
    CHECK(msg.find(expected) != std::string::npos);
    CHECK(fresh.lr(0) == 0.5);  // nothing applied
    CHECK(fresh.state(0).step == 0);
  };

  StateDict sd = good;
  sd.erase("optimizer.state.0.exp_avg_sq");
  refused(sd, "missing key 'optimizer.state.0.exp_avg_sq'");

  sd = good;
  sd["optimizer.state.1.exp_avg"] = zeros({4});
  refused(sd, "'optimizer.state.1.exp_avg' has shape [4], its parameter [5]");

  sd = good;
  sd["optimizer.state.0.momentum_buffer"] = zeros({3, 4});
  refused(sd, "1 unexpected entry 'optimizer.state.0.momentum_buffer'");

  sd = good;
  sd["optimizer.param_groups.2.lr"] = scalar_state(0.1);
  refused(sd, "unexpected entry 'optimizer.param_groups.2.lr'");

  sd = good;
  sd["optimizer.param_groups.1.num_params"] = count_state(2);
  refused(sd, "group 1 of the state has 2 parameters");

  sd = good;
  sd["optimizer.param_groups.0.beta1"] = scalar_state(1.5);
  refused(sd, "invalid beta1 1.5");

  sd = good;
  sd["optimizer.state.0.step"] = scalar_state(1.5);
  refused(sd, "must be an integer");

  // An SGD state in an Adam: SGD's hyperparameters are unknown to Adam.
  Problem s(DType::Float32);
  SGD sgd({{{s.p0}, {.lr = 0.1, .momentum = 0.9}}, {{s.p1}, {.lr = 0.1}}});
  s.loss().backward();
  sgd.step();
  refused(sgd.state_dict(), "missing key 'optimizer.param_groups.0.beta1'");

  // An Adam state in an SGD is refused the other way round.
  Problem t(DType::Float32);
  SGD sgd2({{{t.p0}, {.lr = 0.1}}, {{t.p1}, {.lr = 0.1}}});
  CHECK_THROWS_WITH_AS(sgd2.load_state_dict(good), doctest::Contains("SGD.load_state_dict: missing key 'optimizer.param_groups.0.momentum'"), Error);

  // The good one loads, into float64 parameters too (buffers take the parameter's dtype).
  Problem d(DType::Float64);
  Adam fresh({{{d.p0}, {.lr = 0.5}}, {{d.p1}, {.lr = 0.6}}});
  fresh.load_state_dict(good);
  CHECK(fresh.lr(1) == 0.2);
  CHECK(fresh.state(1).step == 1);
  CHECK(fresh.state(1).buffers.at("exp_avg").dtype() == DType::Float64);
}

namespace {

// Makes Device::cuda() usable for the length of a test in a build without
// CUDA: the CPU backend stands in for it (its memory is host memory), so
// tensors "on cuda:0" exist and reach the optimizer's device gate.
class StandInCuda {
 public:
  StandInCuda() : installed_(!has_backend(DeviceType::CUDA)) {
    if (installed_) register_backend(DeviceType::CUDA, &cpu_backend());
  }
  ~StandInCuda() {
    if (installed_) register_backend(DeviceType::CUDA, nullptr);
  }
  StandInCuda(const StandInCuda&) = delete;
  StandInCuda& operator=(const StandInCuda&) = delete;

 private:
  bool installed_;
};
}  // namespace

TEST_CASE("updates and gradient norms run on the parameter's device") {
  // A stand-in "cuda" device served by the CPU backend: the updates reach its
  // adam_step / sgd_step and the norm its elementwise and sum kernels (the
  // real CUDA kernels are compared with the CPU's in tests/cuda).
  StandInCuda cuda;
  Tensor p = zeros({4}, DType::Float32, Device::cuda()).set_requires_grad();
  p.set_grad(ones({4}, DType::Float32, Device::cuda()));
  Adam adam({p});
  adam.step();
  CHECK(adam.state(0).step == 1);
  CHECK(adam.state(0).buffers.at("exp_avg").device() == Device::cuda());
  SGD sgd({p}, {.lr = 0.1, .momentum = 0.9});
  sgd.step();
  CHECK(sgd.state(0).buffers.at("momentum_buffer").device() == Device::cuda());
  Tensor q = from_vector<double>({3, -4, 0, 12}, {4}, Device::cuda()).set_requires_grad();
  q.set_grad(q.detach().clone());
  CHECK(clip_grad_norm({q}, 1e9) == doctest::Approx(13.0));                                      // sqrt(9+16+144)
  CHECK(clip_grad_norm({q}, 1e9, 1.0) == doctest::Approx(19.0));
  CHECK(clip_grad_norm({q}, 1e9, 3.0) == doctest::Approx(std::cbrt(27.0 + 64.0 + 1728.0)));
  CHECK(clip_grad_norm({q}, 1e9, std::numeric_limits<double>::infinity()) == doctest::Approx(12.0));
}
