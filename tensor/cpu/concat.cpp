// concat and narrow: both copy, for each index of the dimensions before
// `dim`, one contiguous run of bytes between two row-major tensors. They work
// on bytes, so any dtype is copied exactly.
#include <algorithm>
#include <cstring>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/parallel.h"
#include "tensor/dim_split.h"
#include "tensor/tensor.h"

namespace pn {

namespace {

constexpr int64_t kGrainBytes = 1 << 18;

// Copies `rows` runs of `run` bytes; run r starts at src + r*src_stride and
// lands at dst + r*dst_stride. The threads split the total bytes, not the
// rows, so one huge run (concat along dim 0) is as parallel as many small ones.
void copy_runs(const char* src, int64_t src_stride, char* dst, int64_t dst_stride, int64_t rows, int64_t run) {
  parallel_for(rows * run, kGrainBytes, [&](int64_t b, int64_t e) {
    while (b < e) {
      int64_t r = b / run, off = b % run;
      int64_t len = std::min(run - off, e - b);
      std::memcpy(dst + r * dst_stride + off, src + r * src_stride + off, static_cast<size_t>(len));
      b += len;
    }
  });
}

}  // namespace

void CpuBackend::concat(const Tensor* const* xs, size_t count, int64_t dim, Tensor& out) {
  int64_t outer = outer_extent(out.shape(), dim);
  int64_t inner_bytes = inner_extent(out.shape(), dim) * static_cast<int64_t>(dtype_size(out.dtype()));
  int64_t out_row = out.size(dim) * inner_bytes;
  char* dst = static_cast<char*>(out.raw_data());
  int64_t offset = 0;
  for (size_t i = 0; i < count; ++i) {
    int64_t run = xs[i]->size(dim) * inner_bytes;
    copy_runs(static_cast<const char*>(xs[i]->raw_data()), run, dst + offset, out_row, outer, run);
    offset += run;
  }
}

void CpuBackend::narrow(const Tensor& x, int64_t dim, int64_t start, Tensor& out) {
  int64_t inner_bytes = inner_extent(x.shape(), dim) * static_cast<int64_t>(dtype_size(x.dtype()));
  int64_t run = out.size(dim) * inner_bytes;
  const char* src = static_cast<const char*>(x.raw_data()) + start * inner_bytes;
  copy_runs(src, x.size(dim) * inner_bytes, static_cast<char*>(out.raw_data()), run, outer_extent(x.shape(), dim), run);
}

}  // namespace pn
