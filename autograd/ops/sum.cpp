// sum, mean and sum_to (the inverse of broadcasting).
#include <algorithm>

#include "autograd/ops.h"
#include "autograd/ops/checks.h"
#include "autograd/record.h"

namespace pn {

namespace {

// Sorted, unique, non-negative dims; empty means all.
std::vector<int64_t> normalise_dims(const char* op, const std::vector<int64_t>& dims, int64_t rank) {
  std::vector<int64_t> out;
  for (int64_t d : dims) out.push_back(wrap_dim(op, d, rank));
  std::sort(out.begin(), out.end());
  PN_CHECK(std::adjacent_find(out.begin(), out.end()) == out.end(), op, ": a dimension is repeated");
  return out;
}

// Sum over sorted dims without recording, keeping them as extent 1.
Tensor sum_keepdim(const Tensor& x, const std::vector<int64_t>& dims) {
  Tensor cur = x;
  Shape shape = x.shape();
  for (auto it = dims.rbegin(); it != dims.rend(); ++it) {  // innermost first keeps views contiguous
    size_t d = static_cast<size_t>(*it);
    int64_t outer = 1, inner = 1;
    for (size_t i = 0; i < d; ++i) outer *= shape[i];
    for (size_t i = d + 1; i < shape.size(); ++i) inner *= shape[i];
    int64_t n = shape[d];
    shape[d] = 1;
    Tensor next(shape, x.dtype(), x.device());
    if (n == 0) {
      backend(x.device()).fill(next, 0.0);
    } else {
      backend(x.device()).sum_dim(cur, outer, n, inner, next);
    }
    cur = next;
  }
  if (dims.empty()) cur = x.clone().detach();  // sum over no dims is the identity
  return cur;
}

// The shape after reducing dims (with or without keeping them).
Shape reduced_shape(const Shape& s, const std::vector<int64_t>& dims, bool keepdim) {
  Shape out;
  for (size_t i = 0; i < s.size(); ++i) {
    bool reduced = std::binary_search(dims.begin(), dims.end(), static_cast<int64_t>(i));
    if (!reduced) out.push_back(s[i]);
    else if (keepdim) out.push_back(1);
  }
  return out;
}

Tensor reduce(Op op, const Tensor& x, const std::vector<int64_t>& dims_in, bool keepdim, bool all) {
  const char* name = op_name(op);
  check_defined(name, x, "input");
  check_floating_same(name, {&x});
  std::vector<int64_t> dims;
  if (all) {
    for (int64_t d = 0; d < x.dim(); ++d) dims.push_back(d);
  } else {
    dims = normalise_dims(name, dims_in, x.dim());
  }
  int64_t count = 1;
  for (int64_t d : dims) count *= x.shape()[static_cast<size_t>(d)];
  Tensor kept = sum_keepdim(x, dims);
  double scale = op == Op::mean ? 1.0 / static_cast<double>(count) : 1.0;
  if (op == Op::mean) {
    PN_CHECK(count > 0, "mean: over an empty set of elements (shape ", x.shape(), ")");
    backend(x.device()).unary(UnaryOp::MulScalar, kept, kept, scale, 0.0);
  }
  Shape keep_shape = kept.shape();
  Tensor out = kept.detach().reshape(reduced_shape(x.shape(), dims, keepdim));
  record(op, out, {&x}, [keep_shape, x_shape = x.shape(), scale](const Tensor& g, const Node&) {
    // Broadcast the gradient back over the reduced dims.
    Tensor gx = add(g.reshape(keep_shape), zeros(x_shape, g.dtype(), g.device()));
    if (scale != 1.0) gx.mul_(scale);
    return std::vector<Tensor>{gx};
  });
  return out;
}

}  // namespace

Tensor sum(const Tensor& x) { return reduce(Op::sum, x, {}, false, true); }
Tensor mean(const Tensor& x) { return reduce(Op::mean, x, {}, false, true); }
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return reduce(Op::sum, x, dims, keepdim, false);
}
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return reduce(Op::mean, x, dims, keepdim, false);
}

Tensor sum_to(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  PN_CHECK(static_cast<int64_t>(shape.size()) <= x.dim(), "sum_to: cannot reduce ", x.shape(), " to ", shape);
  size_t lead = x.shape().size() - shape.size();
  std::vector<int64_t> dims;
  for (size_t i = 0; i < x.shape().size(); ++i) {
    if (i < lead) {
      dims.push_back(static_cast<int64_t>(i));
    } else if (shape[i - lead] == 1 && x.shape()[i] != 1) {
      dims.push_back(static_cast<int64_t>(i));
    } else {
      PN_CHECK(shape[i - lead] == x.shape()[i], "sum_to: cannot reduce ", x.shape(), " to ", shape);
    }
  }
  return sum(x, dims, true).reshape(shape);
}

}  // namespace pn
