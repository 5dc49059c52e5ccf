#include "pneumo/augment/transform_json.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "nn/io/json.h"
#include "pneumo/augment/transforms.h"
#include "tensor/error.h"

namespace pn::augment {

namespace {

using nn::io::JsonValue;
using Type = JsonValue::Type;

constexpr std::string_view kTransformsPrefix = "albumentations.augmentations.transforms.";
constexpr std::string_view kCompositionPrefix = "albumentations.core.composition.";

// The arguments of one node: typed getters with defaults, and a final check
// that every argument of the file was used.
class Args {
 public:
  Args(const JsonValue& node, std::string where) : node_(node), where_(std::move(where)) {}

  [[noreturn]] void fail(const std::string& message) const { pn::fail(where_, ": ", message); }

  const JsonValue* get(const std::string& key) {
    used_.insert(key);
    return node_.find(key);
  }

  double number(const std::string& key, double fallback) {
    const JsonValue* v = get(key);
    return v ? to_number(*v, key) : fallback;
  }

  bool boolean(const std::string& key, bool fallback) {
    const JsonValue* v = get(key);
    if (!v) return fallback;
    if (v->type != Type::Bool) fail("argument '" + key + "' must be true or false");
    return v->boolean;
  }

  int integer(const std::string& key, int fallback) {
    const JsonValue* v = get(key);
    return v ? to_integer(*v, key) : fallback;
  }

  double probability(double fallback) {
    const double p = number("p", fallback);
    if (!(p >= 0 && p <= 1)) fail("p must be in [0, 1], got " + text(p));
    return p;
  }

  // albumentations' to_tuple(param, bias): a number v is (-v, v), a list of
  // two numbers is itself; bias is added to both ends.
  Range range(const std::string& key, Range fallback, double bias = 0) {
    const JsonValue* v = get(key);
    Range r = fallback;
    if (v) {
      if (v->type == Type::Number) {
        const double x = to_number(*v, key);
        r = {-x, x};
      } else if (v->type == Type::Array && v->items.size() == 2) {
        r = {to_number(v->items[0], key), to_number(v->items[1], key)};
      } else {
        fail("argument '" + key + "' must be a number or a list of two numbers");
      }
    }
    r = {r.first + bias, r.second + bias};
    if (!(r.first <= r.second)) fail("argument '" + key + "' is an empty range (" + text(r.first) + ", " + text(r.second) + ")");
    return r;
  }

  std::vector<double> numbers(const std::string& key, std::vector<double> fallback) {
    const JsonValue* v = get(key);
    if (!v) return fallback;
    std::vector<double> out;
    if (v->type == Type::Number) {
      out.push_back(to_number(*v, key));
    } else if (v->type == Type::Array && !v->items.empty()) {
      for (const JsonValue& item : v->items) out.push_back(to_number(item, key));
    } else {
      fail("argument '" + key + "' must be a number or a non-empty list of numbers");
    }
    return out;
  }

  // cv2's borderValue from albumentations' value / mask_value: null is 0, a
  // number v is (v, 0, 0, 0) (what cv2 makes of a scalar), a list is per
  // channel.
  std::array<double, 4> border_value(const std::string& key) {
    const JsonValue* v = get(key);
    std::array<double, 4> out{};
    if (!v || v->type == Type::Null) return out;
    if (v->type == Type::Number) {
      out[0] = to_number(*v, key);
    } else if (v->type == Type::Array && !v->items.empty() && v->items.size() <= 4) {
      for (std::size_t i = 0; i < v->items.size(); ++i) out[i] = to_number(v->items[i], key);
    } else {
      fail("argument '" + key + "' must be null, a number or a list of up to 4 numbers");
    }
    return out;
  }

  Interpolation interpolation(int fallback) {
    const int i = integer("interpolation", fallback);
    if (i != 0 && i != 1) {
      fail("interpolation " + std::to_string(i) +
           " is not supported (only 0 = cv2.INTER_NEAREST and 1 = cv2.INTER_LINEAR)");
    }
    return static_cast<Interpolation>(i);
  }

  Sampling sampling() {
    Sampling s;
    s.interpolation = interpolation(1);
    const int b = integer("border_mode", 4);
    if (b < 0 || b > 4) {
      fail("border_mode " + std::to_string(b) + " is not supported (0..4: cv2.BORDER_CONSTANT .. BORDER_REFLECT_101)");
    }
    s.border_mode = static_cast<BorderMode>(b);
    s.value = border_value("value");
    s.mask_value = border_value("mask_value");
    return s;
  }

  // Every argument of the node must have been read.
  void finish() {
    for (const auto& [key, value] : node_.members) {
      if (key == "__class_fullname__" || used_.count(key)) continue;
      fail("unknown argument '" + key + "'");
    }
  }

 private:
  static std::string text(double v) {
    std::ostringstream os;
    os << v;
    return os.str();
  }

