#pragma once
// The kernel interface every device implements.
//
// An op is split in two. Its entry point (autograd/ops/<op>.cpp) is device
// independent: it checks arguments, allocates the output and records the
// backward. It then calls the kernel of the tensors' device through this
// interface: CpuBackend (tensor/cpu/, the readable reference) or the CUDA
// backend (cuda/). Kernels receive tensors that are already checked and
// allocated; they write `out` arguments in full (never accumulate into them)
// unless a comment says otherwise. The elementwise kernels (unary, binary,
// where, axpy) allow `out` to be one of their inputs when it has the output's
// shape: element i is read before it is written, on every device.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tensor/device.h"
#include "tensor/dtype.h"
#include "tensor/shape.h"

namespace pn {

class Tensor;

// Elementwise functions of one tensor; their math is in tensor/functors.h.
enum class UnaryOp {
  Neg, Exp, Log, Sigmoid, Relu, Abs, Sqrt,
  Clamp,  // p0 = min, p1 = max
  Pow,    // p0 = exponent
  AddScalar,  // x + p0
  MulScalar,  // x * p0
};

// Elementwise functions of two broadcast tensors; see tensor/functors.h.
enum class BinaryOp {
  Add, Sub, Mul, Div, Maximum, Minimum,
  // Comparisons write uint8 0/1.
  Eq, Ne, Lt, Le, Gt, Ge,
};

struct Conv2dArgs {
  int64_t stride[2] = {1, 1};
  int64_t padding[2] = {0, 0};
  int64_t dilation[2] = {1, 1};
  int64_t groups = 1;
};

struct Pool2dArgs {
  int64_t kernel[2] = {2, 2};
  int64_t stride[2] = {2, 2};
  int64_t padding[2] = {0, 0};
  bool ceil_mode = false;
};

enum class UpsampleMode { Nearest, Bilinear };  // bilinear: align_corners=false

// One Adam / AdamW step for one parameter (formulas in
// nn/optim/update_kernels.h); the caller has advanced the step count and
// computed the bias corrections from it.
struct AdamStepArgs {
  double lr = 0;
  double beta1 = 0, beta2 = 0, eps = 0, weight_decay = 0;
  bool amsgrad = false;
  bool decoupled = false;  // AdamW: p *= 1 - lr*wd; Adam: g += wd*p (L2)
  double step_size = 0;              // lr / (1 - beta1^step)
  double bias_correction2_sqrt = 0;  // sqrt(1 - beta2^step)
};

struct SgdStepArgs {
  double lr = 0, momentum = 0, dampening = 0, weight_decay = 0;
  bool nesterov = false;
};

// Device memory held by tensors, in bytes (see Backend::memory).
struct DeviceMemory {
  size_t allocated = 0;  // now
  size_t peak = 0;       // the most since the process started or reset_peak_memory()
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;

  // ---- the device itself (not kernels: the defaults are the CPU's) ----
  // For reports: the GPU's model name, e.g. "NVIDIA H100 80GB HBM3"; "cpu".
  virtual std::string device_name() const { return name(); }
  // Zero for the host, whose use the process's resident size measures.
  virtual DeviceMemory memory() const { return {}; }
  virtual void reset_peak_memory() {}
  // Lets float32 matmul and convolutions use TF32 tensor-core math (about
  // 1e-3 relative error, several times faster), or forbids it again (the
  // default). Returns false, changing nothing, on a device without it.
  virtual bool set_allow_tf32(bool /*on*/) { return false; }

  // ---- memory ----
  virtual void* allocate(size_t nbytes) = 0;
  virtual void deallocate(void* ptr, size_t nbytes) = 0;
  // Copies nbytes between host memory and this device (host->device when
  // to_device, else device->host), and within this device.
  virtual void copy_host(void* dst, const void* src, size_t nbytes, bool to_device) = 0;
  virtual void copy(void* dst, const void* src, size_t nbytes) = 0;

  // ---- creation and conversion ----
  virtual void fill(Tensor& out, double value) = 0;
  virtual void arange(Tensor& out, double start, double step) = 0;
  virtual void cast(const Tensor& x, Tensor& out) = 0;  // same shape, other dtype
  // Counter-based random numbers: element i of `out` comes from Philox at
  // (seed, offset + i) whatever the device, so a seed gives the same values
  // everywhere (tensor/random.h).
  enum class Distribution { Uniform, Normal, Bernoulli };
  virtual void random(Tensor& out, Distribution d, double p0, double p1, uint64_t seed,
                      uint64_t offset) = 0;

  // ---- elementwise ----
  virtual void unary(UnaryOp op, const Tensor& x, Tensor& out, double p0, double p1) = 0;
  // grad_x = grad * d op(x)/dx, given x and y = op(x); only the one of x and y
  // that the op's derivative uses (Unary<op>::uses_x / uses_y) is defined.
  virtual void unary_backward(UnaryOp op, const Tensor& x, const Tensor& y, const Tensor& grad,
                              Tensor& grad_x, double p0, double p1) = 0;
  // out has the broadcast shape of a and b.
  virtual void binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& out) = 0;
  virtual void where(const Tensor& cond, const Tensor& a, const Tensor& b, Tensor& out) = 0;
  // In place: x += alpha * y (same shape).
  virtual void axpy(double alpha, const Tensor& y, Tensor& x) = 0;

  // ---- reductions ----
  // out = sum of x over dimension `dim` of x viewed as [outer, n, inner];
  // out is [outer, inner]. Deterministic: the order of additions does not
  // depend on the number of threads.
  virtual void sum_dim(const Tensor& x, int64_t outer, int64_t n, int64_t inner, Tensor& out) = 0;

