#pragma once
// 3x3 convolutions with stride 1 by Winograd's minimal filtering F(4x4, 3x3)
// (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks",
// 2016): the CPU path of most of a U-Net's arithmetic.
//
// The output is cut into tiles of 4x4 pixels; each reads a 6x6 patch of the
// input. For one tile, one input channel c and one output channel k,
//
//   y = A^T [ (G g G^T) .* (B^T d B) ] A
//
// with d the 6x6 patch, g the 3x3 filter and .* the elementwise product:
// 36 multiplications where the direct sum takes 16 * 9 = 144. Summed over
// channels, each of the 36 positions of the 6x6 product is a matrix product
//
//   M_i [K, tiles] = U_i [K, C] @ V_i [C, tiles],   i = 0 .. 35,
//
// with U = G g G^T (the filters, transformed once per call) and V = B^T d B
// (the patches). So the work is 36 GEMMs with a quarter of the direct
// multiply-adds, plus the transforms, which are additions and small
// multiples. The matrices are those of the points 0, 1, -1, 2, -2 and
// infinity.
//
// Accuracy: the transforms scale values by up to 25 before the products and
// divide after, so float32 results differ from the direct sum by a little
// more than rounding: about 1e-6 relative, norm-wise (tested against a
// float64 reference). In float64 the two agree to about 1e-15.
//
// Tiles are processed in blocks (a few hundred at a time, sized so that a
// block's V and M stay in cache), each block by one thread, its 36 GEMMs
// single-threaded. Every output value is computed by the same operations in
// the same order whatever the number of threads.
#include <cstdint>

#include "tensor/conv_geometry.h"

namespace pn::cpu {

// Whether d is a convolution conv_winograd computes (3x3 kernel, stride 1,
// dilation 1, one group; any padding and output size) and one where it is
// expected to be faster than im2col + GEMM: enough channels and tiles for
// the 36 GEMMs to run well. Depends on the shape only, never on the thread
// count, so that the choice never changes a result.
bool winograd_suits(const ConvGeometry& d);

// The same for the weight gradient, which needs more of both: its GEMMs are
// [K, C] products summed over the tiles, and with few channels on either
// side they spend more time packing their operands than multiplying them.
bool winograd_suits_weight_gradient(const ConvGeometry& d);

// out [N,K,P,Q] = conv(x [N,C,H,W], w [K,C,3,3]) with d's padding, out
// overwritten. Requires R = S = 3, unit stride and dilation and groups = 1
// (throws pn::Error otherwise); the output size is taken from d, as in
// conv2d.cpp (positions whose 3x3 window leaves the input read zeros).
template <class T>
void conv_winograd(const ConvGeometry& d, const T* x, const T* w, T* out);

// grad_w [K,C,3,3] = the gradient of sum(grad_out * conv(x, w)) with
// respect to w, summed over the batch, overwritten; d and its requirements
// as for conv_winograd. The same factorisation run backwards: per point i,
// dU_i [K, C] = dM_i @ V_i^T summed over the tiles, with dM = A dY A^T of
// each tile's 4x4 of grad_out, then grad_w = G^T dU G.
template <class T>
void conv_winograd_backward_weight(const ConvGeometry& d, const T* grad_out, const T* x, T* grad_w);

}  // namespace pn::cpu
