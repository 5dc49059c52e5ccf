#pragma once
// The cache of large host blocks: where tensors of 1 MiB and more live.
//
// A training step frees and allocates the same large tensors (activations,
// gradients) again and again. The plain ways to serve them both cost:
// - the C library maps each block of 32 MiB and more fresh from the kernel
//   and unmaps it on free, so every step faults in and zeroes its largest
//   tensors again (about a tenth of a step's time at 256x256);
// - keeping every block in the C library's heap instead (no mmap, no trim)
//   fragments it: AlbuNet's 512x512 training step held 3.4 GB resident for
//   2.3 GB of tensors.
//
// This cache keeps the pages of freed blocks mapped, as a pool of pieces
// (page ranges, each inside one kernel mapping), and builds every new block
// from them:
// 1. a piece at least as large as the request serves it in place (the
//    smallest such; the rest of it stays in the pool);
// 2. otherwise a fresh range is mapped and the pool's pieces, largest first,
//    are moved into it with mremap, which moves page-table entries, not
//    bytes: the pages arrive resident, with no fault and no zeroing. Only
//    what the pool cannot cover is faulted in anew.
// So the mapped total (blocks in use + pool) never exceeds the most the
// blocks in use ever needed at once, the high-water mark, and a steady state
// of repeating steps faults next to nothing in: the process holds what its
// tensors need at their peak and no more. (AlbuNet's 512x512 training step:
// 2.3 GB of tensors at the peak, 2.5 GB resident, under 25 MB faulted in per
// step; inference at 128x128: 0.4 MB per step.) Freed pieces that are
// neighbours in one mapping merge again.
//
// Bounds on the kernel's mappings (vm.max_map_count, 65530 by default): a
// block gathers only pieces of at least 1/32 of its size, and the pool
// unmaps its smallest pieces beyond kMaxPieces and whatever would push the
// mapped total over the high-water mark.
//
// Blocks are 4096-byte (page) aligned. Thread-safe.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace pn::cpu {

struct BlockCacheStats {
  size_t in_use = 0;         // bytes in blocks handed out (page-rounded)
  size_t cached = 0;         // bytes in the pool: pages of freed blocks, still mapped
  size_t high_water = 0;     // the most `in_use` has ever been
  size_t pieces = 0;         // pieces in the pool
  size_t fresh_bytes = 0;    // bytes mapped without pages to move in: faulted in anew
  uint64_t in_place = 0;     // requests served in place by one piece
  uint64_t gathered = 0;     // requests served by moving pieces into a fresh range
};

class BlockCache {
 public:
  // Requests below this go to the C library's malloc.
  static constexpr size_t kMinBytes = size_t{1} << 20;
  static constexpr size_t kMaxPieces = 256;

  BlockCache() = default;
  ~BlockCache();
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  // A block of at least nbytes; pn::Error when the kernel refuses.
  void* allocate(size_t nbytes);
  // Returns a block from allocate() to the pool; ptr may be null.
  void deallocate(void* ptr);
  // Unmaps the pool; blocks in use are untouched.
  void release();
  BlockCacheStats stats() const;

 private:
  // Pages [addr, addr + size) inside the kernel's mapping number `mapping`
  // (this cache's numbering). Pieces of one mapping that touch are one range
  // of one mapping, which mremap can move as a whole.
  struct Piece {
    char* addr;
    size_t size;
    uint64_t mapping;
  };

  void* gather_locked(size_t size);
  // The first `bytes` of pool_[i], taken out of the pool (the rest stays).
  Piece take_front_locked(size_t i, size_t bytes);
  void return_to_pool_locked(Piece p);
  // Unmaps the pool's smallest pieces while it has more than kMaxPieces or
  // the mapped total exceeds the high-water mark.
  void shed_locked();

  mutable std::mutex mutex_;
  std::vector<Piece> pool_;
  std::unordered_map<void*, std::vector<Piece>> blocks_;  // block in use -> its pieces
  uint64_t next_mapping_ = 0;
  BlockCacheStats stats_;
};

// The process's one cache, used by the CPU backend.
BlockCache& block_cache();

}  // namespace pn::cpu
