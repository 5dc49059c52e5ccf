#pragma once
// The caching allocator of CUDA memory.
//
// cudaMalloc and cudaFree are slow and synchronise the device, and a training
// step allocates the same sizes again and again. So freed blocks are kept in
// free lists binned by rounded size and handed out again to the next request
// of that size, without cudaFree. Sizes are rounded up to 512 bytes up to
// 1 MiB and to 2 MiB above, so that requests of nearly equal size share a
// bin.
//
// All work runs on the backend's one stream (cuda/context.h): a block freed
// by the host while kernels that use it are still queued can be given to the
// next request at once, because that request's work is queued after them.
//
// When cudaMalloc fails the cache is released (cudaFree of every free block)
// and the request is tried once more; if that fails too, pn::Error states the
// bytes requested, the device's free and total memory and the cache's state.
// Thread-safe.
#include <cstddef>
#include <cstdint>

namespace pn::cuda {

struct AllocatorStats {
  size_t allocated = 0;       // bytes in blocks handed out (rounded sizes)
  size_t reserved = 0;        // bytes obtained from cudaMalloc: allocated + cached
  size_t peak_allocated = 0;  // the largest `allocated` since the last reset_peak()
  uint64_t device_allocs = 0; // cudaMalloc calls
  uint64_t cache_hits = 0;    // requests served from a free list
};

// The size a request of nbytes occupies (> 0 even for 0 bytes).
size_t rounded_size(size_t nbytes);

void* allocate(size_t nbytes);
// Returns a block from allocate() to its free list; ptr may be null.
void deallocate(void* ptr);

AllocatorStats allocator_stats();
void reset_peak();
// Frees every cached (unused) block with cudaFree, after waiting for the
// stream. Blocks in use are untouched.
void release_cache();

// A block that lives for one scope (workspaces, partial sums); freed to the
// cache even when the scope is left by an exception.
class Buffer {
 public:
  explicit Buffer(size_t nbytes) : ptr_(allocate(nbytes)) {}
  ~Buffer() { deallocate(ptr_); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  template <class T> T* as() const { return static_cast<T*>(ptr_); }

 private:
  void* ptr_;
};

// A pinned (page-locked) host buffer of at least nbytes, for staging
// host-to-device copies, reused across calls. Wait for the copy that last
// read it (see cuda/memory.cpp) before writing it again.
void* pinned_staging(size_t nbytes);

}  // namespace pn::cuda
