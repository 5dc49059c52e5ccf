#include "nn/io/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace pn::nn::io {

void ByteSource::read(uint64_t offset, void* dst, size_t n, std::string_view what) const {
  PN_CHECK(contains(offset, n), name_, ": ", what, " at byte ", offset, " needs ", n,
           " bytes but the ", size_, "-byte source ends first (truncated or corrupt file)");
  read_checked(offset, dst, n);
}

std::string ByteSource::read_string(uint64_t offset, size_t n, std::string_view what) const {
  // Checked before allocating, so a lying length cannot ask for gigabytes.
  PN_CHECK(contains(offset, n), name_, ": ", what, " at byte ", offset, " needs ", n,
           " bytes but the ", size_, "-byte source ends first (truncated or corrupt file)");
  std::string s(n, '\0');
  read_checked(offset, s.data(), n);
  return s;
}

// ---- FileSource ----

namespace {
int open_or_throw(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  PN_CHECK(fd >= 0, "cannot open '", path, "' for reading: ", std::strerror(errno));
  return fd;
}
uint64_t size_or_throw(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    fail("cannot stat '", path, "': ", std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    fail("'", path, "' is not a regular file");
  }
  return static_cast<uint64_t>(st.st_size);
}
}  // namespace

FileSource::FileSource(const std::string& path) : FileSource(open_or_throw(path), path) {}

// Delegating through the descriptor lets size_or_throw close it when the
// base cannot be built.
FileSource::FileSource(int fd, const std::string& path)
    : ByteSource(path, size_or_throw(fd, path)), fd_(fd) {}

FileSource::~FileSource() { ::close(fd_); }

void FileSource::read_checked(uint64_t offset, void* dst, size_t n) const {
  auto* out = static_cast<char*>(dst);
  while (n > 0) {
    ssize_t got = ::pread(fd_, out, n, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    PN_CHECK(got >= 0, name(), ": read error at byte ", offset, ": ", std::strerror(errno));
    PN_CHECK(got > 0, name(), ": unexpected end of file at byte ", offset,
             " (the file shrank while being read)");
    out += got;
    offset += static_cast<uint64_t>(got);
    n -= static_cast<size_t>(got);
  }
}

// ---- SliceSource ----

SliceSource::SliceSource(const ByteSource& parent, uint64_t offset, uint64_t size, std::string name)
    : ByteSource(std::move(name), size), parent_(parent), offset_(offset) {
  PN_CHECK(parent.contains(offset, size), parent.name(), ": range [", offset, ", +", size,
           ") of ", this->name(), " is outside the ", parent.size(), "-byte source");
}

void SliceSource::read_checked(uint64_t offset, void* dst, size_t n) const {
  parent_.read(offset_ + offset, dst, n, name());
}

// ---- Cursor ----

namespace {
constexpr uint64_t kChunk = 64 * 1024;
}

void Cursor::fill(std::string_view what, uint64_t need) {
  PN_CHECK(need <= remaining(), source_.name(), ": ", what, " at byte ", pos_, " needs ", need,
           " bytes but only ", remaining(), " remain (truncated or corrupt file)");
  uint64_t n = std::min<uint64_t>(std::max(need, kChunk), remaining());
  buffer_.resize(static_cast<size_t>(n));
  source_.read(pos_, buffer_.data(), buffer_.size(), what);
  buffer_start_ = pos_;
}

uint8_t Cursor::byte(std::string_view what) {
  if (pos_ < buffer_start_ || pos_ >= buffer_start_ + buffer_.size()) fill(what, 1);
  return buffer_[static_cast<size_t>(pos_++ - buffer_start_)];
}

void Cursor::read(void* dst, size_t n, std::string_view what) {
  if (n == 0) return;
  PN_CHECK(n <= remaining(), source_.name(), ": ", what, " at byte ", pos_, " needs ", n,
           " bytes but only ", remaining(), " remain (truncated or corrupt file)");
  bool buffered = pos_ >= buffer_start_ && pos_ - buffer_start_ + n <= buffer_.size();
  if (!buffered) {
    if (n >= kChunk) {  // large reads go straight to the destination
      source_.read(pos_, dst, n, what);
      pos_ += n;
      return;
    }
    fill(what, n);
  }
  std::memcpy(dst, buffer_.data() + (pos_ - buffer_start_), n);
  pos_ += n;
}

std::string Cursor::read_string(uint64_t n, std::string_view what) {
  PN_CHECK(n <= remaining(), source_.name(), ": ", what, " at byte ", pos_, " needs ", n,
           " bytes but only ", remaining(), " remain (truncated or corrupt file)");
  std::string s(static_cast<size_t>(n), '\0');
  read(s.data(), s.size(), what);
  return s;
}

std::string Cursor::read_line(size_t max_length, std::string_view what) {
  uint64_t start = pos_;
  std::string line;
  for (;;) {
    PN_CHECK(remaining() > 0, source_.name(), ": ", what, " at byte ", start,
             " has no end of line before the end of the file");
    char c = static_cast<char>(byte(what));
    if (c == '\n') return line;
    PN_CHECK(line.size() < max_length, source_.name(), ": ", what, " at byte ", start,
             " is longer than ", max_length, " bytes");
    line.push_back(c);
  }
}

}  // namespace pn::nn::io
