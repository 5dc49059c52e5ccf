#include "pneumo/data/deflate.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <vector>

#include "pneumo/data/scratch.h"

namespace pn::data {
namespace {

// Input bytes per deflate block: small enough for the codes to follow the
// content (a radiograph's dark border, then its lungs), large enough that the
// ~100 bytes of each block's code description do not matter.
constexpr std::size_t kBlockInput = std::size_t{1} << 16;
constexpr int kMinRun = 3, kMaxRun = 258;
constexpr int kLitLenSymbols = 286;  // 0..255 literals, 256 end of block, 257..285 lengths
constexpr int kEndOfBlock = 256;
constexpr int kCodeLengthSymbols = 19;
constexpr int kMaxCodeLength = 15, kMaxCodeLengthCodeLength = 7;

// RFC 1951 3.2.5: the length symbols 257..285, their extra bits and base lengths.
constexpr std::array<int, 29> kLengthBase = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                             31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::array<int, 29> kLengthExtra = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                              2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
// RFC 1951 3.2.7: the order in which the code length code's lengths are stored.
constexpr std::array<int, kCodeLengthSymbols> kCodeLengthOrder = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                                  11, 4,  12, 3, 13, 2, 14, 1, 15};

// For each run length 3..258: its symbol (257..285), extra bit count and value.
struct RunCode {
  std::uint16_t symbol = 0;
  std::uint8_t extra_bits = 0;
  std::uint8_t extra = 0;
};
constexpr std::array<RunCode, kMaxRun + 1> make_run_codes() {
  std::array<RunCode, kMaxRun + 1> codes{};
  for (int len = kMinRun; len <= kMaxRun; ++len) {
    int s = 28;
    while (kLengthBase[static_cast<std::size_t>(s)] > len) --s;
    codes[static_cast<std::size_t>(len)] = {static_cast<std::uint16_t>(257 + s),
                                            static_cast<std::uint8_t>(kLengthExtra[static_cast<std::size_t>(s)]),
                                            static_cast<std::uint8_t>(len - kLengthBase[static_cast<std::size_t>(s)])};
  }
  return codes;
}
constexpr std::array<RunCode, kMaxRun + 1> kRunCodes = make_run_codes();

// Least-significant-bit-first output, as deflate packs its bits.  put()
// stores the whole 64-bit accumulator and advances by the complete bytes (no
// branch per call); the caller makes room first (reserve).
class BitWriter {
 public:
  // Writes into `buffer` (a thread's reusable scratch) from its start.
  explicit BitWriter(Scratch<char>& buffer) : buffer_(buffer) {}
  // Makes room for `bytes` more bytes of output, plus put()'s 8-byte store.
  void reserve(std::size_t bytes) { at_ = buffer_.grow(pos_ + bytes + 8, pos_); }
  // Appends the low `count` bits of `bits` (count <= 56, higher bits zero).
  void put(std::uint64_t bits, int count) {
    acc_ |= bits << filled_;
    filled_ += count;
    store_le64(at_ + pos_, acc_);
    const int bytes = filled_ >> 3;
    pos_ += static_cast<std::size_t>(bytes);
    acc_ >>= 8 * bytes;  // bytes <= 7: filled_ was at most 63
    filled_ &= 7;
  }
  // put(a, na) then put(b, nb) with one store; na, nb <= 28.
  void put2(std::uint64_t a, int na, std::uint64_t b, int nb) { put(a | (b << na), na + nb); }
  // Pads to a byte boundary with zero bits and appends the bytes to `out`.
  void finish(std::string& out) {
    reserve(1);
    if (filled_ > 0) at_[pos_++] = static_cast<char>(acc_ & 0xFF);
    acc_ = 0;
    filled_ = 0;
    out.append(at_, pos_);
  }

