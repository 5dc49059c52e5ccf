// Our augmentations against albumentations 0.3.1 itself: every case of
// tests/data/augment/manifest.json (tests/reference/make_augment_reference.py)
// is an operation with fixed parameters on a committed input; ours must give
// the same output.
//
// Every case must be bit-exact.  The cases the manifest marks "maps"
// (OpticalDistortion, ElasticTransform) are those whose float maps come from
// double arithmetic that OpenCV and numpy may carry out differently in the
// last bits (a vectorised loop, another exp()): a map value pushed across a
// 1/32-pixel rounding boundary would change a pixel there.  On the committed
// cases that never happens; should another platform's libm differ, the
// failure says how many values differ and by how much.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "pneumo/augment/geometric.h"
#include "pneumo/augment/intensity.h"
#include "pneumo/augment/warp.h"
#include "test_augment_util.h"

namespace pn::augment::test {
namespace {

using nn::io::JsonValue;

double param(const JsonValue& params, const char* key, double fallback) {
  const JsonValue* v = params.find(key);
  return v ? json_number(*v) : fallback;
}

bool flag(const JsonValue& params, const char* key) {
  const JsonValue* v = params.find(key);
  return v && v->type == JsonValue::Type::Bool && v->boolean;
}

// Runs one uint8 -> uint8 case with our code.
Image run_case(const std::string& op, const JsonValue& p, const Image& in) {
  const bool is_mask = flag(p, "is_mask");
  const Interpolation interp = is_mask ? Interpolation::Nearest : Interpolation::Linear;
  Border border;
  border.mode = static_cast<BorderMode>(static_cast<int>(param(p, "border_mode", 4)));
  border.value.fill(0);
  border.value[0] = param(p, "value", 0);  // a scalar borderValue is Scalar(v, 0, 0, 0) in cv2
  if (op == "hflip") return hflip(in);
  if (op == "brightness_contrast") return brightness_contrast(in, param(p, "alpha", 1), param(p, "beta", 0));
  if (op == "gamma") return gamma_transform(in, param(p, "gamma", 1));
  if (op == "shift_scale_rotate") {
    return shift_scale_rotate(in, param(p, "angle", 0), param(p, "scale", 1), param(p, "dx", 0), param(p, "dy", 0),
                              interp, border);
  }
  if (op == "optical_distortion") {
    return optical_distortion(in, param(p, "k", 0), param(p, "dx", 0), param(p, "dy", 0), interp, border);
  }
  if (op == "grid_distortion") {
    return grid_distortion(in, static_cast<int>(param(p, "num_steps", 5)), json_numbers(member(p, "stepsx")),
                           json_numbers(member(p, "stepsy")), interp, border);
  }
  if (op == "elastic_transform") {
    ElasticParams ep;
    ep.alpha = param(p, "alpha", 1);
    ep.sigma = param(p, "sigma", 50);
    ep.alpha_affine = param(p, "alpha_affine", 50);
    ep.approximate = flag(p, "approximate");
    // The reference's noise: numpy's RandomState(random_state), drawn in
    // elastic_transform's order.
    NumpyRandomState rs(static_cast<std::uint32_t>(param(p, "random_state", 0)));
    ElasticNoise noise;
    for (double& v : noise.affine) v = rs.uniform(-ep.alpha_affine, ep.alpha_affine);
    const std::size_t n = static_cast<std::size_t>(in.width) * static_cast<std::size_t>(in.height);
    noise.field_x.resize(n);
    noise.field_y.resize(n);
    for (double& v : noise.field_x) v = rs.rand();
    for (double& v : noise.field_y) v = rs.rand();
    return elastic_transform(in, ep, noise, interp, border);
  }
  if (op == "resize") {
    return resize(in, static_cast<int>(param(p, "width", 0)), static_cast<int>(param(p, "height", 0)), interp);
  }
  FAIL("unknown op ", op);
  return {};
}

TEST_CASE("augment reference: numpy's RandomState is reproduced for the elastic noise") {
  const JsonValue manifest = read_manifest();
  const JsonValue& check = member(manifest, "random_state_check");
  NumpyRandomState rs(static_cast<std::uint32_t>(json_number(member(check, "seed"))));
  for (double expected : json_numbers(member(check, "uniform"))) CHECK(rs.uniform(-3.6, 3.6) == expected);
  for (double expected : json_numbers(member(check, "rand"))) CHECK(rs.rand() == expected);
}

TEST_CASE("augment reference: every case of the manifest matches albumentations 0.3.1") {
  const JsonValue manifest = read_manifest();
  const JsonValue& cases = member(manifest, "cases");
  REQUIRE(cases.items.size() >= 60);
  for (const JsonValue& c : cases.items) {
    const std::string name = member(c, "name").text, op = member(c, "op").text;
    const JsonValue& p = member(c, "params");
    INFO("case ", name);
    const Image in = load_image(member(c, "input").text);
    const Npy expected = read_npy(augment_dir() / member(c, "output").text);

    if (op == "normalize" || op == "to_tensor") {
      PlanarImage ours;
      if (op == "normalize") {
        ours = normalize(in, json_numbers(member(p, "mean")), json_numbers(member(p, "std")),
                         param(p, "max_pixel_value", 255));
      } else {
        ours = to_unit_float(in, 3);
      }
      // normalize's reference is HWC (numpy), to_tensor's CHW.
      REQUIRE(expected.values.size() == ours.data.size());
      std::size_t bad = 0;
      for (int c3 = 0; c3 < ours.channels; ++c3) {
        for (int y = 0; y < ours.height; ++y) {
          for (int x = 0; x < ours.width; ++x) {
            const std::size_t i = op == "normalize"
                                      ? (static_cast<std::size_t>(y) * static_cast<std::size_t>(ours.width) + static_cast<std::size_t>(x)) * 3 + static_cast<std::size_t>(c3)
                                      : (static_cast<std::size_t>(c3) * static_cast<std::size_t>(ours.height) + static_cast<std::size_t>(y)) * static_cast<std::size_t>(ours.width) + static_cast<std::size_t>(x);
            if (static_cast<double>(ours.at(x, y, c3)) != expected.values[i]) ++bad;
          }
        }
      }
      CHECK(bad == 0);
      continue;
    }

    const Image want = npy_image(expected);
    const Image ours = run_case(op, p, in);
    const Diff d = diff(ours, want);
    CHECK_MESSAGE(d.count == 0, d.count, " of ", want.data.size(), " values differ, by up to ", d.max,
                  c.find("tolerance") ? " (float maps: see the note at the top)" : "");
  }
}

}  // namespace
}  // namespace pn::augment::test
