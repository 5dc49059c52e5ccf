#include "cuda/allocator.h"

#include <cuda_runtime_api.h>

#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "cuda/check.h"
#include "cuda/context.h"

namespace pn::cuda {

namespace {

constexpr size_t kSmallLimit = size_t{1} << 20;    // up to here: 512-byte granularity
constexpr size_t kSmallRound = 512;
constexpr size_t kLargeRound = size_t{2} << 20;    // above: 2 MiB granularity

struct Cache {
  std::mutex mutex;
  std::map<size_t, std::vector<void*>> free;    // rounded size -> cached blocks
  std::unordered_map<void*, size_t> in_use;     // block -> rounded size
  AllocatorStats stats;
  void* pinned = nullptr;
  size_t pinned_bytes = 0;

  // cudaFree of every cached block; the caller holds the mutex.
  void release_locked() {
    if (free.empty()) return;
    // A cached block may still be read by queued work of the stream.
    PN_CUDA_CHECK(cudaStreamSynchronize(stream()));
    for (auto& [size, blocks] : free) {
      for (void* p : blocks) {
        PN_CUDA_CHECK(cudaFree(p));
        stats.reserved -= size;
      }
    }
    free.clear();
  }
};

Cache& cache() {
  static Cache c;
  return c;
}

size_t round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

}  // namespace

size_t rounded_size(size_t nbytes) {
  if (nbytes == 0) return kSmallRound;
  return nbytes <= kSmallLimit ? round_up(nbytes, kSmallRound) : round_up(nbytes, kLargeRound);
}

void* allocate(size_t nbytes) {
  stream();  // the device and its stream exist before the first block
  Cache& c = cache();
  size_t size = rounded_size(nbytes);
  std::lock_guard lock(c.mutex);
  void* p = nullptr;
  auto bin = c.free.find(size);
  if (bin != c.free.end() && !bin->second.empty()) {
    p = bin->second.back();
    bin->second.pop_back();
    if (bin->second.empty()) c.free.erase(bin);
    ++c.stats.cache_hits;
  } else {
    cudaError_t e = cudaMalloc(&p, size);
    if (e == cudaErrorMemoryAllocation) {
      (void)cudaGetLastError();  // not sticky: clear it and retry with an empty cache
      c.release_locked();
      e = cudaMalloc(&p, size);
    }
    if (e != cudaSuccess) {
      (void)cudaGetLastError();
      size_t free_bytes = 0, total_bytes = 0;
      (void)cudaMemGetInfo(&free_bytes, &total_bytes);
      fail("cuda: out of memory allocating ", nbytes, " bytes (", size, " rounded): ", cudaGetErrorString(e),
           "; the device has ", free_bytes, " bytes free of ", total_bytes, "; this process holds ",
           c.stats.allocated, " bytes in tensors and ", c.stats.reserved - c.stats.allocated,
           " cached (the cache was released before the retry)");
    }
    c.stats.reserved += size;
    ++c.stats.device_allocs;
  }
  c.in_use.emplace(p, size);
  c.stats.allocated += size;
  if (c.stats.allocated > c.stats.peak_allocated) c.stats.peak_allocated = c.stats.allocated;
  return p;
}

void deallocate(void* ptr) {
  if (ptr == nullptr) return;
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  auto it = c.in_use.find(ptr);
  PN_CHECK(it != c.in_use.end(), "cuda: deallocate of a pointer the caching allocator did not hand out");
  c.free[it->second].push_back(ptr);
  c.stats.allocated -= it->second;
  c.in_use.erase(it);
}

AllocatorStats allocator_stats() {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  return c.stats;
}

void reset_peak() {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  c.stats.peak_allocated = c.stats.allocated;
}

void release_cache() {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  c.release_locked();
}

void* pinned_staging(size_t nbytes) {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  if (c.pinned_bytes < nbytes) {
    if (c.pinned) PN_CUDA_CHECK(cudaFreeHost(c.pinned));
    c.pinned = nullptr;
    c.pinned_bytes = 0;
    PN_CUDA_CHECK(cudaMallocHost(&c.pinned, nbytes));
    c.pinned_bytes = nbytes;
  }
  return c.pinned;
}

}  // namespace pn::cuda
