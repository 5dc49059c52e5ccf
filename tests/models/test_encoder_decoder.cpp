// selim_zoo's EncoderDecoder variants (pneumo/models/encoder_decoder.h):
// SCSEUnet (SE-ResNeXt50) and Resnet (ResNet18/34/50/101) against the PyTorch
// originals: names, counts, outputs and gradients, ImageNet encoder loading,
// encoder freezing.
#include <doctest/doctest.h>

#include "model_test_util.h"
#include "pneumo/models/encoder_decoder.h"

using namespace pn;
using namespace pn::models;
using namespace pn::models::test;

TEST_CASE("SCSEUnet has the original's state-dict keys, shapes and parameter count") {
  SCSEUnet m(1);
  check_keys(m, "scse_unet");
  CHECK(m.encoder_arch() == "se_resnext50_32x4d");
  CHECK(m.spec().last_upsample == 32);
}

TEST_CASE("Resnet (resnet18/34/50/101) has the original's state-dict keys, shapes and parameter counts") {
  for (auto arch : {ResNetArch::ResNet18, ResNetArch::ResNet34, ResNetArch::ResNet50, ResNetArch::ResNet101}) {
    Resnet m(1, arch);
    INFO(to_string(arch));
    check_keys(m, to_string(arch) + "_unet");
    CHECK(m.encoder_arch() == to_string(arch));
  }
}

TEST_CASE("SCSEUnet's outputs and gradients equal PyTorch's") {
  pn::test::Reference ref("models/scse_unet.bin");
  SCSEUnet m(1);
  check_case(m, ref, "s64", 64, 2,
             {"encoder_stages.0.conv1.weight", "encoder_stages.1.1.0.se_module.fc1.weight",
              "encoder_stages.1.1.0.downsample.1.weight", "encoder_stages.3.2.conv2.weight",
              "encoder_stages.4.2.bn3.bias", "bottlenecks.0.seq.2.spatial_se.0.weight", "bottlenecks.3.seq.2.fc2.bias",
              "bottlenecks.3.seq.0.weight", "decoder_stages.0.layer.1.weight", "last_upsample.layer.1.weight",
              "final.0.weight", "final.0.bias"},
             {"encoder_stages.0.bn1.running_mean", "encoder_stages.4.2.bn3.running_mean"});
  check_case(m, ref, "s256", 256);
}

TEST_CASE("Resnet50's outputs and gradients equal PyTorch's") {
  pn::test::Reference ref("models/resnet_unet.bin");
  Resnet m(1, ResNetArch::ResNet50);
  check_case(m, ref, "resnet50_64", 64, 2,
             {"encoder_stages.0.0.weight", "encoder_stages.0.1.weight", "encoder_stages.1.1.0.downsample.0.weight",
              "encoder_stages.4.2.conv3.weight", "bottlenecks.1.seq.0.weight", "decoder_stages.3.layer.1.bias",
              "last_upsample.layer.1.weight", "final.0.weight"},
             {"encoder_stages.0.1.running_mean"});
  check_case(m, ref, "resnet50_256", 256);
}

TEST_CASE("Resnet34's outputs and gradients equal PyTorch's (BasicBlock encoder)") {
  pn::test::Reference ref("models/resnet_unet.bin");
  Resnet m(1, ResNetArch::ResNet34);
  check_case(m, ref, "resnet34_64", 64, 1, {"encoder_stages.1.1.0.conv2.weight", "final.0.weight"});
}

TEST_CASE("SCSEUnet loads Cadene's SE-ResNeXt50 weights by their own names") {
  SCSEUnet m(1);
  const nn::StateDict file = imagenet_like("se_resnext50_32x4d", "cadene");
  const EncoderLoadReport r = m.load_encoder_weights(file);
  CHECK(r.used.size() == file.size() - 2);
  CHECK(r.ignored == std::vector<std::string>{"last_linear.bias", "last_linear.weight"});
  CHECK(r.missing.empty());
  const auto sd = m.state_dict();
  CHECK(sd.at("encoder_stages.0.conv1.weight").to_vector<float>() == file.at("layer0.conv1.weight").to_vector<float>());
  CHECK(sd.at("encoder_stages.1.1.2.se_module.fc2.bias").to_vector<float>() ==
        file.at("layer1.2.se_module.fc2.bias").to_vector<float>());
  CHECK(sd.at("encoder_stages.4.0.downsample.1.running_var").to_vector<float>() ==
        file.at("layer4.0.downsample.1.running_var").to_vector<float>());
}

TEST_CASE("Resnet loads torchvision's weights by their own names") {
  Resnet m(1, ResNetArch::ResNet50);
  const nn::StateDict file = imagenet_like("resnet50", "torchvision");
  const EncoderLoadReport r = m.load_encoder_weights(file);
  CHECK(r.used.size() == file.size() - 2);
  CHECK(r.ignored == std::vector<std::string>{"fc.bias", "fc.weight"});
  CHECK(r.missing.empty());
  const auto sd = m.state_dict();
  CHECK(sd.at("encoder_stages.0.0.weight").to_vector<float>() == file.at("conv1.weight").to_vector<float>());
  CHECK(sd.at("encoder_stages.0.1.bias").to_vector<float>() == file.at("bn1.bias").to_vector<float>());
  CHECK(sd.at("encoder_stages.1.1.0.conv1.weight").to_vector<float>() ==
        file.at("layer1.0.conv1.weight").to_vector<float>());
  CHECK(sd.at("encoder_stages.3.5.bn3.running_mean").to_vector<float>() ==
        file.at("layer3.5.bn3.running_mean").to_vector<float>());
  // A ResNet34 file does not fit a ResNet50 model: the shapes differ.
  CHECK_THROWS_WITH_AS(m.load_encoder_weights(imagenet_like("resnet34", "x")), doctest::Contains("shape"), Error);
}

TEST_CASE("EncoderDecoder's encoder freezes and unfreezes; the decoder keeps training") {
  Resnet m(1, ResNetArch::ResNet18);
  m.freeze_encoder();
  CHECK(m.encoder_frozen());
  m.train();
  Tensor out = m.forward(fill_values("input", {2, 3, 64, 64}));
  CHECK(out.shape() == Shape{2, 1, 64, 64});
  sum(out).backward();
  CHECK_FALSE(tensor_named(m, "encoder_stages.0.0.weight").grad().defined());
  CHECK_FALSE(tensor_named(m, "encoder_stages.4.1.conv2.weight").grad().defined());
  CHECK(tensor_named(m, "bottlenecks.3.seq.0.weight").grad().defined());
  CHECK(tensor_named(m, "final.0.weight").grad().defined());
  m.freeze_encoder(false);
  CHECK_FALSE(m.encoder_frozen());
  CHECK(tensor_named(m, "encoder_stages.2.0.conv1.weight").requires_grad());
}

TEST_CASE("EncoderDecoder refuses inputs its decoder cannot line up, and bottlenecks take two inputs") {
  Resnet m(1, ResNetArch::ResNet18);
  m.eval();
  NoGradGuard no_grad;
  CHECK_THROWS_WITH_AS(m.forward(zeros({1, 3, 48, 64})), doctest::Contains("multiples of 32"), Error);
  CHECK(m.forward(zeros({1, 3, 32, 96})).shape() == Shape{1, 1, 32, 96});
  DecoderBottleneck b(8, 4, BottleneckKind::ConvScse);
  CHECK_THROWS_AS(b.forward(zeros({1, 8, 4, 4})), Error);
  CHECK(b.forward(zeros({1, 5, 4, 4}), zeros({1, 3, 4, 4})).shape() == Shape{1, 4, 4, 4});
}
