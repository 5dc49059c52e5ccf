#include "tensor/backend.h"

#include "tensor/cpu/cpu_backend.h"
#include "tensor/error.h"

namespace pn {

namespace {
Backend* g_cuda_backend = nullptr;
}

Backend& backend(Device device) {
  if (device.is_cpu()) return cpu_backend();
  PN_CHECK(g_cuda_backend != nullptr, "device ", device,
           ": this build has no CUDA backend (configure with -DPNEUMO_CUDA=ON on a machine with nvcc)");
  return *g_cuda_backend;
}

void register_backend(DeviceType type, Backend* b) {
  PN_CHECK(type == DeviceType::CUDA, "register_backend: the CPU backend is built in");
  g_cuda_backend = b;
}

bool has_backend(DeviceType type) { return type == DeviceType::CPU || g_cuda_backend != nullptr; }

}  // namespace pn
