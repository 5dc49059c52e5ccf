// The cache of large host blocks, and the CPU backend's count of tensor bytes.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "tensor/backend.h"
#include "tensor/cpu/block_cache.h"
#include "tensor/tensor.h"

using namespace pn;
using cpu::BlockCache;

namespace {

constexpr size_t kMiB = size_t{1} << 20;

// The bound the cache promises after every call.
bool within_high_water(const BlockCache& c) {
  const auto s = c.stats();
  return s.in_use + s.cached <= s.high_water;
}

unsigned char* bytes(void* p) { return static_cast<unsigned char*>(p); }

}  // namespace

TEST_CASE("block cache: a freed block serves the next request of its size in place, pages and all") {
  BlockCache c;
  void* a = c.allocate(3 * kMiB + 10);
  CHECK(reinterpret_cast<uintptr_t>(a) % 4096 == 0);
  std::memset(a, 0x5a, 3 * kMiB + 10);  // the whole request is writable
  c.deallocate(a);
  CHECK(c.stats().cached == 3 * kMiB + 4096);
  void* b = c.allocate(3 * kMiB + 100);  // rounds to the same pages
  CHECK(b == a);
  CHECK(bytes(b)[3 * kMiB] == 0x5a);  // its pages were kept, not zeroed anew
  auto s = c.stats();
  CHECK(s.in_place == 1);
  CHECK(s.gathered == 1);  // the first request found an empty pool
  CHECK(s.fresh_bytes == 3 * kMiB + 4096);
  CHECK(s.cached == 0);
  c.deallocate(b);
}

TEST_CASE("block cache: a smaller request takes the front of a piece, and the two halves merge when freed") {
  BlockCache c;
  void* big = c.allocate(8 * kMiB);
  c.deallocate(big);
  void* front = c.allocate(3 * kMiB);
  CHECK(front == big);
  CHECK(c.stats().cached == 5 * kMiB);
  void* back = c.allocate(5 * kMiB);  // the rest of the piece, exactly
  CHECK(bytes(back) == bytes(big) + 3 * kMiB);
  CHECK(c.stats().pieces == 0);
  c.deallocate(front);
  c.deallocate(back);
  CHECK(c.stats().pieces == 1);  // one mapping's neighbours are one piece again
  CHECK(c.allocate(8 * kMiB) == big);
  c.deallocate(big);
  CHECK(c.stats().fresh_bytes == 8 * kMiB);
}

TEST_CASE("block cache: a request no piece holds is gathered from the pool's pages, moved, not zeroed") {
  BlockCache c;
  void* a = c.allocate(2 * kMiB);
  void* b = c.allocate(3 * kMiB);
  std::memset(a, 0xaa, 2 * kMiB);
  std::memset(b, 0xbb, 3 * kMiB);
  c.deallocate(a);
  c.deallocate(b);
  const size_t fresh_before = c.stats().fresh_bytes;
  void* g = c.allocate(5 * kMiB);  // larger than either piece: the 3 MiB one first, then the 2 MiB one
  CHECK(c.stats().fresh_bytes == fresh_before);  // nothing faulted in anew
  CHECK(c.stats().cached == 0);
  CHECK(bytes(g)[0] == 0xbb);
  CHECK(bytes(g)[3 * kMiB - 1] == 0xbb);
  CHECK(bytes(g)[3 * kMiB] == 0xaa);
  CHECK(bytes(g)[5 * kMiB - 1] == 0xaa);
  // More than the pool holds: the pages it has, the rest fresh (zeroed).
  c.deallocate(g);
  void* h = c.allocate(7 * kMiB);
  CHECK(c.stats().fresh_bytes == fresh_before + 2 * kMiB);
  CHECK(bytes(h)[4 * kMiB] == 0xaa);
  CHECK(bytes(h)[7 * kMiB - 1] == 0);
  CHECK(c.stats().high_water == 7 * kMiB);
  c.deallocate(h);
}

TEST_CASE("block cache: pieces under 1/32 of a request are not gathered, and the bound unmaps them") {
  BlockCache c;
  void* small = c.allocate(kMiB);
  void* other = c.allocate(kMiB);
  c.deallocate(small);
  c.deallocate(other);
  CHECK(c.stats().cached == 2 * kMiB);
  // 64 MiB: 1 MiB pieces are below 2 MiB, so the block is all fresh; the
  // mapped total would be 66 MiB over a high-water mark of 64, so 2 MiB go.
  void* big = c.allocate(64 * kMiB);
  CHECK(c.stats().fresh_bytes == 66 * kMiB);
  CHECK(c.stats().cached == 0);
  CHECK(within_high_water(c));
  c.deallocate(big);
}

TEST_CASE("block cache: random traffic keeps every block's bytes its own and the bound after every call") {
  BlockCache c;
  std::mt19937 rng(7);
  struct Live {
    unsigned char* p;
    size_t n;
    unsigned char tag;
  };
  std::vector<Live> live;
  unsigned char next_tag = 1;
  auto intact = [](const Live& l) {
    // First, last and a middle byte of every page carry the block's tag.
    for (size_t off = 0; off < l.n; off += 4096)
      if (l.p[off] != l.tag || l.p[std::min(off + 2048, l.n - 1)] != l.tag) return false;
    return l.p[l.n - 1] == l.tag;
  };
  bool all_intact = true, all_within = true;
  for (int step = 0; step < 400; ++step) {
    if (live.empty() || (live.size() < 12 && rng() % 3 != 0)) {
      size_t n = kMiB + rng() % (9 * kMiB);
      auto* p = bytes(c.allocate(n));
      std::memset(p, next_tag, n);
      live.push_back({p, n, next_tag});
      next_tag = static_cast<unsigned char>(next_tag % 250 + 1);
    } else {
      size_t i = rng() % live.size();
      all_intact = all_intact && intact(live[i]);
      c.deallocate(live[i].p);
      live.erase(live.begin() + static_cast<ptrdiff_t>(i));
    }
    for (const Live& l : live) all_intact = all_intact && intact(l);
    all_within = all_within && within_high_water(c) && c.stats().pieces <= BlockCache::kMaxPieces;
  }
  CHECK(all_intact);
  CHECK(all_within);
  auto s = c.stats();
  CHECK(s.gathered > 0);
  CHECK(s.in_place > 0);
  CHECK(s.fresh_bytes < (s.gathered + s.in_place) * 5 * kMiB / 2);  // well below one fresh block per request
  for (const Live& l : live) c.deallocate(l.p);
  CHECK(c.stats().in_use == 0);
  c.release();
  CHECK(c.stats().cached == 0);
}

TEST_CASE("block cache: freeing a pointer it did not hand out is an error, not a crash") {
  BlockCache c;
  int x = 0;
  CHECK_THROWS_WITH_AS(c.deallocate(&x), doctest::Contains("did not hand out"), Error);
}

TEST_CASE("cpu backend: memory() counts the bytes of live tensors, small and large") {
  Backend& be = backend(Device::cpu());
  const size_t before = be.memory().allocated;
  be.reset_peak_memory();
  {
    Tensor small = zeros({16});         // 64 bytes, from malloc
    Tensor large = zeros({512, 1024});  // 2 MiB, from the block cache
    CHECK(be.memory().allocated == before + 64 + 2 * kMiB);
    CHECK(large.data<float>()[512 * 1024 - 1] == 0.0f);
  }
  CHECK(be.memory().allocated == before);
  CHECK(be.memory().peak >= before + 64 + 2 * kMiB);
  be.reset_peak_memory();
  CHECK(be.memory().peak == before);
}
