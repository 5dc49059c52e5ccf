// Printing tensors for people: shape, dtype, device and a summary of values.
#include <iomanip>
#include <ostream>

#include "autograd/node.h"
#include "tensor/tensor.h"

namespace pn {

namespace {

constexpr int64_t kEdge = 3;  // values shown at each end of a long dimension

void print_values(std::ostream& os, const std::vector<double>& v, const Shape& shape, size_t dim,
                  int64_t offset, bool integral) {
  if (shape.empty()) {
    os << v[0];
    return;
  }
  int64_t n = shape[dim];
  int64_t stride = 1;
  for (size_t d = dim + 1; d < shape.size(); ++d) stride *= shape[d];
  os << '[';
  for (int64_t i = 0; i < n; ++i) {
    if (n > 2 * kEdge && i == kEdge) {
      os << (dim + 1 == shape.size() ? "..., " : "...,\n" + std::string(dim + 1, ' '));
      i = n - kEdge;
    }
    if (dim + 1 == shape.size()) {
      if (integral) os << static_cast<int64_t>(v[static_cast<size_t>(offset + i)]);
      else os << std::setprecision(4) << v[static_cast<size_t>(offset + i)];
    } else {
      print_values(os, v, shape, dim + 1, offset + i * stride, integral);
    }
    if (i + 1 < n) os << (dim + 1 == shape.size() ? ", " : ",\n" + std::string(dim + 1, ' '));
  }
  os << ']';
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (!t.defined()) return os << "tensor(undefined)";
  os << "tensor(shape=" << t.shape() << ", dtype=" << t.dtype() << ", device=" << t.device();
  if (t.grad_fn()) os << ", grad_fn=" << t.grad_fn()->name();
  else if (t.requires_grad()) os << ", requires_grad";
  os << ")\n";
  if (t.numel() == 0) return os << "[]";
  print_values(os, t.to_vector<double>(), t.shape(), 0, 0, !is_floating(t.dtype()));
  return os;
}

}  // namespace pn
