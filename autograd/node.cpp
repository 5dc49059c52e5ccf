#include "autograd/node.h"

#include "autograd/ops.h"
#include "autograd/record.h"
#include "tensor/storage.h"

namespace pn {

Node::~Node() {
  std::vector<std::shared_ptr<Node>> stack = std::move(next_);
  while (!stack.empty()) {
    std::shared_ptr<Node> n = std::move(stack.back());
    stack.pop_back();
    // Only a node nobody else holds dies here; move its edges out first so
    // that its own destructor finds nothing to recurse into.
    if (n && n.use_count() == 1) {
      for (auto& next : n->next_) stack.push_back(std::move(next));
      n->next_.clear();
    }
  }
}

std::vector<Tensor> FunctionNode::apply(const Tensor& grad_output) {
  PN_CHECK(fn_ != nullptr, "backward through ", name(),
           " a second time: its saved tensors were freed by the first backward; "
           "pass retain_graph=true to the first backward to keep them");
  return fn_(grad_output, *this);
}

std::vector<Tensor> AccumulateGrad::apply(const Tensor& grad_output) {
  Tensor& grad = leaf_->grad;
  if (!grad.defined()) {
    grad = grad_output.clone();  // never alias a tensor the caller still holds
  } else {
    grad.add_(grad_output);
  }
  return {};
}

SavedTensor::SavedTensor(const Tensor& t, Op op) : tensor_(t), op_(op) {
  if (t.defined()) version_ = t.version();
}

const Tensor& SavedTensor::get() const {
  PN_CHECK(!tensor_.defined() || tensor_.version() == version_, "backward of ", op_name(op_),
           ": a tensor of shape ", tensor_.shape(), " saved for backward was modified in place "
           "(version ", version_, " when saved, now ", tensor_.version(), ")");
  return tensor_;
}

std::shared_ptr<Node> gradient_edge(const Tensor& input) {
  if (!input.defined() || !input.requires_grad()) return nullptr;
  const std::shared_ptr<TensorImpl>& impl = input.impl();
  if (impl->grad_fn) return impl->grad_fn;
  std::shared_ptr<Node> acc = impl->grad_accumulator.lock();
  if (!acc) {
    // The accumulator owns the leaf while a graph uses it; the leaf points
    // back only weakly, so no reference cycle forms.
    acc = std::make_shared<AccumulateGrad>(impl);
    impl->grad_accumulator = acc;
  }
  return acc;
}

}  // namespace pn
