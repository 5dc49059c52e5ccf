#include "apps/args.h"

#include <cstdlib>

#include "tensor/error.h"

namespace pn::apps {

Args::Args(int argc, char** argv, int first, const std::set<std::string>& flags,
           const std::set<std::string>& switches) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0) {
      positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::string value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      PN_CHECK(flags.count(name), "unknown option --", name);
    } else if (switches.count(name)) {
      value = "1";
    } else {
      PN_CHECK(flags.count(name), "unknown option --", name);
      PN_CHECK(i + 1 < argc, "option --", name, " needs a value");
      value = argv[++i];
    }
    values_[name] = value;
  }
}

std::string Args::str(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

std::string Args::str(const std::string& name) const {
  auto it = values_.find(name);
  PN_CHECK(it != values_.end(), "missing required option --", name);
  return it->second;
}

int64_t Args::integer(const std::string& name, int64_t fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  char* end = nullptr;
  long long v = std::strtoll(it->second.c_str(), &end, 10);
  PN_CHECK(!it->second.empty() && *end == '\0', "option --", name, ": expected an integer, got '", it->second, "'");
  return v;
}

double Args::number(const std::string& name, double fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  char* end = nullptr;
  double v = std::strtod(it->second.c_str(), &end);
  PN_CHECK(!it->second.empty() && *end == '\0', "option --", name, ": expected a number, got '", it->second, "'");
  return v;
}

std::vector<double> Args::numbers(const std::string& name, const std::vector<double>& fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  std::vector<double> out;
  const std::string& list = it->second;
  size_t start = 0;
  for (;;) {
    const size_t comma = list.find(',', start);
    const std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    char* end = nullptr;
    const double v = std::strtod(item.c_str(), &end);
    PN_CHECK(!item.empty() && *end == '\0', "option --", name, ": expected comma-separated numbers, got '", list,
             "'");
    out.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace pn::apps
