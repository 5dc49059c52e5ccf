#pragma once
// record(): how an op entry point puts itself on the tape.
//
//   Tensor y = ...;  // forward result
//   record(Op::relu, y, {&x}, [sx = SavedTensor(x, Op::relu)](const Tensor& g, const Node&) {
//     return std::vector<Tensor>{ ... d/dx ... };
//   });
//
// Nothing is recorded when grad mode is off or no input requires grad, so the
// lambda (and what it saved) is dropped at once in inference.
#include <initializer_list>
#include <memory>
#include <utility>

#include "autograd/grad_mode.h"
#include "autograd/op_list.h"
#include "autograd/node.h"

namespace pn {

// True when an op with these inputs must record its backward.
inline bool needs_record(std::initializer_list<const Tensor*> inputs) {
  if (!grad_enabled()) return false;
  for (const Tensor* t : inputs)
    if (t->defined() && t->requires_grad()) return true;
  return false;
}

// Makes `out` the output of a new node for `op` over `inputs` (in the order the
// backward returns their gradients), if needs_record(inputs).
void record(Op op, Tensor& out, std::initializer_list<const Tensor*> inputs, BackwardFn fn);
void record(Op op, Tensor& out, const std::vector<Tensor>& inputs, BackwardFn fn);

}  // namespace pn
