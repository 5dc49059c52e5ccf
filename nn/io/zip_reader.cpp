#include "nn/io/zip_reader.h"

#include <algorithm>
#include <array>

#include "tensor/error.h"

namespace pn::nn::io {

namespace {

constexpr uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50,
                   kEnd64Sig = 0x06064b50, kLocator64Sig = 0x07064b50;
constexpr uint64_t kEndSize = 22, kLocator64Size = 20, kEnd64Size = 56, kCentralSize = 46,
                   kLocalSize = 30;

// Slicing by 8: table[0] is the byte-at-a-time table; table[k][b] is the CRC
// of byte b followed by k zero bytes, so eight bytes are folded in with eight
// independent lookups instead of a chain of eight (about 5x faster; PNG
// writing checks every compressed byte).
using CrcTables = std::array<std::array<uint32_t, 256>, 8>;
constexpr CrcTables make_crc_tables() {
  CrcTables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  for (size_t k = 1; k < 8; ++k) {
    for (size_t i = 0; i < 256; ++i) t[k][i] = t[0][t[k - 1][i] & 0xFF] ^ (t[k - 1][i] >> 8);
  }
  return t;
}
constexpr CrcTables kCrcTables = make_crc_tables();

// Little-endian fields of a record held in memory; `at + sizeof(T)` is in
// bounds because every caller checked the record's fixed size first.
template <class T> T le(const std::string& rec, size_t at) {
  T v = 0;
  for (size_t i = 0; i < sizeof(T); ++i)
    v |= static_cast<T>(static_cast<T>(static_cast<unsigned char>(rec[at + i])) << (8 * i));
  return v;
}

void check_name(const std::string& zip, const std::string& name) {
  PN_CHECK(!name.empty(), "zip '", zip, "': an entry has an empty name");
  PN_CHECK(name.find('\0') == std::string::npos, "zip '", zip, "': entry name contains a NUL byte");
  PN_CHECK(name.find('\\') == std::string::npos, "zip '", zip, "': entry '", name,
           "' contains a backslash (refused: it could name a path outside the archive)");
  PN_CHECK(name[0] != '/' && !(name.size() >= 2 && name[1] == ':'), "zip '", zip, "': entry '", name,
           "' is an absolute path (refused)");
  size_t start = 0;
  for (;;) {
    size_t slash = name.find('/', start);
    std::string_view part = std::string_view(name).substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    PN_CHECK(part != "..", "zip '", zip, "': entry '", name, "' has a '..' component (path traversal, refused)");
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
}

}  // namespace

uint32_t crc32(const void* data, size_t n, uint32_t crc) {
  const auto* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
  for (; n >= 8; n -= 8, p += 8) {
    const uint32_t lo = crc ^ (uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24);
    crc = kCrcTables[7][lo & 0xFF] ^ kCrcTables[6][(lo >> 8) & 0xFF] ^ kCrcTables[5][(lo >> 16) & 0xFF] ^
          kCrcTables[4][lo >> 24] ^ kCrcTables[3][p[4]] ^ kCrcTables[2][p[5]] ^ kCrcTables[1][p[6]] ^
          kCrcTables[0][p[7]];
  }
  for (; n > 0; --n, ++p) crc = kCrcTables[0][(crc ^ *p) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

bool is_zip(const ByteSource& source) {
  return source.size() >= 4 && source.read_le<uint32_t>(0, "zip signature") == kLocalSig;
}

ZipReader::ZipReader(const ByteSource& src) : src_(src) {
  const std::string& zip = src.name();
  const uint64_t size = src.size();
  PN_CHECK(size >= kEndSize, "zip '", zip, "': ", size, " bytes is too short for a zip archive");

  // The end-of-central-directory record is the last 22 bytes plus a comment of
  // up to 65535 bytes; the right one is where the comment reaches the end.
  const uint64_t search = std::min<uint64_t>(size, kEndSize + 0xFFFF);
  const std::string tail = src.read_string(size - search, static_cast<size_t>(search), "end of archive");
  uint64_t end_pos = UINT64_MAX;
  for (uint64_t i = search - kEndSize + 1; i-- > 0;) {
    if (le<uint32_t>(tail, i) == kEndSig && le<uint16_t>(tail, i + 20) == search - i - kEndSize) {
      end_pos = size - search + i;
      break;
    }
  }
  PN_CHECK(end_pos != UINT64_MAX, "zip '", zip, "': no end-of-central-directory record (truncated or not a zip file)");
  const std::string end = src.read_string(end_pos, kEndSize, "end of central directory");
  PN_CHECK(le<uint16_t>(end, 4) == 0 && le<uint16_t>(end, 6) == 0 && le<uint16_t>(end, 8) == le<uint16_t>(end, 10),
           "zip '", zip, "': multi-disk archives are not supported");
  uint64_t count = le<uint16_t>(end, 10), cd_size = le<uint32_t>(end, 12), cd_offset = le<uint32_t>(end, 16);
  uint64_t cd_limit = end_pos;  // the central directory ends before this

  // Zip64: a locator right before the record points at the 64-bit record,
  // whose values replace the (possibly saturated) 16- and 32-bit ones.
  if (end_pos >= kLocator64Size &&
      src.read_le<uint32_t>(end_pos - kLocator64Size, "zip64 locator") == kLocator64Sig) {
    const std::string loc = src.read_string(end_pos - kLocator64Size, kLocator64Size, "zip64 locator");
    const uint64_t rec_pos = le<uint64_t>(loc, 8);
    PN_CHECK(le<uint32_t>(loc, 4) == 0 && le<uint32_t>(loc, 16) <= 1, "zip '", zip,
             "': multi-disk archives are not supported");
    PN_CHECK(rec_pos <= end_pos - kLocator64Size && end_pos - kLocator64Size - rec_pos >= kEnd64Size, "zip '",
             zip, "': the zip64 end record offset ", rec_pos, " is invalid");
    const std::string rec = src.read_string(rec_pos, kEnd64Size, "zip64 end of central directory");
    PN_CHECK(le<uint32_t>(rec, 0) == kEnd64Sig, "zip '", zip, "': no zip64 end record at byte ", rec_pos);
    PN_CHECK(le<uint32_t>(rec, 16) == 0 && le<uint32_t>(rec, 20) == 0 && le<uint64_t>(rec, 24) == le<uint64_t>(rec, 32),
             "zip '", zip, "': multi-disk archives are not supported");
    count = le<uint64_t>(rec, 32);
    cd_size = le<uint64_t>(rec, 40);
    cd_offset = le<uint64_t>(rec, 48);
    cd_limit = rec_pos;
  }
  PN_CHECK(cd_offset <= cd_limit && cd_size <= cd_limit - cd_offset, "zip '", zip, "': the central directory [",
           cd_offset, ", +", cd_size, ") is outside the archive");
  PN_CHECK(count <= cd_size / kCentralSize, "zip '", zip, "': ", count, " entries cannot fit in a ", cd_size,
           "-byte central directory");

  const std::string cd = src.read_string(cd_offset, static_cast<size_t>(cd_size), "central directory");
  size_t p = 0;
  for (uint64_t i = 0; i < count; ++i) {
    PN_CHECK(cd.size() - p >= kCentralSize && le<uint32_t>(cd, p) == kCentralSig, "zip '", zip,
             "': central directory entry ", i, " at byte ", cd_offset + p, " is corrupt");
    const uint16_t flags = le<uint16_t>(cd, p + 8);
    ZipEntry e;
    e.method = le<uint16_t>(cd, p + 10);
    e.crc32 = le<uint32_t>(cd, p + 16);
    e.stored_size = le<uint32_t>(cd, p + 20);
    e.size = le<uint32_t>(cd, p + 24);
    const size_t name_len = le<uint16_t>(cd, p + 28), extra_len = le<uint16_t>(cd, p + 30),
                 comment_len = le<uint16_t>(cd, p + 32);
    const uint16_t disk = le<uint16_t>(cd, p + 34);
    e.header_offset = le<uint32_t>(cd, p + 42);
    PN_CHECK(cd.size() - p - kCentralSize >= name_len + extra_len + comment_len, "zip '", zip,
             "': central directory entry ", i, " runs past the directory");
    e.name = cd.substr(p + kCentralSize, name_len);
    check_name(zip, e.name);
    PN_CHECK(index_.emplace(e.name, entries_.size()).second, "zip '", zip, "': entry '", e.name, "' appears twice");
    PN_CHECK(!(flags & 1), "zip '", zip, "': entry '", e.name, "' is encrypted");

    // The zip64 extra field holds, in this order, the fields saturated above.
    const bool big_size = e.size == 0xFFFFFFFF, big_stored = e.stored_size == 0xFFFFFFFF,
               big_offset = e.header_offset == 0xFFFFFFFF, big_disk = disk == 0xFFFF;
    size_t x = p + kCentralSize + name_len;
    const size_t x_end = x + extra_len;
    bool zip64_seen = false;
    while (x_end - x >= 4) {
      const uint16_t id = le<uint16_t>(cd, x), len = le<uint16_t>(cd, x + 2);
      PN_CHECK(x_end - x - 4 >= len, "zip '", zip, "': entry '", e.name, "' has a corrupt extra field");
      if (id == 0x0001 && !zip64_seen) {
        zip64_seen = true;
        size_t f = x + 4, f_end = x + 4 + len;
        auto next64 = [&](const char* what) {
          PN_CHECK(f_end - f >= 8, "zip '", zip, "': entry '", e.name, "' lacks its zip64 ", what);
          uint64_t v = le<uint64_t>(cd, f);
          f += 8;
          return v;
        };
        if (big_size) e.size = next64("size");
        if (big_stored) e.stored_size = next64("compressed size");
        if (big_offset) e.header_offset = next64("header offset");
      }
      x += 4 + len;
    }
    PN_CHECK(!big_disk && disk == 0, "zip '", zip, "': entry '", e.name, "' is on another disk");
    PN_CHECK(zip64_seen || !(big_size || big_stored || big_offset), "zip '", zip, "': entry '", e.name,
             "' lacks its zip64 extra field");

    // The local header repeats the name; its extra field may differ (PyTorch
    // pads it to align the data to 64 bytes).
    PN_CHECK(e.header_offset <= cd_offset && cd_offset - e.header_offset >= kLocalSize, "zip '", zip, "': entry '",
             e.name, "' has its local header at byte ", e.header_offset, ", outside the data area");
    const std::string local = src.read_string(e.header_offset, kLocalSize, "local header");
    PN_CHECK(le<uint32_t>(local, 0) == kLocalSig, "zip '", zip, "': entry '", e.name, "' has no local header at byte ",
             e.header_offset);
    const uint64_t local_name_len = le<uint16_t>(local, 26), local_extra_len = le<uint16_t>(local, 28);
    e.data_offset = e.header_offset + kLocalSize + local_name_len + local_extra_len;
    PN_CHECK(e.data_offset <= cd_offset && e.stored_size <= cd_offset - e.data_offset, "zip '", zip, "': entry '",
             e.name, "' data [", e.data_offset, ", +", e.stored_size, ") runs past the data area (truncated file?)");
    PN_CHECK(local_name_len == name_len &&
                 src.read_string(e.header_offset + kLocalSize, name_len, "local header name") == e.name,
             "zip '", zip, "': entry '", e.name, "' has another name in its local header (corrupt or forged archive)");
    entries_.push_back(std::move(e));
    p += kCentralSize + name_len + extra_len + comment_len;
  }

  // Entries may not share bytes: overlapping entries are how zip bombs and
  // "two views of one file" tricks are built.
  std::vector<const ZipEntry*> by_offset;
  for (const auto& e : entries_) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const ZipEntry* a, const ZipEntry* b) { return a->header_offset < b->header_offset; });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    const ZipEntry& a = *by_offset[i - 1];
    PN_CHECK(a.data_offset + a.stored_size <= by_offset[i]->header_offset, "zip '", zip, "': entries '", a.name,
             "' and '", by_offset[i]->name, "' overlap");
  }
}

const ZipEntry* ZipReader::find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

void ZipReader::check_readable(const ZipEntry& e) const {
  PN_CHECK(e.method == 0, "zip '", src_.name(), "': entry '", e.name, "' is compressed (method ", e.method,
           e.method == 8 ? ", deflate" : "",
           "); only stored entries are supported. PyTorch writes checkpoints uncompressed: "
           "re-save the file with torch.save instead of re-zipping it");
  // With size == stored_size, the size is bounded by the file (checked at opening).
  PN_CHECK(e.stored_size == e.size, "zip '", src_.name(), "': stored entry '", e.name, "' has size ", e.size,
           " but occupies ", e.stored_size, " bytes");
}

void ZipReader::read_into(const ZipEntry& e, void* dst) const {
  check_readable(e);
  src_.read(e.data_offset, dst, static_cast<size_t>(e.size), e.name);
  const uint32_t crc = crc32(dst, static_cast<size_t>(e.size));
  PN_CHECK(crc == e.crc32, "zip '", src_.name(), "': entry '", e.name, "' is corrupt (CRC-32 ", crc,
           " instead of ", e.crc32, ")");
}

std::string ZipReader::read(const ZipEntry& e) const {
  check_readable(e);
  std::string s(static_cast<size_t>(e.size), '\0');
  read_into(e, s.data());
  return s;
}

}  // namespace pn::nn::io
