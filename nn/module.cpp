#include "nn/module.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "autograd/grad_mode.h"

namespace pn::nn {

Tensor Module::forward(const Tensor&) {
  fail(name(), ": has no single-input forward; call its own forward signature");
}

void Module::register_parameter(const std::string& n, Tensor* tensor) {
  PN_CHECK(tensor && tensor->defined(), name(), ": parameter '", n, "' is undefined");
  if (!tensor->requires_grad()) tensor->set_requires_grad(true);
  parameters_.emplace_back(n, tensor);
}

void Module::register_buffer(const std::string& n, Tensor* tensor) {
  PN_CHECK(tensor && tensor->defined(), name(), ": buffer '", n, "' is undefined");
  buffers_.emplace_back(n, tensor);
}

void Module::add_child(const std::string& n, std::shared_ptr<Module> module) {
  PN_CHECK(module != nullptr, name(), ": submodule '", n, "' is null");
  for (const auto& [existing, m] : children_)
    PN_CHECK(existing != n, name(), ": submodule name '", n, "' registered twice");
  children_.emplace_back(n, std::move(module));
}

template <class F>
void Module::visit_tensors(const std::string& prefix, F&& f) const {
  for (const auto& [n, t] : parameters_) f(prefix + n, t, true);
  for (const auto& [n, t] : buffers_) f(prefix + n, t, false);
  for (const auto& [n, child] : children_) child->visit_tensors(prefix + n + ".", f);
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters() const {
  std::vector<std::pair<std::string, Tensor>> out;
  std::set<const TensorImpl*> seen;
  visit_tensors("", [&](const std::string& n, Tensor* t, bool is_param) {
    if (is_param && seen.insert(t->impl().get()).second) out.emplace_back(n, *t);
  });
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& [n, t] : named_parameters()) out.push_back(t);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers() const {
  std::vector<std::pair<std::string, Tensor>> out;
  std::set<const TensorImpl*> seen;
  visit_tensors("", [&](const std::string& n, Tensor* t, bool is_param) {
    if (!is_param && seen.insert(t->impl().get()).second) out.emplace_back(n, *t);
  });
  return out;
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_modules() const {
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> out;
  std::set<const Module*> seen;
  // Depth first in registration order; recursion depth is the nesting depth.
  auto walk = [&](auto&& self, const std::string& prefix, const Module& m) -> void {
    for (const auto& [n, child] : m.children_) {
      if (!seen.insert(child.get()).second) continue;
      std::string full = prefix.empty() ? n : prefix + "." + n;
      out.emplace_back(full, child);
      self(self, full, *child);
    }
  };
  walk(walk, "", *this);
  return out;
}

StateDict Module::state_dict() const {
  StateDict out;
  visit_tensors("", [&](const std::string& n, Tensor* t, bool) { out[n] = t->detach(); });
  return out;
}

Module::LoadReport Module::load_state_dict(const StateDict& state, bool strict) {
  LoadReport report;
  std::vector<std::string> mismatched;
  std::vector<std::pair<Tensor*, const Tensor*>> copies;
  std::set<std::string> known;
  visit_tensors("", [&](const std::string& n, Tensor* t, bool) {
    known.insert(n);
    auto it = state.find(n);
    if (it == state.end()) {
      report.missing.push_back(n);
      return;
    }
    const Tensor& src = it->second;
    if (!src.defined() || src.shape() != t->shape()) {
      std::ostringstream os;
      os << n << " (checkpoint " << (src.defined() ? src.shape() : Shape{}) << ", model " << t->shape() << ")";
      mismatched.push_back(os.str());
      return;
    }
    copies.emplace_back(t, &src);
  });
  for (const auto& [n, t] : state)
    if (!known.count(n)) report.unexpected.push_back(n);

  bool fails = !mismatched.empty() || (strict && (!report.missing.empty() || !report.unexpected.empty()));
  if (fails) {
    std::ostringstream os;
    os << name() << ": load_state_dict failed";
    auto list = [&](const char* what, const std::vector<std::string>& keys) {
      if (keys.empty()) return;
      os << "\n  " << what << " (" << keys.size() << "):";
      for (size_t i = 0; i < keys.size() && i < 20; ++i) os << " " << keys[i];
      if (keys.size() > 20) os << " ...";
    };
    list("shape mismatch", mismatched);
    if (strict) {
      list("missing keys", report.missing);
      list("unexpected keys", report.unexpected);
    }
    throw Error(os.str());
  }
  NoGradGuard no_grad;
  for (auto& [dst, src] : copies) dst->copy_(*src);
  return report;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [n, child] : children_) child->train(on);
}

void Module::freeze(bool frozen) {
  visit_tensors("", [&](const std::string&, Tensor* t, bool is_param) {
    if (!is_param) return;
    t->set_requires_grad(!frozen);
    if (frozen) t->set_grad(Tensor());
  });
}

void Module::convert(const std::function<Tensor(const Tensor&)>& f) {
  // A tensor reached twice (a module registered under two names visits the
  // same slot twice; two slots may share one tensor) is converted once. The
  // old handles are kept until the end, so that no freed address can be
  // mistaken for one already seen.
  std::vector<std::pair<Tensor, Tensor>> done;  // (old, converted)
  visit_tensors("", [&](const std::string&, Tensor* t, bool is_param) {
    for (const auto& [old, converted] : done) {
      if (t->is_same(converted)) return;  // this slot was converted already
      if (t->is_same(old)) {
        *t = converted;
        return;
      }
    }
    bool trainable = is_param && t->requires_grad();
    Tensor converted = f(t->detach());
    if (trainable) converted.set_requires_grad(true);
    done.emplace_back(*t, converted);
    *t = converted;
  });
}

void Module::to(Device device) {
  convert([device](const Tensor& t) { return t.to(device); });
}

void Module::to(DType dtype) {
  // Counters such as num_batches_tracked stay integral.
  convert([dtype](const Tensor& t) { return is_floating(t.dtype()) ? t.to(dtype) : t; });
}

}  // namespace pn::nn
