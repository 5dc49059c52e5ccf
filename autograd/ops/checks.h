#pragma once
// Argument checks shared by the op entry points. Each throws pn::Error with
// the op's name and the offending shapes, dtypes or devices.
#include <initializer_list>

#include "tensor/tensor.h"

namespace pn {

// Defined, floating point, and all on the first tensor's dtype and device.
inline void check_floating_same(const char* op, std::initializer_list<const Tensor*> ts) {
  const Tensor* first = nullptr;
  for (const Tensor* t : ts) {
    if (!t->defined()) continue;
    PN_CHECK(is_floating(t->dtype()), op, ": needs float32 or float64 tensors, got ", t->dtype(),
             " of shape ", t->shape());
    if (!first) {
      first = t;
      continue;
    }
    PN_CHECK(t->dtype() == first->dtype(), op, ": dtypes differ: ", first->dtype(), " ", first->shape(),
             " vs ", t->dtype(), " ", t->shape());
    PN_CHECK(t->device() == first->device(), op, ": tensors on different devices: ", first->device(), " ",
             first->shape(), " vs ", t->device(), " ", t->shape());
  }
}

inline void check_defined(const char* op, const Tensor& t, const char* what) {
  PN_CHECK(t.defined(), op, ": ", what, " is undefined");
}

inline void check_rank(const char* op, const Tensor& t, int64_t rank, const char* what) {
  check_defined(op, t, what);
  PN_CHECK(t.dim() == rank, op, ": ", what, " must be ", rank, "-D, got shape ", t.shape());
}

// Normalises a possibly negative dimension index.
inline int64_t wrap_dim(const char* op, int64_t dim, int64_t rank) {
  PN_CHECK(dim >= -rank && dim < rank, op, ": dimension ", dim, " out of range for a ", rank, "-D tensor");
  return dim < 0 ? dim + rank : dim;
}

}  // namespace pn
