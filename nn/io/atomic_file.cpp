#include "nn/io/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <vector>

#include "nn/io/crash_point.h"
#include "tensor/error.h"

namespace pn::nn::io {

namespace {

// ---- failure injection ----
std::mutex g_inject_mutex;
bool g_inject_armed = false;
testing::FailPoint g_inject_point{};
int g_inject_error = 0;
std::string g_inject_path_part;

// True (with errno set) when an injected failure fires at `point` for `path`.
bool injected(testing::FailPoint point, const std::string& path) {
  std::lock_guard<std::mutex> lock(g_inject_mutex);
  if (!g_inject_armed || g_inject_point != point) return false;
  if (path.find(g_inject_path_part) == std::string::npos) return false;
  g_inject_armed = false;
  errno = g_inject_error;
  return true;
}

std::atomic<unsigned> g_counter{0};

// The folder holding `path` ("." for a bare name) and the file name in it.
std::string folder_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}
std::string base_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string describe(int error) {
  return std::string(std::strerror(error)) + " (errno " + std::to_string(error) + ")";
}

}  // namespace

namespace testing {
void inject_failure(FailPoint point, int error, std::string path_part) {
  std::lock_guard<std::mutex> lock(g_inject_mutex);
  g_inject_armed = true;
  g_inject_path_part = std::move(path_part);
  g_inject_point = point;
  g_inject_error = error;
}
void clear_injected_failure() {
  std::lock_guard<std::mutex> lock(g_inject_mutex);
  g_inject_armed = false;
}
}  // namespace testing

AtomicFile::AtomicFile(std::string path, Durability durability)
    : path_(std::move(path)), durability_(durability) {
  PN_CHECK(!path_.empty() && path_.back() != '/', "atomic write: '", path_, "' is not a file path");
  tmp_ = path_ + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(g_counter++);
  // O_EXCL: never reuse (and so never clobber) a file that already has the name.
  if (injected(testing::FailPoint::Create, path_)) {
    fd_ = -1;
  } else {
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  }
  if (fd_ < 0) {
    int err = errno;
    fail("cannot write '", path_, "': creating the temporary '", tmp_, "' failed: ", describe(err),
         "; check that the folder exists and is writable. The previous file is unchanged");
  }
}

AtomicFile::~AtomicFile() {
  if (!committed_) discard();
}

void AtomicFile::discard() noexcept {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!tmp_.empty()) {
    ::unlink(tmp_.c_str());
    tmp_.clear();
  }
}

void AtomicFile::fail_and_discard(const char* step, int error) {
  std::string tmp = tmp_;
  discard();
  fail("cannot write '", path_, "': ", step, " failed: ", describe(error),
       error == ENOSPC ? " (the disk is full)" : "",
       error == EROFS ? " (the file system is read-only)" : "", "; the temporary '", tmp,
       "' was removed and the previous file is unchanged");
}

void AtomicFile::write(const void* data, size_t n) {
  PN_CHECK(fd_ >= 0 && !committed_, "AtomicFile::write on '", path_, "' after commit or failure");
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t put = injected(testing::FailPoint::Write, path_) ? -1 : ::write(fd_, p, n);
    if (put < 0 && errno == EINTR) continue;
    if (put < 0) fail_and_discard("writing", errno);
    // write() returning 0 for n > 0 means no progress is possible (treated as a full disk).
    if (put == 0) fail_and_discard("writing", ENOSPC);
    p += put;
    n -= static_cast<size_t>(put);
  }
}

void AtomicFile::commit() {
  PN_CHECK(fd_ >= 0 && !committed_, "AtomicFile::commit on '", path_, "' after commit or failure");
  crash_point("atomic file: written, before fsync");
  // fsync before rename: otherwise a crash can leave the new name pointing at
  // a file whose data blocks were never written (zero-length after reboot).
  if (durability_ == Durability::Synced && (injected(testing::FailPoint::Fsync, path_) || ::fsync(fd_) != 0)) {
    fail_and_discard("fsync", errno);
  }
  int fd = fd_;
  fd_ = -1;
  // close() can report a delayed write error (NFS): treat it as a failed write.
  if (::close(fd) != 0) fail_and_discard("closing", errno);
  crash_point("atomic file: synced, before rename");
  if (injected(testing::FailPoint::Rename, path_) || ::rename(tmp_.c_str(), path_.c_str()) != 0)
    fail_and_discard("renaming the temporary over it", errno);
  tmp_.clear();
  committed_ = true;
  crash_point("atomic file: renamed, before the folder's fsync");
  if (durability_ == Durability::Deferred) return;

  std::string folder = folder_of(path_);
  int dfd = injected(testing::FailPoint::SyncFolder, path_) ? -1
                                                     : ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int err = errno;
  if (dfd >= 0) {
    err = ::fsync(dfd) == 0 ? 0 : errno;
    ::close(dfd);
    // Some file systems cannot fsync a folder (EINVAL); there is nothing more to do.
    if (err == EINVAL || err == ENOTSUP) err = 0;
  }
  PN_CHECK(err == 0, "'", path_, "' was written but fsync of its folder '", folder,
           "' failed: ", describe(err), "; the new file may not survive a power loss");
}

void write_file_atomic(const std::string& path, std::string_view bytes, Durability durability) {
  AtomicFile out(path, durability);
  out.write(bytes);
  out.commit();
}

void sync_file_system(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  PN_CHECK(fd >= 0, "cannot sync the file system of '", path, "': opening it failed: ", describe(errno));
  const int err = ::syncfs(fd) == 0 ? 0 : errno;
  ::close(fd);
  PN_CHECK(err == 0, "cannot sync the file system of '", path, "': ", describe(err),
           "; the files written may not survive a power loss");
}

size_t remove_stale_temporaries(const std::string& path) {
  std::string folder = folder_of(path), prefix = base_of(path) + ".tmp-";
  DIR* dir = ::opendir(folder.c_str());
  PN_CHECK(dir != nullptr, "cannot list '", folder, "': ", describe(errno));
  std::vector<std::string> stale;
  while (dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    // "<pid>-<n>": the writer is gone when no process has that pid.
    std::string rest = name.substr(prefix.size());
    auto dash = rest.find('-');
    if (dash == std::string::npos || dash == 0 || dash > 9) continue;
    bool digits = true;
    for (size_t i = 0; i < rest.size(); ++i)
      if (i != dash && (rest[i] < '0' || rest[i] > '9')) digits = false;
    if (!digits || dash + 1 == rest.size()) continue;
    pid_t pid = static_cast<pid_t>(std::stol(rest.substr(0, dash)));
    if (pid == ::getpid()) continue;
    if (::kill(pid, 0) == 0 || errno != ESRCH) continue;  // alive, or not ours to judge
    stale.push_back(folder + "/" + name);
  }
  ::closedir(dir);
  size_t removed = 0;
  for (const auto& f : stale)
    if (::unlink(f.c_str()) == 0) ++removed;
  return removed;
}

}  // namespace pn::nn::io
