#include "pneumo/data/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "tensor/error.h"

namespace pn::data {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

// Closes a file descriptor on scope exit unless released.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and reports close()'s error, which for some file systems is
  // where a failed write shows up.
  int close_checked() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd);
  }

 private:
  int fd_;
};

}  // namespace

std::string read_file(const std::filesystem::path& path, std::size_t max_bytes) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  PN_CHECK(!ec && std::filesystem::exists(status), "cannot read ", path.string(),
           ": no such file");
  PN_CHECK(std::filesystem::is_regular_file(status), "cannot read ", path.string(),
           ": not a regular file");
  const auto size = std::filesystem::file_size(path, ec);
  PN_CHECK(!ec, "cannot read ", path.string(), ": ", ec.message());
  PN_CHECK(size <= max_bytes, "cannot read ", path.string(), ": ", size,
           " bytes is more than the limit of ", max_bytes);
  std::ifstream in(path, std::ios::binary);
  PN_CHECK(in.is_open(), "cannot open ", path.string(), ": ", errno_text(errno));
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  PN_CHECK(static_cast<std::size_t>(in.gcount()) == bytes.size(), "cannot read ", path.string(),
           ": short read (", in.gcount(), " of ", bytes.size(), " bytes)");
  return bytes;
}

void write_file_atomic(const std::filesystem::path& path, std::string_view bytes) {
  PN_CHECK(!path.filename().empty(), "cannot write ", path.string(), ": not a file name");
  const std::filesystem::path dir =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  // A name unique to this process and call, hidden, so that a folder listing
  // never mistakes it for a finished file.
  static std::atomic<unsigned long> counter{0};
  std::string tmp_name(1, '.');  // appends: GCC 12 warns falsely on "." + string
  tmp_name.append(path.filename().string());
  tmp_name.append(".tmp.");
  tmp_name.append(std::to_string(::getpid()));
  tmp_name.push_back('.');
  tmp_name.append(std::to_string(counter.fetch_add(1)));
  const std::filesystem::path tmp = dir / tmp_name;

  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  const int open_errno = errno;  // before anything else can change it
  PN_CHECK(fd.get() >= 0, "cannot write ", path.string(), ": cannot create temporary file ",
           tmp.string(), ": ", errno_text(open_errno));
  auto fail_removing = [&](const std::string& what, int err) {
    ::unlink(tmp.c_str());
    pn::fail("cannot write ", path.string(), ": ", what, ": ", errno_text(err));
  };

  const char* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd.get(), p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_removing("write failed", errno);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) fail_removing("fsync failed", errno);
  if (fd.close_checked() != 0) fail_removing("close failed", errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail_removing("rename failed", errno);

  // Make the rename durable.  Failing to sync the folder leaves a complete
  // file that might not survive a power cut; that is not worth an error.
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() >= 0) (void)::fsync(dfd.get());
}

}  // namespace pn::data
