#pragma once
// The parallel batch loader: worker threads read, decode, augment and collate
// batches ahead of the training step, in a bounded queue.
//
//   Loader loader(dataset, sampler.next_epoch(), seed, epoch, {.batch_size = 2, .workers = 4});
//   while (auto batch = loader.next()) { ... batch->images, batch->masks ... }
//
// Determinism: the sample at position k of the epoch's order is augmented
// with the stream augment::Rng::for_sample(seed, epoch, k), whichever worker
// builds it and in whatever order the workers run, and batches come out in
// order: the same (dataset, order, seed, epoch) give the same batches for any
// number of workers (0 included: the consumer's thread builds them).
//
// Tensors (float32, CPU):
//   images [B, C, H, W]: the sample's Normalize output if the pipeline has one,
//          else pixel / 255 (albumentations.pytorch's ToTensor), with a gray
//          image's channel repeated to C = image_channels planes (cv2.imread's
//          3 equal channels);
//   masks  [B, 1, H, W]: mask / 255; undefined for a test split.
// Every sample of a batch must come out of the pipeline at the same size.
//
// Errors: a worker's failure (an unreadable PNG, a transform's error) reaches
// the consumer as a pn::Error from next() for the batch it belongs to, naming
// the file; the loader then stops and every later next() throws it again.
// The destructor stops the workers and joins them (a batch being built is
// finished first).
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "pneumo/loader/dataset.h"
#include "tensor/tensor.h"

namespace pn::loader {

struct LoaderOptions {
  std::size_t batch_size = 2;
  // Worker threads; 0 builds each batch in next() on the caller's thread.
  int workers = 2;
  // Batches built or being built ahead of the consumer (>= 1); 0 means
  // 2 * workers (at least 1).
  std::size_t prefetch = 0;
  // Drop a last batch smaller than batch_size (PyTorch's drop_last).
  bool drop_last = false;
  // Planes of the image tensor made from a gray image without Normalize.
  int image_channels = 3;
  // OpenMP threads each worker's transforms may use (set per worker thread);
  // 1 keeps workers from oversubscribing the cores.
  int threads_per_worker = 1;
};

struct Batch {
  std::size_t index = 0;                 // the batch's number in the epoch
  Tensor images;                         // [B, C, H, W] float32
  Tensor masks;                          // [B, 1, H, W] float32; undefined for test
  std::vector<std::size_t> items;        // dataset indices
  std::vector<std::string> ids;          // image ids ("ID" of "ID.png")
};

// The number of worker threads to use: `requested` when >= 0 (an explicit
// choice), else `configured` (a configuration's WORKERS) capped at the
// machine's cores, since more threads than cores only compete.
int worker_count(int requested, int configured);

// Collates samples (as PneumoDataset::load returns them) into a Batch.
// Requires at least one sample and the same size for all; `names` name them
// in errors.  has_masks: the masks tensor is made (every sample needs a mask).
Batch collate(const std::vector<augment::Sample>& samples, const std::vector<std::string>& names, bool has_masks,
              int image_channels);

class Loader {
 public:
  // Iterates `order` (dataset indices, e.g. PneumoSampler::next_epoch() or
  // 0 .. size-1 for validation) in batches of options.batch_size.
  Loader(std::shared_ptr<const PneumoDataset> dataset, std::vector<std::size_t> order, std::uint64_t seed,
         std::int64_t epoch, LoaderOptions options = {});
  ~Loader();
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  std::size_t num_batches() const { return num_batches_; }
  // The next batch in order, or nullopt after the last.  Throws pn::Error
  // when building the batch failed (see above).
  std::optional<Batch> next();

 private:
  Batch build(std::size_t b) const;
  void work();

  std::shared_ptr<const PneumoDataset> dataset_;
  std::vector<std::size_t> order_;
  std::uint64_t seed_;
  std::int64_t epoch_;
  LoaderOptions options_;
  std::size_t num_batches_ = 0;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t next_to_build_ = 0;    // the next batch a worker takes
  std::size_t next_to_return_ = 0;   // the next batch next() returns
  std::map<std::size_t, Batch> ready_;
  std::exception_ptr error_;         // the first failure, in batch order
  std::size_t error_batch_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace pn::loader
