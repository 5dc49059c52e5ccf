// The entry point of test_cuda. CTest runs it twice (cmake/tests.cmake):
//   test_cuda --test-suite=host                       checks that need no GPU
//   test_cuda --needs-device --test-suite-exclude=host  the GPU checks
// With --needs-device and no usable GPU it exits with kSkipped, which CTest's
// SKIP_RETURN_CODE reports as skipped: never as passed.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <iostream>
#include <string>
#include <vector>

#include "tensor/backend.h"
#include "tensor/error.h"

namespace {

constexpr int kSkipped = 77;

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args;
  bool needs_device = false;
  for (int i = 0; i < argc; ++i) {
    if (std::string(argv[i]) == "--needs-device") {
      needs_device = true;
    } else {
      args.push_back(argv[i]);
    }
  }
  if (needs_device && !pn::has_backend(pn::DeviceType::CUDA)) {
    std::string why;
    try {
      pn::backend(pn::Device::cuda());
    } catch (const pn::Error& e) {
      why = e.what();
    }
    std::cout << "test_cuda: skipped, no usable CUDA device: " << why << "\n";
    return kSkipped;
  }
  doctest::Context context(static_cast<int>(args.size()), args.data());
  return context.run();
}
