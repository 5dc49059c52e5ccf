// AlbuNet (pneumo/models/albunet.h) against the PyTorch original: names,
// shared encoder tensors, counts, outputs and gradients, ImageNet encoder
// loading, encoder freezing.
#include <doctest/doctest.h>

#include "gradcheck.h"
#include "model_test_util.h"
#include "pneumo/models/albunet.h"

using namespace pn;
using namespace pn::models;
using namespace pn::models::test;

namespace {

bool same_storage(const Tensor& a, const Tensor& b) { return a.raw_data() == b.raw_data(); }

}  // namespace

TEST_CASE("the deterministic weight fill equals the reference script's bit for bit") {
  // make_models_reference.py's FILL_CHECKS: one tensor per branch of the formula.
  const std::vector<std::pair<std::string, Shape>> checks = {
      {"input", {2, 3, 4, 4}},          {"layer1.0.conv2.weight", {8, 4, 3, 3}}, {"fc.weight", {10, 16}},
      {"layer1.0.bn1.weight", {16}},    {"layer1.0.bn3.weight", {16}},           {"layer1.0.bn2.bias", {16}},
      {"bn1.running_mean", {16}},       {"bn1.running_var", {16}}};
  pn::test::Reference ref("models/albunet.bin");
  for (const auto& [name, shape] : checks) {
    INFO(name);
    CHECK(fill_values(name, shape).to_vector<float>() == ref["fill." + name].to_vector<float>());
  }
}

TEST_CASE("AlbuNet has the original's state-dict keys (the encoder twice), shapes and parameter count") {
  AlbuNet bilinear;
  check_keys(bilinear, "albunet");
  AlbuNetOptions o;
  o.is_deconv = true;
  AlbuNet deconv(o);
  check_keys(deconv, "albunet_deconv");
  // The second names are the same tensors, not copies.
  const auto sd = bilinear.state_dict();
  CHECK(same_storage(sd.at("conv2.0.conv1.weight"), sd.at("encoder.layer1.0.conv1.weight")));
  CHECK(same_storage(sd.at("conv1.0.weight"), sd.at("encoder.conv1.weight")));
  CHECK(same_storage(sd.at("conv1.1.running_var"), sd.at("encoder.bn1.running_var")));
  CHECK(same_storage(sd.at("conv5.2.bn2.bias"), sd.at("encoder.layer4.2.bn2.bias")));
  // parameters() lists each once, under the encoder's name first.
  CHECK(bilinear.named_parameters().front().first == "encoder.conv1.weight");
}

TEST_CASE("AlbuNet's outputs and gradients equal PyTorch's (bilinear decoder)") {
  pn::test::Reference ref("models/albunet.bin");
  AlbuNet m;
  check_case(m, ref, "s64", 64, 2,
             {"encoder.conv1.weight", "encoder.bn1.bias", "encoder.layer1.0.conv1.weight",
              "encoder.layer2.0.downsample.0.weight", "encoder.layer4.1.bn2.weight", "center.block.1.conv.weight",
              "dec2.block.2.conv.bias", "dec0.conv.weight", "final.weight", "final.bias"},
             {"encoder.bn1.running_mean"});
  check_case(m, ref, "s256", 256);
}

TEST_CASE("AlbuNet's outputs and gradients equal PyTorch's (transposed-convolution decoder)") {
  pn::test::Reference ref("models/albunet.bin");
  AlbuNetOptions o;
  o.is_deconv = true;
  AlbuNet m(o);
  check_case(m, ref, "deconv64", 64, 2,
             {"encoder.conv1.weight", "center.block.0.conv.weight", "center.block.1.weight", "dec1.block.1.bias",
              "dec0.conv.weight", "final.weight"});
}

TEST_CASE("AlbuNet with 3 classes returns PyTorch's log-softmax over the classes") {
  pn::test::Reference ref("models/albunet.bin");
  AlbuNetOptions o;
  o.num_classes = 3;
  AlbuNet m(o);
  check_case(m, ref, "classes3_64", 64, 1, {"final.bias"});
  // Probabilities sum to one at every pixel.
  NoGradGuard no_grad;
  Tensor p = sum(exp(m.forward(fill_values("input", {1, 3, 64, 64}))), {1});
  for (double v : p.to_vector<double>()) REQUIRE(v == doctest::Approx(1.0).epsilon(1e-5));
}

TEST_CASE("log_softmax_channels: gradients against finite differences, and no overflow") {
  Tensor x = pn::test::rand64({2, 3, 2, 2}, 11, -3.0, 3.0);
  pn::test::check_gradients([](const std::vector<Tensor>& in) { return log_softmax_channels(in[0]); }, {x});
  Tensor big = from_vector<float>({1000, 0, -1000, 1000}, {1, 2, 1, 2});
  std::vector<float> v = log_softmax_channels(big).to_vector<float>();
  CHECK(v[0] == 0.0f);  // channel 0, pixel 0: log(e^1000 / (e^1000 + e^-1000))
  CHECK(v[1] == -1000.0f);
  CHECK(v[2] == -2000.0f);
  CHECK(v[3] == 0.0f);
}

