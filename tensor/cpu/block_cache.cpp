#include "tensor/cpu/block_cache.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "tensor/error.h"

namespace pn::cpu {

namespace {

constexpr size_t kPage = 4096;

size_t page_rounded(size_t n) { return (std::max<size_t>(n, 1) + kPage - 1) / kPage * kPage; }

char* map_fresh(size_t size) {
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  PN_CHECK(p != MAP_FAILED, "cpu: out of memory mapping a block of ", size, " bytes: ", std::strerror(errno));
  return static_cast<char*>(p);
}

void unmap(char* p, size_t size) {
  // munmap of pages this cache mapped fails only on a corrupted cache.
  PN_CHECK(munmap(p, size) == 0, "cpu: munmap of ", size, " cached bytes failed: ", std::strerror(errno));
}

// Index of the piece that `better` prefers over all others, or -1 if none qualifies.
template <class Piece, class Qualifies, class Better>
ptrdiff_t pick(const std::vector<Piece>& pool, Qualifies qualifies, Better better) {
  ptrdiff_t best = -1;
  for (size_t i = 0; i < pool.size(); ++i)
    if (qualifies(pool[i]) && (best < 0 || better(pool[i], pool[static_cast<size_t>(best)])))
      best = static_cast<ptrdiff_t>(i);
  return best;
}

constexpr auto smaller = [](const auto& a, const auto& b) { return a.size < b.size; };
constexpr auto larger = [](const auto& a, const auto& b) { return a.size > b.size; };

template <class T> void swap_remove(std::vector<T>& v, size_t i) {
  v[i] = v.back();
  v.pop_back();
}

}  // namespace

BlockCache::~BlockCache() { release(); }

void* BlockCache::allocate(size_t nbytes) {
  const size_t size = page_rounded(nbytes);
  std::lock_guard lock(mutex_);
  const size_t high_water_before = stats_.high_water;
  stats_.in_use += size;
  stats_.high_water = std::max(stats_.high_water, stats_.in_use);

  // 1. In place: the smallest piece that holds the whole block.
  const ptrdiff_t fit = pick(pool_, [&](const Piece& p) { return p.size >= size; }, smaller);
  if (fit >= 0) {
    const Piece block = take_front_locked(static_cast<size_t>(fit), size);
    blocks_[block.addr] = {block};
    ++stats_.in_place;
    return block.addr;
  }

  // 2. Gathered into a fresh range.
  try {
    return gather_locked(size);
  } catch (...) {
    stats_.in_use -= size;
    stats_.high_water = high_water_before;
    throw;
  }
}

void* BlockCache::gather_locked(size_t size) {
  char* block = map_fresh(size);
  const uint64_t fresh_mapping = next_mapping_++;
  std::vector<Piece> pieces;
  size_t filled = 0;
  const size_t min_piece = std::max(kPage, size / 32);
  while (filled < size) {
    const ptrdiff_t largest = pick(pool_, [&](const Piece& p) { return p.size >= min_piece; }, larger);
    if (largest < 0) break;
    const Piece& src = pool_[static_cast<size_t>(largest)];
    const size_t take = std::min(src.size, size - filled);
    // Moves the pages of [src.addr, +take) to block + filled, replacing the
    // fresh pages there; the source range is unmapped.
    void* moved = mremap(src.addr, take, take, MREMAP_MAYMOVE | MREMAP_FIXED, block + filled);
    if (moved == MAP_FAILED) break;  // e.g. at the mapping limit: fault the rest in
    take_front_locked(static_cast<size_t>(largest), take);
    pieces.push_back(Piece{block + filled, take, next_mapping_++});
    filled += take;
  }
  if (filled < size) {
    pieces.push_back(Piece{block + filled, size - filled, fresh_mapping});
    stats_.fresh_bytes += size - filled;
  }
  blocks_[block] = std::move(pieces);
  ++stats_.gathered;
  shed_locked();  // the pieces too small to gather may now exceed the bound
  return block;
}

BlockCache::Piece BlockCache::take_front_locked(size_t i, size_t bytes) {
  Piece& p = pool_[i];
  const Piece front{p.addr, bytes, p.mapping};
  if (bytes == p.size) {
    swap_remove(pool_, i);
  } else {
    p.addr += bytes;
    p.size -= bytes;
  }
  stats_.cached -= bytes;
  return front;
}

void BlockCache::deallocate(void* ptr) {
  if (ptr == nullptr) return;
  std::lock_guard lock(mutex_);
  auto it = blocks_.find(ptr);
  PN_CHECK(it != blocks_.end(), "cpu: deallocate of a pointer the block cache did not hand out");
  for (const Piece& p : it->second) {
    stats_.in_use -= p.size;
    return_to_pool_locked(p);
  }
  blocks_.erase(it);
  shed_locked();
}

void BlockCache::return_to_pool_locked(Piece p) {
  stats_.cached += p.size;
  for (size_t i = 0; i < pool_.size();) {
    const Piece& q = pool_[i];
    if (q.mapping == p.mapping && (q.addr + q.size == p.addr || p.addr + p.size == q.addr)) {
      p.addr = std::min(p.addr, q.addr);
      p.size += q.size;
      swap_remove(pool_, i);
    } else {
      ++i;
    }
  }
  pool_.push_back(p);
}

void BlockCache::shed_locked() {
  while (!pool_.empty()) {
    const size_t mapped = stats_.in_use + stats_.cached;
    const size_t excess = mapped > stats_.high_water ? mapped - stats_.high_water : 0;
    if (excess == 0 && pool_.size() <= kMaxPieces) return;
    const ptrdiff_t smallest = pick(pool_, [](const Piece&) { return true; }, smaller);
    Piece& p = pool_[static_cast<size_t>(smallest)];
    if (pool_.size() <= kMaxPieces && p.size > excess) {
      unmap(p.addr + p.size - excess, excess);  // just the excess, from the tail
      p.size -= excess;
      stats_.cached -= excess;
      return;
    }
    unmap(p.addr, p.size);
    stats_.cached -= p.size;
    swap_remove(pool_, static_cast<size_t>(smallest));
  }
}

void BlockCache::release() {
  std::lock_guard lock(mutex_);
  for (const Piece& p : pool_) unmap(p.addr, p.size);
  pool_.clear();
  stats_.cached = 0;
}

BlockCacheStats BlockCache::stats() const {
  std::lock_guard lock(mutex_);
  BlockCacheStats s = stats_;
  s.pieces = pool_.size();
  return s;
}

BlockCache& block_cache() {
  // Never destroyed: tensors in static storage may be freed after main.
  static BlockCache* c = new BlockCache;
  return *c;
}

}  // namespace pn::cpu
