#pragma once
// Numbers as text, the way the reference's Python writes them into its CSV
// files and column names, and back.
#include <string>
#include <string_view>

namespace pn::train {

// Python's repr of a float: the shortest text that reads back the same
// double, with ".0" for integral values ("0.75", "1e-07", "1000.0"); NaN is
// the empty field pandas writes for a missing value.
std::string float_repr(double v);

// The number `text` holds, exactly (from_chars); throws pn::Error
// "WHAT: expected a number, got 'TEXT'" otherwise.
double parse_number(std::string_view text, const std::string& what);

}  // namespace pn::train
