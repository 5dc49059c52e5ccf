#pragma once
// The im2col matrix of one image and one group of a convolution, handed to
// the GEMM as a PanelSource (tensor/cpu/gemm.h): the GEMM's packing step
// reads it straight from the image, so the matrix is never stored. With
// Cg = C/groups and g the group,
//
//   col [Cg*R*S, P*Q],  col[(c,r,s), (p,q)] = x[g*Cg + c, p*sh - ph + r*dh, q*sw - pw + s*dw]
//
// and 0 where that pixel lies outside [0,H) x [0,W) (the padding). A stored
// column buffer for a large image is tens of MiB: writing it and reading it
// back ran the convolutions at memory speed, a third of the GEMM's.
//
// Two orientations, for the two products that read it (tensor/cpu/conv2d.cpp):
//   Im2colPanels (a PanelSource):  op(B) = col    [L, P*Q]  (forward: w @ col)
//   Im2colLines (a LineSource):    op(B) = col^T  [P*Q, L]  (weight gradient: grad_out @ col^T);
// a line of col^T is a row of col, which a copy from the image produces.
// Several consecutive images of the batch can form one matrix, side by
// side: column j = i*P*Q + (p*Q + q) of col is position (p,q) of image i
// (for small feature maps, where one image would give the GEMM too few
// columns). Both keep references to the geometry and the images: they must
// outlive the gemm call. Only the offsets into x matter, so any [N,C,H,W]
// batch works, including grad_out viewed through a transposed geometry.
#include <cstdint>

#include "tensor/conv_geometry.h"
#include "tensor/cpu/gemm.h"

namespace pn::cpu {

template <class T>
class Im2colPanels final : public PanelSource<T> {
 public:
  // x: the first image [C,H,W] of those that the columns cover.
  Im2colPanels(const ConvGeometry& d, const T* x, int64_t group) : d_(d), x_(x + group * d.Cg() * d.HW()) {}
  void pack(int64_t k0, int64_t kb, int64_t j0, int64_t nb, int nr, T* dst) const override;

 private:
  const ConvGeometry& d_;
  const T* x_;  // the group's first channel
};

template <class T>
class Im2colLines final : public LineSource<T> {
 public:
  Im2colLines(const ConvGeometry& d, const T* x, int64_t group) : d_(d), x_(x + group * d.Cg() * d.HW()) {}
  void lines(int64_t k0, int64_t kb, int64_t j0, int64_t nb, T* dst, int64_t ld) const override;

 private:
  const ConvGeometry& d_;
  const T* x_;
};

}  // namespace pn::cpu
