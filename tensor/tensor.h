#pragma once
// Tensor: a handle to an n-dimensional array on a device.
//
// A Tensor is a shared handle (copying it is cheap and aliases the same
// array). The array is always contiguous and row-major (NCHW for images) and
// lives in a Storage that views share: reshape() and slice() along the first
// dimension return views, everything else returns new memory. A default
// constructed Tensor is "undefined" (used for absent optional arguments such
// as a missing bias).
//
// Autograd state lives here too: a tensor that requires grad is either a
// leaf (created by the user, gradients accumulate into grad()) or the output
// of an op, whose grad_fn() is the tape node that computes its inputs'
// gradients (autograd/node.h).
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <vector>

#include "tensor/device.h"
#include "tensor/dtype.h"
#include "tensor/error.h"
#include "tensor/shape.h"

namespace pn {

class Storage;
class Node;
struct TensorImpl;

class Tensor {
 public:
  Tensor() = default;
  // Uninitialised memory of the given shape, dtype and device.
  Tensor(const Shape& shape, DType dtype, Device device = Device::cpu());

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  int64_t dim() const { return static_cast<int64_t>(shape().size()); }
  // Extent of dimension d; negative d counts from the end.
  int64_t size(int64_t d) const;
  int64_t numel() const;
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype()); }
  DType dtype() const;
  Device device() const;

  // Pointer to the first element (a device pointer for CUDA tensors). The
  // typed form checks that T matches the dtype.
  void* raw_data() const;
  template <class T> T* data() const {
    check_dtype(dtype_of<T>(), "data<T>()");
    return static_cast<T*>(raw_data());
  }
  // The value of a one-element tensor, converted to double (copies from the device).
  double item() const;
  // All elements, converted to T, in row-major order (copies from the device).
  template <class T> std::vector<T> to_vector() const;

  // ---- views (share storage; differentiable) ----
  // Same elements, new shape; one extent may be -1 (inferred).
  Tensor reshape(const Shape& shape) const;
  Tensor flatten() const { return reshape({numel()}); }
  // Rows [start, end) along the first dimension.
  Tensor slice(int64_t start, int64_t end) const;

  // ---- copies (differentiable) ----
  Tensor to(Device device) const;
  Tensor to(DType dtype) const;
  Tensor clone() const;

  // ---- autograd ----
  bool requires_grad() const;
  // Marks a leaf as needing gradients; only allowed on leaves.
  Tensor& set_requires_grad(bool on = true);
  bool is_leaf() const;
  const std::shared_ptr<Node>& grad_fn() const;
  // The accumulated gradient of a leaf (undefined until a backward reaches it).
  Tensor grad() const;
  void set_grad(const Tensor& g) const;
  // The same array without autograd history; shares storage.
  Tensor detach() const;
  // Back-propagates from this tensor: `gradient` is d(loss)/d(this), needed
  // unless this tensor has one element (then 1). Gradients accumulate (+=)
  // into the grad() of the leaves reached. Saved tensors are freed unless
  // retain_graph, after which a second backward through the graph fails.
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false) const;

  // ---- in place (not recorded by autograd) ----
  // Each bumps the storage version, so a tensor saved for backward that is
  // changed afterwards is detected. Refused on a leaf that requires grad while
  // grad mode is on (use a NoGradGuard, as optimizers do).
  Tensor& fill_(double value);
  Tensor& zero_() { return fill_(0.0); }
  Tensor& copy_(const Tensor& src);               // same shape; any dtype/device
  Tensor& add_(const Tensor& other, double alpha = 1.0);  // this += alpha * other
  Tensor& mul_(double factor);
  uint64_t version() const;

  // Identity of the underlying array: two handles to the same tensor compare equal.
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }
  const std::shared_ptr<TensorImpl>& impl() const { return impl_; }

 private:
  friend struct TensorImpl;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}
  void check_defined(const char* what) const;
  void check_dtype(DType expected, const char* what) const;
  void check_mutable(const char* what) const;
  std::shared_ptr<TensorImpl> impl_;
};

// ---- creation ----
Tensor empty(const Shape& shape, DType dtype = DType::Float32, Device device = Device::cpu());
Tensor zeros(const Shape& shape, DType dtype = DType::Float32, Device device = Device::cpu());
Tensor ones(const Shape& shape, DType dtype = DType::Float32, Device device = Device::cpu());
Tensor full(const Shape& shape, double value, DType dtype = DType::Float32,
            Device device = Device::cpu());
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor empty_like(const Tensor& t);
// start, start+step, ... below end (like Python's range), float32 unless told.
Tensor arange(double start, double end, double step = 1.0, DType dtype = DType::Float32,
              Device device = Device::cpu());
// Copies host values; values.size() must equal the shape's element count.
template <class T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape, Device device = Device::cpu());
Tensor scalar_tensor(double value, DType dtype = DType::Float32, Device device = Device::cpu());

// Prints shape, dtype, device and the values (at most 6 per dimension, the
// rest elided as "...").
std::ostream& operator<<(std::ostream& os, const Tensor& t);

// The tensor as TensorImpl sees it: the shared state of one handle.
struct TensorImpl {
  std::shared_ptr<Storage> storage;
  size_t offset = 0;  // bytes from the start of the storage
  Shape shape;
  DType dtype = DType::Float32;

  // autograd
  bool requires_grad = false;
  std::shared_ptr<Node> grad_fn;           // set on op outputs
  std::weak_ptr<Node> grad_accumulator;    // leaves: the node that fills `grad`
  Tensor grad;

  static Tensor wrap(std::shared_ptr<TensorImpl> impl) { return Tensor(std::move(impl)); }
};

}  // namespace pn
