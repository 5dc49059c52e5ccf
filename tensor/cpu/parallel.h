#pragma once
// parallel_for: splits [0, n) into contiguous chunks over the OpenMP threads.
// Below `grain` elements of work the loop runs on the calling thread, since
// waking threads costs more than a small loop. Inside an existing parallel
// region it runs serially (no nested parallelism).
#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace pn {

template <class F>
void parallel_for(int64_t n, int64_t grain, F&& body) {
  if (n <= 0) return;
  int threads = omp_in_parallel() ? 1 : omp_get_max_threads();
  if (threads <= 1 || n <= grain) {
    body(int64_t{0}, n);
    return;
  }
  int64_t chunks = std::min<int64_t>(threads, (n + grain - 1) / std::max<int64_t>(grain, 1));
#pragma omp parallel for num_threads(static_cast<int>(chunks)) schedule(static, 1)
  for (int64_t c = 0; c < chunks; ++c) {
    int64_t begin = n * c / chunks, end = n * (c + 1) / chunks;
    body(begin, end);
  }
}

}  // namespace pn
