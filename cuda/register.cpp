// The CUDA hook of tensor/backend.h in a CUDA build; cuda/absent.cpp is its
// twin without CUDA.
#include "cuda/backend.h"
#include "cuda/context.h"
#include "tensor/error.h"

namespace pn {

namespace cuda {

CudaBackend& cuda_backend() {
  PN_CHECK(device_count() > 0,
           "cuda: no CUDA device is visible (this build has CUDA; check nvidia-smi and CUDA_VISIBLE_DEVICES)");
  static CudaBackend b;
  return b;
}

void register_cuda_backend() { register_backend(DeviceType::CUDA, &cuda_backend()); }

}  // namespace cuda

Backend* load_cuda_backend() { return &cuda::cuda_backend(); }

}  // namespace pn
