// The validation metric: triplet binarization and dice_metric per batch.
#include <doctest/doctest.h>

#include "pneumo/train/triplet_metrics.h"
#include "tensor/tensor.h"

using namespace pn;
using train::Triplet;
using train::TripletMetrics;

namespace {

// [B, 1, 2, 4] from rows of 8 values per image.
Tensor batch(const std::vector<std::vector<float>>& images) {
  std::vector<float> flat;
  for (const auto& im : images) flat.insert(flat.end(), im.begin(), im.end());
  return from_vector(flat, {static_cast<int64_t>(images.size()), 1, 2, 4});
}

}  // namespace

TEST_CASE("triplet metrics: binarization by top/area/bottom and per-image dice") {
  Tensor probs = batch({{0.9f, 0.8f, 0.5f, 0.1f, 0.0f, 0.0f, 0.0f, 0.0f},    // 2 above 0.75, 3 above 0.3
                        {0.2f, 0.35f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f}});  // none above 0.75
  Tensor truth = batch({{1, 1, 0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 0, 0, 0}});
  const double eps = 1e-6;
  // (0.75, 2, 0.3): image 0 keeps p > 0.3 = 3 pixels, 2 of them true (truth 3):
  // dice (4 + eps) / (6 + eps); image 1 has 0 confident pixels < 2: empty, truth empty: 1.
  Triplet a{0.75, 2, 0.3, "(0.75, 2, 0.3)"};
  CHECK(TripletMetrics::batch_metric(probs, truth, a, true) == doctest::Approx(((4 + eps) / (6 + eps) + 1) / 2));
  // (0.75, 3, 0.3): image 0 has only 2 confident pixels: emptied, dice eps / (3 + eps).
  Triplet b{0.75, 3, 0.3, "(0.75, 3, 0.3)"};
  CHECK(TripletMetrics::batch_metric(probs, truth, b, true) == doctest::Approx((eps / (3 + eps) + 1) / 2));
  // (0.1, 0, 0.3): image 1's 0.35 pixel is kept, truth empty: eps / (1 + eps).
  Triplet c{0.1, 0, 0.3, "(0.1, 0, 0.3)"};
  CHECK(TripletMetrics::batch_metric(probs, truth, c, true) ==
        doctest::Approx(((4 + eps) / (6 + eps) + eps / (1 + eps)) / 2));
  // Not per image: the batch is one image: (2*2 + eps) / (3 + 1 + 3 + eps).
  CHECK(TripletMetrics::batch_metric(probs, truth, c, false) == doctest::Approx((4 + eps) / (7 + eps)));

  // The running mean over batches weighs every batch the same, and the best
  // triplet is the first maximum.
  TripletMetrics m({a, b, c}, true);
  m.add_batch(probs, truth);
  Tensor probs1 = batch({{0, 0, 0, 0, 0, 0, 0, 0}});
  Tensor truth1 = batch({{0, 0, 0, 0, 0, 0, 0, 0}});
  m.add_batch(probs1, truth1);
  CHECK(m.batches() == 2);
  CHECK(m.means()[0] == doctest::Approx((((4 + eps) / (6 + eps) + 1) / 2 + 1) / 2));
  CHECK(m.best() == 0);
  CHECK(m.best_metric() == m.means()[0]);
  TripletMetrics tie({b, a}, true);
  tie.add_batch(probs1, truth1);
  CHECK(tie.best() == 0);  // both 1: the first listed

  CHECK_THROWS_WITH_AS(TripletMetrics::batch_metric(probs, batch({{0, 0, 0, 0, 0, 0, 0, 0}}), a, true),
                       doctest::Contains("[B, 1, H, W]"), Error);
}
