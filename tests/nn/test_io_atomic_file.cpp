// Atomic file replacement (nn/io/atomic_file.h): success, every failure point
// (injected and real), and the cleanup of temporaries left by a killed writer.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "nn/io/atomic_file.h"
#include "tensor/error.h"

namespace fs = std::filesystem;
using namespace pn::nn::io;

namespace {

// A fresh empty folder, removed with its content at the end of the test.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag) {
    path = fs::temp_directory_path() / ("pn_atomic_" + tag + "_" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

template <class F> std::string error_of(F&& f) {
  try {
    f();
  } catch (const pn::Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("atomic file: writes, replaces, and leaves no temporary behind") {
  TempDir dir("basic");
  const std::string path = dir.file("ckpt.bin");
  write_file_atomic(path, "first");
  CHECK(slurp(path) == "first");
  write_file_atomic(path, std::string("second\0with nul", 15));
  CHECK(slurp(path) == std::string("second\0with nul", 15));
  write_file_atomic(path, "");
  CHECK(slurp(path).empty());
  CHECK(dir.names() == std::vector<std::string>{"ckpt.bin"});
}

TEST_CASE("atomic file: streaming writes of many pieces") {
  TempDir dir("stream");
  const std::string path = dir.file("big.bin");
  std::string expected;
  {
    AtomicFile out(path);
    CHECK(out.temporary_path().rfind(path + ".tmp-", 0) == 0);
    CHECK(fs::exists(out.temporary_path()));
    CHECK_FALSE(fs::exists(path));  // nothing visible under the name before commit
    for (int i = 0; i < 1000; ++i) {
      std::string piece(static_cast<size_t>(i % 97 + 1), static_cast<char>('a' + i % 26));
      out.write(piece);
      expected += piece;
    }
    out.commit();
  }
  CHECK(slurp(path) == expected);
  CHECK(dir.names() == std::vector<std::string>{"big.bin"});
}

TEST_CASE("atomic file: an uncommitted file is discarded and the previous one kept") {
  TempDir dir("discard");
  const std::string path = dir.file("ckpt.bin");
  write_file_atomic(path, "good");
  {
    AtomicFile out(path);
    out.write("half-written");
    // e.g. an exception while serialising: the destructor runs without commit
  }
  CHECK(slurp(path) == "good");
  CHECK(dir.names() == std::vector<std::string>{"ckpt.bin"});
}

TEST_CASE("atomic file: every injected failure keeps the previous file and removes the temporary") {
  using testing::FailPoint;
  struct Case {
    FailPoint point;
    int error;
    const char* step;
    const char* text;
  };
  const Case cases[] = {
      {FailPoint::Create, EROFS, "creating the temporary", "Read-only file system"},
      {FailPoint::Write, ENOSPC, "writing", "the disk is full"},
      {FailPoint::Write, EIO, "writing", "Input/output error"},
      {FailPoint::Fsync, ENOSPC, "fsync", "No space left on device"},
      {FailPoint::Rename, EROFS, "renaming", "the file system is read-only"},
  };
  TempDir dir("inject");
  const std::string path = dir.file("ckpt.bin");
  write_file_atomic(path, "previous checkpoint");
  for (const auto& c : cases) {
    INFO(std::string(c.step));
    testing::inject_failure(c.point, c.error);
    std::string msg = error_of([&] { write_file_atomic(path, std::string(100000, 'x')); });
    INFO(msg);
    testing::clear_injected_failure();
    CHECK(msg.find("cannot write '" + path + "'") != std::string::npos);
    CHECK(msg.find(c.step) != std::string::npos);
    CHECK(msg.find(c.text) != std::string::npos);
    CHECK(msg.find("previous file is unchanged") != std::string::npos);
    CHECK(slurp(path) == "previous checkpoint");
    CHECK(dir.names() == std::vector<std::string>{"ckpt.bin"});
  }
  // The injection is one-shot: the next write goes through.
  write_file_atomic(path, "next");
  CHECK(slurp(path) == "next");
}

TEST_CASE("atomic file: a failed fsync of the folder is reported after the rename") {
  TempDir dir("syncdir");
  const std::string path = dir.file("ckpt.bin");
  write_file_atomic(path, "old");
  testing::inject_failure(testing::FailPoint::SyncFolder, EIO);
  std::string msg = error_of([&] { write_file_atomic(path, "new"); });
  INFO(msg);
  testing::clear_injected_failure();
  CHECK(msg.find("fsync of its folder") != std::string::npos);
  CHECK(msg.find("may not survive a power loss") != std::string::npos);
  CHECK(slurp(path) == "new");
  CHECK(dir.names() == std::vector<std::string>{"ckpt.bin"});
}

TEST_CASE("atomic file: Deferred durability renames without fsync; sync_file_system ends the batch") {
  TempDir dir("deferred");
  const std::string path = dir.file("image.png");
  // An armed fsync failure is never reached: neither the file nor the
  // folder is synced.
  for (auto point : {testing::FailPoint::Fsync, testing::FailPoint::SyncFolder}) {
    testing::inject_failure(point, EIO);
    write_file_atomic(path, "deferred", Durability::Deferred);
    CHECK(slurp(path) == "deferred");
    std::string msg = error_of([&] { write_file_atomic(path, "synced"); });  // the armed failure fires here
    testing::clear_injected_failure();
    CHECK(msg.find("fsync") != std::string::npos);
  }
  CHECK(dir.names() == std::vector<std::string>{"image.png"});
  sync_file_system(dir.path.string());
  const std::string missing = dir.file("no_such_folder");
  std::string msg = error_of([&] { sync_file_system(missing); });
  CHECK(msg.find("cannot sync the file system of '" + missing + "'") != std::string::npos);
}

TEST_CASE("atomic file: real OS failures: a missing folder and a file-size limit") {
  TempDir dir("real");
  std::string missing = dir.file("no/such/folder/ckpt.bin");
  std::string msg = error_of([&] { write_file_atomic(missing, "x"); });
  INFO(msg);
  CHECK(msg.find(missing) != std::string::npos);
  CHECK(msg.find("No such file or directory") != std::string::npos);

  // RLIMIT_FSIZE makes write() fail with EFBIG even for root, whom file
  // permissions (a read-only folder) would not stop.
  const std::string path = dir.file("ckpt.bin");
  write_file_atomic(path, "small previous file");
  struct rlimit old {};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 4096;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  msg = error_of([&] { write_file_atomic(path, std::string(1 << 20, 'x')); });
  ::setrlimit(RLIMIT_FSIZE, &old);
  ::signal(SIGXFSZ, old_handler);
  CHECK(msg.find("File too large") != std::string::npos);
  CHECK(slurp(path) == "small previous file");
  CHECK(dir.names() == std::vector<std::string>{"ckpt.bin"});
}

TEST_CASE("atomic file: temporaries of dead writers are removed, those of live ones kept") {
  TempDir dir("stale");
  const std::string path = dir.file("ckpt.bin");
  write_file_atomic(path, "good");
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) ::_exit(0);
  REQUIRE(::waitpid(child, nullptr, 0) == child);  // now a pid with no process
  auto touch = [&](const std::string& name) { std::ofstream(dir.file(name)) << "partial"; };
  const std::string dead = "ckpt.bin.tmp-" + std::to_string(child) + "-3";
  const std::string mine = "ckpt.bin.tmp-" + std::to_string(::getpid()) + "-9";
  touch(dead);
  touch(mine);
  touch("ckpt.bin.tmp-1-0");           // pid 1 is alive
  touch("other.bin.tmp-" + std::to_string(child) + "-0");  // another file's temporary
  touch("ckpt.bin.tmp-notapid");
  CHECK(remove_stale_temporaries(path) == 1);
  auto names = dir.names();
  CHECK(std::find(names.begin(), names.end(), dead) == names.end());
  CHECK(std::find(names.begin(), names.end(), mine) != names.end());
  CHECK(names.size() == 5);
  CHECK(slurp(path) == "good");
}
