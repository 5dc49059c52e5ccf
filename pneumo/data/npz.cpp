#include "pneumo/data/npz.h"

#include <bit>
#include <cstring>

#include "nn/io/atomic_file.h"
#include "nn/io/byte_source.h"
#include "nn/io/float16.h"
#include "nn/io/zip_reader.h"
#include "pneumo/data/npy.h"
#include "tensor/error.h"

namespace pn::data {

// Array bytes are copied as they lie in memory, and .npz data are little-endian.
static_assert(std::endian::native == std::endian::little, "npz.cpp assumes a little-endian machine");

namespace {

constexpr uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50,
                   kEnd64Sig = 0x06064b50, kLocator64Sig = 0x07064b50;
// Values at or past these do not fit the classic records and move to zip64 ones.
constexpr uint64_t kMax32 = 0xFFFFFFFF, kMax16 = 0xFFFF;
// 1980-01-01 00:00 in MS-DOS format: the earliest date a zip entry can carry.
constexpr uint16_t kDosTime = 0, kDosDate = (0 << 9) | (1 << 5) | 1;
constexpr uint16_t kVersion = 20, kVersionZip64 = 45;
constexpr uint16_t kUtf8Flag = 0x800;

void put16(std::string& s, uint64_t v) {
  for (int i = 0; i < 2; ++i) s += static_cast<char>((v >> (8 * i)) & 0xFF);
}
void put32(std::string& s, uint64_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xFF);
}
void put64(std::string& s, uint64_t v) {
  for (int i = 0; i < 8; ++i) s += static_cast<char>((v >> (8 * i)) & 0xFF);
}

// Bit 11 tells readers that a name is UTF-8; ASCII names go without it, as
// Python's zipfile writes them.
uint16_t name_flags(const std::string& name) {
  for (char c : name)
    if (static_cast<unsigned char>(c) >= 0x80) return kUtf8Flag;
  return 0;
}

// The .npy bytes of `array` stored as `dtype` (float64 values are rounded to
// float32 first).
std::string encode_entry(const Tensor& array, NpzDtype dtype) {
  const std::vector<float> values = array.to_vector<float>();
  std::string bytes = encode_npy_header(array.shape(), dtype == NpzDtype::Float16 ? "<f2" : "<f4");
  if (dtype == NpzDtype::Float32) {
    bytes.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
  } else {
    const size_t start = bytes.size();
    bytes.resize(start + values.size() * 2);
    for (size_t i = 0; i < values.size(); ++i) {
      const uint16_t h = nn::io::float_to_half(values[i]);
      bytes[start + 2 * i] = static_cast<char>(h & 0xFF);
      bytes[start + 2 * i + 1] = static_cast<char>(h >> 8);
    }
  }
  return bytes;
}

}  // namespace

// ---- NpzWriter ----

NpzWriter::NpzWriter(const std::filesystem::path& path, NpzDtype dtype)
    : path_(path), dtype_(dtype), file_(std::make_unique<nn::io::AtomicFile>(path.string())) {}

NpzWriter::~NpzWriter() = default;  // AtomicFile's destructor discards an uncommitted temporary

std::size_t NpzWriter::count() const { return entries_.size(); }

