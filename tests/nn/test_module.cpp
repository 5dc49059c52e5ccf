// Module: registration, traversal, state dicts, modes, freezing.
#include <doctest/doctest.h>

#include <cmath>

#include "tensor/random.h"

#include "nn/batch_norm.h"
#include "nn/conv.h"
#include "nn/layers.h"
#include "nn/squeeze_excitation.h"

using namespace pn;
using namespace pn::nn;

namespace {

// A module that reaches one submodule under two names, as AlbuNet does.
class Twice : public Module {
 public:
  Twice() {
    conv = register_module("encoder", std::make_shared<Conv2d>(2, 3, 3, 1, 1));
    register_module("alias", conv);
    bn = register_module("bn", std::make_shared<BatchNorm2d>(3));
  }
  Tensor forward(const Tensor& x) override { return bn->forward(conv->forward(x)); }
  std::string name() const override { return "Twice"; }
  std::shared_ptr<Conv2d> conv;
  std::shared_ptr<BatchNorm2d> bn;
};

std::vector<std::string> keys(const StateDict& sd) {
  std::vector<std::string> k;
  for (const auto& [n, t] : sd) k.push_back(n);
  return k;
}

}  // namespace

TEST_CASE("state_dict uses PyTorch's dotted names and lists shared modules twice") {
  Twice m;
  CHECK(keys(m.state_dict()) == std::vector<std::string>{
                                   "alias.bias", "alias.weight", "bn.bias", "bn.num_batches_tracked",
                                   "bn.running_mean", "bn.running_var", "bn.weight", "encoder.bias",
                                   "encoder.weight"});
  // parameters() lists each tensor once, in registration order.
  auto params = m.named_parameters();
  REQUIRE(params.size() == 4);
  CHECK(params[0].first == "encoder.weight");
  CHECK(params[2].first == "bn.weight");
  CHECK(m.named_buffers().size() == 3);
  CHECK(m.named_modules().size() == 2);
  CHECK(m.state_dict()["bn.num_batches_tracked"].dtype() == DType::Int64);
}

TEST_CASE("load_state_dict copies values and round-trips") {
  Twice a, b;
  StateDict sd = a.state_dict();
  b.load_state_dict(sd);
  CHECK(b.conv->weight.to_vector<float>() == a.conv->weight.to_vector<float>());
  CHECK(b.conv->weight.requires_grad());
  // The module's own tensors are updated in place: handles stay valid.
  Tensor w = b.conv->weight;
  a.conv->weight.detach().fill_(0.25);
  b.load_state_dict(a.state_dict());
  CHECK(w.to_vector<float>()[0] == 0.25f);
}

TEST_CASE("load_state_dict reports missing, unexpected and mismatched keys") {
  Twice m;
  StateDict sd = m.state_dict();
  sd.erase("bn.running_var");
  sd["decoder.weight"] = zeros({1});
  sd["encoder.bias"] = zeros({5});
  Tensor before = m.conv->weight.clone();
  try {
    m.load_state_dict(sd);
    FAIL("load_state_dict accepted a bad state dict");
  } catch (const Error& e) {
    std::string msg = e.what();
    CHECK(msg.find("Twice: load_state_dict failed") != std::string::npos);
    CHECK(msg.find("missing keys (1): bn.running_var") != std::string::npos);
    CHECK(msg.find("unexpected keys (1): decoder.weight") != std::string::npos);
    CHECK(msg.find("encoder.bias (checkpoint [5], model [3])") != std::string::npos);
  }
  // Nothing changed.
  CHECK(m.conv->weight.to_vector<float>() == before.to_vector<float>());
  // Non-strict loading skips missing and unexpected keys but not shape mismatches.
  sd["encoder.bias"] = zeros({3});
  Module::LoadReport r = m.load_state_dict(sd, /*strict=*/false);
  CHECK(r.missing == std::vector<std::string>{"bn.running_var"});
  CHECK(r.unexpected == std::vector<std::string>{"decoder.weight"});
  CHECK(m.conv->bias.to_vector<float>() == std::vector<float>{0, 0, 0});
}

