#pragma once
// Widening of the 16-bit float formats that checkpoints may hold (PyTorch's
// HalfStorage / BFloat16Storage, safetensors F16 / BF16) to float32. Both
// conversions are exact: every float16 and bfloat16 value, including
// subnormals, infinities and NaN payloads, is representable in float32.
// And the narrowing of float32 to float16 that NumPy's astype(np.float16)
// does (float16 .npz result files).
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

// float32 to IEEE 754 binary16, rounded to nearest, ties to even (as NumPy
// and the IEEE default do): magnitudes from 65520 up become infinity, those
// at or below 2^-25 become a signed zero, the rest between round onto the
// subnormals; a NaN stays a NaN (its top payload bits kept, never turned into
// infinity).
inline uint16_t float_to_half(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  const auto sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t exp = (x >> 23) & 0xFFu;
  const uint32_t mant = x & 0x7FFFFFu;
  if (exp == 0xFF) {  // inf / NaN
    if (mant == 0) return sign | 0x7C00u;
    const auto payload = static_cast<uint16_t>(mant >> 13);
    return sign | 0x7C00u | (payload ? payload : 1u);
  }
  // Rounds m / 2^shift to nearest, ties to even; shift in [1, 31].
  auto round_shift = [](uint32_t m, uint32_t shift) {
    uint32_t q = m >> shift;
    const uint32_t rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (q & 1u))) ++q;
    return q;
  };
  if (exp >= 113) {  // a float16 normal (or overflow): rebias 127 -> 15
    // The rounding carry may run into the exponent, which is the right result
    // (1.111..1 x 2^e rounds up to 1.0 x 2^(e+1), and past the top to inf).
    const uint32_t h = round_shift(((exp - 112) << 23) | mant, 13);
    return static_cast<uint16_t>(sign | (h >= 0x7C00u ? 0x7C00u : h));
  }
  // Subnormal in float16: the value is (mant | 2^23) x 2^(exp - 150), and a
  // float16 subnormal step is 2^-24.
  const uint32_t shift = 126 - exp;
  if (shift > 24) return sign;  // below half the smallest subnormal
  return static_cast<uint16_t>(sign | round_shift(mant | 0x800000u, shift));
}

// bfloat16 is the top half of a float32.
inline float bfloat16_to_float(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

}  // namespace pn::nn::io
