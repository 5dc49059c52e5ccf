#include "pneumo/models/model_factory.h"

#include <cmath>
#include <set>
#include <type_traits>

#include "pneumo/models/albunet.h"
#include "pneumo/models/encoder_decoder.h"
#include "pneumo/models/unet.h"

namespace pn::models {

namespace {

// The ARGS of one class, consumed by name; whatever is left is unknown.
class Args {
 public:
  Args(const ModelSpec& spec, std::set<std::string> known)
      : cls_(spec.class_name), args_(spec.args), known_(std::move(known)) {
    for (const auto& [key, value] : args_) {
      if (known_.count(key)) continue;
      std::string list;
      for (const auto& k : known_) list += (list.empty() ? "" : ", ") + k;
      fail("model factory: ", cls_, " has no argument '", key, "' (its arguments: ", list, ")");
    }
  }

  bool has(const std::string& key) const { return args_.count(key) != 0; }

  int64_t integer(const std::string& key, const int64_t* fallback) const {
    const ModelArg* v = find(key, fallback != nullptr);
    if (!v) return *fallback;
    if (auto p = std::get_if<int64_t>(v)) return *p;
    if (auto d = std::get_if<double>(v); d && std::isfinite(*d) && *d == std::floor(*d) && std::fabs(*d) < 9e15)
      return static_cast<int64_t>(*d);
    if (auto s = std::get_if<std::string>(v)) {
      size_t used = 0;
      try {
        int64_t n = std::stoll(*s, &used);
        if (used == s->size()) return n;
      } catch (const std::exception&) {
      }
    }
    bad(key, "an integer", *v);
  }

  bool boolean(const std::string& key, bool fallback) const {
    const ModelArg* v = find(key, true);
    if (!v) return fallback;
    if (auto p = std::get_if<bool>(v)) return *p;
    if (auto s = std::get_if<std::string>(v)) {
      // PyYAML's (YAML 1.1) booleans.
      static const std::set<std::string> yes = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
      static const std::set<std::string> no = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
      if (yes.count(*s)) return true;
      if (no.count(*s)) return false;
    }
    bad(key, "a boolean", *v);
  }

  std::string string(const std::string& key, const std::string* fallback) const {
    const ModelArg* v = find(key, fallback != nullptr);
    if (!v) return *fallback;
    if (auto s = std::get_if<std::string>(v)) return *s;
    bad(key, "a string", *v);
  }

 private:
  const ModelArg* find(const std::string& key, bool optional) const {
    auto it = args_.find(key);
    if (it != args_.end()) return &it->second;
    PN_CHECK(optional, "model factory: ", cls_, " needs the argument '", key, "' in MODEL.ARGS");
    return nullptr;
  }

  [[noreturn]] void bad(const std::string& key, const char* expected, const ModelArg& v) const {
    std::string shown = std::visit(
        [](const auto& x) -> std::string {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::string>) return "'" + x + "'";
          else if constexpr (std::is_same_v<T, bool>) return x ? "true" : "false";
          else return std::to_string(x);
        },
        v);
    fail("model factory: ", cls_, " argument '", key, "' must be ", expected, ", got ", shown);
  }

