// flip on the GPU: x viewed as [outer, n, inner] -> out[o, i, :] = x[o, n-1-i, :].
#include "cuda/backend.h"
#include "cuda/launch.cuh"
#include "tensor/cpu/dispatch.h"
#include "tensor/dim_split.h"
#include "tensor/tensor.h"

namespace pn::cuda {

namespace {

template <class T>
struct Flip {
  const T* x;
  T* out;
  int64_t n, inner;
  __device__ void operator()(int64_t e) const {
    const int64_t r = e / inner, k = e % inner;  // output row r = (o, i)
    const int64_t o = r / n, i = r % n;
    out[e] = x[(o * n + (n - 1 - i)) * inner + k];
  }
};

}  // namespace

void CudaBackend::flip(const Tensor& x, int64_t dim, Tensor& out) {
  const int64_t n = x.size(dim), inner = inner_extent(x.shape(), dim);
  if (inner == 0 || n == 0) return;
  dispatch_all(x.dtype(), [&]<class T>() { for_each(x.numel(), Flip<T>{x.data<T>(), out.data<T>(), n, inner}); });
}

}  // namespace pn::cuda
