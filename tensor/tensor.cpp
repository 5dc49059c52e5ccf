#include "tensor/tensor.h"

#include <cmath>
#include <cstring>

#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "autograd/record.h"
#include "tensor/backend.h"
#include "tensor/storage.h"

namespace pn {

Tensor::Tensor(const Shape& shape, DType dtype, Device device) {
  for (int64_t d : shape) PN_CHECK(d >= 0, "tensor: negative extent in shape ", shape);
  auto impl = std::make_shared<TensorImpl>();
  impl->shape = shape;
  impl->dtype = dtype;
  impl->storage = std::make_shared<Storage>(static_cast<size_t>(shape.numel()) * dtype_size(dtype), device);
  impl_ = std::move(impl);
}

void Tensor::check_defined(const char* what) const {
  PN_CHECK(impl_ != nullptr, what, ": the tensor is undefined");
}

void Tensor::check_dtype(DType expected, const char* what) const {
  check_defined(what);
  PN_CHECK(impl_->dtype == expected, what, ": tensor of shape ", impl_->shape, " is ",
           impl_->dtype, ", not ", expected);
}

const Shape& Tensor::shape() const {
  check_defined("shape");
  return impl_->shape;
}

int64_t Tensor::size(int64_t d) const {
  int64_t n = dim();
  PN_CHECK(d >= -n && d < n, "size: dimension ", d, " out of range for shape ", shape());
  return impl_->shape[static_cast<size_t>(d < 0 ? d + n : d)];
}

int64_t Tensor::numel() const { return shape().numel(); }

DType Tensor::dtype() const {
  check_defined("dtype");
  return impl_->dtype;
}

Device Tensor::device() const {
  check_defined("device");
  return impl_->storage->device();
}

void* Tensor::raw_data() const {
  check_defined("data");
  return static_cast<char*>(impl_->storage->data()) + impl_->offset;
}

uint64_t Tensor::version() const {
  check_defined("version");
  return impl_->storage->version();
}

// ---- host access -----------------------------------------------------------

template <class T>
std::vector<T> Tensor::to_vector() const {
  check_defined("to_vector");
  Tensor host = device().is_cpu() ? *this : to(Device::cpu());
  std::vector<T> out(static_cast<size_t>(numel()));
  auto convert = [&](auto* src) {
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<T>(src[i]);
  };
  switch (dtype()) {
    case DType::Float32: convert(host.data<float>()); break;
    case DType::Float64: convert(host.data<double>()); break;
    case DType::UInt8: convert(host.data<uint8_t>()); break;
    case DType::Int64: convert(host.data<int64_t>()); break;
  }
  return out;
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<uint8_t> Tensor::to_vector<uint8_t>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;

double Tensor::item() const {
  PN_CHECK(defined() && numel() == 1, "item: needs a one-element tensor, got shape ",
           defined() ? shape() : Shape{});
  return to_vector<double>()[0];
}

// ---- views -------------------------------------------------------------------

namespace {

// A new handle on the same storage with another shape and offset.
Tensor view_of(const Tensor& t, const Shape& shape, size_t offset) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = t.impl()->storage;
  impl->offset = offset;
  impl->shape = shape;
  impl->dtype = t.dtype();
  return TensorImpl::wrap(std::move(impl));
}

}  // namespace

Tensor Tensor::reshape(const Shape& new_shape) const {
  check_defined("reshape");
  Shape s = new_shape;
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == -1) {
      PN_CHECK(infer < 0, "reshape: more than one -1 in ", new_shape);
      infer = static_cast<int64_t>(i);
    } else {
      PN_CHECK(s[i] >= 0, "reshape: negative extent in ", new_shape);
      known *= s[i];
    }
  }
  if (infer >= 0) {
    PN_CHECK(known > 0 && numel() % known == 0, "reshape: cannot reshape ", shape(), " into ", new_shape);
    s[static_cast<size_t>(infer)] = numel() / known;
  }
  PN_CHECK(s.numel() == numel(), "reshape: cannot reshape ", shape(), " (", numel(),
           " elements) into ", new_shape);
  Tensor out = view_of(*this, s, impl_->offset);
  Shape in_shape = shape();
  record(Op::reshape, out, {this}, [in_shape](const Tensor& g, const Node&) {
    return std::vector<Tensor>{g.reshape(in_shape)};
  });
  return out;
}

