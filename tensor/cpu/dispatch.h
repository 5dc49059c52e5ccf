#pragma once
// Calling a kernel template for a tensor's run-time dtype:
//
//   dispatch_floating(x.dtype(), "relu", [&]<class T>() { ... T* p = x.data<T>(); ... });
#include "tensor/dtype.h"
#include "tensor/error.h"

namespace pn {

template <class F>
void dispatch_floating(DType t, const char* op, F&& f) {
  switch (t) {
    case DType::Float32: f.template operator()<float>(); return;
    case DType::Float64: f.template operator()<double>(); return;
    default: fail(op, ": needs float32 or float64, got ", t);
  }
}

template <class F>
void dispatch_all(DType t, F&& f) {
  switch (t) {
    case DType::Float32: f.template operator()<float>(); return;
    case DType::Float64: f.template operator()<double>(); return;
    case DType::UInt8: f.template operator()<uint8_t>(); return;
    case DType::Int64: f.template operator()<int64_t>(); return;
  }
}

}  // namespace pn
