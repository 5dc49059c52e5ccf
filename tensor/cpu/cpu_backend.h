#pragma once
// The CPU backend: the readable reference every other backend is tested
// against. Each kernel is defined in the file named for its op
// (tensor/cpu/conv2d.cpp defines conv2d, conv2d_backward_input, ...).
// Kernels run on OpenMP threads; results never depend on the thread count.
#include "tensor/backend.h"

namespace pn {

class CpuBackend final : public Backend {
 public:
  const char* name() const override { return "cpu"; }

  void* allocate(size_t nbytes) override;
  void deallocate(void* ptr, size_t nbytes) override;
  void copy_host(void* dst, const void* src, size_t nbytes, bool to_device) override;
  void copy(void* dst, const void* src, size_t nbytes) override;

  void fill(Tensor& out, double value) override;
  void arange(Tensor& out, double start, double step) override;
  void cast(const Tensor& x, Tensor& out) override;
  void random(Tensor& out, Distribution d, double p0, double p1, uint64_t seed, uint64_t offset) override;

  void unary(UnaryOp op, const Tensor& x, Tensor& out, double p0, double p1) override;
  void unary_backward(UnaryOp op, const Tensor& x, const Tensor& y, const Tensor& grad, Tensor& grad_x,
                      double p0, double p1) override;
  void binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& out) override;
  void where(const Tensor& cond, const Tensor& a, const Tensor& b, Tensor& out) override;
  void axpy(double alpha, const Tensor& y, Tensor& x) override;

  void sum_dim(const Tensor& x, int64_t outer, int64_t n, int64_t inner, Tensor& out) override;

  void matmul(const Tensor& a, bool trans_a, const Tensor& b, bool trans_b, Tensor& out) override;

  void conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dArgs& a, Tensor& out) override;
  void conv2d_backward_input(const Tensor& grad_out, const Tensor& w, const Conv2dArgs& a,
                             Tensor& grad_x) override;
  void conv2d_backward_weight(const Tensor& grad_out, const Tensor& x, const Conv2dArgs& a,
                              Tensor& grad_w) override;

  void batch_norm_train(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& running_mean,
                        Tensor& running_var, double momentum, double eps, Tensor& out, Tensor& save_mean,
                        Tensor& save_invstd) override;
  void batch_norm_eval(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& mean,
                       const Tensor& invstd, Tensor& out) override;
  void batch_norm_backward(const Tensor& grad_out, const Tensor& x, const Tensor& weight, const Tensor& mean,
                           const Tensor& invstd, bool training, Tensor& grad_x, Tensor& grad_weight,
                           Tensor& grad_bias) override;

  void max_pool2d(const Tensor& x, const Pool2dArgs& a, Tensor& out, Tensor& indices) override;
  void max_pool2d_backward(const Tensor& grad_out, const Tensor& indices, Tensor& grad_x) override;
  void adaptive_avg_pool2d(const Tensor& x, Tensor& out) override;
  void adaptive_avg_pool2d_backward(const Tensor& grad_out, Tensor& grad_x) override;
  void upsample2d(const Tensor& x, UpsampleMode mode, Tensor& out) override;
  void upsample2d_backward(const Tensor& grad_out, UpsampleMode mode, Tensor& grad_x) override;

  void concat(const Tensor* const* xs, size_t count, int64_t dim, Tensor& out) override;
  void flip(const Tensor& x, int64_t dim, Tensor& out) override;
  void narrow(const Tensor& x, int64_t dim, int64_t start, Tensor& out) override;

  void bce_with_logits(const Tensor& x, const Tensor& t, Tensor& out) override;
  void bce_with_logits_backward(const Tensor& x, const Tensor& t, const Tensor& grad, double scale,
                                Tensor& grad_x) override;
};

CpuBackend& cpu_backend();

}  // namespace pn
