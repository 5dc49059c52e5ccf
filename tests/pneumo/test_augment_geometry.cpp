// Geometry stays aligned: for every geometric augmentation a marked disc
// lands in the same place in the image (its interpolation) and in the mask
// (nearest neighbour), and where the transform's formula says it should.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>

#include "pneumo/augment/geometric.h"
#include "pneumo/augment/transforms.h"
#include "test_augment_util.h"

namespace pn::augment::test {
namespace {

constexpr int kSize = 128;

// Image and mask centroids of a disc after `t`, which must leave the disc
// (mostly) inside the picture.
void check_aligned(const Transform& t, std::uint64_t seed, double cx, double cy, int channels = 1) {
  Sample s = disc_sample(kSize, kSize, cx, cy, 9, channels);
  Rng rng(seed);
  t(s, rng, true);
  const Centroid ci = centroid(s.image), cm = centroid(s.mask);
  INFO(t.name(), " seed ", seed, ": image centroid (", ci.x, ", ", ci.y, ") of ", ci.count, ", mask (", cm.x, ", ",
       cm.y, ") of ", cm.count);
  REQUIRE(cm.count > 20);
  REQUIRE(ci.count > 20);
  CHECK(std::abs(ci.x - cm.x) < 1.0);
  CHECK(std::abs(ci.y - cm.y) < 1.0);
  // Same area within the interpolation's blur of the edge.
  CHECK(std::abs(double(ci.count) - double(cm.count)) < 0.25 * double(cm.count));
  if (channels == 3) {
    for (int y = 0; y < s.image.height; ++y) {
      for (int x = 0; x < s.image.width; ++x) {
        REQUIRE(s.image.at(x, y, 1) == s.image.at(x, y, 0));
        REQUIRE(s.image.at(x, y, 2) == s.image.at(x, y, 0));
      }
    }
  }
}

Sampling reflect() { return {}; }

TEST_CASE("geometry: HorizontalFlip mirrors the disc in image and mask") {
  HorizontalFlip flip(1.0);
  Sample s = disc_sample(kSize, kSize, 30, 50, 6);
  Rng rng(1);
  flip(s, rng);
  const Centroid ci = centroid(s.image), cm = centroid(s.mask);
  CHECK(ci.x == doctest::Approx(kSize - 1 - 30));
  CHECK(cm.x == doctest::Approx(kSize - 1 - 30));
  CHECK(ci.y == doctest::Approx(50));
  check_aligned(flip, 2, 40, 70, 3);
}

TEST_CASE("geometry: ShiftScaleRotate moves the disc where its matrix says, in image and mask") {
  // A fixed transform: the disc's centre goes to M * (cx, cy).
  const double angle = 30, scale = 1.1, dx = 0.05, dy = -0.03;
  const Affine m = shift_scale_rotate_matrix(kSize, kSize, angle, scale, dx, dy);
  Sample s = disc_sample(kSize, kSize, 50, 60, 6);
  const Image img = shift_scale_rotate(s.image, angle, scale, dx, dy, Interpolation::Linear, {});
  const Image msk = shift_scale_rotate(s.mask, angle, scale, dx, dy, Interpolation::Nearest, {});
  const double ex = m[0] * 50 + m[1] * 60 + m[2], ey = m[3] * 50 + m[4] * 60 + m[5];
  // cv2's positive angle turns counter-clockwise on screen (y down): the
  // point right of the centre moves up.
  const Affine quarter = shift_scale_rotate_matrix(kSize, kSize, 90, 1, 0, 0);
  CHECK(quarter[0] * 100 + quarter[1] * 64 + quarter[2] == doctest::Approx(64));
  CHECK(quarter[3] * 100 + quarter[4] * 64 + quarter[5] == doctest::Approx(64 - 36));
  const Centroid ci = centroid(img), cm = centroid(msk);
  CHECK(ci.x == doctest::Approx(ex).epsilon(0.01));
  CHECK(ci.y == doctest::Approx(ey).epsilon(0.01));
  CHECK(cm.x == doctest::Approx(ex).epsilon(0.01));
  CHECK(cm.y == doctest::Approx(ey).epsilon(0.01));

  // Random parameters from the transform.
  ShiftScaleRotate t({-0.0625, 0.0625}, {0.9, 1.1}, {-45, 45}, reflect(), 1.0);
  for (std::uint64_t seed = 0; seed < 8; ++seed) check_aligned(t, seed, 64, 64);
  check_aligned(t, 99, 60, 70, 3);
}

TEST_CASE("geometry: OpticalDistortion keeps the centre and moves the disc alike in image and mask") {
  // The distortion is radial about ((w - 1) / 2, (h - 1) / 2) (OpenCV's default
  // new camera), which samples the principal point (w / 2, h / 2): a half-pixel
  // shift that albumentations has too.  Pixel (64, 64) is half a pixel from
  // that centre, where the distortion is negligible: it samples (64.5, 64.5).
  const Maps maps = optical_distortion_maps(kSize, kSize, 1.5, 0, 0);
  const std::size_t centre = static_cast<std::size_t>(kSize / 2) * kSize + kSize / 2;
  CHECK(maps.x[centre] == doctest::Approx(64.5).epsilon(1e-4));
  CHECK(maps.y[centre] == doctest::Approx(64.5).epsilon(1e-4));
  // Far from the centre a positive k samples further out (barrel): pixel 0 of
  // the middle row samples left of 0.
  CHECK(maps.x[static_cast<std::size_t>(kSize / 2) * kSize] < -1.0);
  OpticalDistortion t({-2, 2}, {-0.5, 0.5}, reflect(), 1.0);
  for (std::uint64_t seed = 0; seed < 8; ++seed) check_aligned(t, seed, 54, 60);
  check_aligned(t, 17, 70, 58, 3);
}

TEST_CASE("geometry: GridDistortion moves the disc alike in image and mask") {
  GridDistortion t(5, {-0.3, 0.3}, reflect(), 1.0);
  for (std::uint64_t seed = 0; seed < 8; ++seed) check_aligned(t, seed, 64, 64);
  // Steps of 1 are not the identity in albumentations 0.3.1: each cell of
  // 25 pixels is np.linspace(start, start + 25, 25), endpoint included, so it
  // stretches by 25/24; the last partial cell (125..127) ends at 128.
  std::vector<double> ones(6, 1.0);
  const Maps m = grid_distortion_maps(kSize, kSize, 5, ones, ones);
  CHECK(m.x[0] == 0.f);
  CHECK(m.x[24] == 25.f);
  CHECK(m.x[25] == 25.f);
  CHECK(m.x[12] == doctest::Approx(12.5));
  CHECK(m.x[kSize - 1] == float(kSize));
  CHECK(m.y[static_cast<std::size_t>(24) * kSize + 7] == 25.f);
}

TEST_CASE("geometry: ElasticTransform moves the disc alike in image and mask") {
  ElasticTransform t({120, 6, 3.6, false}, reflect(), 1.0);
  for (std::uint64_t seed = 0; seed < 6; ++seed) check_aligned(t, seed, 64, 64);
  ElasticTransform approx({120, 6, 3.6, true}, reflect(), 1.0);
  check_aligned(approx, 3, 60, 66, 3);
  // No displacement and no affine: the identity.
  Sample s = disc_sample(kSize, kSize, 40, 80, 6);
  ElasticNoise still;
  still.field_x.assign(kSize * kSize, 0.5);
  still.field_y.assign(kSize * kSize, 0.5);
  CHECK(elastic_transform(s.image, {120, 6, 0, false}, still, Interpolation::Linear, {}) == s.image);
}

TEST_CASE("geometry: Resize scales the disc's position with pixel centres aligned") {
  Resize t(96, 160, Interpolation::Linear, 1.0);
  Sample s = disc_sample(kSize, kSize, 40, 80, 8);
  Rng rng(1);
  t(s, rng);
  REQUIRE(s.image.width == 160);
  REQUIRE(s.mask.height == 96);
  const Centroid ci = centroid(s.image), cm = centroid(s.mask);
  CHECK(ci.x == doctest::Approx((40 + 0.5) * 160.0 / kSize - 0.5).epsilon(0.02));
  CHECK(ci.y == doctest::Approx((80 + 0.5) * 96.0 / kSize - 0.5).epsilon(0.02));
  CHECK(std::abs(ci.x - cm.x) < 1.0);
  CHECK(std::abs(ci.y - cm.y) < 1.0);
}

TEST_CASE("geometry: masks stay binary through every geometric transform") {
  const std::vector<std::shared_ptr<Transform>> all = {
      std::make_shared<HorizontalFlip>(1.0),
      std::make_shared<ShiftScaleRotate>(Range{-0.0625, 0.0625}, Range{0.9, 1.1}, Range{-45, 45}, reflect(), 1.0),
      std::make_shared<OpticalDistortion>(Range{-2, 2}, Range{-0.5, 0.5}, reflect(), 1.0),
      std::make_shared<GridDistortion>(5, Range{-0.3, 0.3}, reflect(), 1.0),
      std::make_shared<ElasticTransform>(ElasticParams{120, 6, 3.6, false}, reflect(), 1.0),
      std::make_shared<Resize>(100, 90, Interpolation::Linear, 1.0)};
  for (const auto& t : all) {
    Sample s = disc_sample(kSize, kSize, 64, 64, 20);
    Rng rng(4);
    (*t)(s, rng);
    INFO(t->name());
    for (std::uint8_t v : s.mask.data) REQUIRE((v == 0 || v == 255));
  }
}

}  // namespace
}  // namespace pn::augment::test
