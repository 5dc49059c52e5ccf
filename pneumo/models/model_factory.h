#pragma once
// Building a model from a configuration's MODEL section, as the original's
// Train.py does: getattr(module, MODEL.CLASS)(**MODEL.ARGS).
//
//   MODEL:
//     PY: models.ternausnets        CLASS: AlbuNet    ARGS: {pretrained: False}
//     PY: models.selim_zoo.unet     CLASS: SCSEUnet   ARGS: {seg_classes: 1}
//     PY: models.selim_zoo.unet     CLASS: Resnet     ARGS: {seg_classes: 1, backbone_arch: resnet50}
//
// The arguments each class accepts are its Python constructor's:
//   AlbuNet:  num_classes (1), num_filters (32), pretrained (False),
//             is_deconv (False), freeze_encoder (False)
//   SCSEUnet: seg_classes (required), backbone_arch ('seresnext50', the only
//             one implemented)
//   Resnet:   seg_classes (required), backbone_arch (required: resnet18,
//             resnet34, resnet50 or resnet101)
//   UNet:     seg_classes (1), num_filters (16), depth (4): this project's
//             small U-Net (pneumo/models/unet.h), not the original's
// MODEL.FREEZE and MODEL.PRETRAINED are the training pipeline's (evaluate
// without training; start from a checkpoint), not the model's.
#include <map>
#include <memory>
#include <string>
#include <variant>

#include "pneumo/config/yaml.h"
#include "pneumo/models/segmentation_model.h"

namespace pn::models {

// One ARGS value as the YAML reader gives it. Each argument accepts its own
// type or a string spelling it: integers "1" (or an integral double),
// booleans as PyYAML reads them (true/false, yes/no, on/off in lower,
// Capitalised or UPPER case).
using ModelArg = std::variant<bool, int64_t, double, std::string>;

struct ModelSpec {
  std::string class_name;                // MODEL.CLASS
  std::map<std::string, ModelArg> args;  // MODEL.ARGS
  std::string py_module;                 // MODEL.PY; checked against the class when not empty
};

struct BuiltModel {
  std::shared_ptr<SegmentationModel> model;
  // The ImageNet encoder weights the original constructor loads (its URL:
  // torchvision's resnet*.pth or Cadene's se_resnext50_32x4d-a260b3a4.pth),
  // or empty when it starts from random weights (AlbuNet without
  // pretrained). The caller reads that file (nn/io) and passes it to
  // model->load_encoder_weights: nothing is downloaded here.
  std::string imagenet_weights_url;
};

// Throws pn::Error naming the problem: an unknown class (listing the known
// ones), an unknown or missing argument, a value of the wrong type or range,
// a PY module that is not the class's.
BuiltModel build_model(const ModelSpec& spec);

// The spec of a configuration's MODEL section (CLASS, PY, ARGS; the
// pipeline's keys FREEZE, PRETRAINED and FREEZE_ENCODER_EPOCHS are left to
// the caller). Scalars are passed as their text; build_model checks them.
ModelSpec model_spec(const config::Node& model_section);

}  // namespace pn::models
