// The pipeline: the reference's JSON files load, bad files give errors naming
// the file and the node, Compose / OneOf / BasicTransform follow
// albumentations' probability rules, and results are reproducible per stream
// and independent of the channel count and of the OpenMP thread count.
#include <doctest/doctest.h>

#include <omp.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>

#include "pneumo/augment/geometric.h"
#include "pneumo/augment/intensity.h"
#include "pneumo/augment/transform_json.h"
#include "pneumo/augment/transforms.h"
#include "test_augment_util.h"

namespace pn::augment::test {
namespace {

fs::path transforms_dir() { return fs::path(PN_REFERENCE_DIR) / "transforms"; }

// Counts its applications; does not touch the sample.
class Counting final : public BasicTransform {
 public:
  Counting(double p, bool always, std::atomic<int>* counter) : BasicTransform(p, always), counter_(counter) {}
  std::string name() const override { return "Counting"; }

 protected:
  void apply(Sample&, Rng&) const override { ++*counter_; }
  std::string parameters() const override { return ""; }

 private:
  std::atomic<int>* counter_;
};

Sample gray_sample(int size = 64) {
  Sample s;
  s.image = load_image("input_gray.npy");
  s.mask = load_image("input_mask.npy");
  if (size != 64) {
    s.image = resize(s.image, size, size, Interpolation::Linear);
    s.mask = resize(s.mask, size, size, Interpolation::Nearest);
  }
  return s;
}

std::string error_of(const std::string& json) {
  try {
    parse_transforms(json, "bad.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string wrap(const std::string& inner) {
  return R"({"__version__": "0.3.1", "transform": {"__class_fullname__": "albumentations.core.composition.Compose", "p": 1.0, "transforms": [)" +
         inner + R"(], "bbox_params": {}, "keypoint_params": {}, "additional_targets": {}}})";
}

TEST_CASE("pipeline: every reference transform file loads") {
  int files = 0;
  for (const auto& entry : fs::directory_iterator(transforms_dir())) {
    if (entry.path().extension() != ".json") continue;
    INFO(entry.path().string());
    const TransformPtr t = load_transforms(entry.path());
    REQUIRE(t != nullptr);
    CHECK(t->name() == "Compose");
    ++files;
  }
  CHECK(files == 8);

  const TransformPtr train = load_transforms(transforms_dir() / "train_transforms_complex_1024.json");
  const std::string text = describe(*train);
  INFO(text);
  // The tree as the file states it, with to_tuple's ranges (scale biased by 1).
  CHECK(text.find("Compose(p=1)\n  HorizontalFlip(always_apply=false, p=0.5)\n  OneOf(p=0.3)\n"
                  "    RandomContrast(always_apply=false, p=0.5, brightness_limit=(0, 0), contrast_limit=(-0.2, 0.2))") == 0);
  CHECK(text.find("RandomGamma(always_apply=false, p=0.5, gamma_limit=(80, 120))") != std::string::npos);
  CHECK(text.find("ElasticTransform(always_apply=false, p=0.5, alpha=120, sigma=6, alpha_affine=3.6, approximate=false, "
                  "interpolation=linear, border_mode=BORDER_REFLECT_101)") != std::string::npos);
  CHECK(text.find("GridDistortion(always_apply=false, p=0.5, num_steps=5, distort_limit=(-0.3, 0.3)") != std::string::npos);
  CHECK(text.find("OpticalDistortion(always_apply=false, p=0.5, distort_limit=(-2, 2), shift_limit=(-0.5, 0.5)") != std::string::npos);
  CHECK(text.find("ShiftScaleRotate(always_apply=false, p=0.5, shift_limit=(-0.0625, 0.0625), scale=(0.9, 1.1), "
                  "rotate_limit=(-45, 45)") != std::string::npos);
  CHECK(text.find("Resize(always_apply=true, p=1, height=1024, width=1024, interpolation=linear)") != std::string::npos);
  CHECK(text.find("Normalize(always_apply=false, p=1, mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225), "
                  "max_pixel_value=255)\n") != std::string::npos);
}

TEST_CASE("pipeline: bad transform files are refused naming the file and the node") {
  using doctest::Contains;
  CHECK_THROWS_WITH(load_transforms("/nonexistent/t.json"), Contains("/nonexistent/t.json"));
  CHECK(error_of("{\"transform\": ").find("bad.json: invalid JSON") == 0);
  CHECK(error_of("[]").find("bad.json: the top level must be a JSON object") == 0);
  CHECK(error_of("{}").find("bad.json: missing \"transform\"") == 0);
  const std::string unknown = error_of(wrap(R"({"__class_fullname__": "albumentations.augmentations.transforms.Blur", "p": 0.5})"));
  CHECK(unknown.find("bad.json: transform.transforms[0] (Blur): transform class 'Blur' is not supported") == 0);
  CHECK(error_of(wrap(R"({"__class_fullname__": "my.Thing"})")).find("bad.json: transform.transforms[0]: unknown transform class 'my.Thing'") == 0);
  CHECK(error_of(wrap(R"({"__class_fullname__": "albumentations.augmentations.transforms.HorizontalFlip", "p": 0.5, "probability": 1})"))
            .find("bad.json: transform.transforms[0] (HorizontalFlip): unknown argument 'probability'") == 0);
  CHECK(error_of(wrap(R"({"__class_fullname__": "albumentations.augmentations.transforms.HorizontalFlip", "p": 1.5})"))
            .find("(HorizontalFlip): p must be in [0, 1], got 1.5") != std::string::npos);
  CHECK(error_of(wrap(R"({"__class_fullname__": "albumentations.augmentations.transforms.ShiftScaleRotate", "interpolation": 2})"))
            .find("(ShiftScaleRotate): interpolation 2 is not supported") != std::string::npos);
  CHECK(error_of(wrap(R"({"__class_fullname__": "albumentations.augmentations.transforms.GridDistortion", "border_mode": 5})"))
            .find("(GridDistortion): border_mode 5 is not supported") != std::string::npos);
  CHECK(error_of(wrap(R"({"__class_fullname__": "albumentations.augmentations.transforms.RandomContrast", "limit": [0.2, -0.2]})"))
            .find("(RandomContrast): argument 'limit' is an empty range") != std::string::npos);
  CHECK(error_of(wrap(R"({"__class_fullname__": "albumentations.augmentations.transforms.RandomGamma", "gamma_limit": 80})"))
            .find("(RandomGamma): gamma_limit must be a list of two integers") != std::string::npos);
  CHECK(error_of(wrap(R"({"__class_fullname__": "albumentations.augmentations.transforms.ElasticTransform", "alpha": "big"})"))
            .find("(ElasticTransform): argument 'alpha' must be a number, got a string") != std::string::npos);
  CHECK(error_of(wrap(R"({"__class_fullname__": "albumentations.augmentations.transforms.ShiftScaleRotate", "scale_limit": [-1.5, 0.1]})"))
            .find("(ShiftScaleRotate): ShiftScaleRotate: the scale range") != std::string::npos);
  CHECK(error_of(wrap(R"({"__class_fullname__": "albumentations.augmentations.transforms.Resize", "height": 0, "width": 5})"))
            .find("(Resize): height and width must be >= 1") != std::string::npos);
  // Nested: the path of the node inside the OneOf.
  CHECK(error_of(wrap(R"({"__class_fullname__": "albumentations.core.composition.OneOf", "p": 0.3, "transforms": [
           {"__class_fullname__": "albumentations.augmentations.transforms.RandomGamma", "p": 0.5},
           {"__class_fullname__": "albumentations.augmentations.transforms.RandomContrast", "limt": 0.2}]})"))
            .find("bad.json: transform.transforms[0].transforms[1] (RandomContrast): unknown argument 'limt'") == 0);
  CHECK(error_of(wrap(R"({"__class_fullname__": "albumentations.core.composition.OneOf", "transforms": []})"))
            .find("(OneOf): OneOf: needs at least one transform") != std::string::npos);
  // Normalize must come last.
  CHECK(error_of(wrap(R"({"__class_fullname__": "albumentations.augmentations.transforms.Normalize"},
                         {"__class_fullname__": "albumentations.augmentations.transforms.HorizontalFlip"})"))
            .find("transform.transforms[0] (Normalize): Normalize must be the last transform") != std::string::npos);
  const std::string bbox = R"({"transform": {"__class_fullname__": "albumentations.core.composition.Compose", "transforms": [], "bbox_params": {"format": "coco"}}})";
  CHECK(error_of(bbox).find("bbox_params is not supported") != std::string::npos);
  // A minimal file with defaults loads.
  CHECK_NOTHROW(parse_transforms(wrap(R"({"__class_fullname__": "albumentations.augmentations.transforms.ShiftScaleRotate"})"), "ok.json"));
}

TEST_CASE("pipeline: probability rules of BasicTransform, Compose and OneOf") {
  constexpr int kRuns = 4000;
  Sample s;
  s.image = Image(4, 4, 1, 0);
  std::atomic<int> a{0}, b{0}, c{0}, always{0};

  SUBCASE("a transform runs with probability p, always_apply and force make it run") {
    Counting half(0.3, false, &a), forced(0.0, false, &b), always_on(0.0, true, &c);
    Rng rng(1);
    for (int i = 0; i < kRuns; ++i) {
      half(s, rng);
      forced(s, rng, true);
      always_on(s, rng);
    }
    CHECK(std::abs(a.load() - 0.3 * kRuns) < 4 * std::sqrt(kRuns * 0.3 * 0.7));
    CHECK(b.load() == kRuns);
    CHECK(c.load() == kRuns);
  }
  SUBCASE("OneOf picks one child in proportion to the children's p, and forces it") {
    auto ta = std::make_shared<Counting>(0.5, false, &a);
    auto tb = std::make_shared<Counting>(0.5, false, &b);
    auto tc = std::make_shared<Counting>(0.0, false, &c);   // p 0: never chosen
    auto td = std::make_shared<Counting>(1.0, false, &always);
    OneOf one({ta, tb, tc, td}, 0.3);
    Rng rng(2);
    for (int i = 0; i < kRuns; ++i) one(s, rng);
    const int total = a + b + c + always;
    CHECK(std::abs(total - 0.3 * kRuns) < 4 * std::sqrt(kRuns * 0.3 * 0.7));
    CHECK(c.load() == 0);
    // td has twice the weight of ta and tb: 1/2 of the choices against 1/4 each.
    CHECK(std::abs(always.load() - total / 2.0) < 4 * std::sqrt(total * 0.25));
    CHECK(std::abs(a.load() - total / 4.0) < 4 * std::sqrt(total * 0.1875));
  }
  SUBCASE("a Compose that does not run still runs its always_apply transforms, inside OneOf too") {
    auto never = std::make_shared<Counting>(1.0, false, &a);
    auto inner_always = std::make_shared<Counting>(0.0, true, &b);
    auto one = std::make_shared<OneOf>(std::vector<TransformPtr>{std::make_shared<Counting>(1.0, false, &c), inner_always}, 0.0);
    Compose off({never, one}, 0.0);
    Rng rng(3);
    for (int i = 0; i < 100; ++i) off(s, rng);
    CHECK(a.load() == 0);
    CHECK(c.load() == 0);
    CHECK(b.load() == 100);
    // Forced, the Compose runs everything: its children forced too.
    Compose forced({never}, 0.0);
    forced(s, rng, true);
    CHECK(a.load() == 1);
  }
}

TEST_CASE("pipeline: a stream gives the same sample, other streams other samples") {
  const TransformPtr train = load_transforms(transforms_dir() / "train_transforms_complex_512.json");
  // The 512 pipeline ends in Resize(512): a 64-pixel input comes out at 512.
  Sample first = gray_sample(), again = gray_sample(), other = gray_sample();
  Rng r1 = Rng::for_sample(7, 0, 3), r2 = Rng::for_sample(7, 0, 3), r3 = Rng::for_sample(7, 1, 3);
  (*train)(first, r1);
  (*train)(again, r2);
  (*train)(other, r3);
  REQUIRE(first.normalized.has_value());
  CHECK(first.image.width == 512);
  CHECK(first.mask.width == 512);
  CHECK(first.normalized->channels == 3);
  CHECK(first.image == again.image);
  CHECK(first.mask == again.mask);
  CHECK(first.normalized->data == again.normalized->data);
  CHECK(r1.counter() == r2.counter());

  // Over many streams every branch of the tree is taken and the outputs differ.
  int flips_differ = 0;
  for (std::uint64_t i = 0; i < 20; ++i) {
    Sample a = gray_sample(), b = gray_sample();
    Rng ra = Rng::for_sample(7, 0, i), rb = Rng::for_sample(7, 0, i + 100);
    (*train)(a, ra);
    (*train)(b, rb);
    flips_differ += a.image != b.image;
  }
  CHECK(flips_differ >= 18);
}

TEST_CASE("pipeline: a 3-channel copy of a gray image gives 3 copies of the gray result") {
  // The loader augments the gray PNG once instead of cv2's 3 equal channels.
  const TransformPtr train = load_transforms(transforms_dir() / "train_transforms_complex_512.json");
  for (std::uint64_t i = 0; i < 12; ++i) {
    Sample gray = gray_sample(), rgb = gray_sample();
    rgb.image = replicate_channels(rgb.image, 3);
    Rng a = Rng::for_sample(11, 2, i), b = Rng::for_sample(11, 2, i);
    (*train)(gray, a);
    (*train)(rgb, b);
    INFO("sample ", i);
    CHECK(replicate_channels(gray.image, 3) == rgb.image);
    CHECK(gray.mask == rgb.mask);
    CHECK(gray.normalized->data == rgb.normalized->data);
  }
}

TEST_CASE("pipeline: results do not depend on the number of OpenMP threads") {
  Sample base = gray_sample(256);
  ElasticParams ep{120, 6, 3.6, false};
  Rng r(5);
  const ElasticNoise noise = draw_elastic_noise(r, 256, 256, ep.alpha_affine);
  const int before = omp_get_max_threads();
  auto run = [&] {
    std::vector<Image> out;
    const ElasticWarp w = elastic_warp(256, 256, ep, noise);
    out.push_back(apply_elastic(base.image, w, Interpolation::Linear, {}));
    out.push_back(shift_scale_rotate(base.image, 20, 1.1, 0.05, 0.02, Interpolation::Linear, {}));
    out.push_back(resize(base.image, 200, 300, Interpolation::Linear));
    out.push_back(optical_distortion(base.image, 0.7, 0, 0, Interpolation::Linear, {}));
    Rng g(9);
    std::vector<double> field(100001);
    g.fill_uniform(field.data(), field.size());
    Image f(100001, 1, 1);
    for (std::size_t i = 0; i < field.size(); ++i) f.data[i] = static_cast<std::uint8_t>(field[i] * 256);
    out.push_back(f);
    return out;
  };
  omp_set_num_threads(1);
  const auto one = run();
  omp_set_num_threads(3);
  const auto three = run();
  omp_set_num_threads(before);
  REQUIRE(one.size() == three.size());
  for (std::size_t i = 0; i < one.size(); ++i) CHECK(one[i] == three[i]);
}

TEST_CASE("pipeline: transforms refuse samples that do not fit") {
  Rng rng(1);
  Sample s = gray_sample();
  s.mask = Image(10, 10, 1, 0);
  HorizontalFlip flip(1.0);
  CHECK_THROWS_WITH(flip(s, rng), doctest::Contains("HorizontalFlip: the mask (10x10x1) must be one channel of the image's size (64x64)"));
  Sample n = gray_sample();
  Normalize norm({0.5}, {0.25});
  norm(n, rng);
  REQUIRE(n.normalized.has_value());
  CHECK_THROWS_WITH(flip(n, rng), doctest::Contains("HorizontalFlip: the image was already normalised"));
}

}  // namespace
}  // namespace pn::augment::test