  double to_number(const JsonValue& v, const std::string& key) const {
    if (v.type != Type::Number) fail("argument '" + key + "' must be a number, got " + nn::io::json_type_name(v.type));
    double out = 0;
    const auto r = std::from_chars(v.text.data(), v.text.data() + v.text.size(), out);
    if (r.ec != std::errc() || r.ptr != v.text.data() + v.text.size() || !std::isfinite(out)) {
      fail("argument '" + key + "': bad number " + v.text);
    }
    return out;
  }

  int to_integer(const JsonValue& v, const std::string& key) const {
    const double d = to_number(v, key);
    if (d != std::floor(d) || std::abs(d) > 1e9) fail("argument '" + key + "' must be an integer, got " + v.text);
    return static_cast<int>(d);
  }

  const JsonValue& node_;
  std::string where_;
  std::set<std::string> used_;
};

// The short class name of a node, checked against the supported prefixes.
std::string class_name(const JsonValue& node, const std::string& where) {
  if (node.type != Type::Object) pn::fail(where, ": a transform must be a JSON object");
  const JsonValue* full = node.find("__class_fullname__");
  if (!full) pn::fail(where, ": missing \"__class_fullname__\"");
  if (full->type != Type::String)
    pn::fail(where, ": \"__class_fullname__\" is ", nn::io::json_type_name(full->type), ", not a class name");
  const std::string& name = full->text;
  for (std::string_view prefix : {kTransformsPrefix, kCompositionPrefix}) {
    if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0) return name.substr(prefix.size());
  }
  pn::fail(where, ": unknown transform class '", name, "'");
}

struct Context {
  std::string source;
};

TransformPtr build(const JsonValue& node, const std::string& path, bool top_level, const Context& ctx);

std::vector<TransformPtr> build_children(Args& args, const std::string& path, bool is_top_compose,
                                         const Context& ctx) {
  const JsonValue* list = args.get("transforms");
  if (!list || list->type != Type::Array) args.fail("needs a list \"transforms\"");
  std::vector<TransformPtr> out;
  for (std::size_t i = 0; i < list->items.size(); ++i) {
    const std::string child_path = path + ".transforms[" + std::to_string(i) + "]";
    const JsonValue& child = list->items[i];
    const std::string child_name = class_name(child, ctx.source + ": " + child_path);
    if (child_name == "Normalize" && !(is_top_compose && i + 1 == list->items.size())) {
      pn::fail(ctx.source, ": ", child_path, " (Normalize): Normalize must be the last transform of the top-level "
               "Compose (the 8-bit transforms cannot follow it)");
    }
    out.push_back(build(child, child_path, false, ctx));
  }
  return out;
}

TransformPtr build(const JsonValue& node, const std::string& path, bool top_level, const Context& ctx) {
  const std::string name = class_name(node, ctx.source + ": " + path);
  const std::string where = ctx.source + ": " + path + " (" + name + ")";
  Args args(node, where);
  TransformPtr out;
  try {
    if (name == "Compose") {
      for (const char* key : {"bbox_params", "keypoint_params", "additional_targets"}) {
        const JsonValue* v = args.get(key);
        if (v && !(v->type == Type::Null || (v->type == Type::Object && v->members.empty()))) {
          args.fail(std::string(key) + " is not supported (it must be empty)");
        }
      }
      const double p = args.probability(1.0);
      out = std::make_shared<Compose>(build_children(args, path, top_level, ctx), p);
    } else if (name == "OneOf") {
      const double p = args.probability(0.5);
      out = std::make_shared<OneOf>(build_children(args, path, false, ctx), p);
    } else if (name == "HorizontalFlip") {
      const double p = args.probability(0.5);
      out = std::make_shared<HorizontalFlip>(p, args.boolean("always_apply", false));
    } else if (name == "RandomContrast" || name == "RandomBrightness") {
      const double p = args.probability(0.5);
      const bool always = args.boolean("always_apply", false);
      const Range limit = args.range("limit", {-0.2, 0.2});
      if (name == "RandomContrast") {
        out = std::make_shared<RandomContrast>(limit, p, always);
      } else {
        out = std::make_shared<RandomBrightness>(limit, p, always);
      }
    } else if (name == "RandomBrightnessContrast") {
      const double p = args.probability(0.5);
      const bool always = args.boolean("always_apply", false);
      const Range b = args.range("brightness_limit", {-0.2, 0.2});
      const Range c = args.range("contrast_limit", {-0.2, 0.2});
      out = std::make_shared<RandomBrightnessContrast>(b, c, p, always);
    } else if (name == "RandomGamma") {
      const double p = args.probability(0.5);
      const bool always = args.boolean("always_apply", false);
      // 0.3.1 indexes gamma_limit directly (no to_tuple): it must be a pair
      // of integers (random.randint).
      int lo = 80, hi = 120;
      if (const JsonValue* v = args.get("gamma_limit")) {
        if (v->type != Type::Array || v->items.size() != 2) args.fail("gamma_limit must be a list of two integers");
        auto as_int = [&](const JsonValue& x) {
          double d = 0;
          if (x.type != Type::Number || std::from_chars(x.text.data(), x.text.data() + x.text.size(), d).ec != std::errc() ||
              d != std::floor(d) || std::abs(d) > 1e6) {
            args.fail("gamma_limit must be a list of two integers");
          }
          return static_cast<int>(d);
        };
        lo = as_int(v->items[0]);
        hi = as_int(v->items[1]);
      }
      out = std::make_shared<RandomGamma>(lo, hi, p, always);
    } else if (name == "ShiftScaleRotate") {
      const double p = args.probability(0.5);
      const bool always = args.boolean("always_apply", false);
      const Range shift = args.range("shift_limit", {-0.0625, 0.0625});
      const Range scale = args.range("scale_limit", {-0.1, 0.1}, 1.0);
      const Range rotate = args.range("rotate_limit", {-45, 45});
      out = std::make_shared<ShiftScaleRotate>(shift, scale, rotate, args.sampling(), p, always);
    } else if (name == "OpticalDistortion") {
      const double p = args.probability(0.5);
      const bool always = args.boolean("always_apply", false);
      const Range distort = args.range("distort_limit", {-0.05, 0.05});
      const Range shift = args.range("shift_limit", {-0.05, 0.05});
      out = std::make_shared<OpticalDistortion>(distort, shift, args.sampling(), p, always);
    } else if (name == "GridDistortion") {
      const double p = args.probability(0.5);
      const bool always = args.boolean("always_apply", false);
      const int steps = args.integer("num_steps", 5);
      if (steps < 1) args.fail("num_steps must be >= 1, got " + std::to_string(steps));
      const Range distort = args.range("distort_limit", {-0.3, 0.3});
      out = std::make_shared<GridDistortion>(steps, distort, args.sampling(), p, always);
    } else if (name == "ElasticTransform") {
      const double p = args.probability(0.5);
      const bool always = args.boolean("always_apply", false);
      ElasticParams ep;
      ep.alpha = args.number("alpha", 1);
      ep.sigma = args.number("sigma", 50);
      ep.alpha_affine = args.number("alpha_affine", 50);
      ep.approximate = args.boolean("approximate", false);
      out = std::make_shared<ElasticTransform>(ep, args.sampling(), p, always);
    } else if (name == "Resize") {
      const double p = args.probability(1.0);
      const bool always = args.boolean("always_apply", false);
      const JsonValue* h = node.find("height");
      const JsonValue* w = node.find("width");
      if (!h || !w) args.fail("needs height and width");
      const int height = args.integer("height", 0), width = args.integer("width", 0);
      if (height < 1 || width < 1) args.fail("height and width must be >= 1");
      out = std::make_shared<Resize>(height, width, args.interpolation(1), p, always);
    } else if (name == "Normalize") {
      const double p = args.probability(1.0);
      const bool always = args.boolean("always_apply", false);
      std::vector<double> mean = args.numbers("mean", {0.485, 0.456, 0.406});
      std::vector<double> std = args.numbers("std", {0.229, 0.224, 0.225});
      const double max_pixel = args.number("max_pixel_value", 255.0);
      out = std::make_shared<Normalize>(std::move(mean), std::move(std), max_pixel, p, always);
    } else {
      args.fail("transform class '" + name +
                "' is not supported (supported: Compose, OneOf, HorizontalFlip, RandomContrast, RandomBrightness, "
                "RandomBrightnessContrast, RandomGamma, ElasticTransform, GridDistortion, OpticalDistortion, "
                "ShiftScaleRotate, Resize, Normalize)");
    }
    args.finish();
  } catch (const Error& e) {
    // Errors from the constructors do not know the file: add it once.
    const std::string msg = e.what();
    if (msg.compare(0, ctx.source.size(), ctx.source) == 0) throw;
    pn::fail(where, ": ", msg);
  }
  return out;
}

}  // namespace