Tensor Tensor::slice(int64_t start, int64_t end) const {
  check_defined("slice");
  PN_CHECK(dim() >= 1, "slice: needs at least one dimension, got shape ", shape());
  int64_t n = shape()[0];
  PN_CHECK(0 <= start && start <= end && end <= n, "slice: rows [", start, ", ", end,
           ") out of range for shape ", shape());
  Shape s = shape();
  s[0] = end - start;
  size_t row_bytes = static_cast<size_t>(n == 0 ? 0 : numel() / n) * dtype_size(dtype());
  Tensor out = view_of(*this, s, impl_->offset + static_cast<size_t>(start) * row_bytes);
  Shape in_shape = shape();
  record(Op::slice, out, {this}, [in_shape, start, row_bytes](const Tensor& g, const Node&) {
    Tensor gx = zeros(in_shape, g.dtype(), g.device());
    backend(g.device()).copy(static_cast<char*>(gx.raw_data()) + static_cast<size_t>(start) * row_bytes,
                             g.raw_data(), g.nbytes());
    return std::vector<Tensor>{gx};
  });
  return out;
}

// ---- copies ------------------------------------------------------------------

Tensor Tensor::clone() const {
  check_defined("clone");
  Tensor out = empty_like(*this);
  backend(device()).copy(out.raw_data(), raw_data(), nbytes());
  record(Op::clone, out, {this}, [](const Tensor& g, const Node&) { return std::vector<Tensor>{g}; });
  return out;
}

Tensor Tensor::to(Device target) const {
  check_defined("to(device)");
  if (target == device()) return *this;
  Tensor out(shape(), dtype(), target);
  {
    NoGradGuard no_grad;
    out.copy_(*this);
  }
  Device source = device();
  record(Op::to_device, out, {this}, [source](const Tensor& g, const Node&) {
    return std::vector<Tensor>{g.to(source)};
  });
  return out;
}

Tensor Tensor::to(DType target) const {
  check_defined("to(dtype)");
  if (target == dtype()) return *this;
  Tensor out(shape(), target, device());
  backend(device()).cast(*this, out);
  DType source = dtype();
  if (is_floating(source) && is_floating(target)) {
    record(Op::to_dtype, out, {this}, [source](const Tensor& g, const Node&) {
      return std::vector<Tensor>{g.to(source)};
    });
  }
  return out;
}

Tensor Tensor::detach() const {
  check_defined("detach");
  return view_of(*this, shape(), impl_->offset);
}

// ---- autograd state ----------------------------------------------------------

bool Tensor::requires_grad() const { return defined() && impl_->requires_grad; }

Tensor& Tensor::set_requires_grad(bool on) {
  check_defined("set_requires_grad");
  PN_CHECK(is_leaf(), "set_requires_grad: only leaves can be marked; this tensor of shape ", shape(),
           " is the output of ", impl_->grad_fn->name(), " (use detach() first)");
  PN_CHECK(!on || is_floating(dtype()), "set_requires_grad: only floating-point tensors can ",
           "require grad, this one is ", dtype());
  impl_->requires_grad = on;
  return *this;
}

bool Tensor::is_leaf() const { return defined() && impl_->grad_fn == nullptr; }

const std::shared_ptr<Node>& Tensor::grad_fn() const {
  check_defined("grad_fn");
  return impl_->grad_fn;
}

Tensor Tensor::grad() const {
  check_defined("grad");
  return impl_->grad;
}

void Tensor::set_grad(const Tensor& g) const {
  check_defined("set_grad");
  PN_CHECK(!g.defined() || g.shape() == shape(), "set_grad: gradient shape ", g.shape(),
           " differs from the tensor's ", shape());
  impl_->grad = g;
}

// ---- in place ----------------------------------------------------------------

void Tensor::check_mutable(const char* what) const {
  check_defined(what);
  PN_CHECK(!(grad_enabled() && impl_->requires_grad && impl_->grad_fn == nullptr), what,
           ": in-place change of a leaf of shape ", shape(),
           " that requires grad; do it inside a NoGradGuard");
}

