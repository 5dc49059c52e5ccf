#include "tensor/backend.h"

#include "tensor/cpu/cpu_backend.h"
#include "tensor/error.h"
#include "tensor/profiler.h"

namespace pn {

namespace {
Backend* g_cuda_backend = nullptr;
}

Backend& backend(Device device) {
  Backend* b = g_cuda_backend;
  if (device.is_cpu()) {
    b = &cpu_backend();
  } else {
    PN_CHECK(b != nullptr, "device ", device,
             ": this build has no CUDA backend (configure with -DPNEUMO_CUDA=ON on a machine with nvcc)");
  }
  return profiling() ? profiled(*b) : *b;
}

void register_backend(DeviceType type, Backend* b) {
  PN_CHECK(type == DeviceType::CUDA, "register_backend: the CPU backend is built in");
  g_cuda_backend = b;
}

bool has_backend(DeviceType type) { return type == DeviceType::CPU || g_cuda_backend != nullptr; }

}  // namespace pn
