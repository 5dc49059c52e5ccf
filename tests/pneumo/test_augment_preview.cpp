// The core of `pneumo augment`: K augmented samples written as PNGs.
#include <doctest/doctest.h>

#include "data_test_util.h"
#include "pneumo/augment/preview.h"
#include "pneumo/augment/transform_json.h"
#include "pneumo/data/png.h"
#include "test_augment_util.h"

namespace pn::augment::test {
namespace {

using data::test::TempDir;

TEST_CASE("preview: writes image, mask and overlay per sample, the same for the same seed") {
  TempDir dir;
  const Image gray = load_image("input_gray.npy"), mask = load_image("input_mask.npy");
  data::write_png(dir / "x.png", to_gray(gray));
  data::write_png(dir / "x_mask.png", to_gray(mask));
  PreviewOptions o;
  o.transforms = fs::path(PN_REFERENCE_DIR) / "transforms" / "train_transforms_complex_512.json";
  o.image = dir / "x.png";
  o.mask = dir / "x_mask.png";
  o.seed = 3;
  o.count = 3;
  o.out_dir = dir / "out";
  const PreviewReport r = write_augmented_samples(o);
  REQUIRE(r.written.size() == 1 + 3 * 3);
  CHECK(r.pipeline.find("ElasticTransform") != std::string::npos);
  CHECK(fs::exists(dir / "out" / "pipeline.txt"));
  const data::GrayImage img = data::read_png(dir / "out" / "sample_002_image.png");
  const data::GrayImage msk = data::read_png(dir / "out" / "sample_002_mask.png");
  CHECK(img.width == 512);
  CHECK(msk.width == 512);
  // The overlay is RGB: stb reads it back as gray (77 R + 150 G + 29 B) >> 8,
  // which differs from the image exactly where the mask is (the red tint).
  const data::GrayImage ov = data::read_png(dir / "out" / "sample_002_overlay.png");
  std::size_t tinted = 0, masked = 0;
  for (std::size_t i = 0; i < ov.pixels.size(); ++i) {
    masked += msk.pixels[i] > 127;
    tinted += ov.pixels[i] != img.pixels[i];
  }
  CHECK(masked > 1000);
  CHECK(tinted > masked / 2);
  CHECK(tinted <= masked);
  // The sample is the loader's sample 2 of epoch 0 with seed 3.
  const TransformPtr t = load_transforms(o.transforms);
  Sample s;
  s.image = gray;
  s.mask = mask;
  Rng rng = Rng::for_sample(3, 0, 2);
  (*t)(s, rng);
  CHECK(to_gray(s.image) == img);
  CHECK(to_gray(s.mask) == msk);

  o.out_dir = dir / "again";
  write_augmented_samples(o);
  CHECK(data::test::read_bytes(dir / "again" / "sample_001_overlay.png") ==
        data::test::read_bytes(dir / "out" / "sample_001_overlay.png"));
}

TEST_CASE("preview: errors name the file") {
  TempDir dir;
  data::write_png(dir / "x.png", data::GrayImage(20, 20, 9));
  data::write_png(dir / "m.png", data::GrayImage(10, 20, 0));
  PreviewOptions o;
  o.transforms = fs::path(PN_REFERENCE_DIR) / "transforms" / "valid_transforms_512.json";
  o.image = dir / "x.png";
  o.out_dir = dir / "out";
  o.count = 0;
  CHECK_THROWS_WITH(write_augmented_samples(o), doctest::Contains("count must be >= 1"));
  o.count = 1;
  o.mask = dir / "m.png";
  CHECK_THROWS_WITH(write_augmented_samples(o), doctest::Contains("m.png: the mask is 10x20"));
  o.mask.reset();
  o.image = dir / "missing.png";
  CHECK_THROWS_WITH(write_augmented_samples(o), doctest::Contains("missing.png"));
  o.image = dir / "x.png";
  o.transforms = dir / "none.json";
  CHECK_THROWS_WITH(write_augmented_samples(o), doctest::Contains("none.json"));
}

}  // namespace
}  // namespace pn::augment::test
