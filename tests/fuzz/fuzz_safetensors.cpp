// safetensors files.
#include "fuzz_main.h"
#include "nn/io/byte_source.h"
#include "nn/io/safetensors.h"

PN_FUZZ_TARGET({
  pn::nn::io::MemorySource source(bytes, "fuzz.safetensors");
  pn::nn::io::read_safetensors(source);
})
