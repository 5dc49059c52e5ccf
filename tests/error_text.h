#pragma once
// Checking the text of pn::Error messages in tests.
#include <doctest/doctest.h>

#include <functional>
#include <initializer_list>
#include <string>

#include "tensor/error.h"

namespace pn::test {

// The message of the pn::Error that f throws ("" when it throws none).
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Requires a message, and checks that it contains every one of `parts`.
inline void check_message(const std::string& msg, std::initializer_list<const char*> parts) {
  INFO("message: ", msg);
  REQUIRE(!msg.empty());
  for (const char* part : parts) {
    INFO("expected to contain: ", part);
    CHECK(msg.find(part) != std::string::npos);
  }
}

}  // namespace pn::test
