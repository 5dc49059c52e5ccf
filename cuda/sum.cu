// Sums along one dimension on the GPU: x viewed as [outer, n, inner] ->
// out [outer, inner], accumulated in double like the CPU kernel.
//
// Deterministic without atomics: how the n values of an output are split
// (segments, threads) and the order in which partial sums meet (a fixed
// shared-memory tree, then the segments in order) depend only on the shape.
//   many outputs, or short sums:  one thread per output, a serial loop;
//   few long sums:                blocks reduce segments of n into double
//                                 partials, one more pass adds the partials.
#include <algorithm>

#include "cuda/allocator.h"
#include "cuda/backend.h"
#include "cuda/launch.cuh"
#include "tensor/cpu/dispatch.h"
#include "tensor/tensor.h"

namespace pn::cuda {

namespace {

// Element (o, k) of x viewed as [outer, n, inner] with o = o_outer*inner + o_inner.
__device__ inline int64_t element(int64_t o, int64_t k, int64_t n, int64_t inner) {
  return ((o / inner) * n + k) * inner + o % inner;
}

template <class T>
struct SumSerial {
  const T* x;
  T* out;
  int64_t n, inner;
  __device__ void operator()(int64_t o) const {
    double s = 0;
    for (int64_t k = 0; k < n; ++k) s += static_cast<double>(x[element(o, k, n, inner)]);
    out[o] = static_cast<T>(s);
  }
};

// Block (o, seg) sums x(o, k) for k in segment seg of length seg_len into
// out[o * gridDim.y + seg].
template <class S, class O>
__global__ void __launch_bounds__(kThreads)
    sum_segments(const S* x, int64_t n, int64_t inner, int64_t seg_len, O* out) {
  __shared__ double partial[kThreads];
  const int64_t o = blockIdx.x, seg = blockIdx.y;
  const int64_t begin = seg * seg_len, end = min(n, begin + seg_len);
  double s = 0;
  for (int64_t k = begin + threadIdx.x; k < end; k += kThreads) s += static_cast<double>(x[element(o, k, n, inner)]);
  partial[threadIdx.x] = s;
  __syncthreads();
  for (int half = kThreads / 2; half > 0; half /= 2) {
    if (static_cast<int>(threadIdx.x) < half) partial[threadIdx.x] += partial[threadIdx.x + half];
    __syncthreads();
  }
  if (threadIdx.x == 0) out[o * gridDim.y + seg] = static_cast<O>(partial[0]);
}

constexpr int64_t kManyOutputs = 2048;   // enough threads for the serial form
constexpr int64_t kShortSum = 32;
constexpr int64_t kSegmentLen = int64_t{1} << 15;
constexpr int64_t kMaxSegments = 1024;

}  // namespace

void CudaBackend::sum_dim(const Tensor& x, int64_t outer, int64_t n, int64_t inner, Tensor& out) {
  dispatch_floating(x.dtype(), "sum", [&]<class T>() {
    const T* src = x.data<T>();
    T* dst = out.data<T>();
    const int64_t outputs = outer * inner;
    if (outputs == 0) return;
    if (outputs >= kManyOutputs || n <= kShortSum) {
      for_each(outputs, SumSerial<T>{src, dst, n, inner});
      return;
    }
    PN_CHECK(outputs < (int64_t{1} << 31), "sum: too many outputs for the block reduction: ", outputs);
    const int64_t segments = std::clamp<int64_t>((n + kSegmentLen - 1) / kSegmentLen, 1, kMaxSegments);
    const int64_t seg_len = (n + segments - 1) / segments;
    if (segments == 1) {
      sum_segments<T, T><<<dim3(static_cast<unsigned>(outputs), 1), kThreads, 0, stream()>>>(src, n, inner, n, dst);
      PN_CUDA_LAUNCH_CHECK();
      return;
    }
    // Partials as [outputs, segments]: the second pass sums each row (inner 1).
    const size_t bytes = static_cast<size_t>(outputs * segments) * sizeof(double);
    Buffer buffer(bytes);  // freed stream-ordered: reused only by later work
    double* partial = buffer.as<double>();
    sum_segments<T, double><<<dim3(static_cast<unsigned>(outputs), static_cast<unsigned>(segments)), kThreads, 0,
                              stream()>>>(src, n, inner, seg_len, partial);
    PN_CUDA_LAUNCH_CHECK();
    sum_segments<double, T><<<dim3(static_cast<unsigned>(outputs), 1), kThreads, 0, stream()>>>(
        partial, segments, 1, segments, dst);
    PN_CUDA_LAUNCH_CHECK();
  });
}

}  // namespace pn::cuda
