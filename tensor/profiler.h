#pragma once
// A per-kernel profile: while enabled, every kernel call through backend()
// is timed and the bytes of the tensors it touches are counted, by kernel
// name. `pneumo bench --profile` (or PNEUMO_PROFILE=1) prints it for one step.
//
// Kernels on a GPU run asynchronously; the CUDA backend synchronises in its
// profiled calls so the times mean the same thing on both devices.
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/backend.h"

namespace pn {

struct KernelProfile {
  std::string kernel;  // the Backend method, e.g. "conv2d_backward_weight"
  int64_t calls = 0;
  double seconds = 0;
  double bytes = 0;    // sum of the sizes of all tensor arguments (inputs and outputs)
  // Floating-point operations of the products: 2 x multiply-adds of matmul
  // and of a direct convolution (also for its gradients, and whatever
  // algorithm ran); 0 for the other kernels.
  double flops = 0;
};

// The products' floating-point operations in a report (the FLOP count of a
// model-FLOPs utilisation).
double total_flops(const std::vector<KernelProfile>& report);

// Starts (and clears) or stops collecting.
void set_profiling(bool on);
bool profiling();
// The collected profile, most expensive kernel first.
std::vector<KernelProfile> profile_report();
// A table of the report for people: kernel, calls, ms, share of the total,
// GB/s, and GFLOP/s for the products.
std::string format_profile(const std::vector<KernelProfile>& report);

// The profiling wrapper around a device's backend (backend() returns it while
// profiling is on).
Backend& profiled(Backend& inner);

}  // namespace pn