 private:
  static void store_le64(char* at, std::uint64_t v) {
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(at, &v, 8);
    } else {
      for (int i = 0; i < 8; ++i) at[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
    }
  }
  Scratch<char>& buffer_;
  char* at_ = nullptr;
  std::size_t pos_ = 0;
  std::uint64_t acc_ = 0;
  int filled_ = 0;  // bits in acc_ not yet complete bytes: 0..7 between calls
};

// A prefix code: per symbol its length (0: unused) and its bits, reversed
// for LSB-first output.
struct Code {
  std::vector<std::uint8_t> length;
  std::vector<std::uint16_t> bits;
};

// Huffman code lengths of at most `limit` bits for the frequencies `freq`.
// A code with fewer than two used symbols gets unused ones added (with
// weight 1), so that every code is complete, as inflaters require.  When the
// optimal code is deeper than the limit, the frequencies are halved (keeping
// them above 0), which flattens the tree, until it fits.
std::vector<std::uint8_t> code_lengths(std::vector<std::uint32_t> freq, int limit) {
  const int n = static_cast<int>(freq.size());
  for (int s = 0, used = static_cast<int>(std::count_if(freq.begin(), freq.end(), [](auto f) { return f > 0; }));
       used < 2 && s < n; ++s) {
    if (freq[static_cast<std::size_t>(s)] == 0) {
      freq[static_cast<std::size_t>(s)] = 1;
      ++used;
    }
  }
  std::vector<std::uint8_t> length(static_cast<std::size_t>(n), 0);
  for (;;) {
    // Two-queue Huffman construction over the used symbols sorted by weight:
    // leaves 0..m-1, internal nodes m.. in order of creation.
    std::vector<int> symbols;
    for (int s = 0; s < n; ++s) {
      if (freq[static_cast<std::size_t>(s)] > 0) symbols.push_back(s);
    }
    std::stable_sort(symbols.begin(), symbols.end(), [&](int a, int b) {
      return freq[static_cast<std::size_t>(a)] < freq[static_cast<std::size_t>(b)];
    });
    const std::size_t m = symbols.size();
    std::vector<std::uint64_t> weight(2 * m - 1);
    std::vector<std::size_t> parent(2 * m - 1, 0);
    for (std::size_t i = 0; i < m; ++i) weight[i] = freq[static_cast<std::size_t>(symbols[i])];
    std::size_t leaf = 0, inner = m, next = m;
    auto take = [&] {
      if (leaf < m && (inner >= next || weight[leaf] <= weight[inner])) return leaf++;
      return inner++;
    };
    for (; next < 2 * m - 1; ++next) {
      const std::size_t a = take(), b = take();
      weight[next] = weight[a] + weight[b];
      parent[a] = parent[b] = next;
    }
    // Depths from the root (the last node) down: a parent always comes later.
    std::vector<int> depth(2 * m - 1, 0);
    int deepest = 0;
    for (std::size_t i = 2 * m - 1; i-- > 0;) {
      if (i != 2 * m - 2) depth[i] = depth[parent[i]] + 1;
      if (i < m) deepest = std::max(deepest, depth[i]);
    }
    if (deepest <= limit) {
      for (std::size_t i = 0; i < m; ++i) length[static_cast<std::size_t>(symbols[i])] = static_cast<std::uint8_t>(depth[i]);
      return length;
    }
    for (auto& f : freq) {
      if (f > 0) f = (f + 1) / 2;
    }
  }
}

// RFC 1951 3.2.2: canonical codes from the lengths.
Code canonical_code(std::vector<std::uint8_t> length) {
  std::array<int, kMaxCodeLength + 1> count{};
  for (auto l : length) ++count[l];
  count[0] = 0;
  std::array<int, kMaxCodeLength + 1> next{};
  for (int bits = 1, code = 0; bits <= kMaxCodeLength; ++bits) {
    code = (code + count[static_cast<std::size_t>(bits - 1)]) << 1;
    next[static_cast<std::size_t>(bits)] = code;
  }
  Code c;
  c.bits.assign(length.size(), 0);
  for (std::size_t s = 0; s < length.size(); ++s) {
    const int l = length[s];
    if (l == 0) continue;
    const int code = next[static_cast<std::size_t>(l)]++;
    int reversed = 0;
    for (int b = 0; b < l; ++b) reversed |= ((code >> b) & 1) << (l - 1 - b);
    c.bits[s] = static_cast<std::uint16_t>(reversed);
  }
  c.length = std::move(length);
  return c;
}

// A symbol of the code length alphabet with its extra bits.
struct LengthToken {
  std::uint8_t symbol, extra;
};

// RFC 1951 3.2.7: the lengths as code length symbols, runs folded into
// 16 (repeat the previous 3..6 times), 17 (3..10 zeros) and 18 (11..138 zeros).
std::vector<LengthToken> fold_lengths(const std::vector<std::uint8_t>& lengths) {
  std::vector<LengthToken> out;
  for (std::size_t i = 0; i < lengths.size();) {
    const std::uint8_t v = lengths[i];
    std::size_t run = 1;
    while (i + run < lengths.size() && lengths[i + run] == v) ++run;
    i += run;
    if (v == 0) {
      while (run >= 11) {
        const std::size_t k = std::min<std::size_t>(run, 138);
        out.push_back({18, static_cast<std::uint8_t>(k - 11)});
        run -= k;
      }
      if (run >= 3) {
        out.push_back({17, static_cast<std::uint8_t>(run - 3)});
        run = 0;
      }
    } else {
      out.push_back({v, 0});
      --run;
      while (run >= 3) {
        const std::size_t k = std::min<std::size_t>(run, 6);
        out.push_back({16, static_cast<std::uint8_t>(k - 3)});
        run -= k;
      }
    }
    for (; run > 0; --run) out.push_back({v, 0});
  }
  return out;
}

std::uint64_t load_le64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&v, p, 8);
  } else {
    for (int k = 7; k >= 0; --k) v = (v << 8) | p[k];
  }
  return v;
}