void NpzWriter::add(const std::string& name, const Tensor& array) {
  const std::string where = path_.string() + ": array '" + name + "'";
  PN_CHECK(!finished_, where, ": added after finish()");
  PN_CHECK(!name.empty(), path_.string(), ": an array needs a non-empty name");
  PN_CHECK(name.find_first_of(std::string("/\\\0", 3)) == std::string::npos, where,
           ": names may not contain '/', '\\' or NUL");
  PN_CHECK(name.size() + 4 <= kMax16, where, ": name longer than a zip entry name may be");
  PN_CHECK(array.defined(), where, ": undefined tensor");
  PN_CHECK(array.device().is_cpu(), where, ": the tensor is on ", array.device(), ", not the CPU");
  PN_CHECK(array.dtype() == DType::Float32 || array.dtype() == DType::Float64, where,
           ": expected a float32 or float64 tensor");
  PN_CHECK(names_.insert(name).second, where, ": the name was already added");

  Entry e{name + ".npy", 0, 0, written_};
  const std::string data = encode_entry(array, dtype_);
  e.crc32 = nn::io::crc32(data.data(), data.size());
  e.size = data.size();
  const bool big = e.size >= kMax32;

  std::string local;
  put32(local, kLocalSig);
  put16(local, big ? kVersionZip64 : kVersion);
  put16(local, name_flags(e.name));
  put16(local, 0);  // stored
  put16(local, kDosTime);
  put16(local, kDosDate);
  put32(local, e.crc32);
  put32(local, big ? kMax32 : e.size);  // compressed size
  put32(local, big ? kMax32 : e.size);
  put16(local, e.name.size());
  put16(local, big ? 20 : 0);
  local += e.name;
  if (big) {  // zip64 extra field: both sizes
    put16(local, 0x0001);
    put16(local, 16);
    put64(local, e.size);
    put64(local, e.size);
  }
  file_->write(local);
  file_->write(data);
  written_ += local.size() + data.size();
  entries_.push_back(std::move(e));
}

void NpzWriter::finish() {
  PN_CHECK(!finished_, path_.string(), ": finish() called twice");
  const uint64_t cd_offset = written_;
  std::string cd;
  for (const Entry& e : entries_) {
    const bool big_size = e.size >= kMax32, big_offset = e.offset >= kMax32;
    std::string extra;
    if (big_size || big_offset) {  // the saturated fields, in the zip64 order
      put16(extra, 0x0001);
      put16(extra, (big_size ? 16 : 0) + (big_offset ? 8 : 0));
      if (big_size) {
        put64(extra, e.size);
        put64(extra, e.size);
      }
      if (big_offset) put64(extra, e.offset);
    }
    const uint16_t version = extra.empty() ? kVersion : kVersionZip64;
    put32(cd, kCentralSig);
    put16(cd, version);  // made by (MS-DOS attributes)
    put16(cd, version);  // needed to extract
    put16(cd, name_flags(e.name));
    put16(cd, 0);  // stored
    put16(cd, kDosTime);
    put16(cd, kDosDate);
    put32(cd, e.crc32);
    put32(cd, big_size ? kMax32 : e.size);
    put32(cd, big_size ? kMax32 : e.size);
    put16(cd, e.name.size());
    put16(cd, extra.size());
    put16(cd, 0);  // comment length
    put16(cd, 0);  // disk
    put16(cd, 0);  // internal attributes
    put32(cd, 0);  // external attributes
    put32(cd, big_offset ? kMax32 : e.offset);
    cd += e.name;
    cd += extra;
  }
  const uint64_t count = entries_.size(), cd_size = cd.size();
  const bool zip64 = count >= kMax16 || cd_size >= kMax32 || cd_offset >= kMax32;
  std::string end;
  if (zip64) {
    const uint64_t record_offset = cd_offset + cd_size;
    put32(end, kEnd64Sig);
    put64(end, 44);  // size of the rest of this record
    put16(end, kVersionZip64);
    put16(end, kVersionZip64);
    put32(end, 0);  // this disk
    put32(end, 0);  // disk of the central directory
    put64(end, count);
    put64(end, count);
    put64(end, cd_size);
    put64(end, cd_offset);
    put32(end, kLocator64Sig);
    put32(end, 0);  // disk of the zip64 end record
    put64(end, record_offset);
    put32(end, 1);  // disks in all
  }
  put32(end, kEndSig);
  put16(end, 0);
  put16(end, 0);
  put16(end, std::min(count, kMax16));
  put16(end, std::min(count, kMax16));
  put32(end, std::min(cd_size, kMax32));
  put32(end, std::min(cd_offset, kMax32));
  put16(end, 0);  // comment length
  file_->write(cd);
  file_->write(end);
  file_->commit();
  finished_ = true;
}

