#pragma once
// Bounds-checked access to untrusted bytes: a file, a memory buffer, or a
// range of either (a zip entry).
//
// Every reader of an outside format (safetensors, zip, pickle) reads through
// a ByteSource, so that a length or offset that lies in a file becomes a
// pn::Error naming the source, the offset and what was being read, never a
// read past the end. Offsets and sizes are uint64_t and every range check is
// written so that it cannot overflow.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "tensor/error.h"

namespace pn::nn::io {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

  // The name used in error messages: the path, or what the bytes are.
  const std::string& name() const { return name_; }
  uint64_t size() const { return size_; }
  // True when [offset, offset + n) lies inside the source.
  bool contains(uint64_t offset, uint64_t n) const { return offset <= size_ && n <= size_ - offset; }

  // Copies bytes [offset, offset + n) into dst, or throws a pn::Error naming
  // the source, the range and `what` when the range is not inside the source.
  void read(uint64_t offset, void* dst, size_t n, std::string_view what) const;
  std::string read_string(uint64_t offset, size_t n, std::string_view what) const;
  // A little-endian unsigned integer of sizeof(T) bytes at offset.
  template <class T> T read_le(uint64_t offset, std::string_view what) const {
    unsigned char b[sizeof(T)];
    read(offset, b, sizeof(T), what);
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(static_cast<T>(b[i]) << (8 * i));
    return v;
  }

 protected:
  ByteSource(std::string name, uint64_t size) : name_(std::move(name)), size_(size) {}
  // Reads a range already checked to be inside the source.
  virtual void read_checked(uint64_t offset, void* dst, size_t n) const = 0;

 private:
  std::string name_;
  uint64_t size_;
};

// Bytes in memory owned by the caller, who keeps them alive while in use.
class MemorySource final : public ByteSource {
 public:
  MemorySource(std::string_view bytes, std::string name)
      : ByteSource(std::move(name), bytes.size()), bytes_(bytes) {}

 private:
  void read_checked(uint64_t offset, void* dst, size_t n) const override {
    if (n) std::memcpy(dst, bytes_.data() + offset, n);
  }
  std::string_view bytes_;
};

// A file opened for reading (pread, so reads do not share a position). The
// size is taken once at opening: a file that shrinks afterwards makes reads
// fail with an error, not return stale or partial data.
class FileSource final : public ByteSource {
 public:
  // Throws pn::Error naming the path and the OS error when it cannot be opened.
  explicit FileSource(const std::string& path);
  ~FileSource() override;

 private:
  FileSource(int fd, const std::string& path);
  void read_checked(uint64_t offset, void* dst, size_t n) const override;
  int fd_;
};

// Bytes [offset, offset + size) of another source, which must outlive it;
// offsets are relative to the start of the range.
class SliceSource final : public ByteSource {
 public:
  // Throws when the range is not inside `parent`.
  SliceSource(const ByteSource& parent, uint64_t offset, uint64_t size, std::string name);

 private:
  void read_checked(uint64_t offset, void* dst, size_t n) const override;
  const ByteSource& parent_;
  uint64_t offset_;
};

// Sequential reading from a source with a read-ahead buffer (a pickle is read
// one opcode at a time; one system call per byte would be slow).
class Cursor {
 public:
  Cursor(const ByteSource& source, uint64_t position = 0) : source_(source), pos_(position) {}

  const ByteSource& source() const { return source_; }
  uint64_t position() const { return pos_; }
  uint64_t remaining() const { return pos_ <= source_.size() ? source_.size() - pos_ : 0; }

  // Each throws a pn::Error naming the source, the position and `what` when
  // fewer bytes remain than asked for.
  uint8_t byte(std::string_view what);
  void read(void* dst, size_t n, std::string_view what);
  std::string read_string(uint64_t n, std::string_view what);
  template <class T> T read_le(std::string_view what) {
    unsigned char b[sizeof(T)];
    read(b, sizeof(T), what);
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(static_cast<T>(b[i]) << (8 * i));
    return v;
  }
  // Bytes up to (not including) the next '\n', which is consumed; at most
  // max_length bytes before it.
  std::string read_line(size_t max_length, std::string_view what);

 private:
  void fill(std::string_view what, uint64_t need);
  const ByteSource& source_;
  uint64_t pos_;
  std::vector<unsigned char> buffer_;
  uint64_t buffer_start_ = 0;  // source offset of buffer_[0]
};

}  // namespace pn::nn::io
