// neg, exp, log, sigmoid, relu, abs, sqrt, clamp, pow and scalar add/mul.
#include "autograd/ops.h"
#include "autograd/ops/checks.h"
#include "autograd/record.h"
#include "tensor/functors.h"

namespace pn {

namespace {

// One entry for every UnaryOp: forward kernel, then a backward that saves
// only what the derivative reads (x or y, per Unary<op>::uses_x / uses_y).
Tensor unary_op(UnaryOp kind, Op op, const Tensor& x, double p0 = 0.0, double p1 = 0.0) {
  const char* name = op_name(op);
  check_defined(name, x, "input");
  check_floating_same(name, {&x});
  Tensor y = empty_like(x);
  backend(x.device()).unary(kind, x, y, p0, p1);
  if (needs_record({&x})) {
    bool uses_x = false, uses_y = false;
    dispatch_unary(kind, [&]<class F>() {
      uses_x = F::uses_x;
      uses_y = F::uses_y;
    });
    // y is saved as a detached handle: the node must not own its own output's grad_fn.
    record(op, y, {&x},
           [kind, p0, p1, sx = SavedTensor(uses_x ? x : Tensor(), op),
            sy = SavedTensor(uses_y ? y.detach() : Tensor(), op)](const Tensor& g, const Node&) {
             Tensor gx = empty_like(g);
             backend(g.device()).unary_backward(kind, sx.get(), sy.get(), g, gx, p0, p1);
             return std::vector<Tensor>{gx};
           });
  }
  return y;
}

}  // namespace

Tensor neg(const Tensor& x) { return unary_op(UnaryOp::Neg, Op::neg, x); }
Tensor exp(const Tensor& x) { return unary_op(UnaryOp::Exp, Op::exp, x); }
Tensor log(const Tensor& x) { return unary_op(UnaryOp::Log, Op::log, x); }
Tensor sigmoid(const Tensor& x) { return unary_op(UnaryOp::Sigmoid, Op::sigmoid, x); }
Tensor relu(const Tensor& x) { return unary_op(UnaryOp::Relu, Op::relu, x); }
Tensor abs(const Tensor& x) { return unary_op(UnaryOp::Abs, Op::abs, x); }
Tensor sqrt(const Tensor& x) { return unary_op(UnaryOp::Sqrt, Op::sqrt, x); }
Tensor clamp(const Tensor& x, double lo, double hi) {
  PN_CHECK(lo <= hi, "clamp: lo ", lo, " > hi ", hi);
  return unary_op(UnaryOp::Clamp, Op::clamp, x, lo, hi);
}
Tensor pow(const Tensor& x, double exponent) { return unary_op(UnaryOp::Pow, Op::pow, x, exponent); }
Tensor add(const Tensor& x, double s) { return unary_op(UnaryOp::AddScalar, Op::add_scalar, x, s); }
Tensor mul(const Tensor& x, double s) { return unary_op(UnaryOp::MulScalar, Op::mul_scalar, x, s); }

}  // namespace pn
