// CSV files in the competition's dialect.
#include "fuzz_main.h"
#include "pneumo/data/csv.h"

PN_FUZZ_TARGET(pn::data::parse_csv(bytes, "fuzz.csv"))
