// The albumentations JSON transform files (and the JSON reader under them).
#include "fuzz_main.h"
#include "pneumo/augment/transform_json.h"

PN_FUZZ_TARGET(pn::augment::parse_transforms(bytes, "fuzz.json"))
