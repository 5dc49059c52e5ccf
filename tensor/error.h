#pragma once
// The one error mechanism of the framework.
//
// Every failure the caller can cause (a wrong shape, a bad file, a freed
// graph) throws pn::Error with a message that names the operation and the
// values involved. Only apps/ turns an Error into an exit status.
//
//   PN_CHECK(x.dim() == 4, "conv2d: input must be 4-D (N, C, H, W), got ", x.shape());
//
// The message is built only when the check fails, from any values that have an
// operator<<.
#include <sstream>
#include <stdexcept>
#include <string>

namespace pn {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

namespace detail {
template <class... Args>
std::string concat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
}  // namespace detail

// Throws pn::Error whose message is the concatenation of args.
template <class... Args>
[[noreturn]] void fail(const Args&... args) {
  throw Error(detail::concat(args...));
}

}  // namespace pn

#define PN_CHECK(cond, ...)                  \
  do {                                       \
    if (!(cond)) ::pn::fail(__VA_ARGS__);    \
  } while (0)
