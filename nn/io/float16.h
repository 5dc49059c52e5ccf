#pragma once
// Widening of the 16-bit float formats that checkpoints may hold (PyTorch's
// HalfStorage / BFloat16Storage, safetensors F16 / BF16) to float32. Both
// conversions are exact: every float16 and bfloat16 value, including
// subnormals, infinities and NaN payloads, is representable in float32.
#include <bit>
#include <cstdint>

namespace pn::nn::io {

// IEEE 754 binary16 (1 sign, 5 exponent, 10 mantissa bits) to float32.
inline float half_to_float(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1Fu;
  uint32_t mant = h & 0x3FFu;
  uint32_t bits;
  if (exp == 0x1F) {  // inf / NaN: keep the payload
    bits = sign | 0x7F800000u | (mant << 13);
  } else if (exp != 0) {  // normal: rebias 15 -> 127
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  } else if (mant == 0) {  // signed zero
    bits = sign;
  } else {  // subnormal: normalise the mantissa
    int e = -1;
    do {
      ++e;
      mant <<= 1;
    } while ((mant & 0x400u) == 0);
    bits = sign | (static_cast<uint32_t>(112 - e) << 23) | ((mant & 0x3FFu) << 13);
  }
  return std::bit_cast<float>(bits);
}

// bfloat16 is the top half of a float32.
inline float bfloat16_to_float(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

}  // namespace pn::nn::io
