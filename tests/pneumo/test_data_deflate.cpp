// The PNG writer's zlib compressor: Adler-32, round trips through an
// independent inflater (stb_image's), the zlib framing, and sizes.
#include <doctest/doctest.h>
#include <stb/stb_image.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "pneumo/data/deflate.h"

namespace pn::data {
namespace {

using Bytes = std::vector<std::uint8_t>;

std::string compress(const Bytes& data) {
  std::string out;
  zlib_compress_runs(data.data(), data.size(), out);
  return out;
}

// Inflates with stb_image's decoder, which checks the zlib header and the
// code lengths (not the Adler-32, checked separately below).
Bytes inflate(const std::string& z) {
  int n = -1;
  char* p = stbi_zlib_decode_malloc(z.data(), static_cast<int>(z.size()), &n);
  REQUIRE_MESSAGE(p != nullptr, "stb could not inflate: ", stbi_failure_reason());
  Bytes out(reinterpret_cast<std::uint8_t*>(p), reinterpret_cast<std::uint8_t*>(p) + n);
  std::free(p);
  return out;
}

std::uint32_t adler32_plain(const Bytes& data) {
  std::uint32_t a = 1, b = 0;
  for (std::uint8_t v : data) {
    a = (a + v) % 65521;
    b = (b + a) % 65521;
  }
  return (b << 16) | a;
}

void check_round_trip(const Bytes& data) {
  const std::string z = compress(data);
  REQUIRE(z.size() >= 6);
  const auto cmf = static_cast<std::uint8_t>(z[0]), flg = static_cast<std::uint8_t>(z[1]);
  CHECK(cmf == 0x78);  // deflate, 32 KiB window
  CHECK((cmf * 256 + flg) % 31 == 0);
  std::uint32_t trailer = 0;
  for (std::size_t i = z.size() - 4; i < z.size(); ++i) trailer = (trailer << 8) | static_cast<std::uint8_t>(z[i]);
  CHECK(trailer == adler32_plain(data));
  CHECK(inflate(z) == data);
}

Bytes random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 gen(seed);
  Bytes out(n);
  for (auto& v : out) v = static_cast<std::uint8_t>(gen());
  return out;
}

}  // namespace

TEST_CASE("deflate: Adler-32") {
  const std::string wiki = "Wikipedia";
  CHECK(adler32(reinterpret_cast<const std::uint8_t*>(wiki.data()), wiki.size()) == 0x11E60398u);
  CHECK(adler32(nullptr, 0) == 1u);
  // All 0xFF is the worst case for the sums; the chunks are 5552 bytes.
  for (std::size_t n : {15u, 16u, 5551u, 5552u, 5553u, 100000u}) {
    const Bytes ff(n, 0xFF);
    CHECK(adler32(ff.data(), ff.size()) == adler32_plain(ff));
  }
  const Bytes r = random_bytes(70001, 3);
  CHECK(adler32(r.data(), r.size()) == adler32_plain(r));
  // Continuing from a checksum is the checksum of the whole.
  CHECK(adler32(r.data() + 1000, r.size() - 1000, adler32(r.data(), 1000)) == adler32_plain(r));
}

TEST_CASE("deflate: round trips through an independent inflater") {
  check_round_trip({});
  check_round_trip({7});
  check_round_trip({7, 7});
  check_round_trip({7, 7, 7});
  check_round_trip(Bytes(300, 0));       // one run longer than 258
  check_round_trip(Bytes(200000, 0));    // runs across the 64 KiB blocks
  check_round_trip(random_bytes(200000, 1));
  Bytes cycle(70000);
  for (std::size_t i = 0; i < cycle.size(); ++i) cycle[i] = static_cast<std::uint8_t>(i);
  check_round_trip(cycle);
  // Runs of every length 1..600 of random values, between random bytes: the
  // run lengths at each length code's edges and the literal/run mix.
  std::mt19937 gen(2);
  Bytes mixed;
  for (int len = 1; len <= 600; ++len) {
    mixed.insert(mixed.end(), static_cast<std::size_t>(len), static_cast<std::uint8_t>(gen()));
    for (std::uint32_t k = gen() % 5; k > 0; --k) mixed.push_back(static_cast<std::uint8_t>(gen()));
  }
  check_round_trip(mixed);
  // Every offset of a short run against the 8-byte scan.
  for (int at = 0; at < 24; ++at) {
    Bytes b = random_bytes(40, static_cast<std::uint32_t>(100 + at));
    for (int k = 0; k < 3; ++k) b[static_cast<std::size_t>(at + k)] = b[static_cast<std::size_t>(at > 0 ? at - 1 : 0)];
    check_round_trip(b);
  }
}

TEST_CASE("deflate: codes deeper than 15 bits are limited") {
  // Symbol k occurs fib(k) times: the optimal Huffman code is a chain, 24
  // deep for 25 symbols, which deflate cannot store.  No two neighbours are
  // equal, so every byte is a literal.
  std::vector<std::uint32_t> fib = {1, 1};
  while (fib.size() < 25) fib.push_back(fib[fib.size() - 1] + fib[fib.size() - 2]);
  Bytes data;
  std::vector<std::uint32_t> left = fib;
  for (bool any = true; any;) {
    any = false;
    for (std::size_t k = 0; k < left.size(); ++k) {
      if (left[k] > 0) {
        data.push_back(static_cast<std::uint8_t>(k));
        --left[k];
        any = true;
      }
    }
  }
  check_round_trip(data);
}

TEST_CASE("deflate: sizes") {
  // A flat image (all runs) shrinks to almost nothing, noise grows by less
  // than 1%, and skewed bytes (as Sub-filtered rows are) are Huffman coded.
  CHECK(compress(Bytes(1 << 20, 0)).size() < 8000);
  const Bytes noise = random_bytes(1 << 18, 5);
  CHECK(compress(noise).size() < noise.size() + noise.size() / 100);
  std::mt19937 gen(6);
  std::geometric_distribution<int> small(0.3);  // entropy about 2.9 bits
  Bytes skewed(1 << 18);
  for (auto& v : skewed) v = static_cast<std::uint8_t>(std::min(small(gen), 255));
  CHECK(compress(skewed).size() < skewed.size() * 45 / 100);
}

}  // namespace pn::data
