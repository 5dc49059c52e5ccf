// concat and narrow, each the other's backward. Both copy bytes, so they
// take any dtype; inputs of one concat share dtype and device.
#include "autograd/ops.h"
#include "autograd/ops/checks.h"
#include "autograd/record.h"

namespace pn {

namespace {

// Unrecorded forwards, also used by the backwards.
Tensor narrow_copy(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  Shape shape = x.shape();
  shape[static_cast<size_t>(dim)] = length;
  Tensor out(shape, x.dtype(), x.device());
  backend(x.device()).narrow(x, dim, start, out);
  return out;
}

Tensor concat_copy(const std::vector<const Tensor*>& xs, int64_t dim) {
  Shape shape = xs[0]->shape();
  shape[static_cast<size_t>(dim)] = 0;
  for (const Tensor* t : xs) shape[static_cast<size_t>(dim)] += t->size(dim);
  Tensor out(shape, xs[0]->dtype(), xs[0]->device());
  backend(out.device()).concat(xs.data(), xs.size(), dim, out);
  return out;
}

}  // namespace

Tensor concat(const std::vector<Tensor>& xs, int64_t dim) {
  constexpr const char* kOp = "concat";
  PN_CHECK(!xs.empty(), kOp, ": needs at least one tensor, got an empty list");
  for (size_t i = 0; i < xs.size(); ++i) PN_CHECK(xs[i].defined(), kOp, ": tensor ", i, " is undefined");
  const Tensor& first = xs[0];
  int64_t d = wrap_dim(kOp, dim, first.dim());
  for (size_t i = 1; i < xs.size(); ++i) {
    const Tensor& t = xs[i];
    PN_CHECK(t.dtype() == first.dtype(), kOp, ": dtypes differ: tensor 0 is ", first.dtype(), " ", first.shape(),
             ", tensor ", i, " is ", t.dtype(), " ", t.shape());
    PN_CHECK(t.device() == first.device(), kOp, ": tensors on different devices: tensor 0 on ", first.device(),
             " ", first.shape(), ", tensor ", i, " on ", t.device(), " ", t.shape());
    bool match = t.dim() == first.dim();
    for (int64_t k = 0; match && k < t.dim(); ++k) match = k == d || t.size(k) == first.size(k);
    PN_CHECK(match, kOp, ": along dimension ", d, " tensor ", i, " of shape ", t.shape(),
             " does not fit tensor 0 of shape ", first.shape(), " (all other extents must be equal)");
  }
  std::vector<const Tensor*> ptrs;
  std::vector<int64_t> sizes;
  for (const Tensor& t : xs) {
    ptrs.push_back(&t);
    sizes.push_back(t.size(d));
  }
  Tensor out = concat_copy(ptrs, d);
  record(Op::concat, out, xs, [d, sizes](const Tensor& g, const Node& n) {
    std::vector<Tensor> grads(sizes.size());
    int64_t start = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
      if (n.needs_grad(i)) grads[i] = narrow_copy(g, d, start, sizes[i]);
      start += sizes[i];
    }
    return grads;
  });
  return out;
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  constexpr const char* kOp = "narrow";
  check_defined(kOp, x, "input");
  int64_t d = wrap_dim(kOp, dim, x.dim());
  int64_t size = x.size(d);
  PN_CHECK(start >= 0 && length >= 0 && start <= size - length, kOp, ": start ", start, " and length ", length,
           " are out of range for dimension ", d, " of shape ", x.shape());
  Tensor out = narrow_copy(x, d, start, length);
  // The gradient is g between zero blocks: one concat, no separate scatter kernel.
  record(Op::narrow, out, {&x}, [d, start, x_shape = x.shape()](const Tensor& g, const Node&) {
    Shape before = x_shape, after = x_shape;
    before[static_cast<size_t>(d)] = start;
    after[static_cast<size_t>(d)] = x_shape[static_cast<size_t>(d)] - start - g.size(d);
    Tensor zb = zeros(before, g.dtype(), g.device()), za = zeros(after, g.dtype(), g.device());
    return std::vector<Tensor>{concat_copy({&zb, &g, &za}, d)};
  });
  return out;
}

}  // namespace pn
