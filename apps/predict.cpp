// pneumo predict: one image through one model, the probability map as .npy.
#include <iostream>

#include "apps/args.h"
#include "apps/commands.h"
#include "nn/checkpoint.h"
#include "pneumo/config/yaml.h"
#include "pneumo/data/dicom.h"
#include "pneumo/data/npy.h"
#include "pneumo/data/png.h"
#include "pneumo/infer/predict.h"
#include "pneumo/models/model_factory.h"

namespace pn::apps {

namespace {

// --model is a configuration file (its MODEL section) or a class name:
// AlbuNet, SCSEUnet, or Resnet18/34/50/101.
models::ModelSpec model_spec(const std::string& model) {
  models::ModelSpec spec;
  if (model.size() > 5 && (model.ends_with(".yaml") || model.ends_with(".yml"))) {
    return models::model_spec(config::load_yaml(model)["MODEL"]);
  }
  if (model.rfind("Resnet", 0) == 0 && model.size() > 6) {
    spec.class_name = "Resnet";
    spec.args["seg_classes"] = int64_t{1};
    spec.args["backbone_arch"] = "resnet" + model.substr(6);
  } else {
    spec.class_name = model;
    if (model == "SCSEUnet") spec.args["seg_classes"] = int64_t{1};
  }
  return spec;
}

data::GrayImage read_image(const std::string& path) {
  if (path.ends_with(".dcm")) return data::read_dicom(path).image;
  return data::read_png(path);
}

}  // namespace

int run_predict(int argc, char** argv) {
  Args args(argc, argv, 0, {"model", "weights", "image", "size", "tta", "out"});
  std::string tta = args.str("tta", "none");
  PN_CHECK(tta == "none" || tta == "flip", "option --tta: expected 'flip' or 'none', got '", tta, "'");
  models::BuiltModel built = models::build_model(model_spec(args.str("model")));
  std::string weights = args.str("weights");
  try {
    built.model->load_state_dict(nn::load_weights(weights));
  } catch (const Error& e) {
    fail(weights, ": the weights do not fit the model: ", e.what());
  }
  data::GrayImage image = read_image(args.str("image"));
  Tensor x = infer::preprocess(image, static_cast<int>(args.integer("size", 0)));
  Tensor probs = infer::predict_probabilities(*built.model, x, tta == "flip");
  Tensor map = probs.reshape({probs.size(2), probs.size(3)});
  data::write_npy(args.str("out"), map);
  std::cout << "predict: " << probs.size(2) << "x" << probs.size(3) << " probabilities written to "
            << args.str("out") << "\n";
  return 0;
}

}  // namespace pn::apps
