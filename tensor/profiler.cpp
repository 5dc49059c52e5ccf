#include "tensor/profiler.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>

#include "tensor/tensor.h"

namespace pn {

namespace {

std::mutex g_mutex;
std::map<std::string, KernelProfile> g_profile;
bool g_on = false;

double bytes_of(const Tensor& t) { return t.defined() ? static_cast<double>(t.nbytes()) : 0.0; }
template <class T> double bytes_of(const T&) { return 0.0; }

// Times one call and adds it to the profile under `name`.
class Scope {
 public:
  Scope(const char* name, double bytes, double flops = 0)
      : name_(name), bytes_(bytes), flops_(flops), start_(std::chrono::steady_clock::now()) {}
  ~Scope() {
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::lock_guard<std::mutex> lock(g_mutex);
    KernelProfile& p = g_profile[name_];
    p.kernel = name_;
    p.calls += 1;
    p.seconds += s;
    p.bytes += bytes_;
    p.flops += flops_;
  }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  const char* name_;
  double bytes_, flops_;
  std::chrono::steady_clock::time_point start_;
};

template <class... A> double total_bytes(const A&... a) { return (0.0 + ... + bytes_of(a)); }

// 2 x the multiply-adds of a direct convolution whose output side (out or
// grad_out) is `out` and whose filter is [K, C/groups, R, S]: each of the
// three kernels of a layer does that many, however it computes them.
double conv_flops(const Tensor& out, const Tensor& filter) {
  return 2.0 * static_cast<double>(out.numel()) *
         static_cast<double>(filter.size(1) * filter.size(2) * filter.size(3));
}

// Forwards every kernel to the wrapped backend inside a Scope. The list
// mirrors Backend; a kernel missing here fails to compile (Backend is abstract).
class ProfilingBackend final : public Backend {
 public:
  explicit ProfilingBackend(Backend& inner) : inner_(inner) {}
  const char* name() const override { return inner_.name(); }
  std::string device_name() const override { return inner_.device_name(); }
  DeviceMemory memory() const override { return inner_.memory(); }
  void reset_peak_memory() override { inner_.reset_peak_memory(); }
  bool set_allow_tf32(bool on) override { return inner_.set_allow_tf32(on); }

#define PN_PROFILED(method, params, args)          \
  void method params override {                    \
    Scope scope(#method, total_bytes args);        \
    inner_.method args;                            \
  }

  void* allocate(size_t nbytes) override { return inner_.allocate(nbytes); }
  void deallocate(void* p, size_t nbytes) override { inner_.deallocate(p, nbytes); }
  PN_PROFILED(copy_host, (void* d, const void* s, size_t n, bool to), (d, s, n, to))
  PN_PROFILED(copy, (void* d, const void* s, size_t n), (d, s, n))
  PN_PROFILED(fill, (Tensor& o, double v), (o, v))
  PN_PROFILED(arange, (Tensor& o, double a, double b), (o, a, b))
  PN_PROFILED(cast, (const Tensor& x, Tensor& o), (x, o))
  PN_PROFILED(random, (Tensor& o, Distribution d, double a, double b, uint64_t s, uint64_t f), (o, d, a, b, s, f))
  PN_PROFILED(unary, (UnaryOp op, const Tensor& x, Tensor& o, double a, double b), (op, x, o, a, b))
  PN_PROFILED(unary_backward,
              (UnaryOp op, const Tensor& x, const Tensor& y, const Tensor& g, Tensor& gx, double a, double b),
              (op, x, y, g, gx, a, b))
  PN_PROFILED(binary, (BinaryOp op, const Tensor& a, const Tensor& b, Tensor& o), (op, a, b, o))
  PN_PROFILED(where, (const Tensor& c, const Tensor& a, const Tensor& b, Tensor& o), (c, a, b, o))
  PN_PROFILED(axpy, (double al, const Tensor& y, Tensor& x), (al, y, x))
  PN_PROFILED(sum_dim, (const Tensor& x, int64_t a, int64_t n, int64_t b, Tensor& o), (x, a, n, b, o))
  // The products also count their floating-point operations.
  void matmul(const Tensor& a, bool ta, const Tensor& b, bool tb, Tensor& o) override {
    Scope scope("matmul", total_bytes(a, b, o), 2.0 * static_cast<double>(o.numel()) * a.size(ta ? 0 : 1));
    inner_.matmul(a, ta, b, tb, o);
  }
  void conv2d(const Tensor& x, const Tensor& w, const Tensor& b, const Conv2dArgs& c, Tensor& o) override {
    Scope scope("conv2d", total_bytes(x, w, b, o), conv_flops(o, w));
    inner_.conv2d(x, w, b, c, o);
  }
  void conv2d_backward_input(const Tensor& g, const Tensor& w, const Conv2dArgs& c, Tensor& gx) override {
    Scope scope("conv2d_backward_input", total_bytes(g, w, gx), conv_flops(g, w));
    inner_.conv2d_backward_input(g, w, c, gx);
  }
  void conv2d_backward_weight(const Tensor& g, const Tensor& x, const Conv2dArgs& c, Tensor& gw) override {
    Scope scope("conv2d_backward_weight", total_bytes(g, x, gw), conv_flops(g, gw));
    inner_.conv2d_backward_weight(g, x, c, gw);
  }
  PN_PROFILED(batch_norm_train,
              (const Tensor& x, const Tensor& w, const Tensor& b, Tensor& rm, Tensor& rv, double m, double e,
               Tensor& o, Tensor& sm, Tensor& si),
              (x, w, b, rm, rv, m, e, o, sm, si))
  PN_PROFILED(batch_norm_eval,
              (const Tensor& x, const Tensor& w, const Tensor& b, const Tensor& m, const Tensor& i, Tensor& o),
              (x, w, b, m, i, o))
  PN_PROFILED(batch_norm_backward,
              (const Tensor& g, const Tensor& x, const Tensor& w, const Tensor& m, const Tensor& i, bool t,
               Tensor& gx, Tensor& gw, Tensor& gb),
              (g, x, w, m, i, t, gx, gw, gb))
  PN_PROFILED(max_pool2d, (const Tensor& x, const Pool2dArgs& a, Tensor& o, Tensor& i), (x, a, o, i))
  PN_PROFILED(max_pool2d_backward, (const Tensor& g, const Tensor& i, const Pool2dArgs& a, Tensor& gx), (g, i, a, gx))
  PN_PROFILED(adaptive_avg_pool2d, (const Tensor& x, Tensor& o), (x, o))
  PN_PROFILED(adaptive_avg_pool2d_backward, (const Tensor& g, Tensor& gx), (g, gx))
  PN_PROFILED(upsample2d, (const Tensor& x, UpsampleMode m, Tensor& o), (x, m, o))
  PN_PROFILED(upsample2d_backward, (const Tensor& g, UpsampleMode m, Tensor& gx), (g, m, gx))
  PN_PROFILED(concat, (const Tensor* const* xs, size_t n, int64_t d, Tensor& o), (xs, n, d, o))
  PN_PROFILED(flip, (const Tensor& x, int64_t d, Tensor& o), (x, d, o))
  PN_PROFILED(narrow, (const Tensor& x, int64_t d, int64_t s, Tensor& o), (x, d, s, o))
  PN_PROFILED(bce_with_logits, (const Tensor& x, const Tensor& t, Tensor& o), (x, t, o))
  PN_PROFILED(bce_with_logits_backward,
              (const Tensor& x, const Tensor& t, const Tensor& g, double s, Tensor& gx), (x, t, g, s, gx))
  PN_PROFILED(adam_step,
              (const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v, const Tensor& vm,
               const AdamStepArgs& a),
              (p, g, m, v, vm, a))
  PN_PROFILED(sgd_step, (const Tensor& p, const Tensor& g, const Tensor& b, bool f, const SgdStepArgs& a),
              (p, g, b, f, a))
#undef PN_PROFILED

 private:
  Backend& inner_;
};

}  // namespace

void set_profiling(bool on) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_on = on;
  if (on) g_profile.clear();
}

bool profiling() { return g_on; }

std::vector<KernelProfile> profile_report() {
  std::lock_guard<std::mutex> lock(g_mutex);
  std::vector<KernelProfile> out;
  for (const auto& [k, p] : g_profile) out.push_back(p);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.seconds > b.seconds; });
  return out;
}