TransformPtr parse_transforms(std::string_view text, std::string_view source) {
  const Context ctx{std::string(source)};
  const JsonValue root = nn::io::parse_json(text, source);
  if (root.type != Type::Object) pn::fail(source, ": the top level must be a JSON object");
  const JsonValue* transform = root.find("transform");
  if (!transform) pn::fail(source, ": missing \"transform\" (not an albumentations serialized pipeline?)");
  for (const auto& [key, value] : root.members) {
    if (key != "transform" && key != "__version__") pn::fail(source, ": unknown top-level key '", key, "'");
  }
  return build(*transform, "transform", true, ctx);
}

TransformPtr load_transforms(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  PN_CHECK(!ec, path.string(), ": cannot read the transforms file (", ec.message(), ")");
  PN_CHECK(size <= (std::uintmax_t{1} << 20), path.string(), ": a transforms file of ", size,
           " bytes is too large (at most 1 MiB)");
  std::ifstream in(path, std::ios::binary);
  PN_CHECK(in.good(), path.string(), ": cannot open the transforms file");
  std::ostringstream os;
  os << in.rdbuf();
  PN_CHECK(!in.bad(), path.string(), ": error reading the transforms file");
  return parse_transforms(os.str(), path.string());
}

}  // namespace pn::augment
