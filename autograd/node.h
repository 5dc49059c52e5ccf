#pragma once
// The tape: one Node per recorded op.
//
// Every op output that requires grad points (grad_fn) to the Node of the op
// that made it. A Node knows, for each input, the Node that continues the
// chain (the input's own grad_fn, or the AccumulateGrad of a leaf, or null
// when that input needs no gradient). backward() walks these links from the
// loss in topological order (autograd/engine.cpp).
//
// Ops define their backward as a lambda given to record() (autograd/record.h);
// the lambda's captures are the tensors saved for backward, so releasing the
// lambda frees them.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "autograd/op_list.h"
#include "tensor/tensor.h"

namespace pn {

class Node {
 public:
  explicit Node(std::string name) : name_(std::move(name)) {}
  // Destroys the chain behind this node iteratively: a recursive destruction
  // of a graph tens of thousands of ops deep would overflow the stack.
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Given d(loss)/d(output), returns d(loss)/d(input_i) for every input; an
  // entry may be undefined when next()[i] is null (no gradient wanted).
  virtual std::vector<Tensor> apply(const Tensor& grad_output) = 0;
  // Frees what backward needs (saved tensors); apply() afterwards throws.
  virtual void release() {}

  const std::string& name() const { return name_; }
  // The next node for each input (null: the input needs no gradient).
  std::vector<std::shared_ptr<Node>>& next() { return next_; }
  const std::vector<std::shared_ptr<Node>>& next() const { return next_; }
  bool needs_grad(size_t input) const { return input < next_.size() && next_[input] != nullptr; }

 private:
  std::string name_;
  std::vector<std::shared_ptr<Node>> next_;
};

// The backward of an op, as a function of the output gradient and the node
// (to ask which inputs need gradients).
using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_output, const Node& node)>;

class FunctionNode final : public Node {
 public:
  FunctionNode(std::string name, BackwardFn fn) : Node(std::move(name)), fn_(std::move(fn)) {}
  std::vector<Tensor> apply(const Tensor& grad_output) override;
  void release() override { fn_ = nullptr; }

 private:
  BackwardFn fn_;
};

// The end of a chain: adds the incoming gradient into a leaf's grad().
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(std::shared_ptr<TensorImpl> leaf)
      : Node("AccumulateGrad"), leaf_(std::move(leaf)) {}
  std::vector<Tensor> apply(const Tensor& grad_output) override;

 private:
  std::shared_ptr<TensorImpl> leaf_;
};

// A tensor saved for backward, with the storage version it had when saved.
// get() throws if the tensor was modified in place since.
class SavedTensor {
 public:
  SavedTensor() = default;
  SavedTensor(const Tensor& t, Op op);
  const Tensor& get() const;

 private:
  Tensor tensor_;
  uint64_t version_ = 0;
  Op op_ = Op::add;
};

// The node that continues the chain for `input`: its grad_fn, the
// AccumulateGrad of a leaf that requires grad, or null.
std::shared_ptr<Node> gradient_edge(const Tensor& input);

}  // namespace pn
