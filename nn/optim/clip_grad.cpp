#include "nn/optim/clip_grad.h"

#include <algorithm>
#include <cmath>

#include "autograd/grad_mode.h"
#include "nn/optim/update_kernels.h"

namespace pn::nn::optim {

double clip_grad_norm(const std::vector<Tensor>& params, double max_norm, double norm_type,
                      NonFinite nonfinite) {
  PN_CHECK(max_norm >= 0.0, "clip_grad_norm: max_norm must be >= 0, got ", max_norm);
  PN_CHECK(norm_type > 0.0, "clip_grad_norm: norm_type must be positive (or inf), got ", norm_type);
  std::vector<Tensor> grads;
  for (const Tensor& p : params) {
    PN_CHECK(p.defined(), "clip_grad_norm: a parameter is undefined");
    if (p.grad().defined()) grads.push_back(p.grad());
  }
  if (grads.empty()) return 0.0;

  // PyTorch's two-level form: the norm of the vector of per-tensor norms.
  const bool is_inf = std::isinf(norm_type);
  double total = 0.0;
  bool nan = false;
  for (const Tensor& g : grads) {
    const double n = tensor_norm(g, norm_type);
    if (std::isnan(n)) nan = true;
    if (is_inf) {
      total = std::max(total, n);
    } else if (norm_type == 2.0) {
      total += n * n;
    } else if (norm_type == 1.0) {
      total += n;
    } else {
      total += std::pow(n, norm_type);
    }
  }
  if (nan) {
    total = std::nan("");
  } else if (!is_inf && norm_type != 1.0) {
    total = norm_type == 2.0 ? std::sqrt(total) : std::pow(total, 1.0 / norm_type);
  }
  PN_CHECK(nonfinite == NonFinite::Scale || std::isfinite(total), "clip_grad_norm: the total ",
           norm_type, "-norm of the gradients is ", total, ", so they cannot be clipped");

  const double coef = max_norm / (total + 1e-6);
  // PyTorch multiplies by min(coef, 1) always; 1 changes nothing, so skip it.
  // A NaN coefficient propagates, as torch.clamp lets NaN through.
  if (std::isnan(coef) || coef < 1.0) {
    NoGradGuard no_grad;
    for (Tensor& g : grads) g.mul_(coef);
  }
  return total;
}

}  // namespace pn::nn::optim
