// PNG decoding through stb, behind the size caps.
#include "fuzz_main.h"
#include "pneumo/data/png.h"

PN_FUZZ_TARGET(pn::data::decode_png(bytes, "fuzz.png"))
