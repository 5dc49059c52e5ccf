#pragma once
// A small, complete training run on generated data: a three-layer conv net
// learns to segment bright discs in noisy images. It exercises the whole
// framework (tensors, conv2d, relu, BCE, the tape, an SGD update) in seconds.
#include <cstdint>
#include <ostream>

namespace pn::apps {

struct ToyOptions {
  int64_t steps = 150;
  int64_t batch = 8;
  int64_t size = 32;  // image side in pixels
  double lr = 0.5;
  uint64_t seed = 1;
};

struct ToyResult {
  double first_loss = 0;
  double last_loss = 0;
  double dice = 0;  // Dice of the thresholded prediction on a fresh batch
};

// Trains and prints the loss every few steps to `log`.
ToyResult train_toy_segmentation(const ToyOptions& options, std::ostream& log);

}  // namespace pn::apps
