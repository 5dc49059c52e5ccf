// CPU memory: tensors' blocks and plain copies.
#include <climits>
#include <cstdlib>
#include <cstring>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "tensor/cpu/block_cache.h"
#include "tensor/cpu/cpu_backend.h"
#include "tensor/error.h"

namespace pn {

namespace {

// What the C library serves (small tensors, kernels' scratch vectors such as
// Winograd's transformed weights of up to 37 MiB) stays in its heap: mmap
// off and never trimmed, so that a kernel called again reuses the pages of
// its last call instead of faulting them in and zeroing them anew.
void keep_freed_memory() {
#ifdef __GLIBC__
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}

// AddressSanitizer checks the bounds of malloc's blocks, not of mappings:
// under it every tensor comes from malloc.
#if defined(__SANITIZE_ADDRESS__)  // GCC
#define PN_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)  // clang
#define PN_ADDRESS_SANITIZER 1
#endif
#endif
#ifdef PN_ADDRESS_SANITIZER
constexpr bool kUseBlockCache = false;
#else
constexpr bool kUseBlockCache = true;
#endif

bool from_block_cache(size_t nbytes) { return kUseBlockCache && nbytes >= cpu::BlockCache::kMinBytes; }

}  // namespace

CpuBackend& cpu_backend() {
  static CpuBackend b = [] {
    keep_freed_memory();
    return CpuBackend();
  }();
  return b;
}

// Large blocks come from the block cache (tensor/cpu/block_cache.h says why);
// small ones from malloc, 64-byte aligned for vector loads.
void* CpuBackend::allocate(size_t nbytes) {
  void* p = nullptr;
  if (from_block_cache(nbytes)) {
    p = cpu::block_cache().allocate(nbytes);
  } else {
    // aligned_alloc wants a multiple of the alignment; a zero-size tensor
    // still gets a valid, unique pointer.
    size_t rounded = (nbytes + 63) / 64 * 64;
    p = std::aligned_alloc(64, rounded ? rounded : 64);
    PN_CHECK(p != nullptr, "cpu: out of memory allocating ", nbytes, " bytes");
  }
  const size_t now = allocated_.fetch_add(nbytes) + nbytes;
  size_t peak = peak_.load();
  while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
  }
  return p;
}

void CpuBackend::deallocate(void* ptr, size_t nbytes) {
  if (from_block_cache(nbytes)) cpu::block_cache().deallocate(ptr);
  else std::free(ptr);
  allocated_.fetch_sub(nbytes);
}

void CpuBackend::copy_host(void* dst, const void* src, size_t nbytes, bool) {
  if (nbytes) std::memcpy(dst, src, nbytes);
}

void CpuBackend::copy(void* dst, const void* src, size_t nbytes) {
  if (nbytes && dst != src) std::memmove(dst, src, nbytes);
}

}  // namespace pn
