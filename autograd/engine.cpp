// backward(): runs the tape from one tensor back to the leaves.
#include <unordered_map>

#include "autograd/ops.h"
#include "autograd/record.h"

namespace pn {

namespace {

void record_impl(Op op, Tensor& out, const std::vector<Tensor>& inputs, BackwardFn fn) {
  bool any = false;
  for (const Tensor& t : inputs) any = any || (t.defined() && t.requires_grad());
  if (!grad_enabled() || !any) return;
  auto node = std::make_shared<FunctionNode>(op_name(op), std::move(fn));
  node->next().reserve(inputs.size());
  for (const Tensor& t : inputs) node->next().push_back(gradient_edge(t));
  out.impl()->grad_fn = std::move(node);
  out.impl()->requires_grad = true;
}

}  // namespace

void record(Op op, Tensor& out, std::initializer_list<const Tensor*> inputs, BackwardFn fn) {
  if (!needs_record(inputs)) return;
  std::vector<Tensor> in;
  in.reserve(inputs.size());
  for (const Tensor* t : inputs) in.push_back(*t);
  record_impl(op, out, in, std::move(fn));
}

void record(Op op, Tensor& out, const std::vector<Tensor>& inputs, BackwardFn fn) {
  record_impl(op, out, inputs, std::move(fn));
}

void Tensor::backward(const Tensor& gradient, bool retain_graph) const {
  check_defined("backward");
  PN_CHECK(requires_grad(), "backward: the tensor of shape ", shape(),
           " does not require grad and has no grad_fn");
  Tensor seed = gradient;
  if (!seed.defined()) {
    PN_CHECK(numel() == 1, "backward: a gradient is needed for a non-scalar tensor of shape ",
             shape(), " (only one-element tensors get the implicit gradient 1)");
    seed = ones_like(*this);
  }
  PN_CHECK(seed.shape() == shape(), "backward: gradient shape ", seed.shape(),
           " differs from the tensor's shape ", shape());
  PN_CHECK(seed.dtype() == dtype() && seed.device() == device(), "backward: gradient is ",
           seed.dtype(), " on ", seed.device(), ", the tensor ", dtype(), " on ", device());

  NoGradGuard no_grad;  // gradients are computed without recording (no double backward)
  std::shared_ptr<Node> root = gradient_edge(*this);

  // Count, for every node reachable from the root, how many edges lead to it,
  // so that a node runs only once all gradients for its output have arrived.
  std::unordered_map<Node*, int> pending;
  std::vector<Node*> stack{root.get()};
  pending[root.get()] = 0;
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (const auto& next : n->next()) {
      if (!next) continue;
      auto [it, first_visit] = pending.try_emplace(next.get(), 0);
      ++it->second;
      if (first_visit) stack.push_back(next.get());
    }
  }

  // Kahn's algorithm. A node whose inputs produced no gradient at all still
  // runs through the loop (without apply) so that the nodes after it are
  // released in turn.
  std::unordered_map<Node*, Tensor> grads{{root.get(), seed}};
  std::vector<Node*> ready{root.get()};
  while (!ready.empty()) {
    Node* n = ready.back();
    ready.pop_back();
    std::vector<Tensor> input_grads;
    if (auto it = grads.find(n); it != grads.end()) {
      Tensor g = std::move(it->second);
      grads.erase(it);
      input_grads = n->apply(g);
    }
    if (!retain_graph) n->release();
    for (size_t i = 0; i < n->next().size(); ++i) {
      Node* next = n->next()[i].get();
      if (!next) continue;
      if (i < input_grads.size() && input_grads[i].defined()) {
        auto [it, inserted] = grads.try_emplace(next, input_grads[i]);
        if (!inserted) it->second = add(it->second, input_grads[i]);
      }
      if (--pending[next] == 0) ready.push_back(next);
    }
  }
}

}  // namespace pn
