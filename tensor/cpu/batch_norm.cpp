// Batch normalisation: x [N, C, S] (S = H*W, or 1 for an [N, C] input)
// normalised per channel c over its N*S values.
//
// Statistics are two-pass sums in double (mean first, then squared deviations
// from it), so a large mean does not cancel the variance. Each (n, c) plane
// gets its partial sums on whichever thread owns it, and the per-channel
// totals add those partials in order of n: the result is the same for any
// number of threads.
#include <algorithm>
#include <cmath>
#include <vector>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/parallel.h"
#include "tensor/tensor.h"

namespace pn {

namespace {

constexpr int64_t kGrain = 1 << 15;

struct Planes {
  int64_t n, c, s;  // x viewed as [n, c, s]; plane p = i*c + channel covers s values
  int64_t count() const { return n * s; }  // values per channel
};

Planes planes_of(const Tensor& x) {
  int64_t s = 1;
  for (int64_t d = 2; d < x.dim(); ++d) s *= x.size(d);
  return {x.size(0), x.size(1), s};
}

// body(p, channel) for every plane, over the threads.
template <class F>
void for_each_plane(const Planes& l, F&& body) {
  parallel_for(l.n * l.c, std::max<int64_t>(1, kGrain / std::max<int64_t>(l.s, 1)), [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) body(p, p % l.c);
  });
}

// Per-channel totals of per-plane partials, added in order of n.
std::vector<double> channel_totals(const std::vector<double>& partial, const Planes& l) {
  std::vector<double> total(static_cast<size_t>(l.c), 0.0);
  for (int64_t i = 0; i < l.n; ++i)
    for (int64_t c = 0; c < l.c; ++c) total[static_cast<size_t>(c)] += partial[static_cast<size_t>(i * l.c + c)];
  return total;
}

// The value of an optional per-channel parameter, or `fallback` when absent.
template <class T>
double param(const T* p, int64_t c, double fallback) {
  return p ? static_cast<double>(p[c]) : fallback;
}

// out = (x - mean) * invstd * weight + bias, folded per channel into
// out = x * scale + shift.
template <class T>
void normalise(const Tensor& x, const Tensor& weight, const Tensor& bias, const std::vector<double>& mean,
               const std::vector<double>& invstd, Tensor& out) {
  Planes l = planes_of(x);
  const T* w = weight.defined() ? weight.data<T>() : nullptr;
  const T* b = bias.defined() ? bias.data<T>() : nullptr;
  std::vector<double> scale(static_cast<size_t>(l.c)), shift(static_cast<size_t>(l.c));
  for (int64_t c = 0; c < l.c; ++c) {
    size_t k = static_cast<size_t>(c);
    scale[k] = invstd[k] * param(w, c, 1.0);
    shift[k] = param(b, c, 0.0) - mean[k] * scale[k];
  }
  const T* xs = x.data<T>();
  T* ys = out.data<T>();
  for_each_plane(l, [&](int64_t p, int64_t c) {
    double a = scale[static_cast<size_t>(c)], sh = shift[static_cast<size_t>(c)];
    const T* src = xs + p * l.s;
    T* dst = ys + p * l.s;
    for (int64_t i = 0; i < l.s; ++i) dst[i] = static_cast<T>(static_cast<double>(src[i]) * a + sh);
  });
}

template <class T>
std::vector<double> to_doubles(const Tensor& t) {
  const T* p = t.data<T>();
  return std::vector<double>(p, p + t.numel());
}

}  // namespace

void CpuBackend::batch_norm_train(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& running_mean,
                                  Tensor& running_var, double momentum, double eps, Tensor& out,
                                  Tensor& save_mean, Tensor& save_invstd) {
  dispatch_floating(x.dtype(), "batch_norm", [&]<class T>() {
    Planes l = planes_of(x);
    const T* xs = x.data<T>();
    double count = static_cast<double>(l.count());
    std::vector<double> partial(static_cast<size_t>(l.n * l.c));

    for_each_plane(l, [&](int64_t p, int64_t) {
      const T* src = xs + p * l.s;
      double s = 0;
      for (int64_t i = 0; i < l.s; ++i) s += src[i];
      partial[static_cast<size_t>(p)] = s;
    });
    std::vector<double> mean = channel_totals(partial, l);
    for (double& m : mean) m /= count;

    for_each_plane(l, [&](int64_t p, int64_t c) {
      const T* src = xs + p * l.s;
      double m = mean[static_cast<size_t>(c)], s = 0;
      for (int64_t i = 0; i < l.s; ++i) {
        double d = static_cast<double>(src[i]) - m;
        s += d * d;
      }
      partial[static_cast<size_t>(p)] = s;
    });
    std::vector<double> var = channel_totals(partial, l);  // sums of squares until divided below

    std::vector<double> invstd(var.size());
    T* sm = save_mean.data<T>();
    T* si = save_invstd.data<T>();
    T* rm = running_mean.defined() ? running_mean.data<T>() : nullptr;
    T* rv = running_var.defined() ? running_var.data<T>() : nullptr;
    for (int64_t c = 0; c < l.c; ++c) {
      size_t k = static_cast<size_t>(c);
      double biased = var[k] / count;
      invstd[k] = 1.0 / std::sqrt(biased + eps);
      sm[c] = static_cast<T>(mean[k]);
      si[c] = static_cast<T>(invstd[k]);
      // The running variance estimates the population's, hence n/(n-1); the
      // entry point refuses training with a single value per channel.
      if (rm) rm[c] = static_cast<T>((1.0 - momentum) * static_cast<double>(rm[c]) + momentum * mean[k]);
      if (rv) {
        double unbiased = var[k] / (count - 1.0);
        rv[c] = static_cast<T>((1.0 - momentum) * static_cast<double>(rv[c]) + momentum * unbiased);
      }
    }
    normalise<T>(x, weight, bias, mean, invstd, out);
  });
}