Tensor& Tensor::fill_(double value) {
  check_mutable("fill_");
  backend(device()).fill(*this, value);
  impl_->storage->bump_version();
  return *this;
}

Tensor& Tensor::copy_(const Tensor& src) {
  check_mutable("copy_");
  PN_CHECK(src.defined() && src.shape() == shape(), "copy_: source shape ",
           src.defined() ? src.shape() : Shape{}, " differs from destination ", shape());
  Tensor s = src.dtype() == dtype() ? src : src.detach().to(dtype());
  if (s.device() == device()) {
    backend(device()).copy(raw_data(), s.raw_data(), nbytes());
  } else if (device().is_cpu()) {
    backend(s.device()).copy_host(raw_data(), s.raw_data(), nbytes(), /*to_device=*/false);
  } else if (s.device().is_cpu()) {
    backend(device()).copy_host(raw_data(), s.raw_data(), nbytes(), /*to_device=*/true);
  } else {  // between two GPUs: through the host
    copy_(s.to(Device::cpu()));
  }
  impl_->storage->bump_version();
  return *this;
}

Tensor& Tensor::add_(const Tensor& other, double alpha) {
  check_mutable("add_");
  PN_CHECK(other.defined() && other.shape() == shape() && other.dtype() == dtype() &&
               other.device() == device(),
           "add_: needs a tensor of the same shape, dtype and device: ", shape(), " ", dtype(), " ",
           device(), " vs ", other.defined() ? other.shape() : Shape{}, " ",
           other.defined() ? other.dtype() : dtype(), " ", other.defined() ? other.device() : device());
  backend(device()).axpy(alpha, other, *this);
  impl_->storage->bump_version();
  return *this;
}

Tensor& Tensor::mul_(double factor) {
  check_mutable("mul_");
  PN_CHECK(is_floating(dtype()), "mul_: needs a floating-point tensor, got ", dtype());
  backend(device()).unary(UnaryOp::MulScalar, *this, *this, factor, 0.0);
  impl_->storage->bump_version();
  return *this;
}

// ---- creation ----------------------------------------------------------------

Tensor empty(const Shape& shape, DType dtype, Device device) { return Tensor(shape, dtype, device); }

Tensor full(const Shape& shape, double value, DType dtype, Device device) {
  Tensor t(shape, dtype, device);
  backend(device).fill(t, value);
  return t;
}

Tensor zeros(const Shape& shape, DType dtype, Device device) { return full(shape, 0.0, dtype, device); }
Tensor ones(const Shape& shape, DType dtype, Device device) { return full(shape, 1.0, dtype, device); }
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype(), t.device()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.dtype(), t.device()); }
Tensor empty_like(const Tensor& t) { return empty(t.shape(), t.dtype(), t.device()); }
Tensor scalar_tensor(double value, DType dtype, Device device) { return full({}, value, dtype, device); }

Tensor arange(double start, double end, double step, DType dtype, Device device) {
  PN_CHECK(step != 0.0, "arange: step must not be 0");
  double count = std::ceil((end - start) / step);
  int64_t n = count > 0 ? static_cast<int64_t>(count) : 0;
  Tensor t({n}, dtype, device);
  backend(device).arange(t, start, step);
  return t;
}

template <class T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape, Device device) {
  PN_CHECK(static_cast<int64_t>(values.size()) == shape.numel(), "from_vector: ", values.size(),
           " values for shape ", shape, " (", shape.numel(), " elements)");
  Tensor t(shape, dtype_of<T>(), device);
  backend(device).copy_host(t.raw_data(), values.data(), t.nbytes(), /*to_device=*/true);
  return t;
}
template Tensor from_vector(const std::vector<float>&, const Shape&, Device);
template Tensor from_vector(const std::vector<double>&, const Shape&, Device);
template Tensor from_vector(const std::vector<uint8_t>&, const Shape&, Device);
template Tensor from_vector(const std::vector<int64_t>&, const Shape&, Device);

}  // namespace pn