TEST_CASE("AlbuNet loads torchvision's ResNet34 weights by their own names") {
  AlbuNet m;
  const nn::StateDict file = imagenet_like("resnet34", "imagenet");
  EncoderLoadReport r = m.load_encoder_weights(file);
  CHECK(r.used.size() == file.size());  // fc too: AlbuNet keeps the classifier
  CHECK(r.ignored.empty());
  CHECK(r.missing.empty());
  const auto sd = m.state_dict();
  CHECK(sd.at("encoder.layer1.0.conv1.weight").to_vector<float>() ==
        file.at("layer1.0.conv1.weight").to_vector<float>());
  // The second name sees the same values.
  CHECK(sd.at("conv2.0.conv1.weight").to_vector<float>() == file.at("layer1.0.conv1.weight").to_vector<float>());
  CHECK(sd.at("encoder.fc.bias").to_vector<float>() == file.at("fc.bias").to_vector<float>());

  // An old file without BatchNorm counters, saved from DataParallel, with a stray key.
  nn::StateDict old;
  for (const auto& [k, t] : imagenet_like("resnet34", "old", /*with_counters=*/false)) old["module." + k] = t;
  old["module.extra.weight"] = zeros({3});
  r = m.load_encoder_weights(old);
  CHECK(r.used.size() == old.size() - 1);
  CHECK(r.ignored == std::vector<std::string>{"module.extra.weight"});
  CHECK(r.missing.empty());
  CHECK(m.state_dict().at("encoder.conv1.weight").to_vector<float>() ==
        old.at("module.conv1.weight").to_vector<float>());

  // A file missing a tensor reports it; the decoder is never "missing".
  nn::StateDict partial = file;
  partial.erase("layer4.2.bn2.running_var");
  r = m.load_encoder_weights(partial);
  CHECK(r.missing == std::vector<std::string>{"encoder.layer4.2.bn2.running_var"});

  // A wrong shape throws, naming the key, and changes nothing.
  nn::StateDict wrong = file;
  wrong["layer1.0.conv1.weight"] = zeros({64, 64, 1, 1});
  wrong["conv1.weight"] = zeros({64, 3, 7, 7});
  CHECK_THROWS_WITH_AS(m.load_encoder_weights(wrong), doctest::Contains("encoder.layer1.0.conv1.weight"), Error);
  CHECK(m.state_dict().at("encoder.conv1.weight").to_vector<float>() == file.at("conv1.weight").to_vector<float>());
}

TEST_CASE("AlbuNet's encoder freezes and unfreezes; the decoder keeps training") {
  AlbuNet m;
  CHECK_FALSE(m.encoder_frozen());
  m.freeze_encoder();
  CHECK(m.encoder_frozen());
  CHECK_FALSE(tensor_named(m, "encoder.layer3.1.conv2.weight").requires_grad());
  CHECK(tensor_named(m, "dec5.block.1.conv.weight").requires_grad());
  m.train();
  Tensor out = m.forward(fill_values("input", {2, 3, 64, 64}));
  sum(out).backward();
  CHECK_FALSE(tensor_named(m, "encoder.conv1.weight").grad().defined());
  CHECK_FALSE(tensor_named(m, "encoder.layer4.2.conv2.weight").grad().defined());
  CHECK(tensor_named(m, "dec0.conv.weight").grad().defined());
  CHECK(tensor_named(m, "center.block.1.conv.weight").grad().defined());
  // The frozen parameters are out of what an optimizer would get.
  int64_t trainable = 0;
  for (const auto& p : m.parameters()) trainable += p.requires_grad() ? p.numel() : 0;
  CHECK(trainable == parameter_count(m) - parameter_count(*m.encoder()));
  m.freeze_encoder(false);
  CHECK_FALSE(m.encoder_frozen());
  CHECK(tensor_named(m, "encoder.conv1.weight").requires_grad());
}

TEST_CASE("AlbuNet refuses inputs its decoder cannot line up") {
  AlbuNet m;
  m.eval();
  NoGradGuard no_grad;
  CHECK_THROWS_WITH_AS(m.forward(zeros({1, 3, 96, 64})), doctest::Contains("multiples of 64"), Error);
  CHECK_THROWS_WITH_AS(m.forward(zeros({1, 1, 64, 64})), doctest::Contains("[N, 3, H, W]"), Error);
  CHECK(m.forward(zeros({1, 3, 64, 128})).shape() == Shape{1, 1, 64, 128});
}
