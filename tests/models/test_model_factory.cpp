// Building models from MODEL sections (pneumo/models/model_factory.h), as the
// reference configurations write them.
#include <doctest/doctest.h>

#include "model_test_util.h"
#include "pneumo/models/albunet.h"
#include "pneumo/models/encoder_decoder.h"
#include "pneumo/models/model_factory.h"

using namespace pn;
using namespace pn::models;

TEST_CASE("the reference configurations' MODEL sections build their models") {
  // albunet_valid / albunet_public: CLASS AlbuNet, ARGS {pretrained: False}.
  BuiltModel albunet = build_model({"AlbuNet", {{"pretrained", false}}, "models.ternausnets"});
  REQUIRE(dynamic_cast<AlbuNet*>(albunet.model.get()) != nullptr);
  CHECK_FALSE(static_cast<AlbuNet&>(*albunet.model).options().is_deconv);
  CHECK(albunet.model->num_classes() == 1);
  CHECK(albunet.imagenet_weights_url.empty());
  CHECK_FALSE(albunet.model->encoder_frozen());

  // seunet: CLASS SCSEUnet, ARGS {seg_classes: 1}.
  BuiltModel seunet = build_model({"SCSEUnet", {{"seg_classes", int64_t{1}}}, "models.selim_zoo.unet"});
  REQUIRE(dynamic_cast<SCSEUnet*>(seunet.model.get()) != nullptr);
  CHECK(seunet.imagenet_weights_url == "http://data.lip6.fr/cadene/pretrainedmodels/se_resnext50_32x4d-a260b3a4.pth");

  // resnet50: CLASS Resnet, ARGS {seg_classes: 1, backbone_arch: resnet50}.
  BuiltModel resnet =
      build_model({"Resnet", {{"seg_classes", int64_t{1}}, {"backbone_arch", std::string("resnet50")}}, ""});
  REQUIRE(dynamic_cast<Resnet*>(resnet.model.get()) != nullptr);
  CHECK(resnet.model->encoder_arch() == "resnet50");
  CHECK(resnet.imagenet_weights_url == "https://download.pytorch.org/models/resnet50-19c8e357.pth");
}

TEST_CASE("model arguments may come as the strings a YAML reader keeps") {
  BuiltModel m = build_model({"AlbuNet",
                              {{"pretrained", std::string("True")},
                               {"is_deconv", std::string("yes")},
                               {"num_classes", std::string("2")},
                               {"num_filters", 16.0},
                               {"freeze_encoder", std::string("on")}},
                              ""});
  const auto& a = static_cast<AlbuNet&>(*m.model);
  CHECK(a.options().is_deconv);
  CHECK(a.options().num_filters == 16);
  CHECK(a.num_classes() == 2);
  CHECK(a.encoder_frozen());
  CHECK(m.imagenet_weights_url == "https://download.pytorch.org/models/resnet34-333f7ec4.pth");
  // The transposed convolution's key exists only in the deconv decoder.
  CHECK(m.model->state_dict().count("center.block.1.weight") == 1);
  CHECK(m.model->state_dict().at("final.weight").shape() == Shape{2, 16, 1, 1});

  BuiltModel r = build_model({"Resnet", {{"seg_classes", std::string("1")}, {"backbone_arch", std::string("resnet18")}}, ""});
  CHECK(r.model->encoder_arch() == "resnet18");
}

TEST_CASE("model factory errors name the class, the argument and the value") {
  using Args = std::map<std::string, ModelArg>;
  auto fails_with = [](const ModelSpec& spec, const char* text) {
    CHECK_THROWS_WITH_AS(build_model(spec), doctest::Contains(text), Error);
  };
  fails_with({"UNet11", {}, ""}, "unknown MODEL.CLASS 'UNet11'");
  fails_with({"AlbuNet", Args{{"pretrainde", false}}, ""}, "AlbuNet has no argument 'pretrainde'");
  fails_with({"AlbuNet", Args{{"is_deconv", std::string("maybe")}}, ""}, "'is_deconv' must be a boolean, got 'maybe'");
  fails_with({"AlbuNet", Args{{"num_filters", 2.5}}, ""}, "'num_filters' must be an integer");
  fails_with({"AlbuNet", Args{{"num_classes", int64_t{0}}}, ""}, "'num_classes' must be at least 1");
  fails_with({"SCSEUnet", Args{}, ""}, "SCSEUnet needs the argument 'seg_classes'");
  fails_with({"SCSEUnet", Args{{"seg_classes", int64_t{1}}, {"backbone_arch", std::string("senet154")}}, ""},
             "'senet154' is not implemented");
  fails_with({"Resnet", Args{{"seg_classes", int64_t{1}}}, ""}, "Resnet needs the argument 'backbone_arch'");
  fails_with({"Resnet", Args{{"seg_classes", int64_t{1}}, {"backbone_arch", std::string("resnet152")}}, ""},
             "resnet152");
  fails_with({"Resnet", Args{{"seg_classes", int64_t{1}}, {"backbone_arch", int64_t{50}}}, ""},
             "'backbone_arch' must be a string, got 50");
  fails_with({"AlbuNet", Args{}, "models.selim_zoo.unet"}, "MODEL.PY 'models.selim_zoo.unet' does not define AlbuNet");
}
