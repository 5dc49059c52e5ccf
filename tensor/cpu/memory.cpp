// CPU memory: 64-byte aligned blocks and plain copies.
#include <cstdlib>
#include <cstring>
#include <new>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/error.h"

namespace pn {

CpuBackend& cpu_backend() {
  static CpuBackend b;
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