// Tokens of one block: a byte (0..255) or a run of the previous byte,
// stored as 256 + length - kMinRun.
constexpr std::uint16_t kRunToken = 256;

// Writes one block of `count` tokens; `freq` counts their literal/length
// symbols (end of block not included).
void write_block(const std::uint16_t* tokens, std::size_t count, std::vector<std::uint32_t> freq, bool last,
                 BitWriter& w) {
  freq[kEndOfBlock] = 1;
  const Code litlen = canonical_code(code_lengths(freq, kMaxCodeLength));
  // Every run has distance 1 (distance symbol 0).  Two one-bit distance codes
  // keep the distance code complete (symbol 1 is never written).
  const std::vector<std::uint8_t> dist_lengths = {1, 1};

  int n_litlen = kLitLenSymbols;
  while (n_litlen > 257 && litlen.length[static_cast<std::size_t>(n_litlen - 1)] == 0) --n_litlen;
  std::vector<std::uint8_t> all(litlen.length.begin(), litlen.length.begin() + n_litlen);
  all.insert(all.end(), dist_lengths.begin(), dist_lengths.end());
  const std::vector<LengthToken> folded = fold_lengths(all);
  std::vector<std::uint32_t> cl_freq(kCodeLengthSymbols, 0);
  for (const LengthToken& t : folded) ++cl_freq[t.symbol];
  const Code cl = canonical_code(code_lengths(cl_freq, kMaxCodeLengthCodeLength));
  int n_cl = kCodeLengthSymbols;
  while (n_cl > 4 && cl.length[static_cast<std::size_t>(kCodeLengthOrder[static_cast<std::size_t>(n_cl - 1)])] == 0) --n_cl;

  // A token takes at most 15 + 5 + 1 bits: 3 bytes each, plus the header.
  w.reserve(count * 3 + 1024);
  w.put(last ? 1 : 0, 1);
  w.put(2, 2);  // dynamic Huffman codes
  w.put(static_cast<std::uint32_t>(n_litlen - 257), 5);
  w.put(static_cast<std::uint32_t>(dist_lengths.size() - 1), 5);
  w.put(static_cast<std::uint32_t>(n_cl - 4), 4);
  for (int i = 0; i < n_cl; ++i) w.put(cl.length[static_cast<std::size_t>(kCodeLengthOrder[static_cast<std::size_t>(i)])], 3);
  for (const LengthToken& t : folded) {
    w.put(cl.bits[t.symbol], cl.length[t.symbol]);
    if (t.symbol == 16) w.put(t.extra, 2);
    if (t.symbol == 17) w.put(t.extra, 3);
    if (t.symbol == 18) w.put(t.extra, 7);
  }
  // Each token's whole bit string (a run: its length code, extra bits and
  // the one-bit distance code 0, distance 1) in one table: one put per token.
  std::array<std::uint32_t, 512> token_bits{};
  std::array<std::uint8_t, 512> token_count{};
  for (int t = 0; t < 256; ++t) {
    token_bits[static_cast<std::size_t>(t)] = litlen.bits[static_cast<std::size_t>(t)];
    token_count[static_cast<std::size_t>(t)] = litlen.length[static_cast<std::size_t>(t)];
  }
  for (int run = kMinRun; run <= kMaxRun; ++run) {
    const RunCode& r = kRunCodes[static_cast<std::size_t>(run)];
    const int n = litlen.length[r.symbol];
    const std::size_t t = kRunToken + static_cast<std::size_t>(run - kMinRun);
    token_bits[t] = litlen.bits[r.symbol] | (std::uint32_t{r.extra} << n);
    token_count[t] = static_cast<std::uint8_t>(n + r.extra_bits + 1);
  }
  // Two tokens (at most 42 bits) per store: put2 keeps at most 7 + 42 bits.
  std::size_t i = 0;
  for (; i + 2 <= count; i += 2) {
    const std::uint16_t a = tokens[i], b = tokens[i + 1];
    w.put2(token_bits[a], token_count[a], token_bits[b], token_count[b]);
  }
  if (i < count) w.put(token_bits[tokens[i]], token_count[tokens[i]]);
  w.put(litlen.bits[kEndOfBlock], litlen.length[kEndOfBlock]);
}

}  // namespace

