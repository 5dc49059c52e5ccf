#pragma once
// Weight initialisation with PyTorch's rules (torch.nn.init).
#include <cstdint>

#include "tensor/random.h"
#include "tensor/tensor.h"

namespace pn::nn {

// fan_in of a weight: size(1) * the product of the kernel extents, as PyTorch
// computes it (for ConvTranspose2d weights [C_in, C_out/g, R, S] that is
// C_out/g * R * S, PyTorch's convention).
int64_t fan_in(const Tensor& weight);
int64_t fan_out(const Tensor& weight);

// Fills in place (without recording) with U(-bound, bound).
void uniform_(Tensor& t, double bound, Generator* gen = nullptr);
// kaiming_uniform_(w, a): bound = gain * sqrt(3 / fan_in), gain = sqrt(2 / (1 + a^2)).
// PyTorch's default for Conv2d weights is a = sqrt(5), i.e. bound = 1/sqrt(fan_in).
void kaiming_uniform_(Tensor& w, double a, Generator* gen = nullptr);
// kaiming_normal_(w): N(0, std^2) with std = sqrt(2 / fan) (a = 0, ReLU gain);
// fan is fan_in, or fan_out when by_fan_out.
void kaiming_normal_(Tensor& w, bool by_fan_out = false, Generator* gen = nullptr);

}  // namespace pn::nn
