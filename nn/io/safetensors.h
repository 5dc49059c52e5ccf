#pragma once
// The native checkpoint format: safetensors (https://github.com/huggingface/safetensors),
// one file that a PyTorch user opens with safetensors.torch.load_file, with
// PyTorch's state_dict names.
//
// Layout: an 8-byte little-endian header length N; N bytes of JSON mapping
// each tensor name to {"dtype", "shape", "data_offsets": [begin, end)} (offsets
// relative to the data section) plus an optional "__metadata__" object of
// string -> string; then the data section, the tensors' bytes in row-major
// little-endian order.
//
// The writer produces byte for byte what the reference implementation
// writes for the same tensors: compact JSON, "__metadata__" first (keys
// sorted), tensors ordered by dtype alignment (I64, F64, F32, U8) then by
// name, packed without gaps, the header padded with spaces to a multiple of 8
// so that every tensor's data is aligned to its element size.
//
// The reader trusts nothing: the header length is limited and must lie in the
// file; the JSON must be valid with no duplicate names; every entry must have
// a known dtype, a shape (at most 64 dimensions) whose size matches its byte
// range, and the ranges must tile the data section exactly (no gap, no
// overlap, nothing outside the file or after the last tensor). Each failure is
// a pn::Error naming the file and the offending key.
#include <cstdint>
#include <map>
#include <string>

#include "nn/io/byte_source.h"
#include "nn/state_dict.h"

namespace pn::nn::io {

using Metadata = std::map<std::string, std::string>;

struct SafetensorsContent {
  StateDict tensors;
  Metadata metadata;  // the "__metadata__" object; empty when absent
};

// The longest header accepted, as in the reference implementation.
inline constexpr uint64_t kMaxSafetensorsHeader = 100'000'000;

// Writes `tensors` (any device; float32, float64, uint8, int64; every tensor
// defined) and `metadata` to `path` atomically (nn/io/atomic_file.h). A
// tensor may not be named "__metadata__".
void save_safetensors(const std::string& path, const StateDict& tensors, const Metadata& metadata = {});
// The same bytes in memory (tests, fuzzing seeds).
std::string to_safetensors_bytes(const StateDict& tensors, const Metadata& metadata = {});

// Reads a safetensors file into CPU tensors. Dtypes F32, F64, U8 and I64 are
// read as they are; F16 and BF16 are widened to float32 and BOOL is read as
// uint8, since the framework has no such dtypes; any other dtype is refused.
SafetensorsContent load_safetensors(const std::string& path);
SafetensorsContent read_safetensors(const ByteSource& source);

}  // namespace pn::nn::io
