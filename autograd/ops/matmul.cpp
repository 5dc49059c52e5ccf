// matmul: 2-D matrix product through the device's GEMM.
#include "autograd/ops.h"
#include "autograd/ops/checks.h"
#include "autograd/record.h"

namespace pn {

namespace {

// out = op(a) op(b) without recording.
Tensor gemm(const Tensor& a, bool ta, const Tensor& b, bool tb) {
  int64_t m = ta ? a.size(1) : a.size(0);
  int64_t n = tb ? b.size(0) : b.size(1);
  Tensor out({m, n}, a.dtype(), a.device());
  backend(a.device()).matmul(a, ta, b, tb, out);
  return out;
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_rank("matmul", a, 2, "first operand");
  check_rank("matmul", b, 2, "second operand");
  check_floating_same("matmul", {&a, &b});
  PN_CHECK(a.size(1) == b.size(0), "matmul: inner extents differ: ", a.shape(), " @ ", b.shape());
  Tensor out = gemm(a, false, b, false);
  // dA = g B^T needs B; dB = A^T g needs A.
  record(Op::matmul, out, {&a, &b},
         [sa = SavedTensor(b.requires_grad() ? a : Tensor(), Op::matmul),
          sb = SavedTensor(a.requires_grad() ? b : Tensor(), Op::matmul)](const Tensor& g, const Node& n) {
           return std::vector<Tensor>{n.needs_grad(0) ? gemm(g, false, sb.get(), true) : Tensor(),
                                      n.needs_grad(1) ? gemm(sa.get(), true, g, false) : Tensor()};
         });
  return out;
}

}  // namespace pn
