// PyTorch checkpoints: zip and legacy formats, through the restricted unpickler.
#include "fuzz_main.h"
#include "nn/io/byte_source.h"
#include "nn/io/torch_checkpoint.h"

PN_FUZZ_TARGET({
  pn::nn::io::MemorySource source(bytes, "fuzz.pth");
  pn::nn::io::read_torch_checkpoint(source);
})
