// Batch normalisation on the GPU: x [N, C, S] (S = H*W, or 1 for [N, C])
// normalised per channel over its N*S values, with the CPU kernel's formulas
// (tensor/cpu/batch_norm.cpp).
//
// Statistics: one block per channel; each thread runs Welford's update over a
// fixed stride of the channel's values in double, and the threads' (count,
// mean, M2) triples are merged by a fixed shared-memory tree (Chan et al.'s
// pairwise formula). No atomics, so every run gives the same bits. The
// block's first thread then writes the saved statistics and updates the
// running ones, so no second pass is needed.
#include "cuda/allocator.h"
#include "cuda/backend.h"
#include "cuda/launch.cuh"
#include "tensor/cpu/dispatch.h"
#include "tensor/tensor.h"

namespace pn::cuda {

namespace {

struct Planes {
  int64_t n, c, s;
  int64_t count() const { return n * s; }
};

Planes planes_of(const Tensor& x) {
  int64_t s = 1;
  for (int64_t d = 2; d < x.dim(); ++d) s *= x.size(d);
  return {x.size(0), x.size(1), s};
}

// Value k of channel c (k in [0, n*s)).
__device__ inline int64_t channel_element(int64_t c, int64_t k, int64_t C, int64_t S) {
  return (k / S * C + c) * S + k % S;
}

// Writes stats[c] = mean and stats[C + c] = invstd (double, for normalise),
// save_mean/save_invstd, and the running statistics when given.
template <class T>
__global__ void __launch_bounds__(kThreads)
    batch_norm_stats(const T* x, int64_t C, int64_t S, int64_t count, double eps, double momentum, double* stats,
                     T* save_mean, T* save_invstd, T* running_mean, T* running_var) {
  __shared__ double s_n[kThreads], s_mean[kThreads], s_m2[kThreads];
  const int64_t c = blockIdx.x;
  double n = 0, mean = 0, m2 = 0;
  for (int64_t k = threadIdx.x; k < count; k += kThreads) {
    double v = static_cast<double>(x[channel_element(c, k, C, S)]);
    n += 1;
    double delta = v - mean;
    mean += delta / n;
    m2 += delta * (v - mean);
  }
  s_n[threadIdx.x] = n;
  s_mean[threadIdx.x] = mean;
  s_m2[threadIdx.x] = m2;
  __syncthreads();
  for (int half = kThreads / 2; half > 0; half /= 2) {
    const int t = threadIdx.x;
    if (t < half) {
      double na = s_n[t], nb = s_n[t + half], nt = na + nb;
      if (nb > 0) {
        double delta = s_mean[t + half] - s_mean[t];
        s_mean[t] += delta * nb / nt;
        s_m2[t] += s_m2[t + half] + delta * delta * na * nb / nt;
        s_n[t] = nt;
      }
    }
    __syncthreads();
  }
  if (threadIdx.x != 0) return;
  const double total = static_cast<double>(count), m = s_mean[0], sq = s_m2[0];
  const double invstd = 1.0 / sqrt(sq / total + eps);
  stats[c] = m;
  stats[C + c] = invstd;
  save_mean[c] = static_cast<T>(m);
  save_invstd[c] = static_cast<T>(invstd);
  // The running variance estimates the population's: n/(n-1), as on the CPU.
  if (running_mean) running_mean[c] = static_cast<T>((1.0 - momentum) * static_cast<double>(running_mean[c]) + momentum * m);
  if (running_var) {
    running_var[c] = static_cast<T>((1.0 - momentum) * static_cast<double>(running_var[c]) +
                                    momentum * sq / (total - 1.0));
  }
}

// out = (x - mean) * invstd * weight + bias, as x * scale + shift in double.
// mean and invstd are M (double from the statistics kernel, or T).
template <class T, class M>
struct Normalise {
  const T* x;
  const T* weight;  // null: 1
  const T* bias;    // null: 0
  const M* mean;
  const M* invstd;
  int64_t C, S;
  T* out;
  __device__ void operator()(int64_t i) const {
    const int64_t c = i / S % C;
    const double scale = static_cast<double>(invstd[c]) * (weight ? static_cast<double>(weight[c]) : 1.0);
    const double shift = (bias ? static_cast<double>(bias[c]) : 0.0) - static_cast<double>(mean[c]) * scale;
    out[i] = static_cast<T>(static_cast<double>(x[i]) * scale + shift);
  }
};

// sums[c] = sum(dy), sums[C + c] = sum(dy * (x - mean)) over channel c; writes
// grad_bias and grad_weight when given.
template <class T>
__global__ void __launch_bounds__(kThreads)
    batch_norm_backward_sums(const T* grad_out, const T* x, const T* mean, const T* invstd, int64_t C, int64_t S,
                             int64_t count, double* sums, T* grad_weight, T* grad_bias) {
  __shared__ double s_dy[kThreads], s_dyx[kThreads];
  const int64_t c = blockIdx.x;
  const double mu = static_cast<double>(mean[c]);
  double a = 0, b = 0;
  for (int64_t k = threadIdx.x; k < count; k += kThreads) {
    const int64_t i = channel_element(c, k, C, S);
    const double g = static_cast<double>(grad_out[i]);
    a += g;
    b += g * (static_cast<double>(x[i]) - mu);
  }
  s_dy[threadIdx.x] = a;
  s_dyx[threadIdx.x] = b;
  __syncthreads();
  for (int half = kThreads / 2; half > 0; half /= 2) {
    if (static_cast<int>(threadIdx.x) < half) {
      s_dy[threadIdx.x] += s_dy[threadIdx.x + half];
      s_dyx[threadIdx.x] += s_dyx[threadIdx.x + half];
    }
    __syncthreads();
  }
  if (threadIdx.x != 0) return;
  sums[c] = s_dy[0];
  sums[C + c] = s_dyx[0];
  if (grad_bias) grad_bias[c] = static_cast<T>(s_dy[0]);
  if (grad_weight) grad_weight[c] = static_cast<T>(s_dyx[0] * static_cast<double>(invstd[c]));
}

// grad_x = k * dy + proj * (x - mean) + shift per channel, with k = w * invstd
// and, in training, the paths through the batch statistics:
// proj = -k * invstd^2 * sum(dy*(x-mean)) / n, shift = -k * sum(dy) / n.
template <class T>
struct GradInput {
  const T* grad_out;
  const T* x;
  const T* weight;
  const T* mean;
  const T* invstd;
  const double* sums;  // null in evaluation mode
  int64_t C, S;
  double count;
  T* grad_x;
  __device__ void operator()(int64_t i) const {
    const int64_t c = i / S % C;
    const double inv = static_cast<double>(invstd[c]), mu = static_cast<double>(mean[c]);
    const double k = (weight ? static_cast<double>(weight[c]) : 1.0) * inv;
    double proj = 0, shift = 0;
    if (sums) {
      proj = -k * inv * inv * sums[C + c] / count;
      shift = -k * sums[c] / count;
    }
    grad_x[i] = static_cast<T>(k * static_cast<double>(grad_out[i]) + proj * (static_cast<double>(x[i]) - mu) + shift);
  }
};

template <class T>
const T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

}  // namespace

void CudaBackend::batch_norm_train(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& running_mean,
                                   Tensor& running_var, double momentum, double eps, Tensor& out, Tensor& save_mean,
                                   Tensor& save_invstd) {
  dispatch_floating(x.dtype(), "batch_norm", [&]<class T>() {
    const Planes l = planes_of(x);
    if (l.c == 0) return;
    Buffer stats(static_cast<size_t>(2 * l.c) * sizeof(double));
    batch_norm_stats<T><<<static_cast<unsigned>(l.c), kThreads, 0, stream()>>>(
        x.data<T>(), l.c, l.s, l.count(), eps, momentum, stats.as<double>(), save_mean.data<T>(),
        save_invstd.data<T>(), running_mean.defined() ? running_mean.data<T>() : nullptr,
        running_var.defined() ? running_var.data<T>() : nullptr);
    PN_CUDA_LAUNCH_CHECK();
    for_each(x.numel(), Normalise<T, double>{x.data<T>(), data_or_null<T>(weight), data_or_null<T>(bias),
                                             stats.as<double>(), stats.as<double>() + l.c, l.c, l.s,
                                             out.data<T>()});
  });
}

void CudaBackend::batch_norm_eval(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& mean,
                                  const Tensor& invstd, Tensor& out) {
  dispatch_floating(x.dtype(), "batch_norm", [&]<class T>() {
    const Planes l = planes_of(x);
    for_each(x.numel(), Normalise<T, T>{x.data<T>(), data_or_null<T>(weight), data_or_null<T>(bias), mean.data<T>(),
                                        invstd.data<T>(), l.c, l.s, out.data<T>()});
  });
}

void CudaBackend::batch_norm_backward(const Tensor& grad_out, const Tensor& x, const Tensor& weight,
                                      const Tensor& mean, const Tensor& invstd, bool training, Tensor& grad_x,
                                      Tensor& grad_weight, Tensor& grad_bias) {
  dispatch_floating(x.dtype(), "batch_norm_backward", [&]<class T>() {
    const Planes l = planes_of(x);
    if (l.c == 0) return;
    const bool need_sums = grad_weight.defined() || grad_bias.defined() || (training && grad_x.defined());
    Buffer sums(static_cast<size_t>(2 * l.c) * sizeof(double));
    if (need_sums) {
      batch_norm_backward_sums<T><<<static_cast<unsigned>(l.c), kThreads, 0, stream()>>>(
          grad_out.data<T>(), x.data<T>(), mean.data<T>(), invstd.data<T>(), l.c, l.s, l.count(), sums.as<double>(),
          grad_weight.defined() ? grad_weight.data<T>() : nullptr,
          grad_bias.defined() ? grad_bias.data<T>() : nullptr);
      PN_CUDA_LAUNCH_CHECK();
    }
    if (!grad_x.defined()) return;
    for_each(x.numel(), GradInput<T>{grad_out.data<T>(), x.data<T>(), data_or_null<T>(weight), mean.data<T>(),
                                     invstd.data<T>(), training ? sums.as<double>() : nullptr, l.c, l.s,
                                     static_cast<double>(l.count()), grad_x.data<T>()});
  });
}

}  // namespace pn::cuda
