#pragma once
// Tensor shapes: a list of extents, outermost first (NCHW for images).
#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <vector>

namespace pn {

// A std::vector of extents that prints as [2, 3, 4]. It is its own type (not an
// alias) so that error messages built in any namespace find its operator<<.
struct Shape : std::vector<int64_t> {
  using std::vector<int64_t>::vector;
  Shape(std::initializer_list<int64_t> dims) : std::vector<int64_t>(dims) {}
  explicit Shape(const std::vector<int64_t>& dims) : std::vector<int64_t>(dims) {}

  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : *this) n *= d;
    return n;  // 1 for the empty shape: a scalar
  }
};

inline std::ostream& operator<<(std::ostream& os, const Shape& s) {
  os << '[';
  for (size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  return os << ']';
}

}  // namespace pn
