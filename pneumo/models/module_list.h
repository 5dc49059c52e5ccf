#pragma once
// ModuleList: PyTorch's nn.ModuleList, a container whose submodules are named
// "0", "1", ... and which has no forward of its own (its owner decides how
// the modules are applied). nn/ has Sequential but no ModuleList yet.
#include <memory>
#include <string>
#include <vector>

#include "nn/module.h"

namespace pn::models {

class ModuleList : public nn::Module {
 public:
  template <class M> std::shared_ptr<M> push_back(std::shared_ptr<M> m) {
    modules_.push_back(m);
    return register_module(std::to_string(modules_.size() - 1), std::move(m));
  }
  size_t size() const { return modules_.size(); }
  const std::shared_ptr<nn::Module>& operator[](size_t i) const { return modules_.at(i); }
  std::string name() const override { return "ModuleList"; }

 private:
  std::vector<std::shared_ptr<nn::Module>> modules_;
};

}  // namespace pn::models
