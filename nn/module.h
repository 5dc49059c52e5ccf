#pragma once
// Module: the base of every layer and model, with PyTorch's structure.
//
// A module owns named parameters (tensors that require grad and that
// optimizers update), named buffers (state that is saved but not trained,
// such as BatchNorm's running statistics) and named submodules. Names join
// with dots, exactly as in PyTorch, so state dicts are interchangeable:
// "encoder.layer1.0.conv1.weight".
//
// Parameters and buffers are members of the subclass registered by address
// (register_parameter("weight", &weight_)); a module therefore has a fixed
// address and is neither copied nor moved: hold modules by shared_ptr.
//
// A submodule may be registered under two names (AlbuNet reaches its encoder
// stages as both `encoder.layer1` and `conv2`): state_dict() lists it under
// both, as PyTorch does, while parameters() lists each tensor once.
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nn/state_dict.h"
#include "tensor/tensor.h"

namespace pn::nn {

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The computation of single-input modules. Modules with other signatures
  // (models with several outputs) define their own and leave this throwing.
  virtual Tensor forward(const Tensor& x);
  Tensor operator()(const Tensor& x) { return forward(x); }

  // The type name shown in errors and printouts ("Conv2d").
  virtual std::string name() const = 0;

  // ---- traversal ----
  // Every parameter once (the first name wins for shared ones), in
  // registration order, depth first.
  std::vector<std::pair<std::string, Tensor>> named_parameters() const;
  std::vector<Tensor> parameters() const;
  std::vector<std::pair<std::string, Tensor>> named_buffers() const;
  // All submodules below this one (not itself), each once.
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_modules() const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const { return children_; }

  // ---- state ----
  // Parameters and buffers by dotted name, every name (shared modules twice).
  // The tensors are detached handles on the module's own storage.
  StateDict state_dict() const;
  // Copies values into the module's tensors (shapes must match; dtypes are
  // converted). strict: every key of the module must be present and no other.
  // Throws one pn::Error listing the missing, unexpected and shape-mismatched
  // keys; nothing is changed when it throws.
  struct LoadReport {
    std::vector<std::string> missing, unexpected;
  };
  LoadReport load_state_dict(const StateDict& state, bool strict = true);

  // ---- modes ----
  // Training mode (BatchNorm uses batch statistics) for this module and all below.
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  // Frozen parameters get no gradients and so no optimizer updates.
  void freeze(bool frozen = true);

  // Moves every parameter and buffer to `device` (in place: handles stay valid
  // for the module, while optimizers must be built after the move).
  void to(Device device);
  void to(DType dtype);

 protected:
  // Registers a member tensor; parameters are made to require grad.
  void register_parameter(const std::string& name, Tensor* tensor);
  void register_buffer(const std::string& name, Tensor* tensor);
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  // Replaces every parameter and buffer t by f(t) (parameters keep requiring grad).
  void convert(const std::function<Tensor(const Tensor&)>& f);
  // Visits (dotted name, tensor slot, is_parameter) for this module and below.
  template <class F> void visit_tensors(const std::string& prefix, F&& f) const;

  std::vector<std::pair<std::string, Tensor*>> parameters_;
  std::vector<std::pair<std::string, Tensor*>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

}  // namespace pn::nn
