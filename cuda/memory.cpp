// CUDA memory: blocks from the caching allocator and copies on the stream.
#include <algorithm>
#include <cstring>

#include "cuda/allocator.h"
#include "cuda/backend.h"
#include "cuda/check.h"
#include "cuda/context.h"

namespace pn::cuda {

namespace {

// Host-to-device copies go through a pinned buffer in chunks of this size:
// the DMA engine reads pinned memory directly, and the caller's buffer is
// free again as soon as copy_host returns.
constexpr size_t kStagingBytes = size_t{8} << 20;

// Recorded after the copy that last read the staging buffer.
cudaEvent_t staging_free() {
  static cudaEvent_t e = [] {
    cudaEvent_t ev = nullptr;
    PN_CUDA_CHECK(cudaEventCreateWithFlags(&ev, cudaEventDisableTiming));
    return ev;
  }();
  return e;
}

}  // namespace

void* CudaBackend::allocate(size_t nbytes) { return cuda::allocate(nbytes); }

void CudaBackend::deallocate(void* ptr, size_t) { cuda::deallocate(ptr); }

DeviceMemory CudaBackend::memory() const {
  const AllocatorStats s = allocator_stats();
  return {s.allocated, s.peak_allocated};
}

void CudaBackend::reset_peak_memory() { reset_peak(); }

void CudaBackend::copy_host(void* dst, const void* src, size_t nbytes, bool to_device) {
  if (nbytes == 0) return;
  if (!to_device) {
    // The host reads dst right after: wait for the copy.
    PN_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDeviceToHost, stream()));
    synchronize();
    return;
  }
  char* staging = static_cast<char*>(pinned_staging(kStagingBytes));
  const char* from = static_cast<const char*>(src);
  char* to = static_cast<char*>(dst);
  for (size_t done = 0; done < nbytes;) {
    size_t n = std::min(kStagingBytes, nbytes - done);
    PN_CUDA_CHECK(cudaEventSynchronize(staging_free()));
    std::memcpy(staging, from + done, n);
    PN_CUDA_CHECK(cudaMemcpyAsync(to + done, staging, n, cudaMemcpyHostToDevice, stream()));
    PN_CUDA_CHECK(cudaEventRecord(staging_free(), stream()));
    done += n;
  }
}

void CudaBackend::copy(void* dst, const void* src, size_t nbytes) {
  if (nbytes == 0 || dst == src) return;
  PN_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDeviceToDevice, stream()));
}

}  // namespace pn::cuda