// The weighted sum of the bytes is computed per chunk, where it vectorises:
// over a chunk of n bytes, a grows by their sum and b by n * a plus the
// bytes weighted n, n - 1, ..., 1.  Cloned for AVX2, chosen at load time.
__attribute__((target_clones("avx2", "default")))
std::uint32_t adler32(const std::uint8_t* data, std::size_t size, std::uint32_t adler) {
  constexpr std::uint32_t kMod = 65521;
  // The weighted sum of 5552 bytes (zlib's NMAX) stays below 2^32.
  constexpr std::size_t kChunk = 5552;
  std::uint64_t a = adler & 0xFFFF, b = adler >> 16;
  while (size > 0) {
    const std::size_t n = std::min(size, kChunk);
    std::uint32_t sum = 0, weighted = 0;
    const std::uint32_t n32 = static_cast<std::uint32_t>(n);
    for (std::uint32_t i = 0; i < n32; ++i) {
      sum += data[i];
      weighted += (n32 - i) * data[i];
    }
    b = (b + n * a + weighted) % kMod;
    a = (a + sum) % kMod;
    data += n;
    size -= n;
  }
  return static_cast<std::uint32_t>((b << 16) | a);
}

void zlib_compress_runs(const std::uint8_t* data, std::size_t size, std::string& out) {
  // CMF 0x78: deflate with a 32 KiB window; FLG 0x01: no dictionary, "fastest"
  // level, and the check bits that make 0x7801 a multiple of 31.
  out.push_back(static_cast<char>(0x78));
  out.push_back(static_cast<char>(0x01));
  thread_local Scratch<char> bits;
  thread_local Scratch<std::uint16_t> token_buffer;
  BitWriter w(bits);
  std::uint16_t* const tokens = token_buffer.get(kBlockInput);
  std::vector<std::uint32_t> freq(kLitLenSymbols);
  std::size_t start = 0;
  do {
    const std::size_t end = std::min(size, start + kBlockInput);
    std::fill(freq.begin(), freq.end(), 0);
    std::size_t count = 0;
    // The byte before i: a run may reach back into the previous block (the
    // window spans blocks).  At the very start there is none; 256 matches no byte.
    int previous = start > 0 ? data[start - 1] : 256;
    for (std::size_t i = start; i < end;) {
      if (i > 0 && i + 8 <= end) {
        // Eight bytes at once: byte k of x is 0 where data[i + k] repeats the
        // byte before it; a run (>= kMinRun) starts at k where bytes k, k + 1
        // and k + 2 are all 0.  Up to the first such k (at most 6 in a word)
        // every byte is a literal.
        const std::uint64_t x = load_le64(data + i) ^ load_le64(data + i - 1);
        const std::uint64_t nonzero = ((x & 0x7F7F7F7F7F7F7F7Full) + 0x7F7F7F7F7F7F7F7Full) | x;
        const std::uint64_t zero = ~nonzero & 0x8080808080808080ull;
        const std::uint64_t starts = zero & (zero >> 8) & (zero >> 16) & 0x0000808080808080ull;
        const int literals = starts == 0 ? 6 : std::countr_zero(starts) / 8;
        for (int k = 0; k < literals; ++k) {
          const std::uint8_t c = data[i + static_cast<std::size_t>(k)];
          tokens[count++] = c;
          ++freq[c];
        }
        i += static_cast<std::size_t>(literals);
        previous = data[i - 1];
        if (starts == 0) continue;
      }
      const std::uint8_t c = data[i];
      if (c != previous) {
        tokens[count++] = c;
        ++freq[c];
        previous = c;
        ++i;
        continue;
      }
      const std::size_t limit = std::min<std::size_t>(kMaxRun, end - i);
      std::size_t run = 1;
      while (run < limit && data[i + run] == c) ++run;
      if (run >= kMinRun) {
        tokens[count++] = static_cast<std::uint16_t>(kRunToken + run - kMinRun);
        ++freq[kRunCodes[run].symbol];
      } else {
        for (std::size_t k = 0; k < run; ++k) tokens[count + k] = c;
        count += run;
        freq[c] += static_cast<std::uint32_t>(run);
      }
      i += run;
    }
    write_block(tokens, count, freq, end == size, w);
    start = end;
  } while (start < size);
  w.finish(out);
  const std::uint32_t check = adler32(data, size);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((check >> shift) & 0xFF));
}

}  // namespace pn::data
