#pragma once
// Atomic file replacement: after a crash, power loss or failed write, `path`
// holds either its previous content or the complete new content, never a
// mix or a truncated file.
//
// How: the bytes go to a temporary file in the same folder (so that the
// rename stays on one file system), which is fsynced, renamed over `path`,
// and then the folder is fsynced so that the rename itself is durable.
//
//   AtomicFile out("ckpt/last.safetensors");
//   out.write(header.data(), header.size());
//   out.write(data, n);
//   out.commit();          // without commit the destructor discards the temporary
//
// Every failure (disk full, read-only folder, missing folder) throws a
// pn::Error naming the path and the OS error; the temporary is removed and
// the previous file is left untouched. The one exception is a failed fsync
// of the folder after the rename: the new file is then in place but its
// durability is not guaranteed, and the error says so.
//
// Durability::Deferred skips both fsyncs, for a program that writes many
// files as one batch (`pneumo prepare` writes thousands of PNGs; two fsyncs
// each took more time than making them).  The rename is still atomic, so a
// stopped or killed process leaves `path` with its old or its complete new
// content.  After a power loss, though, a recently renamed file may be empty
// or shorter than written: the batch must check its files' completeness
// itself when it resumes, and call sync_file_system when it is done.
#include <cstddef>
#include <string>
#include <string_view>

namespace pn::nn::io {

enum class Durability {
  Synced,    // fsync the file before the rename and its folder after
  Deferred,  // no fsync: atomic against stopped processes, not power loss
};

class AtomicFile {
 public:
  // Creates the temporary "<path>.tmp-<pid>-<n>" (mode 0666 less the umask).
  explicit AtomicFile(std::string path, Durability durability = Durability::Synced);
  // Discards the temporary unless commit() succeeded; never throws.
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Appends n bytes (handles short writes and EINTR).
  void write(const void* data, size_t n);
  void write(std::string_view bytes) { write(bytes.data(), bytes.size()); }
  // Makes the written bytes the content of path(). Called at most once.
  void commit();

  const std::string& path() const { return path_; }
  const std::string& temporary_path() const { return tmp_; }

 private:
  [[noreturn]] void fail_and_discard(const char* step, int error);
  void discard() noexcept;
  std::string path_, tmp_;
  int fd_ = -1;
  bool committed_ = false;
  Durability durability_;
};

// Writes `bytes` as the whole content of `path`, atomically.
void write_file_atomic(const std::string& path, std::string_view bytes,
                       Durability durability = Durability::Synced);

// Makes everything written so far to the file system that holds `path` (a
// file or folder) durable: syncfs(2).  Ends a batch of Deferred writes.
// Throws pn::Error naming `path` when it cannot be opened or synced.
void sync_file_system(const std::string& path);

// Removes the temporaries of `path` ("<path>.tmp-<pid>-<n>") whose writing
// process no longer exists (one killed while saving); a temporary of a live
// process is kept. Returns how many were removed.
size_t remove_stale_temporaries(const std::string& path);

// Failure injection for tests: makes a write path fail as if the OS had
// returned `error` (ENOSPC for a full disk, EROFS for a read-only folder, EIO).
namespace testing {
enum class FailPoint { Create, Write, Fsync, Rename, SyncFolder };
// The next AtomicFile that reaches `point` fails there with errno `error`;
// one-shot (cleared when it fires). With `path_part`, only a file whose path
// contains it fails (the others pass, and the failure stays armed).
void inject_failure(FailPoint point, int error, std::string path_part = {});
void clear_injected_failure();
}  // namespace testing

}  // namespace pn::nn::io