// ---- NpzReader ----

NpzReader::NpzReader(const std::filesystem::path& path) : path_(path) {
  source_ = std::make_unique<nn::io::FileSource>(path.string());
  PN_CHECK(nn::io::is_zip(*source_) || source_->size() == 22, path.string(),
           ": not an .npz file (it does not start like a zip archive)");
  zip_ = std::make_unique<nn::io::ZipReader>(*source_);
  for (size_t i = 0; i < zip_->entries().size(); ++i) {
    const std::string& entry = zip_->entries()[i].name;
    PN_CHECK(entry.size() > 4 && entry.ends_with(".npy"), path.string(), ": entry '", entry,
             "' is not an .npy array (an .npz holds only NAME.npy entries)");
    names_.push_back(entry.substr(0, entry.size() - 4));
    index_.emplace(names_.back(), i);
  }
}

NpzReader::~NpzReader() = default;

const std::vector<std::string>& NpzReader::names() const { return names_; }

bool NpzReader::has(const std::string& name) const { return index_.count(name) != 0; }

Tensor NpzReader::read(const std::string& name) const {
  const std::string where = path_.string() + ": array '" + name + "'";
  const auto it = index_.find(name);
  PN_CHECK(it != index_.end(), path_.string(), ": no array named '", name, "' (the file holds ", names_.size(),
           " arrays)");
  const nn::io::ZipEntry& entry = zip_->entries()[it->second];
  PN_CHECK(entry.method == 0, where, ": the entry is compressed (zip method ", entry.method,
           entry.method == 8 ? ", deflate, as np.savez_compressed writes" : "",
           "); only uncompressed archives (np.savez) can be read");
  const std::string bytes = zip_->read(entry);  // CRC-checked
  const NpyHeader h = parse_npy_header(bytes, where);
  size_t item = 0;
  if (h.descr == "<f2") item = 2;
  if (h.descr == "<f4") item = 4;
  if (h.descr == "<f8") item = 8;
  PN_CHECK(item != 0, where, ": element type '", h.descr,
           "' is not supported (little-endian float16, float32 or float64: '<f2', '<f4', '<f8')");
  PN_CHECK(!h.fortran_order, where, ": Fortran-ordered arrays are not supported (save a C-ordered copy)");
  const size_t data_bytes = bytes.size() - h.data_offset;
  // Counting down from the data size keeps the product from overflowing.
  uint64_t n = 1;
  for (int64_t d : h.shape) {
    PN_CHECK(d == 0 || n <= data_bytes / item / static_cast<uint64_t>(d), where, ": shape ", Shape(h.shape),
             " needs more than the ", data_bytes, " data bytes of the entry");
    n *= static_cast<uint64_t>(d);
  }
  PN_CHECK(n * item == data_bytes, where, ": shape ", Shape(h.shape), " of '", h.descr, "' needs ", n * item,
           " data bytes, the entry holds ", data_bytes);

  Tensor out(Shape(h.shape), DType::Float32);
  float* dst = out.data<float>();
  const char* src = bytes.data() + h.data_offset;
  for (size_t i = 0; i < n; ++i) {
    if (item == 4) {
      std::memcpy(dst + i, src + 4 * i, 4);
    } else if (item == 2) {
      uint16_t v;
      std::memcpy(&v, src + 2 * i, 2);
      dst[i] = nn::io::half_to_float(v);
    } else {
      double v;
      std::memcpy(&v, src + 8 * i, 8);
      dst[i] = static_cast<float>(v);
    }
  }
  return out;
}

std::filesystem::path npz_path_for(const std::filesystem::path& configured) {
  if (configured.extension() != ".pkl") return configured;
  std::filesystem::path p = configured;
  return p.replace_extension(".npz");
}

}  // namespace pn::data
