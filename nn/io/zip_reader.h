#pragma once
// A reader for the zip archives PyTorch writes (torch.save since 1.6): the
// central directory is parsed and validated up front, entries are read by
// name, stored (uncompressed) entries only, with their CRC-32 checked.
//
// Refused, each with a pn::Error naming the archive and the entry:
//  - names that could escape a folder if extracted: absolute ("/x", "C:x"),
//    with a ".." component, a backslash or a NUL; empty names; duplicates;
//  - entries whose local header is missing, disagrees with the central
//    directory (another name: a "zip confusion" trick), or whose data lies
//    outside the file or overlaps another entry;
//  - encrypted entries, multi-disk archives;
//  - compressed entries, when read (PyTorch never compresses; the error says
//    so). Zip64 (archives and entries over 4 GiB) is supported.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "nn/io/byte_source.h"

namespace pn::nn::io {

struct ZipEntry {
  std::string name;
  uint16_t method = 0;          // 0 stored, 8 deflate, ...
  uint64_t size = 0;            // uncompressed bytes
  uint64_t stored_size = 0;     // bytes in the archive
  uint32_t crc32 = 0;
  uint64_t header_offset = 0;   // of the local header
  uint64_t data_offset = 0;     // of the data
};

class ZipReader {
 public:
  // Parses the central directory of `source`, which must outlive the reader.
  explicit ZipReader(const ByteSource& source);

  const std::vector<ZipEntry>& entries() const { return entries_; }
  // The entry named `name`, or nullptr.
  const ZipEntry* find(std::string_view name) const;
  // The content of a stored entry, CRC-checked.
  std::string read(const ZipEntry& entry) const;
  // The same into dst, which holds entry.size bytes.
  void read_into(const ZipEntry& entry, void* dst) const;

 private:
  void check_readable(const ZipEntry& entry) const;
  const ByteSource& src_;
  std::vector<ZipEntry> entries_;
  std::map<std::string, size_t, std::less<>> index_;  // name -> position in entries_
};

// True when the source starts with a zip local file header ("PK\3\4").
bool is_zip(const ByteSource& source);

// CRC-32 (ISO-HDLC, as in zip and gzip) of n bytes, continuing from `crc`.
uint32_t crc32(const void* data, size_t n, uint32_t crc = 0);

}  // namespace pn::nn::io
