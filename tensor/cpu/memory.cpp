// CPU memory: 64-byte aligned blocks and plain copies.
#include <climits>
#include <cstdlib>
#include <cstring>
#include <new>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "tensor/cpu/cpu_backend.h"
#include "tensor/error.h"

namespace pn {

namespace {

// Keeps freed memory in the process for the next allocation. glibc's malloc
// serves blocks of 32 MiB and more (a training step's large activations and
// gradients) with fresh mmaps and unmaps them on free, so every step faulted
// in and zeroed its largest tensors again: about a tenth of a step's time at
// 256x256. With mmap off and the heap never trimmed, a step reuses the pages
// of the last one. The cost is a little fragmentation (about 10% more peak
// memory for AlbuNet's step).
void keep_freed_memory() {
#ifdef __GLIBC__
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}

}  // namespace

CpuBackend& cpu_backend() {
  static CpuBackend b = [] {
    keep_freed_memory();
    return CpuBackend();
  }();
  return b;
}

void* CpuBackend::allocate(size_t nbytes) {
  // aligned_alloc wants a multiple of the alignment; a zero-size tensor still
  // gets a valid, unique pointer.
  size_t rounded = (nbytes + 63) / 64 * 64;
  void* p = std::aligned_alloc(64, rounded ? rounded : 64);
  PN_CHECK(p != nullptr, "cpu: out of memory allocating ", nbytes, " bytes");
  return p;
}

void CpuBackend::deallocate(void* ptr, size_t) { std::free(ptr); }

void CpuBackend::copy_host(void* dst, const void* src, size_t nbytes, bool) {
  if (nbytes) std::memcpy(dst, src, nbytes);
}

void CpuBackend::copy(void* dst, const void* src, size_t nbytes) {
  if (nbytes && dst != src) std::memmove(dst, src, nbytes);
}

}  // namespace pn
