#pragma once
// Gradient clipping by global norm, as PyTorch 1.13's
// torch.nn.utils.clip_grad_norm_ (which the reference training calls before
// every optimizer step with max_norm = GRADIENT_CLIPPING = 0.1).
#include <vector>

#include "tensor/tensor.h"

namespace pn::nn::optim {

// What to do when the total norm is NaN or infinite.
enum class NonFinite { Scale, Error };

// The norm over the gradients of `params` taken together, as if concatenated
// into one vector:
//   total = (sum_i norm_i^p)^(1/p)  with norm_i the p-norm of grad i,
//   total = max_i max |grad_i|      for p = +inf (INFINITY).
// Then every gradient is multiplied in place by max_norm / (total + 1e-6)
// when that is < 1; when total is NaN they all become NaN, as in PyTorch,
// unless `nonfinite` is NonFinite::Error, which throws pn::Error instead (for
// an infinite total too) and leaves the gradients unchanged.
// Parameters with an undefined grad() are ignored; all grads count, whether
// or not their parameter requires grad (PyTorch's rule). Returns the total
// norm (before clipping; 0 without any gradient).
// Requires max_norm >= 0 and norm_type > 0 (or +inf); the gradients floating
// and on the CPU for now (pn::Error "not yet on cuda" otherwise).
double clip_grad_norm(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0,
                      NonFinite nonfinite = NonFinite::Scale);

}  // namespace pn::nn::optim
