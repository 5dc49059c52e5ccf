#include "pneumo/train/python_numbers.h"

#include <charconv>
#include <cmath>

#include "tensor/error.h"

namespace pn::train {

std::string float_repr(double v) {
  if (std::isnan(v)) return "";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, end);
  if (std::isfinite(v) && s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

double parse_number(std::string_view text, const std::string& what) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  PN_CHECK(ec == std::errc() && end == text.data() + text.size() && !text.empty(), what,
           ": expected a number, got '", text, "'");
  return v;
}

}  // namespace pn::train
