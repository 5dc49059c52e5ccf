#pragma once
// The math of the elementwise ops, written once for both devices.
//
// CPU kernels (tensor/cpu/) and CUDA kernels (cuda/) loop over elements and
// call these functions; nothing here knows about memory or threads.
#include <cmath>
#include <cstdint>

#include "tensor/backend.h"

#if defined(__CUDACC__)
#define PN_HD __host__ __device__
#else
#define PN_HD
#endif

namespace pn {

// Forward and derivative of each UnaryOp. f(x, p0, p1) is the value;
// df(x, y, p0, p1) is dy/dx given x and y = f(x). uses_x / uses_y say which of
// the two df reads, so that the op saves only that one for backward (the
// other is passed as 0).
template <UnaryOp Op> struct Unary;

template <> struct Unary<UnaryOp::Neg> {
  static constexpr bool uses_x = false, uses_y = false;
  template <class T> PN_HD static T f(T x, T, T) { return -x; }
  template <class T> PN_HD static T df(T, T, T, T) { return T(-1); }
};
template <> struct Unary<UnaryOp::Exp> {
  static constexpr bool uses_x = false, uses_y = true;
  template <class T> PN_HD static T f(T x, T, T) { return std::exp(x); }
  template <class T> PN_HD static T df(T, T y, T, T) { return y; }
};
template <> struct Unary<UnaryOp::Log> {
  static constexpr bool uses_x = true, uses_y = false;
  template <class T> PN_HD static T f(T x, T, T) { return std::log(x); }
  template <class T> PN_HD static T df(T x, T, T, T) { return T(1) / x; }
};
template <> struct Unary<UnaryOp::Sigmoid> {
  static constexpr bool uses_x = false, uses_y = true;
  // Two branches so that exp never overflows for large |x|.
  template <class T> PN_HD static T f(T x, T, T) {
    if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
    T e = std::exp(x);
    return e / (T(1) + e);
  }
  template <class T> PN_HD static T df(T, T y, T, T) { return y * (T(1) - y); }
};
template <> struct Unary<UnaryOp::Relu> {
  static constexpr bool uses_x = false, uses_y = true;
  template <class T> PN_HD static T f(T x, T, T) { return x > T(0) ? x : T(0); }
  template <class T> PN_HD static T df(T, T y, T, T) { return y > T(0) ? T(1) : T(0); }
};
template <> struct Unary<UnaryOp::Abs> {
  static constexpr bool uses_x = true, uses_y = false;
  template <class T> PN_HD static T f(T x, T, T) { return x < T(0) ? -x : x; }
  template <class T> PN_HD static T df(T x, T, T, T) { return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0)); }
};
template <> struct Unary<UnaryOp::Sqrt> {
  static constexpr bool uses_x = false, uses_y = true;
  template <class T> PN_HD static T f(T x, T, T) { return std::sqrt(x); }
  template <class T> PN_HD static T df(T, T y, T, T) { return T(0.5) / y; }
};
template <> struct Unary<UnaryOp::Clamp> {  // p0 = lo, p1 = hi
  static constexpr bool uses_x = true, uses_y = false;
  template <class T> PN_HD static T f(T x, T lo, T hi) { return x < lo ? lo : (x > hi ? hi : x); }
  template <class T> PN_HD static T df(T x, T, T lo, T hi) { return (x >= lo && x <= hi) ? T(1) : T(0); }
};
template <> struct Unary<UnaryOp::Pow> {  // p0 = exponent
  static constexpr bool uses_x = true, uses_y = false;
  template <class T> PN_HD static T f(T x, T e, T) { return std::pow(x, e); }
  template <class T> PN_HD static T df(T x, T, T e, T) {
    return e == T(0) ? T(0) : e * std::pow(x, e - T(1));
  }
};
template <> struct Unary<UnaryOp::AddScalar> {
  static constexpr bool uses_x = false, uses_y = false;
  template <class T> PN_HD static T f(T x, T s, T) { return x + s; }
  template <class T> PN_HD static T df(T, T, T, T) { return T(1); }
};
template <> struct Unary<UnaryOp::MulScalar> {
  static constexpr bool uses_x = false, uses_y = false;
  template <class T> PN_HD static T f(T x, T s, T) { return x * s; }
  template <class T> PN_HD static T df(T, T, T s, T) { return s; }
};

// Each BinaryOp as a function of two values. Comparisons return 0 or 1 in T
// (the kernels store them as uint8).
template <BinaryOp Op> struct Binary;
template <> struct Binary<BinaryOp::Add> { template <class T> PN_HD static T f(T a, T b) { return a + b; } };
template <> struct Binary<BinaryOp::Sub> { template <class T> PN_HD static T f(T a, T b) { return a - b; } };
template <> struct Binary<BinaryOp::Mul> { template <class T> PN_HD static T f(T a, T b) { return a * b; } };
template <> struct Binary<BinaryOp::Div> { template <class T> PN_HD static T f(T a, T b) { return a / b; } };
template <> struct Binary<BinaryOp::Maximum> { template <class T> PN_HD static T f(T a, T b) { return a > b ? a : b; } };
template <> struct Binary<BinaryOp::Minimum> { template <class T> PN_HD static T f(T a, T b) { return a < b ? a : b; } };
template <> struct Binary<BinaryOp::Eq> { template <class T> PN_HD static bool f(T a, T b) { return a == b; } };
template <> struct Binary<BinaryOp::Ne> { template <class T> PN_HD static bool f(T a, T b) { return a != b; } };
template <> struct Binary<BinaryOp::Lt> { template <class T> PN_HD static bool f(T a, T b) { return a < b; } };
template <> struct Binary<BinaryOp::Le> { template <class T> PN_HD static bool f(T a, T b) { return a <= b; } };
template <> struct Binary<BinaryOp::Gt> { template <class T> PN_HD static bool f(T a, T b) { return a > b; } };
template <> struct Binary<BinaryOp::Ge> { template <class T> PN_HD static bool f(T a, T b) { return a >= b; } };

constexpr bool is_comparison(BinaryOp op) { return op >= BinaryOp::Eq; }

// Numerically stable binary cross-entropy with logits for one element.
template <class T> PN_HD inline T bce_with_logits_value(T x, T t) {
  T ax = x < T(0) ? -x : x;
  return (x > T(0) ? x : T(0)) - x * t + std::log1p(std::exp(-ax));
}

// Calls f.template operator()<Unary<op>>() for the run-time op.
template <class F>
void dispatch_unary(UnaryOp op, F&& f) {
  switch (op) {
#define PN_CASE(name) \
  case UnaryOp::name: f.template operator()<Unary<UnaryOp::name>>(); return;
    PN_CASE(Neg) PN_CASE(Exp) PN_CASE(Log) PN_CASE(Sigmoid) PN_CASE(Relu) PN_CASE(Abs)
    PN_CASE(Sqrt) PN_CASE(Clamp) PN_CASE(Pow) PN_CASE(AddScalar) PN_CASE(MulScalar)
#undef PN_CASE
  }
}

template <class F>
void dispatch_binary(BinaryOp op, F&& f) {
  switch (op) {
#define PN_CASE(name) \
  case BinaryOp::name: f.template operator()<Binary<BinaryOp::name>>(); return;
    PN_CASE(Add) PN_CASE(Sub) PN_CASE(Mul) PN_CASE(Div) PN_CASE(Maximum) PN_CASE(Minimum)
    PN_CASE(Eq) PN_CASE(Ne) PN_CASE(Lt) PN_CASE(Le) PN_CASE(Gt) PN_CASE(Ge)
#undef PN_CASE
  }
}

}  // namespace pn
