#pragma once
// Element types a tensor can hold.
#include <cstddef>
#include <cstdint>
#include <ostream>

namespace pn {

enum class DType : uint8_t {
  Float32,  // the training type
  Float64,  // references and float64 gradient checks
  UInt8,    // images, masks, results of comparisons
  Int64,    // indices (max-pool argmax), labels
};

constexpr size_t dtype_size(DType t) {
  switch (t) {
    case DType::Float32: return 4;
    case DType::Float64: return 8;
    case DType::UInt8: return 1;
    case DType::Int64: return 8;
  }
  return 0;
}

constexpr const char* dtype_name(DType t) {
  switch (t) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::UInt8: return "uint8";
    case DType::Int64: return "int64";
  }
  return "?";
}

constexpr bool is_floating(DType t) { return t == DType::Float32 || t == DType::Float64; }

inline std::ostream& operator<<(std::ostream& os, DType t) { return os << dtype_name(t); }

// The DType of a C++ element type: dtype_of<float>() == DType::Float32.
template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::Float32; }
template <> constexpr DType dtype_of<double>() { return DType::Float64; }
template <> constexpr DType dtype_of<uint8_t>() { return DType::UInt8; }
template <> constexpr DType dtype_of<int64_t>() { return DType::Int64; }

}  // namespace pn
