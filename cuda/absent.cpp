// The CUDA hook of a build without CUDA (PNEUMO_CUDA=OFF): there is no CUDA
// backend to load. cuda/register.cpp is its twin in CUDA builds.
#include "tensor/backend.h"

namespace pn {

Backend* load_cuda_backend() { return nullptr; }

}  // namespace pn
