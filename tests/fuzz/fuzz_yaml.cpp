// The YAML configuration reader, and the accessors on what it returns.
#include "fuzz_main.h"
#include "pneumo/config/yaml.h"

namespace {
void walk(const pn::config::Node& n, int depth) {
  if (depth > 100) return;
  if (n.is_mapping()) {
    for (const auto& [k, v] : n.entries()) walk(v, depth + 1);
  } else if (n.is_sequence()) {
    for (const auto& v : n.elements()) walk(v, depth + 1);
  } else if (n.is_scalar()) {
    try { n.number(); } catch (const pn::Error&) {}
    try { n.boolean(); } catch (const pn::Error&) {}
  }
}
}  // namespace

PN_FUZZ_TARGET(walk(pn::config::parse_yaml(std::string(bytes), "fuzz.yaml"), 0))
