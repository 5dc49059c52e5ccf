#include "pneumo/loader/loader.h"

#include <omp.h>

#include <algorithm>
#include <cstring>

#include "pneumo/augment/intensity.h"
#include "tensor/error.h"

namespace pn::loader {

int worker_count(int requested, int configured) {
  if (requested >= 0) return requested;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::clamp(configured, 0, cores);
}

Batch collate(const std::vector<augment::Sample>& samples, const std::vector<std::string>& names, bool has_masks,
              int image_channels) {
  PN_CHECK(!samples.empty() && samples.size() == names.size(), "collate: ", samples.size(), " samples and ",
           names.size(), " names");
  PN_CHECK(image_channels >= 1, "collate: image_channels must be >= 1, got ", image_channels);
  // The image planes of each sample: Normalize's output or pixel / 255.
  std::vector<augment::PlanarImage> planes;
  planes.reserve(samples.size());
  for (const augment::Sample& s : samples) {
    planes.push_back(s.normalized ? *s.normalized : augment::to_unit_float(s.image, image_channels));
  }
  const augment::PlanarImage& first = planes.front();
  for (std::size_t i = 0; i < planes.size(); ++i) {
    const augment::PlanarImage& p = planes[i];
    PN_CHECK(p.width == first.width && p.height == first.height && p.channels == first.channels, "collate: ",
             names[i], " is ", p.channels, "x", p.height, "x", p.width, " after the transforms but ", names[0],
             " is ", first.channels, "x", first.height, "x", first.width, " (does the pipeline end in Resize?)");
  }
  const auto B = static_cast<std::int64_t>(samples.size());
  Batch batch;
  batch.images = Tensor({B, first.channels, first.height, first.width}, DType::Float32);
  float* dst = batch.images.data<float>();
  for (const augment::PlanarImage& p : planes) {
    std::memcpy(dst, p.data.data(), p.data.size() * sizeof(float));
    dst += p.data.size();
  }
  if (has_masks) {
    batch.masks = Tensor({B, 1, first.height, first.width}, DType::Float32);
    float* m = batch.masks.data<float>();
    for (std::size_t i = 0; i < samples.size(); ++i) {
      const augment::Image& mask = samples[i].mask;
      PN_CHECK(!mask.empty() && mask.channels == 1 && mask.width == first.width && mask.height == first.height,
               "collate: ", names[i], " has no mask of the image's size");
      const augment::PlanarImage mp = augment::to_unit_float(mask, 1);  // mask / 255.
      std::memcpy(m, mp.data.data(), mp.data.size() * sizeof(float));
      m += mp.data.size();
    }
  }
  return batch;
}

Loader::Loader(std::shared_ptr<const PneumoDataset> dataset, std::vector<std::size_t> order, std::uint64_t seed,
               std::int64_t epoch, LoaderOptions options)
    : dataset_(std::move(dataset)), order_(std::move(order)), seed_(seed), epoch_(epoch), options_(options) {
  PN_CHECK(dataset_ != nullptr, "Loader: no dataset");
  PN_CHECK(options_.batch_size >= 1, "Loader: batch_size must be >= 1");
  PN_CHECK(options_.workers >= 0, "Loader: workers must be >= 0, got ", options_.workers);
  PN_CHECK(options_.threads_per_worker >= 1, "Loader: threads_per_worker must be >= 1");
  for (std::size_t i : order_) {
    PN_CHECK(i < dataset_->size(), "Loader: index ", i, " in the order is beyond the dataset's ", dataset_->size(),
             " items");
  }
  if (options_.prefetch == 0) options_.prefetch = std::max<std::size_t>(1, 2 * static_cast<std::size_t>(options_.workers));
  num_batches_ = options_.drop_last ? order_.size() / options_.batch_size
                                    : (order_.size() + options_.batch_size - 1) / options_.batch_size;
  workers_.reserve(static_cast<std::size_t>(options_.workers));
  for (int w = 0; w < options_.workers; ++w) workers_.emplace_back([this] { work(); });
}

Loader::~Loader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (std::thread& t : workers_) t.join();
}

Batch Loader::build(std::size_t b) const {
  const std::size_t begin = b * options_.batch_size;
  const std::size_t end = std::min(order_.size(), begin + options_.batch_size);
  std::vector<augment::Sample> samples;
  std::vector<std::string> names;
  std::vector<std::size_t> items;
  for (std::size_t k = begin; k < end; ++k) {
    const std::size_t item = order_[k];
    augment::Rng rng = augment::Rng::for_sample(seed_, static_cast<std::uint64_t>(epoch_), k);
    samples.push_back(dataset_->load(item, rng));
    names.push_back(dataset_->image_path(item).string());
    items.push_back(item);
  }
  Batch batch = collate(samples, names, dataset_->split() != Split::Test, options_.image_channels);
  batch.index = b;
  batch.items = std::move(items);
  for (std::size_t item : batch.items) batch.ids.push_back(dataset_->id(item));
  return batch;
}

void Loader::work() {
  // Per-thread OpenMP setting: this worker's transforms use this many threads.
  omp_set_num_threads(options_.threads_per_worker);
  for (;;) {
    std::size_t b = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] {
        return stopping_ || error_ || next_to_build_ >= num_batches_ ||
               next_to_build_ < next_to_return_ + options_.prefetch;
      });
      if (stopping_ || error_ || next_to_build_ >= num_batches_) return;
      b = next_to_build_++;
    }
    try {
      Batch batch = build(b);
      std::lock_guard<std::mutex> lock(mutex_);
      ready_.emplace(b, std::move(batch));
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(mutex_);
      // Keep the failure of the earliest batch: the consumer meets it first.
      if (!error_ || b < error_batch_) {
        error_ = std::make_exception_ptr(Error(std::string("loader: batch ") + std::to_string(b) + " of epoch " +
                                               std::to_string(epoch_) + ": " + e.what()));
        error_batch_ = b;
      }
    }
    changed_.notify_all();
  }
}

std::optional<Batch> Loader::next() {
  if (options_.workers == 0) {
    if (error_) std::rethrow_exception(error_);
    if (next_to_return_ >= num_batches_) return std::nullopt;
    const std::size_t b = next_to_return_;
    try {
      Batch batch = build(b);
      ++next_to_return_;
      return batch;
    } catch (const std::exception& e) {
      error_ = std::make_exception_ptr(Error(std::string("loader: batch ") + std::to_string(b) + " of epoch " +
                                             std::to_string(epoch_) + ": " + e.what()));
      std::rethrow_exception(error_);
    }
  }
  std::unique_lock<std::mutex> lock(mutex_);
  if (next_to_return_ >= num_batches_) return std::nullopt;
  const std::size_t b = next_to_return_;
  // Wait for batch b; an error in an earlier-or-equal batch ends the wait
  // (later batches' errors wait their turn: the batches before them are good).
  changed_.wait(lock, [&] { return ready_.count(b) != 0 || (error_ && error_batch_ <= b); });
  auto it = ready_.find(b);
  if (it == ready_.end()) std::rethrow_exception(error_);
  Batch batch = std::move(it->second);
  ready_.erase(it);
  ++next_to_return_;
  lock.unlock();
  changed_.notify_all();
  return batch;
}

}  // namespace pn::loader
