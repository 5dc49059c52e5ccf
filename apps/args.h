#pragma once
// Command-line flags of the `pneumo` subcommands: --name VALUE pairs and
// positional arguments, with typed access and errors that name the flag.
#include <map>
#include <set>
#include <string>
#include <vector>

namespace pn::apps {

class Args {
 public:
  // Parses argv[first..argc). `flags` lists the accepted --names that take a
  // value, `switches` those that take none; anything else starting with "--"
  // is an error naming it.
  Args(int argc, char** argv, int first, const std::set<std::string>& flags,
       const std::set<std::string>& switches = {});

  bool has(const std::string& name) const { return values_.count(name) != 0; }
  std::string str(const std::string& name, const std::string& fallback) const;
  std::string str(const std::string& name) const;  // required
  int64_t integer(const std::string& name, int64_t fallback) const;
  double number(const std::string& name, double fallback) const;
  // A comma-separated list of numbers ("0.5,0.6,0.7"); fallback when absent.
  std::vector<double> numbers(const std::string& name, const std::vector<double>& fallback) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

}  // namespace pn::apps
