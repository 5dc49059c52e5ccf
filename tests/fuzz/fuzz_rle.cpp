// RLE strings of both formats, decoded into a 64x64 mask.
#include "fuzz_main.h"
#include "pneumo/data/rle.h"

PN_FUZZ_TARGET({
  pn::data::rle_decode(bytes, pn::data::RleFormat::Stage1Relative, 64, 64);
  pn::data::rle_decode(bytes, pn::data::RleFormat::Stage2Absolute, 64, 64);
})
