// Throughput of the CPU convolution kernels (forward, backward-input,
// backward-weight) on the layer shapes that dominate AlbuNet at 256x256.
//
//   conv_bench [SECONDS] [FILTER] [cpu]
//
// Each case runs batch 2 in float32 on all OpenMP threads (set
// OMP_NUM_THREADS), repeating each kernel for about SECONDS (default 0.5)
// and reporting the best repetition in ms and GFLOP/s (2 * multiply-adds).
// FILTER, when given, keeps only the cases whose name contains it. With
// "cpu" the times are the process's CPU time divided by the thread count
// instead of wall time: on a machine shared with other busy processes that
// shows what the code does when it has the cores (at 1 thread it is exact;
// at more, OpenMP's spinning at barriers counts too).
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <string_view>

#include "tensor/backend.h"
#include "tensor/tensor.h"

namespace {

struct Case {
  const char* what;
  int64_t c, k, hw, r, stride;  // channels in and out, input size, kernel size, stride
};

constexpr Case kCases[] = {
    {"stem 7x7/2 3->64 @256", 3, 64, 256, 7, 2},
    {"layer1 64->64 @64", 64, 64, 64, 3, 1},
    {"layer2 64->128 /2 @64", 64, 128, 64, 3, 2},
    {"layer2 128->128 @32", 128, 128, 32, 3, 1},
    {"layer3 256->256 @16", 256, 256, 16, 3, 1},
    {"layer4 512->512 @8", 512, 512, 8, 3, 1},
    {"down 1x1/2 128->256 @32", 128, 256, 32, 1, 2},
    {"dec5 768->256 @16", 768, 256, 16, 3, 1},
    {"dec4 512->256 @32", 512, 256, 32, 3, 1},
    {"dec3 384->128 @64", 384, 128, 64, 3, 1},
    {"dec2 128->128 @128", 128, 128, 128, 3, 1},
    {"dec1 128->128 @256", 128, 128, 256, 3, 1},
    {"dec1 128->32 @256", 128, 32, 256, 3, 1},
    {"dec0 32->32 @256", 32, 32, 256, 3, 1},
};

double process_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

bool g_cpu_time = false;

template <class F>
double best_seconds(F&& run, double budget) {
  using Clock = std::chrono::steady_clock;
  run();  // warm up
  double best = 1e30, total = 0;
  for (int rep = 0; rep < 2 || (total < budget && rep < 50); ++rep) {
    const auto t0 = Clock::now();
    const double cpu0 = process_cpu_seconds();
    run();
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    const double cpu = (process_cpu_seconds() - cpu0) / omp_get_max_threads();
    best = std::min(best, g_cpu_time ? cpu : wall);
    total += wall;
  }
  return best;
}

void fill(pn::Tensor& t, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = dist(rng);
}

}  // namespace

int main(int argc, char** argv) {
  const double budget = argc > 1 ? std::atof(argv[1]) : 0.5;
  const std::string_view filter = argc > 2 ? argv[2] : "";
  g_cpu_time = argc > 3 && std::string_view(argv[3]) == "cpu";
  pn::Backend& be = pn::backend(pn::Device::cpu());
  std::printf("threads: %d\n%-26s %16s %16s %16s\n", omp_get_max_threads(), "case", "forward", "backward input",
              "backward weight");
  std::mt19937 rng(1);
  double totals[3] = {0, 0, 0};
  for (const Case& c : kCases) {
    if (std::string_view(c.what).find(filter) == std::string_view::npos) continue;
    const int64_t n = 2, pad = c.r / 2, out_hw = (c.hw + 2 * pad - c.r) / c.stride + 1;
    pn::Conv2dArgs a;
    a.stride[0] = a.stride[1] = c.stride;
    a.padding[0] = a.padding[1] = pad;
    pn::Tensor x = pn::empty({n, c.c, c.hw, c.hw}), w = pn::empty({c.k, c.c, c.r, c.r});
    pn::Tensor out = pn::empty({n, c.k, out_hw, out_hw}), gx = pn::empty_like(x), gw = pn::empty_like(w);
    fill(x, rng);
    fill(w, rng);
    fill(out, rng);
    const double gflop = 2e-9 * static_cast<double>(n * c.k * c.c * c.r * c.r * out_hw * out_hw);
    const double s[3] = {
        best_seconds([&] { be.conv2d(x, w, pn::Tensor(), a, out); }, budget),
        best_seconds([&] { be.conv2d_backward_input(out, w, a, gx); }, budget),
        best_seconds([&] { be.conv2d_backward_weight(out, x, a, gw); }, budget),
    };
    std::printf("%-26s", c.what);
    for (int i = 0; i < 3; ++i) {
      std::printf(" %7.2f ms %5.0f", 1e3 * s[i], gflop / s[i]);
      totals[i] += s[i];
    }
    std::printf("\n");
  }
  std::printf("%-26s %7.1f ms       %7.1f ms       %7.1f ms\n", "total", 1e3 * totals[0], 1e3 * totals[1],
              1e3 * totals[2]);
}
