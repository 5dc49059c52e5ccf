// test_cuda's checks that need no GPU (CTest: cuda/host): the harness itself,
// the check macros' messages, the launch-check rule and the allocator's size
// rounding. They run on every CUDA build.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "autograd/ops.h"
#include "cuda/allocator.h"
#include "cuda/check.h"
#include "cuda/context.h"
#include "harness.h"
#include "tensor/backend.h"

using namespace pn;
using pn::test::check_against_cpu;
using pn::test::error_against_cpu;
using pn::test::random_input;
using pn::test::relative_error;

namespace {

std::string message_of(void (*f)()) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_SUITE("host") {

TEST_CASE("relative_error is the norm-wise relative difference") {
  CHECK(relative_error({1, 2, 3}, {1, 2, 3}) == 0.0);
  CHECK(relative_error({3, 4}, {0, 0}) > 1e20);                       // against zero: huge, not a division by 0
  CHECK(relative_error({1, 2}, {1, 2, 3}) == std::numeric_limits<double>::infinity());
  CHECK(relative_error({0, 0}, {3, 4}) == doctest::Approx(1.0));      // all of it missing
  CHECK(relative_error({3, 4.5}, {3, 4}) == doctest::Approx(0.1));    // 0.5 / 5
  CHECK_FALSE(relative_error({std::nan(""), 1}, {1, 1}) <= 1.0);      // NaN never passes
}

TEST_CASE("the harness runs forward and backward and compares (CPU against CPU)") {
  // The CPU compared with itself: exactly equal, through every step the GPU
  // comparison takes (copies, leaves, backward with a fixed g, integers).
  auto conv = [](const std::vector<Tensor>& in) { return relu(conv2d(in[0], in[1], in[2])); };
  std::vector<Tensor> inputs = {random_input({2, 3, 6, 6}, DType::Float32, 1), random_input({4, 3, 3, 3}, DType::Float32, 2),
                                random_input({4}, DType::Float32, 3)};
  CHECK(error_against_cpu(Device::cpu(), conv, inputs) == 0.0);
  check_against_cpu("conv2d+relu", Device::cpu(), conv, inputs, 0.0);
  auto compare = [](const std::vector<Tensor>& in) { return lt(in[0], in[1]); };
  CHECK(error_against_cpu(Device::cpu(), compare,
                          {random_input({5, 4}, DType::Float64, 4), random_input({4}, DType::Float64, 5)}) == 0.0);
  // The gradients really are compared: an op whose backward depends on a
  // second run differs from the reference.
  int runs = 0;
  auto unstable = [&runs](const std::vector<Tensor>& in) { return mul(in[0], static_cast<double>(++runs)); };
  CHECK(error_against_cpu(Device::cpu(), unstable, {random_input({3}, DType::Float64, 6)}) == doctest::Approx(1.0));
}

TEST_CASE("the CUDA check macros throw pn::Error naming the call, the place and the library's error") {
  std::string m = message_of([] { PN_CUDA_CHECK(cudaErrorInvalidValue); });
  CHECK(m.find("CUDA call failed: cudaErrorInvalidValue") != std::string::npos);
  CHECK(m.find("test_host.cpp:") != std::string::npos);
  CHECK(m.find(cudaGetErrorString(cudaErrorInvalidValue)) != std::string::npos);
  m = message_of([] { PN_CUBLAS_CHECK(CUBLAS_STATUS_INVALID_VALUE); });
  CHECK(m.find("cuBLAS call failed: CUBLAS_STATUS_INVALID_VALUE") != std::string::npos);
  CHECK(m.find(cublasGetStatusString(CUBLAS_STATUS_INVALID_VALUE)) != std::string::npos);
#if defined(PNEUMO_CUDNN)
  m = message_of([] { PN_CUDNN_CHECK(CUDNN_STATUS_BAD_PARAM); });
  CHECK(m.find("cuDNN call failed: CUDNN_STATUS_BAD_PARAM") != std::string::npos);
#endif
  CHECK(message_of([] { PN_CUDA_CHECK(cudaSuccess); }) == "(no error)");
}

TEST_CASE("every kernel launch in cuda/ is followed by PN_CUDA_LAUNCH_CHECK()") {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(PN_TEST_DATA_DIR) / ".." / ".." / "cuda";
  REQUIRE(fs::is_directory(dir));
  int launches = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string ext = entry.path().extension().string();
    if (ext != ".cu" && ext != ".cuh") continue;
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    for (size_t at = text.find("<<<"); at != std::string::npos; at = text.find("<<<", at + 3)) {
      ++launches;
      size_t end = text.find(';', at);  // the launch statement ends here
      REQUIRE(end != std::string::npos);
      size_t next = text.find_first_not_of(" \t\r\n", end + 1);
      bool checked = next != std::string::npos && text.compare(next, 22, "PN_CUDA_LAUNCH_CHECK()") == 0;
      INFO(entry.path().filename().string(), ": launch at byte ", at, " is not followed by PN_CUDA_LAUNCH_CHECK()");
      CHECK(checked);
    }
  }
  CHECK(launches >= 5);  // the scan found the launches at all
}

TEST_CASE("the caching allocator rounds small sizes to 512 bytes and large ones to 2 MiB") {
  CHECK(cuda::rounded_size(0) == 512);
  CHECK(cuda::rounded_size(1) == 512);
  CHECK(cuda::rounded_size(512) == 512);
  CHECK(cuda::rounded_size(513) == 1024);
  CHECK(cuda::rounded_size(size_t{1} << 20) == size_t{1} << 20);
  CHECK(cuda::rounded_size((size_t{1} << 20) + 1) == size_t{2} << 20);
  CHECK(cuda::rounded_size((size_t{5} << 20) + 7) == size_t{6} << 20);
}

TEST_CASE("without a GPU the CUDA device fails with a clear message") {
  if (cuda::device_count() > 0) {
    MESSAGE("a GPU is visible: nothing to check here");
    return;
  }
  CHECK_FALSE(has_backend(DeviceType::CUDA));
  std::string m = message_of([] { zeros({2}, DType::Float32, Device::cuda()); });
  CHECK(m.find("no CUDA device is visible") != std::string::npos);
}

}  // TEST_SUITE
