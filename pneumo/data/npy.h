#pragma once
// NumPy's .npy array format: writing float32 arrays (format version 1.0), the
// format `pneumo predict` writes probability maps in (np.load reads them as
// they are), and parsing the header of any .npy (versions 1.0, 2.0 and 3.0),
// which the .npz reader (npz.h) builds on.
//
// A .npy file is the magic "\x93NUMPY", a version byte pair, the header length
// (2 bytes in version 1, 4 bytes in versions 2 and 3), then the header: a
// Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and ended by '\n', then the raw element bytes.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "tensor/tensor.h"

namespace pn::data {

// Writes t (float32 or float64, stored as little-endian float32, row-major,
// its own shape) atomically.
void write_npy(const std::filesystem::path& path, const Tensor& t);

// The .npy bytes of t, as write_npy writes them.
std::string encode_npy(const Tensor& t);

// The magic, version 1.0, header length and header of an array of `shape`
// with NumPy type string `descr` ("<f4", "<f2"), C order, padded with spaces
// so that the data start at a multiple of 64 bytes, as NumPy writes it.
// Requires a header shorter than 64 KiB (version 1.0's limit).
std::string encode_npy_header(const std::vector<int64_t>& shape, std::string_view descr);

struct NpyHeader {
  std::string descr;            // NumPy type string: "<f4", "<f2", "|u1", ...
  bool fortran_order = false;
  std::vector<int64_t> shape;   // () for a scalar
  std::size_t data_offset = 0;  // bytes from the start of the file to the data
};

// Parses the magic, version and header dict at the start of `bytes` (which
// may go on with the data). Throws pn::Error beginning with `where` for a
// missing magic, an unknown version, a header past the end of `bytes`, or a
// header dict that is not {'descr': str, 'fortran_order': bool, 'shape':
// tuple of non-negative ints} (keys in any order, each exactly once).
NpyHeader parse_npy_header(std::string_view bytes, std::string_view where);

}  // namespace pn::data
