#pragma once
// The one list of differentiable ops. record() takes an Op from this list, so
// an op cannot put itself on the tape without being listed here, and the test
// suite fails for any listed op that has no float64 gradient check
// (tests/ops/test_gradcheck_coverage.cpp).
#include <cstddef>

#define PN_DIFFERENTIABLE_OPS(X)                                                          \
  X(add) X(sub) X(mul) X(div) X(maximum) X(minimum) X(where)                              \
  X(neg) X(exp) X(log) X(sigmoid) X(relu) X(abs) X(sqrt) X(clamp) X(pow) X(add_scalar)     \
  X(mul_scalar)                                                                           \
  X(sum) X(mean)                                                                          \
  X(matmul) X(conv2d) X(conv_transpose2d) X(batch_norm)                                    \
  X(max_pool2d) X(adaptive_avg_pool2d) X(upsample2d)                                       \
  X(concat) X(flip) X(narrow) X(reshape) X(slice) X(clone) X(to_dtype) X(to_device)        \
  X(binary_cross_entropy_with_logits) X(lovasz_hinge)

namespace pn {

enum class Op {
#define PN_OP_ENUM(name) name,
  PN_DIFFERENTIABLE_OPS(PN_OP_ENUM)
#undef PN_OP_ENUM
};

inline constexpr const char* op_names[] = {
#define PN_OP_NAME(name) #name,
    PN_DIFFERENTIABLE_OPS(PN_OP_NAME)
#undef PN_OP_NAME
};

inline constexpr size_t op_count = sizeof(op_names) / sizeof(op_names[0]);

constexpr const char* op_name(Op op) { return op_names[static_cast<size_t>(op)]; }

}  // namespace pn