  std::string cls_;
  const std::map<std::string, ModelArg>& args_;
  std::set<std::string> known_;
};

int64_t positive(const std::string& cls, const std::string& key, int64_t v) {
  PN_CHECK(v >= 1, "model factory: ", cls, " argument '", key, "' must be at least 1, got ", v);
  return v;
}

void check_py(const ModelSpec& spec, const char* module) {
  PN_CHECK(spec.py_module.empty() || spec.py_module == module, "model factory: MODEL.PY '", spec.py_module,
           "' does not define ", spec.class_name, " (it is in ", module, ")");
}

// torchvision's and Cadene's ImageNet files (the URLs of selim_zoo/resnet.py,
// selim_zoo/unet.py and torchvision 0.4, which the original used).
std::string imagenet_url(const std::string& arch) {
  if (arch == "resnet18") return "https://download.pytorch.org/models/resnet18-5c106cde.pth";
  if (arch == "resnet34") return "https://download.pytorch.org/models/resnet34-333f7ec4.pth";
  if (arch == "resnet50") return "https://download.pytorch.org/models/resnet50-19c8e357.pth";
  if (arch == "resnet101") return "https://download.pytorch.org/models/resnet101-5d3b4d8f.pth";
  if (arch == "se_resnext50_32x4d") return "http://data.lip6.fr/cadene/pretrainedmodels/se_resnext50_32x4d-a260b3a4.pth";
  fail("model factory: no ImageNet weights known for '", arch, "'");
}

BuiltModel build_albunet(const ModelSpec& spec) {
  check_py(spec, "models.ternausnets");
  Args a(spec, {"num_classes", "num_filters", "pretrained", "is_deconv", "freeze_encoder"});
  const int64_t one = 1, thirty_two = 32;
  AlbuNetOptions o;
  o.num_classes = positive(spec.class_name, "num_classes", a.integer("num_classes", &one));
  o.num_filters = positive(spec.class_name, "num_filters", a.integer("num_filters", &thirty_two));
  o.is_deconv = a.boolean("is_deconv", false);
  const bool pretrained = a.boolean("pretrained", false);
  const bool freeze = a.boolean("freeze_encoder", false);
  auto model = std::make_shared<AlbuNet>(o);
  if (freeze) model->freeze_encoder();
  return {model, pretrained ? imagenet_url("resnet34") : std::string()};
}

BuiltModel build_scse_unet(const ModelSpec& spec) {
  check_py(spec, "models.selim_zoo.unet");
  Args a(spec, {"seg_classes", "backbone_arch"});
  const int64_t classes = positive(spec.class_name, "seg_classes", a.integer("seg_classes", nullptr));
  const std::string fallback = "seresnext50";
  const std::string arch = a.string("backbone_arch", &fallback);
  PN_CHECK(arch == "seresnext50", "model factory: SCSEUnet backbone_arch '", arch,
           "' is not implemented (only seresnext50)");
  auto model = std::make_shared<SCSEUnet>(classes);
  // EncoderDecoder always starts from ImageNet weights.
  return {model, imagenet_url(model->encoder_arch())};
}

BuiltModel build_resnet(const ModelSpec& spec) {
  check_py(spec, "models.selim_zoo.unet");
  Args a(spec, {"seg_classes", "backbone_arch"});
  const int64_t classes = positive(spec.class_name, "seg_classes", a.integer("seg_classes", nullptr));
  const std::string arch_name = a.string("backbone_arch", nullptr);
  ResNetArch arch;
  try {
    arch = parse_resnet_arch(arch_name);
  } catch (const Error& e) {
    fail("model factory: Resnet backbone_arch: ", e.what());
  }
  auto model = std::make_shared<Resnet>(classes, arch);
  return {model, imagenet_url(model->encoder_arch())};
}

// This project's small U-Net (no PY module of the original to check).
BuiltModel build_unet(const ModelSpec& spec) {
  Args a(spec, {"seg_classes", "num_filters", "depth"});
  const int64_t one = 1, sixteen = 16, four = 4;
  UNetOptions o;
  o.seg_classes = positive(spec.class_name, "seg_classes", a.integer("seg_classes", &one));
  o.num_filters = positive(spec.class_name, "num_filters", a.integer("num_filters", &sixteen));
  o.depth = positive(spec.class_name, "depth", a.integer("depth", &four));
  return {std::make_shared<UNet>(o), std::string()};
}

}  // namespace

BuiltModel build_model(const ModelSpec& spec) {
  if (spec.class_name == "AlbuNet") return build_albunet(spec);
  if (spec.class_name == "SCSEUnet") return build_scse_unet(spec);
  if (spec.class_name == "Resnet") return build_resnet(spec);
  if (spec.class_name == "UNet") return build_unet(spec);
  fail("model factory: unknown MODEL.CLASS '", spec.class_name, "' (known: AlbuNet, SCSEUnet, Resnet, UNet)");
}

ModelSpec model_spec(const config::Node& m) {
  ModelSpec spec;
  spec.class_name = m["CLASS"].str();
  if (const config::Node* py = m.find("PY"); py && !py->is_null()) spec.py_module = py->str();
  if (const config::Node* args = m.find("ARGS"); args && !args->is_null()) {
    PN_CHECK(args->is_mapping(), args->where(), ": expected a mapping of argument names to values");
    for (const auto& [k, v] : args->entries()) {
      PN_CHECK(v.is_scalar(), v.where(), ": a model argument must be a single value");
      spec.args[k] = v.str();
    }
  }
  return spec;
}

}  // namespace pn::models
