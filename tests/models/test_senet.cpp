// SE-ResNeXt50 32x4d as in Cadene's pretrained-models (pneumo/models/senet.h):
// names, shapes and counts, and the ImageNet classifier against PyTorch.
#include <doctest/doctest.h>

#include "model_test_util.h"
#include "pneumo/models/senet.h"

using namespace pn;
using namespace pn::models;
using namespace pn::models::test;

TEST_CASE("SE-ResNeXt50 has Cadene's state-dict keys, shapes and parameter count") {
  SEResNeXt with_head({3, 4, 6, 3}, SEResNeXt::Head::Classifier);
  check_keys(with_head, "se_resnext50_32x4d");
  // The encoder alone is the same less last_linear (2048 x 1000 + 1000).
  SEResNeXt encoder;
  CHECK(encoder.last_linear == nullptr);
  CHECK(parameter_count(encoder) == parameter_count(with_head) - 2048 * 1000 - 1000);
  CHECK(encoder.state_dict().size() + 2 == with_head.state_dict().size());
}

TEST_CASE("SE-ResNeXt50's grouped bottleneck widths and feature strides") {
  SEResNeXt m;
  const auto sd = m.state_dict();
  // width = floor(planes * 4 / 64) * 32: 128 for planes 64, 1024 for planes 512;
  // the 3x3 convolution has 32 groups (4 input channels per group at planes 64).
  CHECK(sd.at("layer1.0.conv1.weight").shape() == Shape{128, 64, 1, 1});
  CHECK(sd.at("layer1.0.conv2.weight").shape() == Shape{128, 4, 3, 3});
  CHECK(sd.at("layer4.2.conv2.weight").shape() == Shape{1024, 32, 3, 3});
  CHECK(sd.at("layer4.0.se_module.fc1.weight").shape() == Shape{128, 2048, 1, 1});
  m.eval();
  NoGradGuard no_grad;
  // The stem pool is 3x3/2 with ceil_mode and no padding: 32 -> 16 at 64x64 input.
  Tensor f = m.features(fill_values("input", {1, 3, 64, 64}));
  CHECK(f.shape() == Shape{1, 2048, 2, 2});
  CHECK_THROWS_WITH_AS(m.forward(fill_values("input", {1, 3, 64, 64})), doctest::Contains("classifier"), Error);
}

TEST_CASE("SE-ResNeXt50's ImageNet logits equal PyTorch's at 224x224, and other sizes are refused") {
  pn::test::Reference ref("models/encoders.bin");
  SEResNeXt m({3, 4, 6, 3}, SEResNeXt::Head::Classifier);
  check_case(m, ref, "se_resnext50_224", 224);
  NoGradGuard no_grad;
  CHECK_THROWS_WITH_AS(m.forward(fill_values("input", {1, 3, 64, 64})), doctest::Contains("224x224"), Error);
}
