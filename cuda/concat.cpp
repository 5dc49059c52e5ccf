// concat and narrow on the GPU: for each index of the dimensions before
// `dim`, one contiguous run of bytes moves between two row-major tensors;
// all the runs of one tensor are one strided 2-D copy (cudaMemcpy2DAsync), so
// there is no kernel. Byte copies: any dtype is copied exactly.
#include <cuda_runtime_api.h>

#include "cuda/backend.h"
#include "cuda/check.h"
#include "cuda/context.h"
#include "tensor/dim_split.h"
#include "tensor/tensor.h"

namespace pn::cuda {

namespace {

// A 2-D copy's pitches may not exceed this (cudaDevAttrMaxPitch is 2^31 - 1
// on current GPUs); wider rows are copied one by one.
constexpr int64_t kMaxPitch = (int64_t{1} << 31) - 1;

// `rows` runs of `run` bytes, run r from src + r*src_pitch to dst + r*dst_pitch.
void copy_runs(const char* src, int64_t src_pitch, char* dst, int64_t dst_pitch, int64_t rows, int64_t run) {
  if (rows == 0 || run == 0) return;
  if (rows == 1 || src_pitch > kMaxPitch || dst_pitch > kMaxPitch) {
    for (int64_t r = 0; r < rows; ++r) {
      PN_CUDA_CHECK(cudaMemcpyAsync(dst + r * dst_pitch, src + r * src_pitch, static_cast<size_t>(run),
                                    cudaMemcpyDeviceToDevice, stream()));
    }
    return;
  }
  PN_CUDA_CHECK(cudaMemcpy2DAsync(dst, static_cast<size_t>(dst_pitch), src, static_cast<size_t>(src_pitch),
                                  static_cast<size_t>(run), static_cast<size_t>(rows), cudaMemcpyDeviceToDevice,
                                  stream()));
}

}  // namespace

void CudaBackend::concat(const Tensor* const* xs, size_t count, int64_t dim, Tensor& out) {
  const int64_t outer = outer_extent(out.shape(), dim);
  const int64_t inner_bytes = inner_extent(out.shape(), dim) * static_cast<int64_t>(dtype_size(out.dtype()));
  const int64_t out_row = out.size(dim) * inner_bytes;
  char* dst = static_cast<char*>(out.raw_data());
  int64_t offset = 0;
  for (size_t i = 0; i < count; ++i) {
    const int64_t run = xs[i]->size(dim) * inner_bytes;
    copy_runs(static_cast<const char*>(xs[i]->raw_data()), run, dst + offset, out_row, outer, run);
    offset += run;
  }
}

void CudaBackend::narrow(const Tensor& x, int64_t dim, int64_t start, Tensor& out) {
  const int64_t inner_bytes = inner_extent(x.shape(), dim) * static_cast<int64_t>(dtype_size(x.dtype()));
  const int64_t run = out.size(dim) * inner_bytes;
  const char* src = static_cast<const char*>(x.raw_data()) + start * inner_bytes;
  copy_runs(src, x.size(dim) * inner_bytes, static_cast<char*>(out.raw_data()), run, outer_extent(x.shape(), dim), run);
}

}  // namespace pn::cuda