double total_flops(const std::vector<KernelProfile>& report) {
  double flops = 0;
  for (const auto& p : report) flops += p.flops;
  return flops;
}

std::string format_profile(const std::vector<KernelProfile>& report) {
  double total = 0;
  for (const auto& p : report) total += p.seconds;
  std::string out;
  char line[160];
  std::snprintf(line, sizeof line, "%-30s %8s %10s %7s %9s %9s\n", "kernel", "calls", "ms", "share", "GB/s",
                "GFLOP/s");
  out += line;
  for (const auto& p : report) {
    const double rate = p.seconds > 0 ? 1e-9 / p.seconds : 0.0;
    std::snprintf(line, sizeof line, "%-30s %8lld %10.2f %6.1f%% %9.2f", p.kernel.c_str(),
                  static_cast<long long>(p.calls), p.seconds * 1e3, total > 0 ? 100 * p.seconds / total : 0.0,
                  p.bytes * rate);
    out += line;
    if (p.flops > 0) {
      std::snprintf(line, sizeof line, " %9.1f", p.flops * rate);
      out += line;
    }
    out += '\n';
  }
  std::snprintf(line, sizeof line, "%-30s %8s %10.2f\n", "total", "", total * 1e3);
  out += line;
  return out;
}

Backend& profiled(Backend& inner) {
  // One wrapper per wrapped backend, made on first use and kept for the
  // process (backends live as long as the process too).
  static std::mutex m;
  static std::map<Backend*, std::unique_ptr<ProfilingBackend>> wrappers;
  std::lock_guard<std::mutex> lock(m);
  auto& w = wrappers[&inner];
  if (!w) w = std::make_unique<ProfilingBackend>(inner);
  return *w;
}

}  // namespace pn
