#pragma once
// Launching the backend's kernels: grid sizes, the grid-stride loop, and the
// one generic kernel most ops use.
//
// Indices are int64_t everywhere: a 16 x 64 x 1024 x 1024 activation has 2^30
// elements, and products of extents overflow 32 bits long before memory runs
// out. A grid-stride loop lets a bounded grid cover any n.
//
//   struct Scale { float* p; float s; __device__ void operator()(int64_t i) const { p[i] *= s; } };
//   for_each(n, Scale{p, 2.f});
#include <algorithm>
#include <cstdint>

#include "cuda/check.h"
#include "cuda/context.h"

namespace pn::cuda {

constexpr int kThreads = 256;

// Blocks for n independent items at kThreads per block, capped: beyond ~32
// blocks per SM more blocks only add scheduling, the grid-stride loop does the
// rest.
inline unsigned blocks_for(int64_t n) {
  constexpr int64_t kMaxBlocks = int64_t{1} << 16;
  return static_cast<unsigned>(std::clamp<int64_t>((n + kThreads - 1) / kThreads, 1, kMaxBlocks));
}

// Runs f(i) for every i in [0, n) on the GPU, one thread per index per step
// of the grid-stride loop; f is a trivially copyable functor with a
// __device__ operator()(int64_t) const.
template <class F>
__global__ void __launch_bounds__(kThreads) for_each_kernel(int64_t n, F f) {
  const int64_t stride = int64_t{blockDim.x} * gridDim.x;
  for (int64_t i = int64_t{blockIdx.x} * blockDim.x + threadIdx.x; i < n; i += stride) f(i);
}

template <class F>
void for_each(int64_t n, const F& f) {
  if (n <= 0) return;
  for_each_kernel<<<blocks_for(n), kThreads, 0, stream()>>>(n, f);
  PN_CUDA_LAUNCH_CHECK();
}

}  // namespace pn::cuda