void CpuBackend::batch_norm_eval(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& mean,
                                 const Tensor& invstd, Tensor& out) {
  dispatch_floating(x.dtype(), "batch_norm", [&]<class T>() {
    normalise<T>(x, weight, bias, to_doubles<T>(mean), to_doubles<T>(invstd), out);
  });
}

// With xhat = (x - mean) * invstd and y = xhat * w + b:
//   grad_bias   = sum(dy)              grad_weight = sum(dy * xhat)
//   eval:     grad_x = dy * w * invstd
//   training: grad_x = w * invstd * (dy - sum(dy)/n - xhat * sum(dy * xhat)/n),
// the last two terms being the paths through the batch mean and variance.
void CpuBackend::batch_norm_backward(const Tensor& grad_out, const Tensor& x, const Tensor& weight,
                                     const Tensor& mean, const Tensor& invstd, bool training, Tensor& grad_x,
                                     Tensor& grad_weight, Tensor& grad_bias) {
  dispatch_floating(x.dtype(), "batch_norm_backward", [&]<class T>() {
    Planes l = planes_of(x);
    const T* xs = x.data<T>();
    const T* gs = grad_out.data<T>();
    const T* w = weight.defined() ? weight.data<T>() : nullptr;
    std::vector<double> mu = to_doubles<T>(mean), inv = to_doubles<T>(invstd);
    size_t planes = static_cast<size_t>(l.n * l.c);

    // sum(dy) and sum(dy * (x - mean)) per channel, when anything reads them.
    bool need_sums = grad_weight.defined() || grad_bias.defined() || (training && grad_x.defined());
    std::vector<double> sum_dy, sum_dy_xmu;
    if (need_sums) {
      std::vector<double> part_dy(planes), part_dy_xmu(planes);
      for_each_plane(l, [&](int64_t p, int64_t c) {
        const T* xp = xs + p * l.s;
        const T* gp = gs + p * l.s;
        double m = mu[static_cast<size_t>(c)], a = 0, b = 0;
        for (int64_t i = 0; i < l.s; ++i) {
          double g = gp[i];
          a += g;
          b += g * (static_cast<double>(xp[i]) - m);
        }
        part_dy[static_cast<size_t>(p)] = a;
        part_dy_xmu[static_cast<size_t>(p)] = b;
      });
      sum_dy = channel_totals(part_dy, l);
      sum_dy_xmu = channel_totals(part_dy_xmu, l);
    }
    if (grad_bias.defined()) {
      T* gb = grad_bias.data<T>();
      for (int64_t c = 0; c < l.c; ++c) gb[c] = static_cast<T>(sum_dy[static_cast<size_t>(c)]);
    }
    if (grad_weight.defined()) {
      T* gw = grad_weight.data<T>();
      for (int64_t c = 0; c < l.c; ++c) {
        size_t k = static_cast<size_t>(c);
        gw[c] = static_cast<T>(sum_dy_xmu[k] * inv[k]);
      }
    }
    if (!grad_x.defined()) return;

    // grad_x = k * dy + proj * (x - mean) + shift per channel (proj = shift = 0 in eval).
    double n = static_cast<double>(l.count());
    std::vector<double> k(static_cast<size_t>(l.c)), proj(k.size(), 0.0), shift(k.size(), 0.0);
    for (int64_t c = 0; c < l.c; ++c) {
      size_t j = static_cast<size_t>(c);
      k[j] = param(w, c, 1.0) * inv[j];
      if (training) {
        proj[j] = -k[j] * inv[j] * inv[j] * sum_dy_xmu[j] / n;
        shift[j] = -k[j] * sum_dy[j] / n;
      }
    }
    T* gx = grad_x.data<T>();
    for_each_plane(l, [&](int64_t p, int64_t c) {
      size_t j = static_cast<size_t>(c);
      const T* xp = xs + p * l.s;
      const T* gp = gs + p * l.s;
      T* dst = gx + p * l.s;
      for (int64_t i = 0; i < l.s; ++i)
        dst[i] = static_cast<T>(k[j] * static_cast<double>(gp[i]) +
                                proj[j] * (static_cast<double>(xp[i]) - mu[j]) + shift[j]);
    });
  });
}

}  // namespace pn
