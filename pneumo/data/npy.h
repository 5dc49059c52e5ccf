#pragma once
// Writing float32 arrays as NumPy .npy files (format version 1.0), the format
// `pneumo predict` writes probability maps in: np.load reads them as they are.
#include <filesystem>

#include "tensor/tensor.h"

namespace pn::data {

// Writes t (float32 or float64, stored as little-endian float32, row-major,
// its own shape) atomically.
void write_npy(const std::filesystem::path& path, const Tensor& t);

// The .npy bytes of t, as write_npy writes them.
std::string encode_npy(const Tensor& t);

}  // namespace pn::data
