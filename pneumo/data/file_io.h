#pragma once
// Whole-file reading and atomic whole-file writing.
//
// Every file pneumo/data writes (CSV, PNG) goes through write_file_atomic, so
// that a reader, or a run stopped half-way and started again, sees either the
// old content or the complete new content, never a half-written file.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "nn/io/atomic_file.h"

namespace pn::data {

// Reads the whole file.  Throws pn::Error naming the file when it cannot be
// opened or read, is not a regular file, or is larger than max_bytes (checked
// before reading, so a huge file is refused without allocating for it).
std::string read_file(const std::filesystem::path& path,
                      std::size_t max_bytes = std::size_t{1} << 30);

// Replaces `path` by `bytes` atomically: the data go to a temporary file in the
// same folder (a rename is atomic only within one file system), which is
// fsync'ed, then renamed over `path`; the folder is fsync'ed afterwards so the
// rename itself survives a crash.  The folder must exist.  On any failure the
// temporary file is removed, `path` is untouched, and pn::Error names `path`
// and the system's reason.  The new file gets mode 0666 less the umask.
// Durability::Deferred skips the fsyncs, for batches (see nn/io/atomic_file.h).
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes,
                       nn::io::Durability durability = nn::io::Durability::Synced);

}  // namespace pn::data