  // ---- linear algebra ----
  // out[M,N] = op(a) op(b), op = transpose when the flag is set; 2-D tensors.
  virtual void matmul(const Tensor& a, bool trans_a, const Tensor& b, bool trans_b, Tensor& out) = 0;

  // ---- convolution ----
  // x [N,C,H,W], w [K,C/g,R,S], bias [K] or undefined, out [N,K,P,Q].
  // All three kernels take H, W from the image-side tensor (x or grad_x) and
  // P, Q from the output-side one (out or grad_out) rather than recomputing
  // them, and skip taps that fall outside either: conv_transpose2d with
  // output_padding >= stride relies on it.
  virtual void conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dArgs& a,
                      Tensor& out) = 0;
  // grad_x [N,C,H,W] from grad_out [N,K,P,Q] and w: the transposed convolution.
  virtual void conv2d_backward_input(const Tensor& grad_out, const Tensor& w, const Conv2dArgs& a,
                                     Tensor& grad_x) = 0;
  // grad_w [K,C/g,R,S] from grad_out [N,K,P,Q] and x.
  virtual void conv2d_backward_weight(const Tensor& grad_out, const Tensor& x, const Conv2dArgs& a,
                                      Tensor& grad_w) = 0;

  // ---- normalisation ----
  // Training: normalises with the batch statistics of each channel, writes
  // save_mean [C] and save_invstd [C] (1/sqrt(var_biased + eps)), and updates
  // running_mean/var (if defined) in place with momentum and the unbiased var.
  virtual void batch_norm_train(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                Tensor& running_mean, Tensor& running_var, double momentum,
                                double eps, Tensor& out, Tensor& save_mean, Tensor& save_invstd) = 0;
  // Evaluation: out = (x - mean) * invstd * weight + bias, with the given
  // per-channel mean and invstd.
  virtual void batch_norm_eval(const Tensor& x, const Tensor& weight, const Tensor& bias,
                               const Tensor& mean, const Tensor& invstd, Tensor& out) = 0;
  // Gradients of either mode (training: statistics depend on x). Undefined
  // grad_weight / grad_bias / grad_x are skipped.
  virtual void batch_norm_backward(const Tensor& grad_out, const Tensor& x, const Tensor& weight,
                                   const Tensor& mean, const Tensor& invstd, bool training,
                                   Tensor& grad_x, Tensor& grad_weight, Tensor& grad_bias) = 0;

  // ---- pooling and resampling ----
  // indices (int64) holds the flat position h*W+w of each maximum in its plane.
  virtual void max_pool2d(const Tensor& x, const Pool2dArgs& a, Tensor& out, Tensor& indices) = 0;
  // grad_x gets each output's gradient at its argmax. `a` is the forward's:
  // a device that gathers (one thread per input) needs the windows.
  virtual void max_pool2d_backward(const Tensor& grad_out, const Tensor& indices, const Pool2dArgs& a,
                                   Tensor& grad_x) = 0;
  virtual void adaptive_avg_pool2d(const Tensor& x, Tensor& out) = 0;  // out [N,C,P,Q] given
  virtual void adaptive_avg_pool2d_backward(const Tensor& grad_out, Tensor& grad_x) = 0;
  virtual void upsample2d(const Tensor& x, UpsampleMode mode, Tensor& out) = 0;  // sizes from out
  virtual void upsample2d_backward(const Tensor& grad_out, UpsampleMode mode, Tensor& grad_x) = 0;

  // ---- shape ----
  // Concatenation along `dim`; outputs views each input as [outer, size_i*inner].
  virtual void concat(const Tensor* const* xs, size_t count, int64_t dim, Tensor& out) = 0;
  virtual void flip(const Tensor& x, int64_t dim, Tensor& out) = 0;
  // out = x[..., start : start + out.size(dim), ...] along `dim`.
  virtual void narrow(const Tensor& x, int64_t dim, int64_t start, Tensor& out) = 0;

  // ---- losses ----
  // Elementwise BCE with logits: out = max(x,0) - x*t + log(1 + exp(-|x|)).
  virtual void bce_with_logits(const Tensor& x, const Tensor& t, Tensor& out) = 0;
  // grad_x = scale * grad * (sigmoid(x) - t); grad has x's shape or one
  // element (then it multiplies every element).
  virtual void bce_with_logits_backward(const Tensor& x, const Tensor& t, const Tensor& grad,
                                        double scale, Tensor& grad_x) = 0;

  // ---- optimizers ----
  // The fused updates of nn/optim/update_kernels.h, which states the formulas
  // and checks the arguments: param and the buffers are written in place
  // (max_exp_avg_sq only when a.amsgrad, momentum_buffer only when
  // a.momentum != 0; `first` says the buffer is new and starts as d).
  virtual void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                         const Tensor& max_exp_avg_sq, const AdamStepArgs& a) = 0;
  virtual void sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer, bool first,
                        const SgdStepArgs& a) = 0;
};

// The backend of a device. The CPU backend always exists. The CUDA backend is
// loaded on first use through load_cuda_backend(), or installed explicitly
// with register_backend (which replaces it; nullptr clears it, after which
// the next use loads it again). Throws when the device has no backend: a
// build without CUDA, no visible GPU, or a device index other than 0 (one GPU
// for now).
Backend& backend(Device device);
void register_backend(DeviceType type, Backend* b);
// Whether backend() would succeed for the device type (index 0).
bool has_backend(DeviceType type);

// The registration hook of the CUDA library, called by backend() the first
// time a CUDA device is used: cuda/register.cpp in CUDA builds (creates the
// backend once; throws pn::Error naming the reason when no GPU is usable),
// cuda/absent.cpp otherwise (returns nullptr). An explicit call, not a static
// initialiser, so that no linker can drop the registration.
Backend* load_cuda_backend();

}  // namespace pn
