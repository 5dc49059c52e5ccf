// SGEMM throughput of pn::cpu::gemm on square and convolution-shaped products.
//
//   gemm_bench [KERNEL] [SECONDS]
//
// KERNEL forces a kernel family (avx512, avx2 or portable; default or "auto":
// the one chosen for this CPU). Each case is timed at 1 and 2 threads,
// repeating the product for about SECONDS (default 1) and reporting the best
// repetition, so that a burst of activity elsewhere on the machine does not
// decide the number.
//
// Columns: "wall" is elapsed time. "cpu" (1 thread only) is the CPU time of
// the calling thread, which leaves out the time it was descheduled: on a
// machine shared with other busy processes it shows what the code does when
// it has the core, where "wall" shows what the caller gets.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tensor/cpu/gemm.h"

namespace {

struct Case {
  const char* what;
  int64_t M, N, K;
};

// Convolutions run as im2col + GEMM: M = output channels, N = output pixels
// (H*W), K = input channels * 3 * 3.
constexpr Case kCases[] = {
    {"square", 512, 512, 512},
    {"square", 1024, 1024, 1024},
    {"square", 2048, 2048, 2048},
    {"conv 64ch 256x256, 64->64", 64, 65536, 576},
    {"conv 256ch 64x64, 256->256", 256, 4096, 2304},
    {"conv 512ch 32x32, 512->512", 512, 1024, 4608},
    {"conv 32ch 512x512, 32->32", 32, 262144, 288},
};

double thread_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Timing {
  double wall = 1e30, cpu = 1e30;  // best seconds of one product
};

Timing best_times(const Case& c, const std::vector<float>& a, const std::vector<float>& b, std::vector<float>& out,
                  double budget) {
  using Clock = std::chrono::steady_clock;
  auto run = [&] {
    pn::cpu::gemm(pn::cpu::Trans::No, pn::cpu::Trans::No, c.M, c.N, c.K, 1.0f, a.data(), c.K, b.data(), c.N, 0.0f,
                  out.data(), c.N);
  };
  run();  // warm up: page in C, grow the packing buffers, start the threads
  Timing best;
  double total = 0;
  for (int rep = 0; rep < 3 || (total < budget && rep < 100); ++rep) {
    const auto t0 = Clock::now();
    const double cpu0 = thread_cpu_seconds();
    run();
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    best.wall = std::min(best.wall, wall);
    best.cpu = std::min(best.cpu, thread_cpu_seconds() - cpu0);
    total += wall;
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) != "auto") pn::cpu::gemm_force_kernel(argv[1]);
  const double budget = argc > 2 ? std::atof(argv[2]) : 1.0;
  // Other processes on the machine lower the wall-clock numbers; say how many.
  std::string load;
  std::getline(std::ifstream("/proc/loadavg"), load);
  load = load.substr(0, load.find(' ', load.find(' ', load.find(' ') + 1) + 1));  // the 1, 5 and 15 min averages
  std::printf("kernel: %s, max threads: %d, load average: %s\n", pn::cpu::gemm_kernel_name(), omp_get_max_threads(),
              load.empty() ? "?" : load.c_str());
  std::printf("%-28s %6s %7s %5s %19s %10s\n", "case", "M", "N", "K", "1 thread wall/cpu", "2 threads");

  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (const Case& c : kCases) {
    std::vector<float> a(c.M * c.K), b(c.K * c.N), out(c.M * c.N);
    for (float& x : a) x = dist(rng);
    for (float& x : b) x = dist(rng);
    const double gflop = 2e-9 * static_cast<double>(c.M) * static_cast<double>(c.N) * static_cast<double>(c.K);
    omp_set_num_threads(1);
    const Timing one = best_times(c, a, b, out, budget);
    omp_set_num_threads(2);
    const Timing two = best_times(c, a, b, out, budget);
    std::printf("%-28s %6lld %7lld %5lld %7.1f / %5.1f GF/s %5.1f GF/s\n", c.what, static_cast<long long>(c.M),
                static_cast<long long>(c.N), static_cast<long long>(c.K), gflop / one.wall, gflop / one.cpu,
                gflop / two.wall);
  }
  return 0;
}
