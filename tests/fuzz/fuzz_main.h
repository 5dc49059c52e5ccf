#pragma once
// The shared frame of every libFuzzer harness: feed the bytes to one reader
// of outside data; a pn::Error is the expected way to refuse bad input, and
// anything else (a crash, a sanitizer report, another exception) is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tensor/error.h"

#define PN_FUZZ_TARGET(body)                                                   \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {    \
    std::string_view bytes(reinterpret_cast<const char*>(data), size);         \
    try {                                                                      \
      body;                                                                    \
    } catch (const pn::Error&) {                                               \
    }                                                                          \
    return 0;                                                                  \
  }
