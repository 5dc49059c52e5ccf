// The zip reader (nn/io/zip_reader.h) on archives built here byte by byte, so
// that each malformation is exactly the one intended.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "nn/io/zip_reader.h"

using namespace pn;
using namespace pn::nn::io;

namespace {

void put16(std::string& s, uint64_t v) {
  for (int i = 0; i < 2; ++i) s += static_cast<char>(v >> (8 * i));
}
void put32(std::string& s, uint64_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>(v >> (8 * i));
}
void put64(std::string& s, uint64_t v) {
  for (int i = 0; i < 8; ++i) s += static_cast<char>(v >> (8 * i));
}

struct FakeEntry {
  FakeEntry(std::string n, std::string d) : name(std::move(n)), data(std::move(d)) {}
  std::string name;
  std::string data;
  uint16_t method = 0;
  uint16_t flags = 0;
  std::string local_name;   // when set, the local header names this instead
  uint32_t crc_xor = 0;     // corrupts the recorded CRC
  int64_t offset_shift = 0; // moves the recorded local header offset
  bool zip64_fields = false;  // sizes and offset in a zip64 extra field
};

// A zip archive of stored entries, optionally with PyTorch's zip64 end records
// and a trailing comment.
std::string make_zip(const std::vector<FakeEntry>& entries, bool zip64_end = false, const std::string& comment = "") {
  std::string out, cd;
  for (const auto& e : entries) {
    const uint64_t offset = out.size();
    const std::string local_name = e.local_name.empty() ? e.name : e.local_name;
    const uint32_t crc = crc32(e.data.data(), e.data.size()) ^ e.crc_xor;
    put32(out, 0x04034b50);
    put16(out, 20), put16(out, e.flags), put16(out, e.method), put32(out, 0);
    put32(out, crc), put32(out, e.data.size()), put32(out, e.data.size());
    put16(out, local_name.size()), put16(out, 0);
    out += local_name + e.data;

    std::string extra;
    if (e.zip64_fields) {
      put16(extra, 1), put16(extra, 24);
      put64(extra, e.data.size()), put64(extra, e.data.size()), put64(extra, offset + e.offset_shift);
    }
    const uint64_t small = e.zip64_fields ? 0xFFFFFFFF : 0;
    put32(cd, 0x02014b50);
    put16(cd, 45), put16(cd, 45), put16(cd, e.flags), put16(cd, e.method), put32(cd, 0);
    put32(cd, crc), put32(cd, small ? small : e.data.size()), put32(cd, small ? small : e.data.size());
    put16(cd, e.name.size()), put16(cd, extra.size()), put16(cd, 0), put16(cd, 0), put16(cd, 0), put32(cd, 0);
    put32(cd, small ? small : offset + e.offset_shift);
    cd += e.name + extra;
  }
  const uint64_t cd_offset = out.size();
  out += cd;
  if (zip64_end) {
    const uint64_t rec = out.size();
    put32(out, 0x06064b50), put64(out, 44), put16(out, 45), put16(out, 45), put32(out, 0), put32(out, 0);
    put64(out, entries.size()), put64(out, entries.size()), put64(out, cd.size()), put64(out, cd_offset);
    put32(out, 0x07064b50), put32(out, 0), put64(out, rec), put32(out, 1);
  }
  put32(out, 0x06054b50), put16(out, 0), put16(out, 0);
  put16(out, zip64_end ? 0xFFFF : entries.size()), put16(out, zip64_end ? 0xFFFF : entries.size());
  put32(out, zip64_end ? 0xFFFFFFFF : cd.size()), put32(out, zip64_end ? 0xFFFFFFFF : cd_offset);
  put16(out, comment.size());
  return out + comment;
}

std::string zip_error(const std::string& bytes, const char* read_entry = nullptr) {
  try {
    MemorySource src(bytes, "test.zip");
    ZipReader zip(src);
    if (read_entry) zip.read(*zip.find(read_entry));
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("zip: stored entries are listed and read, with or without zip64 records and a comment") {
  std::vector<FakeEntry> entries = {{"archive/data.pkl", "pickle bytes"}, {"archive/data/0", std::string(1000, '\7')},
                                    {"archive/empty", ""}};
  for (bool z64 : {false, true})
    for (std::string comment : {"", "a comment"}) {
      CAPTURE(z64);
      std::string bytes = make_zip(entries, z64, comment);
      MemorySource src(bytes, "test.zip");
      CHECK(is_zip(src));
      ZipReader zip(src);
      REQUIRE(zip.entries().size() == 3);
      CHECK(zip.read(*zip.find("archive/data.pkl")) == "pickle bytes");
      CHECK(zip.read(*zip.find("archive/data/0")) == std::string(1000, '\7'));
      CHECK(zip.read(*zip.find("archive/empty")).empty());
      CHECK(zip.find("archive/missing") == nullptr);
    }
}

TEST_CASE("zip: zip64 extra fields replace saturated sizes and offsets") {
  FakeEntry e{"a/b", "hello"};
  e.zip64_fields = true;
  std::string bytes = make_zip({{"a/first", "x"}, e}, true);
  MemorySource src(bytes, "test.zip");
  ZipReader zip(src);
  CHECK(zip.read(*zip.find("a/b")) == "hello");
}

TEST_CASE("zip: CRC-32 matches the standard check value") {
  CHECK(crc32("123456789", 9) == 0xCBF43926u);
  CHECK(crc32("", 0) == 0u);
  CHECK(crc32("56789", 5, crc32("1234", 4)) == 0xCBF43926u);
}

TEST_CASE("zip: names that could escape a folder are refused") {
  struct Case {
    const char* name;
    const char* message;
  };
  const Case cases[] = {
      {"../evil", "'..' component (path traversal, refused)"},
      {"archive/../../evil", "path traversal"},
      {"archive/..", "path traversal"},
      {"/etc/passwd", "absolute path"},
      {"C:evil", "absolute path"},
      {"archive\\..\\evil", "backslash"},
      {"", "empty name"},
  };
  for (const auto& c : cases) {
    INFO(std::string(c.name));
    std::string msg = zip_error(make_zip({{"archive/data.pkl", "x"}, {c.name, "pwned"}}));
    INFO(msg);
    CHECK(msg.find("zip 'test.zip'") != std::string::npos);
    CHECK(msg.find(c.message) != std::string::npos);
  }
  CHECK(zip_error(make_zip({{std::string("a\0b", 3), "x"}})).find("NUL") != std::string::npos);
  // ".." inside a name component is harmless.
  CHECK(zip_error(make_zip({{"archive/a..b", "x"}})) == "(no error)");
}

TEST_CASE("zip: inconsistent or hostile structure is refused") {
  FakeEntry renamed{"archive/data.pkl", "x"};
  renamed.local_name = "archive/other.pk";
  CHECK(zip_error(make_zip({renamed})).find("another name in its local header") != std::string::npos);

  CHECK(zip_error(make_zip({{"a", "x"}, {"a", "y"}})).find("entry 'a' appears twice") != std::string::npos);

  FakeEntry encrypted{"a", "x"};
  encrypted.flags = 1;
  CHECK(zip_error(make_zip({encrypted})).find("encrypted") != std::string::npos);

  FakeEntry moved{"b", "yyyy"};
  moved.offset_shift = -20;  // points into the previous entry
  CHECK(zip_error(make_zip({{"a", std::string(40, 'x')}, moved})).find("local header") != std::string::npos);

  FakeEntry beyond{"b", "yyyy"};
  beyond.offset_shift = 1000;
  CHECK(zip_error(make_zip({{"a", "x"}, beyond})).find("outside the data area") != std::string::npos);

  FakeEntry bad_crc{"a", "data"};
  bad_crc.crc_xor = 1;
  CHECK(zip_error(make_zip({bad_crc}), "a").find("entry 'a' is corrupt (CRC-32") != std::string::npos);

  FakeEntry deflated{"a", "data"};
  deflated.method = 8;
  std::string msg = zip_error(make_zip({deflated}), "a");
  INFO(msg);
  CHECK(msg.find("entry 'a' is compressed (method 8, deflate)") != std::string::npos);
  CHECK(msg.find("PyTorch writes checkpoints uncompressed") != std::string::npos);

  CHECK(zip_error("PK\x03\x04 not really a zip archive, just some text").find("no end-of-central-directory record") != std::string::npos);
  CHECK(zip_error("short").find("too short") != std::string::npos);
}

TEST_CASE("zip: overlapping entries are refused") {
  // Entry b's central record points at a complete local header for b hidden
  // inside a's data: each entry is well formed, but they share bytes.
  std::string b_local;
  put32(b_local, 0x04034b50);
  put16(b_local, 20), put16(b_local, 0), put16(b_local, 0), put32(b_local, 0);
  put32(b_local, crc32("yyyy", 4)), put32(b_local, 4), put32(b_local, 4);
  put16(b_local, 1), put16(b_local, 0);
  b_local += "byyyy";
  FakeEntry a{"a", "xx" + b_local + "zz"};
  FakeEntry b{"b", "yyyy"};
  const int64_t hidden = 30 + 1 + 2, actual = 30 + 1 + static_cast<int64_t>(a.data.size());
  b.offset_shift = hidden - actual;
  CHECK(zip_error(make_zip({a, b})).find("entries 'a' and 'b' overlap") != std::string::npos);
}

TEST_CASE("zip: every truncation of a valid archive is an error, never a crash") {
  std::string good = make_zip({{"archive/data.pkl", "pickle"}, {"archive/data/0", std::string(64, 'z')}}, true);
  for (size_t n = 0; n < good.size(); ++n) {
    CAPTURE(n);
    std::string cut = good.substr(0, n);
    CHECK_THROWS_AS(
        {
          MemorySource src(cut, "cut.zip");
          ZipReader zip(src);
          for (const auto& e : zip.entries()) zip.read(e);
        },
        Error);
  }
}
