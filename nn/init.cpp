#include "nn/init.h"

#include <cmath>

#include "autograd/grad_mode.h"

namespace pn::nn {

int64_t fan_in(const Tensor& w) {
  PN_CHECK(w.dim() >= 2, "fan_in: needs a weight of at least 2 dimensions, got shape ", w.shape());
  return w.numel() / w.size(0);
}

int64_t fan_out(const Tensor& w) {
  PN_CHECK(w.dim() >= 2, "fan_out: needs a weight of at least 2 dimensions, got shape ", w.shape());
  return w.numel() / w.size(1);
}

namespace {
void assign(Tensor& t, const Tensor& values) {
  NoGradGuard no_grad;
  t.copy_(values);
}
}  // namespace

void uniform_(Tensor& t, double bound, Generator* gen) {
  assign(t, uniform(t.shape(), -bound, bound, t.dtype(), t.device(), gen));
}

void kaiming_uniform_(Tensor& w, double a, Generator* gen) {
  double gain = std::sqrt(2.0 / (1.0 + a * a));
  uniform_(w, gain * std::sqrt(3.0 / static_cast<double>(fan_in(w))), gen);
}

void kaiming_normal_(Tensor& w, bool by_fan_out, Generator* gen) {
  double fan = static_cast<double>(by_fan_out ? fan_out(w) : fan_in(w));
  assign(w, normal(w.shape(), 0.0, std::sqrt(2.0 / fan), w.dtype(), w.device(), gen));
}

}  // namespace pn::nn
