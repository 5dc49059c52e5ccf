#include "tensor/backend.h"

#include <atomic>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/error.h"
#include "tensor/profiler.h"

namespace pn {

namespace {

std::atomic<Backend*> g_cuda_backend{nullptr};

// The registered CUDA backend, loading it on first use; nullptr in a build
// without CUDA. Throws (from the hook) when the build has CUDA but no GPU.
Backend* cuda_backend_or_load() {
  Backend* b = g_cuda_backend.load();
  if (b == nullptr) {
    b = load_cuda_backend();
    if (b != nullptr) g_cuda_backend.store(b);
  }
  return b;
}

}  // namespace

Backend& backend(Device device) {
  Backend* b = nullptr;
  if (device.is_cpu()) {
    b = &cpu_backend();
  } else {
    b = cuda_backend_or_load();
    PN_CHECK(b != nullptr, "device ", device,
             ": this build has no CUDA backend (configure with -DPNEUMO_CUDA=ON on a machine with nvcc)");
    PN_CHECK(device.index == 0, "device ", device, ": only cuda:0 is supported so far");
  }
  return profiling() ? profiled(*b) : *b;
}

void register_backend(DeviceType type, Backend* b) {
  PN_CHECK(type == DeviceType::CUDA, "register_backend: the CPU backend is built in");
  g_cuda_backend.store(b);
}

bool has_backend(DeviceType type) {
  if (type == DeviceType::CPU) return true;
  try {
    return cuda_backend_or_load() != nullptr;
  } catch (const Error&) {
    return false;  // a CUDA build on a machine without a usable GPU
  }
}

}  // namespace pn
