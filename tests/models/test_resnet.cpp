// torchvision's ResNet encoders (pneumo/models/resnet.h) and the Linear
// classifier layer (pneumo/models/linear.h): names, shapes and counts against
// torchvision, ResNet18's logits and gradients against PyTorch.
#include <doctest/doctest.h>

#include "gradcheck.h"
#include "model_test_util.h"
#include "pneumo/models/linear.h"
#include "pneumo/models/resnet.h"

using namespace pn;
using namespace pn::models;
using namespace pn::models::test;

TEST_CASE("ResNet18/34/50/101 have torchvision's state-dict keys, shapes and parameter counts") {
  for (auto arch : {ResNetArch::ResNet18, ResNetArch::ResNet34, ResNetArch::ResNet50, ResNetArch::ResNet101}) {
    ResNet m(arch);
    INFO(to_string(arch));
    check_keys(m, to_string(arch));
  }
}

TEST_CASE("ResNet architecture names parse and unknown ones are refused by name") {
  CHECK(parse_resnet_arch("resnet50") == ResNetArch::ResNet50);
  CHECK(to_string(parse_resnet_arch("resnet101")) == "resnet101");
  CHECK_THROWS_WITH_AS(parse_resnet_arch("resnet152"), doctest::Contains("resnet152"), Error);
}

TEST_CASE("ResNet features have the expected channels and strides; no classifier means no forward") {
  ResNet m(ResNetArch::ResNet50, ResNet::Head::None);
  CHECK(m.fc == nullptr);
  CHECK(m.layer_channels(1) == 256);
  CHECK(m.layer_channels(4) == 2048);
  m.eval();
  NoGradGuard no_grad;
  Tensor f = m.features(fill_values("input", {1, 3, 64, 96}));
  CHECK(f.shape() == Shape{1, 2048, 2, 3});
  CHECK_THROWS_WITH_AS(m.forward(fill_values("input", {1, 3, 64, 64})), doctest::Contains("classifier"), Error);
  CHECK_THROWS_WITH_AS(m.features(zeros({1, 1, 64, 64})), doctest::Contains("[N, 3, H, W]"), Error);
}

TEST_CASE("ResNet18's logits and gradients equal PyTorch's") {
  pn::test::Reference ref("models/encoders.bin");
  ResNet m(ResNetArch::ResNet18);
  check_case(m, ref, "resnet18_64", 64, 2, {"fc.weight", "fc.bias", "layer3.0.downsample.0.weight"});
}

TEST_CASE("Linear computes x @ W^T + b with PyTorch's names, and its gradients") {
  Linear lin(3, 2);
  auto names = lin.named_parameters();
  REQUIRE(names.size() == 2);
  CHECK(names[0].first == "weight");
  CHECK(names[0].second.shape() == Shape{2, 3});
  CHECK(names[1].first == "bias");
  {
    NoGradGuard no_grad;
    lin.weight.copy_(from_vector<float>({1, 2, 3, -1, 0, 2}, {2, 3}));
    lin.bias.copy_(from_vector<float>({0.5f, -1}, {2}));
  }
  Tensor x = from_vector<float>({1, 0, -1, 2, 1, 1}, {2, 3});
  x.set_requires_grad(true);
  Tensor y = lin.forward(x);
  // Row 0: [1*1 + 0 - 3, -1 + 0 - 2] + b; row 1: [2 + 2 + 3, -2 + 0 + 2] + b.
  CHECK(y.to_vector<float>() == std::vector<float>{-1.5f, -4, 7.5f, -1});
  Tensor g = from_vector<float>({1, 2, 3, 4}, {2, 2});
  sum(mul(y, g)).backward();
  // dW = g^T x, db = column sums of g, dx = g W.
  CHECK(lin.weight.grad().to_vector<float>() == std::vector<float>{7, 3, 2, 10, 4, 2});
  CHECK(lin.bias.grad().to_vector<float>() == std::vector<float>{4, 6});
  CHECK(x.grad().to_vector<float>() == std::vector<float>{-1, 2, 7, -1, 6, 17});
  CHECK_THROWS_WITH_AS(lin.forward(zeros({2, 4})), doctest::Contains("[N, 3]"), Error);

  // And in float64 against finite differences, through the input.
  lin.to(DType::Float64);
  Tensor x64 = pn::test::rand64({4, 3}, 7);
  pn::test::check_gradients([&](const std::vector<Tensor>& in) { return lin.forward(in[0]); }, {x64});
}
