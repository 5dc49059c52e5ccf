#pragma once
// NumPy .npz archives of named float arrays: the result files of `pneumo
// infer` (one probability map per image, named by the image id) that `pneumo
// submit` and `pneumo search` read.
//
// An .npz is a zip archive with one "<name>.npy" entry per array; np.load
// reads what NpzWriter writes (np.load(path)[name]), and NpzReader reads what
// np.savez writes.
//
// Writing streams: each add() encodes one array and appends it to the file,
// so memory holds one array at a time whatever the archive's size (3200 maps
// of 1024x1024 are 13 GiB in float32). Entries are stored uncompressed; the
// archive switches to zip64 records where the zip limits require it (an entry
// or offset at or past 4 GiB, 65535 or more entries). The file is written
// through nn::io::AtomicFile: nothing appears at the path until finish(), and
// a writer destroyed without finish() leaves the previous file untouched.
// Entries carry the fixed timestamp 1980-01-01 00:00, so equal arrays make
// equal files.
//
// Reading opens the zip directory only (through nn/io/zip_reader.h, which
// validates names, offsets and overlaps); read() loads and checks one array.
// Only stored entries can be read: np.savez_compressed deflates its entries,
// and such an archive is refused with an error that says so.
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace pn::nn::io {
class AtomicFile;
class FileSource;
class ZipReader;
}  // namespace pn::nn::io

namespace pn::data {

// How NpzWriter stores the values: float32 ('<f4'), or float16 ('<f2',
// rounded to nearest even as astype(np.float16) does: half the size, about
// 3 significant digits, enough for probabilities compared to thresholds).
enum class NpzDtype { Float16, Float32 };

class NpzWriter {
 public:
  // Opens the temporary next to `path` (pn::Error naming it when the folder is
  // missing or not writable).
  explicit NpzWriter(const std::filesystem::path& path, NpzDtype dtype = NpzDtype::Float32);
  // Without finish(), discards the temporary; never throws.
  ~NpzWriter();
  NpzWriter(const NpzWriter&) = delete;
  NpzWriter& operator=(const NpzWriter&) = delete;

  // Appends `array` (a float32 or float64 CPU tensor of any shape, C order;
  // float64 values are rounded to float32 first) as "<name>.npy". Throws pn::Error for a duplicate name, an empty name or
  // one with '/', '\\' or NUL (np.load could not give it back as written),
  // another dtype or device, or a call after finish().
  void add(const std::string& name, const Tensor& array);
  // Writes the central directory and commits the file atomically. Called once.
  void finish();
  // Arrays added so far.
  std::size_t count() const;

 private:
  struct Entry {
    std::string name;  // "<name>.npy"
    uint32_t crc32 = 0;
    uint64_t size = 0;
    uint64_t offset = 0;  // of the local header
  };
  std::filesystem::path path_;
  NpzDtype dtype_;
  std::unique_ptr<nn::io::AtomicFile> file_;
  uint64_t written_ = 0;
  std::vector<Entry> entries_;
  std::set<std::string> names_;
  bool finished_ = false;
};

class NpzReader {
 public:
  // Opens `path` and reads its zip directory. Throws pn::Error naming the file
  // when it is missing, not a zip archive, truncated (its directory is at the
  // end), or holds an entry whose name does not end in ".npy".
  explicit NpzReader(const std::filesystem::path& path);
  ~NpzReader();
  NpzReader(const NpzReader&) = delete;
  NpzReader& operator=(const NpzReader&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The array names (entry names without ".npy"), in file order.
  const std::vector<std::string>& names() const;
  bool has(const std::string& name) const;
  // The array as a float32 CPU tensor of its stored shape. Accepts the
  // little-endian ('<') float types f2, f4 and f8 in C order. Throws pn::Error
  // naming the file and the array when the name is absent, the entry is
  // compressed, corrupt (CRC-32) or cut short, or its header is malformed or
  // states another type, Fortran order, or a size that disagrees with the data.
  // Safe to call from several threads at once.
  Tensor read(const std::string& name) const;

 private:
  std::filesystem::path path_;
  std::unique_ptr<nn::io::FileSource> source_;
  std::unique_ptr<nn::io::ZipReader> zip_;
  std::vector<std::string> names_;
  std::map<std::string, std::size_t, std::less<>> index_;  // name -> zip entry
};

// The reference configs name result files "result_top3.pkl" (a Python
// pickle); this project writes .npz: a path ending in ".pkl" becomes the same
// path with ".npz", any other path is returned unchanged.
std::filesystem::path npz_path_for(const std::filesystem::path& configured);

}  // namespace pn::data
