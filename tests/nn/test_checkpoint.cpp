// Training checkpoints: exact round trips and bit-for-bit resumption.
#include <doctest/doctest.h>

#include <filesystem>

#include "nn/batch_norm.h"
#include "nn/checkpoint.h"
#include "nn/conv.h"
#include "nn/layers.h"
#include "nn/losses.h"
#include "nn/optim/adam.h"
#include "nn/sched/cosine_annealing.h"
#include "tensor/random.h"

using namespace pn;
using namespace pn::nn;

namespace {

std::shared_ptr<Sequential> make_model(uint64_t seed) {
  manual_seed(seed);
  return std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
      std::make_shared<Conv2d>(1, 4, 3, 1, 1), std::make_shared<BatchNorm2d>(4), std::make_shared<ReLU>(),
      std::make_shared<Conv2d>(4, 1, 1)});
}

// One training step on a batch drawn from `data` (its state advances).
void train_step(Module& model, optim::Optimizer& opt, sched::Scheduler& sched, Generator& data) {
  Tensor x = normal({2, 1, 8, 8}, 0, 1, DType::Float32, Device::cpu(), &data);
  Tensor y = bernoulli({2, 1, 8, 8}, 0.3, DType::Float32, Device::cpu(), &data);
  opt.zero_grad();
  ComboLoss({{"bce", 3}, {"dice", 1}, {"focal", 4}})(model.forward(x), y).backward();
  opt.step();
  sched.epoch_end(0.0);
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("pn_test_" + name)).string();
}

}  // namespace

TEST_CASE("a resumed run continues bit for bit") {
  std::string path = temp_path("resume.safetensors");
  // The uninterrupted run: 6 steps.
  auto model = make_model(7);
  optim::Adam opt(model->parameters(), optim::AdamOptions{.lr = 1e-2, .weight_decay = 1e-4});
  sched::CosineAnnealingLR sched(opt, 4, 1e-4);
  Generator data(99);
  for (int i = 0; i < 3; ++i) train_step(*model, opt, sched, data);
  save_checkpoint(path, *model, &opt, &sched,
                  {{"data_rng", from_vector<int64_t>({int64_t(data.seed()), int64_t(data.offset())}, {2})}},
                  {{"epoch", "3"}});
  for (int i = 0; i < 3; ++i) train_step(*model, opt, sched, data);

  // The resumed run: a different initialisation, restored from the file.
  auto resumed = make_model(8);
  optim::Adam opt2(resumed->parameters(), optim::AdamOptions{.lr = 5.0});
  sched::CosineAnnealingLR sched2(opt2, 4, 1e-4);
  LoadedCheckpoint loaded = load_checkpoint(path, *resumed, &opt2, &sched2);
  CHECK(loaded.metadata.at("epoch") == "3");
  std::vector<int64_t> rng = loaded.extra.at("data_rng").to_vector<int64_t>();
  Generator data2(static_cast<uint64_t>(rng[0]));
  data2.set_state(static_cast<uint64_t>(rng[0]), static_cast<uint64_t>(rng[1]));
  for (int i = 0; i < 3; ++i) train_step(*resumed, opt2, sched2, data2);

  StateDict a = model->state_dict(), b = resumed->state_dict();
  REQUIRE(a.size() == b.size());
  for (const auto& [k, t] : a) {
    INFO(k);
    CHECK(t.to_vector<double>() == b.at(k).to_vector<double>());
  }
  CHECK(opt.lr(0) == opt2.lr(0));
  std::filesystem::remove(path);
}

TEST_CASE("load_weights reads checkpoints, safetensors and PyTorch files alike") {
  std::string path = temp_path("weights.safetensors");
  auto model = make_model(1);
  optim::Adam opt(model->parameters());
  sched::CosineAnnealingLR sched(opt, 4);
  save_checkpoint(path, *model, &opt, &sched);
  StateDict w = load_weights(path);
  CHECK(w.size() == model->state_dict().size());  // optimizer and scheduler entries left out
  auto other = make_model(2);
  other->load_state_dict(w);
  CHECK(other->state_dict().at("0.weight").to_vector<float>() == model->state_dict().at("0.weight").to_vector<float>());
  std::filesystem::remove(path);
  // A PyTorch zip checkpoint made by tests/reference/make_checkpoint_reference.py.
  bool found = false;
  for (const auto& e : std::filesystem::directory_iterator(std::string(PN_TEST_DATA_DIR) + "/checkpoints")) {
    if (e.path().extension() != ".pth" || e.path().filename().string().find("malicious") != std::string::npos) continue;
    if (e.path().filename().string().find("zip") == std::string::npos) continue;
    CHECK_FALSE(load_weights(e.path().string()).empty());
    found = true;
    break;
  }
  CHECK(found);
}

TEST_CASE("checkpoint errors name the file") {
  auto model = make_model(1);
  optim::Adam opt(model->parameters());
  sched::CosineAnnealingLR sched(opt, 4);
  std::string path = temp_path("model_only.safetensors");
  save_checkpoint(path, *model, nullptr, nullptr);
  CHECK_THROWS_WITH_AS(load_checkpoint(path, *model, &opt, nullptr), doctest::Contains("holds no optimizer state"), Error);
  auto bigger = std::make_shared<Conv2d>(1, 8, 3);
  CHECK_THROWS_WITH_AS(load_checkpoint(path, *bigger, nullptr, nullptr),
                       doctest::Contains("load_checkpoint: "), Error);
  CHECK_THROWS_WITH_AS(load_weights(path + ".missing"), doctest::Contains("cannot open"), Error);
  std::filesystem::remove(path);
}
