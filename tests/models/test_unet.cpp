// UNet, the project's small U-Net: shapes, names, the encoder's freezing and
// a gradient reaching every parameter.
#include <doctest/doctest.h>

#include "autograd/ops.h"
#include "pneumo/models/model_factory.h"
#include "pneumo/models/unet.h"
#include "tensor/error.h"
#include "tensor/random.h"

using namespace pn;

TEST_CASE("UNet: shapes, state-dict names and the size divisor") {
  models::UNet net({.in_channels = 3, .seg_classes = 2, .num_filters = 4, .depth = 3});
  Generator gen(1);
  Tensor x = normal({2, 3, 16, 24}, 0, 1, DType::Float32, Device::cpu(), &gen);
  Tensor y = net.forward(x);
  CHECK(y.shape() == Shape{2, 2, 16, 24});
  CHECK(net.size_divisor() == 8);
  auto sd = net.state_dict();
  CHECK(sd.count("down.0.0.weight"));
  CHECK(sd.at("down.2.3.weight").shape() == Shape{16, 16, 3, 3});
  CHECK(sd.at("center.0.weight").shape() == Shape{32, 16, 3, 3});
  CHECK(sd.at("up.0.0.weight").shape() == Shape{16, 48, 3, 3});
  CHECK(sd.at("up.2.0.weight").shape() == Shape{4, 12, 3, 3});
  CHECK(sd.at("final.weight").shape() == Shape{2, 4, 1, 1});
  CHECK(sd.count("down.0.1.running_mean"));
  CHECK_THROWS_WITH_AS(net.forward(normal({1, 3, 12, 16}, 0, 1)), doctest::Contains("multiples of 8"), Error);
}

TEST_CASE("UNet: every parameter gets a gradient; freezing the encoder stops its own") {
  auto built = models::build_model({.class_name = "UNet", .args = {{"num_filters", int64_t{2}}, {"depth", int64_t{2}}}, .py_module = ""});
  auto& net = *built.model;
  CHECK(built.imagenet_weights_url.empty());
  Tensor x = normal({1, 3, 8, 8}, 0, 1);
  sum(net.forward(x)).backward();
  for (const auto& [name, p] : net.named_parameters()) {
    INFO(name);
    CHECK(p.grad().defined());
  }
  net.freeze_encoder();
  CHECK(net.encoder_frozen());
  for (const auto& [name, p] : net.named_parameters()) {
    INFO(name);
    CHECK(p.requires_grad() == (name.rfind("down.", 0) != 0));
  }
  CHECK_THROWS_WITH_AS(models::build_model({.class_name = "UNet", .args = {{"depth", int64_t{9}}}, .py_module = ""}),
                       doctest::Contains("depth <= 8"), Error);
  CHECK_THROWS_WITH_AS(models::build_model({.class_name = "UNet", .args = {{"filters", int64_t{9}}}, .py_module = ""}),
                       doctest::Contains("has no argument 'filters'"), Error);
}