TEST_CASE("train and eval propagate; freeze stops gradients") {
  Twice m;
  m.eval();
  CHECK_FALSE(m.bn->is_training());
  m.train();
  CHECK(m.conv->is_training());
  m.conv->freeze();
  CHECK_FALSE(m.conv->weight.requires_grad());
  Tensor x = uniform({2, 2, 5, 5});
  sum(m.forward(x)).backward();
  CHECK_FALSE(m.conv->weight.grad().defined());
  CHECK(m.bn->weight.grad().defined());
  m.conv->freeze(false);
  CHECK(m.conv->weight.requires_grad());
}

TEST_CASE("default initialisation follows PyTorch's bounds") {
  Conv2d conv(16, 8, 3);
  double bound = 1.0 / std::sqrt(16.0 * 9.0);
  for (float v : conv.weight.to_vector<float>()) REQUIRE(std::abs(v) <= bound);
  for (float v : conv.bias.to_vector<float>()) REQUIRE(std::abs(v) <= bound);
  BatchNorm2d bn(4);
  CHECK(bn.weight.to_vector<float>() == std::vector<float>{1, 1, 1, 1});
  CHECK(bn.running_var.to_vector<float>() == std::vector<float>{1, 1, 1, 1});
}

TEST_CASE("BatchNorm2d counts batches and updates running statistics in training only") {
  BatchNorm2d bn(2);
  Tensor x = normal({4, 2, 3, 3}, 3.0, 2.0);
  bn.forward(x);
  bn.forward(x);
  CHECK(bn.num_batches_tracked.item() == 2);
  std::vector<float> rm = bn.running_mean.to_vector<float>();
  CHECK(rm[0] > 0.3f);  // moved towards the batch mean of about 3
  bn.eval();
  bn.forward(x);
  CHECK(bn.num_batches_tracked.item() == 2);
  CHECK(bn.running_mean.to_vector<float>() == rm);
}

TEST_CASE("Sequential names its modules by index and applies them in order") {
  Sequential seq{std::make_shared<Conv2d>(1, 2, 1), std::make_shared<ReLU>(), std::make_shared<Conv2d>(2, 1, 1)};
  CHECK(seq.size() == 3);
  CHECK(keys(seq.state_dict()) == std::vector<std::string>{"0.bias", "0.weight", "2.bias", "2.weight"});
  CHECK(seq.forward(zeros({1, 1, 4, 4})).shape() == Shape{1, 1, 4, 4});
}

TEST_CASE("SCSE modules combine channel and spatial gates") {
  SCSEModule concat_mode(32, 16, ScseMode::Concat);
  SCSEModule maxout_mode(32, 16, ScseMode::Maxout);
  Tensor x = uniform({2, 32, 4, 4});
  CHECK(concat_mode.forward(x).shape() == Shape{2, 64, 4, 4});
  CHECK(maxout_mode.forward(x).shape() == Shape{2, 32, 4, 4});
  CHECK(keys(maxout_mode.state_dict()) == std::vector<std::string>{"fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight",
                                                                    "spatial_se.0.weight"});
}

TEST_CASE("modules reject bad configurations") {
  CHECK_THROWS_WITH_AS(Conv2d(ConvOptions{6, 4, 3, 1, 0, 1, 4, true, 0}),
                       doctest::Contains("Conv2d: groups 4 must divide in_channels 6"), Error);
  CHECK_THROWS_WITH_AS(BatchNorm2d(0), doctest::Contains("BatchNorm2d: channels must be positive"), Error);
  BatchNorm2d bn(3);
  CHECK_THROWS_WITH_AS(bn.forward(zeros({1, 4, 2, 2})), doctest::Contains("expected input [N, 3, H, W], got [1, 4, 2, 2]"),
                       Error);
}

TEST_CASE("to(dtype) converts a module reached under two names once and keeps it shared") {
  Twice m;
  m.to(DType::Float64);
  CHECK(m.conv->weight.dtype() == DType::Float64);
  CHECK(m.conv->weight.requires_grad());
  CHECK(m.bn->bias.shape() == Shape{3});
  CHECK(m.bn->num_batches_tracked.dtype() == DType::Int64);
  StateDict sd = m.state_dict();
  CHECK(sd.at("alias.weight").impl()->storage == sd.at("encoder.weight").impl()->storage);
  CHECK(m.forward(uniform({1, 2, 4, 4}, 0, 1, DType::Float64)).dtype() == DType::Float64);
}
