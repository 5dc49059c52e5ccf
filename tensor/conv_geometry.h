#pragma once
// The extents of one convolution as the conv2d kernels of both devices see
// them (tensor/cpu/conv2d.cpp, cuda/conv2d.cu): x [N,C,H,W], w [K,C/g,R,S],
// out [N,K,P,Q]. H, W come from the image-side tensor and P, Q from the
// output-side one, as tensor/backend.h asks.
#include <algorithm>
#include <cstdint>

#include "tensor/backend.h"
#include "tensor/functors.h"  // PN_HD
#include "tensor/tensor.h"

namespace pn {

struct ConvGeometry {
  int64_t N, C, H, W;  // convolution input
  int64_t K, P, Q;     // convolution output
  int64_t R, S, groups;
  int64_t sh, sw, ph, pw, dh, dw;

  ConvGeometry(const Tensor& x, const Tensor& out, int64_t r, int64_t s, const Conv2dArgs& a)
      : N(x.size(0)), C(x.size(1)), H(x.size(2)), W(x.size(3)),
        K(out.size(1)), P(out.size(2)), Q(out.size(3)),
        R(r), S(s), groups(a.groups),
        sh(a.stride[0]), sw(a.stride[1]), ph(a.padding[0]), pw(a.padding[1]),
        dh(a.dilation[0]), dw(a.dilation[1]) {}

  PN_HD int64_t Cg() const { return C / groups; }
  PN_HD int64_t Kg() const { return K / groups; }
  PN_HD int64_t L() const { return Cg() * R * S; }  // rows of one group's im2col matrix
  PN_HD int64_t HW() const { return H * W; }
  PN_HD int64_t PQ() const { return P * Q; }
  // The im2col matrix equals x: no column buffer needed.
  PN_HD bool direct() const {
    return R == 1 && S == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0 && P == H && Q == W;
  }
  // Output positions per tile so that the C*R*S-row column buffer of
  // elem-byte values stays under cap_bytes (at least one, at most P*Q).
  int64_t tile(size_t elem, int64_t cap_bytes) const {
    int64_t per_column = std::max<int64_t>(1, C * R * S * static_cast<int64_t>(elem));
    return std::clamp<int64_t>(cap_bytes / per_column, 1, std::max<int64_t>(PQ(), 1));
  }
};

}  // namespace pn
