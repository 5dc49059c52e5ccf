// add, sub, mul, div, maximum, minimum and the comparisons.
#include "autograd/ops.h"
#include "autograd/ops/checks.h"
#include "autograd/record.h"
#include "tensor/broadcast.h"
#include "tensor/functors.h"

namespace pn {

namespace {

const char* binary_name(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "add";
    case BinaryOp::Sub: return "sub";
    case BinaryOp::Mul: return "mul";
    case BinaryOp::Div: return "div";
    case BinaryOp::Maximum: return "maximum";
    case BinaryOp::Minimum: return "minimum";
    case BinaryOp::Eq: return "eq";
    case BinaryOp::Ne: return "ne";
    case BinaryOp::Lt: return "lt";
    case BinaryOp::Le: return "le";
    case BinaryOp::Gt: return "gt";
    case BinaryOp::Ge: return "ge";
  }
  return "?";
}

// The forward of every binary op: checks, broadcast, kernel. No recording.
Tensor binary_forward(BinaryOp op, const Tensor& a, const Tensor& b) {
  const char* name = binary_name(op);
  check_defined(name, a, "first operand");
  check_defined(name, b, "second operand");
  PN_CHECK(a.dtype() == b.dtype(), name, ": dtypes differ: ", a.dtype(), " ", a.shape(), " vs ", b.dtype(),
           " ", b.shape());
  PN_CHECK(a.device() == b.device(), name, ": tensors on different devices: ", a.device(), " vs ",
           b.device());
  PN_CHECK(is_comparison(op) || a.dtype() != DType::UInt8 || op == BinaryOp::Maximum ||
               op == BinaryOp::Minimum || op == BinaryOp::Add,
           name, ": not defined for uint8 tensors");
  Shape shape = broadcast_shape(a.shape(), b.shape(), name);
  Tensor out(shape, is_comparison(op) ? DType::UInt8 : a.dtype(), a.device());
  backend(a.device()).binary(op, a, b, out);
  return out;
}

// 1 where pick, 0.5 where a == b (a tie splits the gradient), else 0.
Tensor select_mask(const Tensor& pick, const Tensor& tie, DType dtype) {
  return add(pick.to(dtype), mul(tie.to(dtype), 0.5));
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(BinaryOp::Add, a, b);
  record(Op::add, out, {&a, &b}, [a_shape = a.shape(), b_shape = b.shape()](const Tensor& g, const Node& n) {
    return std::vector<Tensor>{n.needs_grad(0) ? sum_to(g, a_shape) : Tensor(),
                               n.needs_grad(1) ? sum_to(g, b_shape) : Tensor()};
  });
  return out;
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(BinaryOp::Sub, a, b);
  record(Op::sub, out, {&a, &b}, [a_shape = a.shape(), b_shape = b.shape()](const Tensor& g, const Node& n) {
    return std::vector<Tensor>{n.needs_grad(0) ? sum_to(g, a_shape) : Tensor(),
                               n.needs_grad(1) ? sum_to(neg(g), b_shape) : Tensor()};
  });
  return out;
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(BinaryOp::Mul, a, b);
  // d(ab)/da = b and d(ab)/db = a: each operand is saved only if the other needs a gradient.
  record(Op::mul, out, {&a, &b},
         [a_shape = a.shape(), b_shape = b.shape(), sa = SavedTensor(b.requires_grad() ? a : Tensor(), Op::mul),
          sb = SavedTensor(a.requires_grad() ? b : Tensor(), Op::mul)](const Tensor& g, const Node& n) {
           return std::vector<Tensor>{n.needs_grad(0) ? sum_to(mul(g, sb.get()), a_shape) : Tensor(),
                                      n.needs_grad(1) ? sum_to(mul(g, sa.get()), b_shape) : Tensor()};
         });
  return out;
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(BinaryOp::Div, a, b);
  // d(a/b)/db = -y/b; y is saved detached (an output must not own its own node).
  record(Op::div, out, {&a, &b},
         [a_shape = a.shape(), sb = SavedTensor(b, Op::div), sy = SavedTensor(out.detach(), Op::div)](
             const Tensor& g, const Node& n) {
           const Tensor& bb = sb.get();
           Tensor gb = n.needs_grad(1) ? sum_to(neg(div(mul(g, sy.get()), bb)), bb.shape()) : Tensor();
           return std::vector<Tensor>{n.needs_grad(0) ? sum_to(div(g, bb), a_shape) : Tensor(), gb};
         });
  return out;
}

namespace {

Tensor extremum(BinaryOp op, Op tape_op, const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(op, a, b);
  BinaryOp wins = op == BinaryOp::Maximum ? BinaryOp::Gt : BinaryOp::Lt;
  BinaryOp loses = op == BinaryOp::Maximum ? BinaryOp::Lt : BinaryOp::Gt;
  record(tape_op, out, {&a, &b},
         [wins, loses, sa = SavedTensor(a, tape_op), sb = SavedTensor(b, tape_op)](const Tensor& g, const Node& n) {
           const Tensor& x = sa.get();
           const Tensor& y = sb.get();
           Tensor tie = binary_forward(BinaryOp::Eq, x, y);
           Tensor ga, gb;
           if (n.needs_grad(0)) ga = sum_to(mul(g, select_mask(binary_forward(wins, x, y), tie, g.dtype())), x.shape());
           if (n.needs_grad(1)) gb = sum_to(mul(g, select_mask(binary_forward(loses, x, y), tie, g.dtype())), y.shape());
           return std::vector<Tensor>{ga, gb};
         });
  return out;
}

}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) { return extremum(BinaryOp::Maximum, Op::maximum, a, b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return extremum(BinaryOp::Minimum, Op::minimum, a, b); }

Tensor eq(const Tensor& a, const Tensor& b) { return binary_forward(BinaryOp::Eq, a, b); }
Tensor ne(const Tensor& a, const Tensor& b) { return binary_forward(BinaryOp::Ne, a, b); }
Tensor lt(const Tensor& a, const Tensor& b) { return binary_forward(BinaryOp::Lt, a, b); }
Tensor le(const Tensor& a, const Tensor& b) { return binary_forward(BinaryOp::Le, a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return binary_forward(BinaryOp::Gt, a, b); }
Tensor ge(const Tensor& a, const Tensor& b) { return binary_forward(BinaryOp::Ge, a, b); }

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  check_defined("where", cond, "cond");
  check_defined("where", a, "a");
  check_defined("where", b, "b");
  PN_CHECK(cond.dtype() == DType::UInt8, "where: cond must be uint8, got ", cond.dtype());
  PN_CHECK(a.dtype() == b.dtype(), "where: dtypes differ: ", a.dtype(), " vs ", b.dtype());
  PN_CHECK(cond.device() == a.device() && a.device() == b.device(), "where: tensors on different devices: ",
           cond.device(), ", ", a.device(), ", ", b.device());
  Shape shape = broadcast_shape(broadcast_shape(cond.shape(), a.shape(), "where"), b.shape(), "where");
  Tensor out(shape, a.dtype(), a.device());
  backend(a.device()).where(cond, a, b, out);
  record(Op::where, out, {&a, &b},
         [sc = SavedTensor(cond, Op::where), a_shape = a.shape(), b_shape = b.shape()](const Tensor& g, const Node& n) {
           Tensor zero = zeros({}, g.dtype(), g.device());
           Tensor ga, gb;
           if (n.needs_grad(0)) ga = sum_to(where(sc.get(), g, zero), a_shape);
           if (n.needs_grad(1)) gb = sum_to(where(sc.get(), zero, g), b_shape);
           return std::vector<Tensor>{ga, gb};
         });
  return out;
}

}  // namespace pn
