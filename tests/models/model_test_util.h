#pragma once
// Shared helpers of the model tests (test_albunet.cpp, test_encoder_decoder.cpp,
// test_resnet.cpp, test_senet.cpp, test_model_factory.cpp): the deterministic
// weight fill that tests/reference/make_models_reference.py also computes, the
// key-list files it writes, and the parity checks.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "nn/module.h"
#include "reference.h"
#include "tensor/tensor.h"

namespace pn::models::test {

// ---- the fill (the twin of make_models_reference.py's fill_values) ----

inline uint64_t fnv1a64(const std::string& s) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001B3ull;
  return h;
}

// Element i of the tensor `name`, uniform in [-1, 1): splitmix64 of
// fnv1a64(name) + (i + 1) * golden, top 53 bits.
inline double uniform_signed(uint64_t key, uint64_t i) {
  uint64_t z = key + (i + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return 2.0 * (static_cast<double>(z >> 11) * 0x1.0p-53) - 1.0;
}

// The float32 values of the tensor `name` of `shape`: the scale depends on the
// last name component and the rank exactly as in the Python script.
inline Tensor fill_values(const std::string& name, const Shape& shape) {
  // The last two dotted components: "encoder.layer1.0.bn2.weight" -> "bn2", "weight".
  std::vector<std::string> parts;
  std::istringstream in(name);
  for (std::string part; std::getline(in, part, '.');) parts.push_back(part);
  const std::string leaf = parts.empty() ? "" : parts.back();
  const std::string parent = parts.size() > 1 ? parts[parts.size() - 2] : "";
  const uint64_t key = fnv1a64(name);
  const int64_t n = shape.numel();
  double fan_in = 1;
  for (size_t d = 1; d < shape.size(); ++d) fan_in *= static_cast<double>(shape[d]);
  const double he = std::sqrt(6.0 / fan_in);
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const double s = uniform_signed(key, static_cast<uint64_t>(i));
    double x;
    if (leaf == "running_mean") x = 0.1 * s;
    else if (leaf == "running_var") x = 1.0 + 0.5 * s;
    else if (leaf == "weight" && shape.size() >= 2) x = s * he;
    else if (leaf == "weight" && (parent == "bn2" || parent == "bn3")) x = 0.25 + 0.05 * s;  // see the script
    else if (leaf == "weight") x = 1.0 + 0.2 * s;
    else if (leaf == "bias") x = 0.1 * s;
    else x = s;
    v[static_cast<size_t>(i)] = static_cast<float>(x);
  }
  return from_vector(v, shape);
}

// Fills every parameter and floating buffer of m under the first name
// named_parameters()/named_buffers() give it (a shared tensor once).
inline void fill_model(nn::Module& m) {
  NoGradGuard no_grad;
  for (auto& [name, p] : m.named_parameters()) p.copy_(fill_values(name, p.shape()));
  // Buffers: BatchNorm's running statistics; its int64 counters stay as they are.
  for (auto& [name, b] : m.named_buffers())
    if (is_floating(b.dtype())) b.copy_(fill_values(name, b.shape()));
}

// ---- key lists ----

struct KeyList {
  int64_t parameters = -1;
  std::vector<std::string> lines;  // "<key> <dtype> <shape>", sorted by key
};

// Reads tests/data/reference/models/keys_<model>.txt.
inline KeyList read_keys(const std::string& model) {
  const std::string path = std::string(PN_TEST_DATA_DIR) + "/reference/models/keys_" + model + ".txt";
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), path, " cannot be opened (run tests/reference/make_models_reference.py)");
  KeyList k;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# parameters ", 0) == 0) k.parameters = std::stoll(line.substr(13));
    else if (!line.empty()) k.lines.push_back(line);
  }
  REQUIRE(k.parameters > 0);
  return k;
}

inline std::string key_line(const std::string& key, const Tensor& t) {
  std::ostringstream os;
  os << key << ' ' << (t.dtype() == DType::Int64 ? "int64" : t.dtype() == DType::Float32 ? "float32" : "other") << ' ';
  if (t.dim() == 0) os << '-';
  for (int64_t d = 0; d < t.dim(); ++d) os << (d ? "x" : "") << t.size(d);
  return os.str();
}

// The model's state dict in the key-list format (std::map: already sorted).
inline std::vector<std::string> key_lines(const nn::Module& m) {
  std::vector<std::string> out;
  for (const auto& [key, t] : m.state_dict()) out.push_back(key_line(key, t));
  return out;
}

inline int64_t parameter_count(const nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

// Checks m's state-dict keys, dtypes and shapes and its parameter count
// against PyTorch's; on a difference, lists the first lines that differ.
inline void check_keys(const nn::Module& m, const std::string& model) {
  const KeyList ref = read_keys(model);
  const std::vector<std::string> ours = key_lines(m);
  std::vector<std::string> only_ours, only_ref;
  std::set_difference(ours.begin(), ours.end(), ref.lines.begin(), ref.lines.end(), std::back_inserter(only_ours));
  std::set_difference(ref.lines.begin(), ref.lines.end(), ours.begin(), ours.end(), std::back_inserter(only_ref));
  INFO(model, ": ", only_ours.size(), " lines only ours (first: ", only_ours.empty() ? "" : only_ours[0], "), ",
       only_ref.size(), " only PyTorch's (first: ", only_ref.empty() ? "" : only_ref[0], ")");
  CHECK(ours.size() == ref.lines.size());
  CHECK(only_ours.empty());
  CHECK(only_ref.empty());
  CHECK(parameter_count(m) == ref.parameters);
}

// A state dict with the keys, dtypes and shapes of keys_<file>.txt (an
// ImageNet file as PyTorch names it), each float tensor filled under
// "<tag>.<key>"; int64 counters are zeros, or left out (as in files saved
// before PyTorch 0.4.1) when !with_counters.
inline nn::StateDict imagenet_like(const std::string& file, const std::string& tag, bool with_counters = true) {
  nn::StateDict sd;
  for (const std::string& line : read_keys(file).lines) {
    std::istringstream in(line);
    std::string key, dtype, dims;
    in >> key >> dtype >> dims;
    if (dtype == "int64") {
      if (with_counters) sd[key] = zeros({}, DType::Int64);
      continue;
    }
    Shape shape;
    std::istringstream ds(dims);
    for (std::string d; std::getline(ds, d, 'x');) shape.push_back(std::stoll(d));
    sd[key] = fill_values(tag + "." + key, shape);
  }
  return sd;
}

// ---- parity ----

// The tolerance for whole models: the largest elementwise error,
// relative to the largest reference magnitude, at most 1e-4.
constexpr double kModelTolerance = 1e-4;

inline double max_relative_error(const Tensor& ours, const Tensor& ref) {
  REQUIRE_MESSAGE(ours.numel() == ref.numel(), "size ", ours.shape(), " vs reference ", ref.shape());
  const std::vector<double> a = ours.to_vector<double>(), b = ref.to_vector<double>();
  double err = 0, scale = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    err = std::max(err, std::fabs(a[i] - b[i]));
    scale = std::max(scale, std::fabs(b[i]));
  }
  return err / std::max(scale, 1e-30);
}

#define CHECK_MODEL_CLOSE(ours, ref, what)                                                    \
  do {                                                                                        \
    const std::string pn_what_ = (what);                                                      \
    const ::pn::Tensor& pn_ours_ = (ours);                                                    \
    const ::pn::Tensor& pn_ref_ = (ref);                                                      \
    REQUIRE_MESSAGE(pn_ours_.shape() == pn_ref_.shape(), pn_what_, ": shape ", pn_ours_.shape(), \
                    " vs reference ", pn_ref_.shape());                                       \
    const double pn_max_ = ::pn::models::test::max_relative_error(pn_ours_, pn_ref_);         \
    const double pn_norm_ = ::pn::test::relative_error(pn_ours_, pn_ref_);                    \
    INFO(pn_what_, ": max error / max |ref| ", pn_max_, ", norm-wise ", pn_norm_);            \
    CHECK(pn_max_ <= ::pn::models::test::kModelTolerance);                                    \
    MESSAGE(pn_what_, ": max error / max |ref| ", pn_max_, ", norm-wise ", pn_norm_);         \
  } while (0)

// The Python script's sample(): the whole flattened tensor when it has at most
// 16384 elements, else 4096 elements at stride numel / 4096.
inline Tensor sample(const Tensor& t) {
  const std::vector<float> v = t.to_vector<float>();
  const int64_t n = t.numel();
  if (n <= 16384) return from_vector(v, Shape{n});
  const int64_t stride = n / 4096;
  std::vector<float> s(4096);
  for (int64_t i = 0; i < 4096; ++i) s[static_cast<size_t>(i)] = v[static_cast<size_t>(i * stride)];
  return from_vector(s, Shape{4096});
}

// The parameter or buffer `name` of m (by its first name).
inline Tensor tensor_named(const nn::Module& m, const std::string& name) {
  for (const auto& [n, t] : m.named_parameters())
    if (n == name) return t;
  for (const auto& [n, t] : m.named_buffers())
    if (n == name) return t;
  FAIL("no parameter or buffer named ", name);
  return Tensor();
}

// Seconds since construction, for the MESSAGE lines that report timings.
class Stopwatch {
 public:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Runs the parity checks of case CASE of reference file `ref` on model m,
// filled afresh:
//  - eval mode, float32, batch 1: CASE.out;
//  - with train_batch > 0, train mode on that batch, in float64: the output
//    CASE.train_out, the input gradient, the gradients CASE.grad.<name> of
//    the parameters `grads` and the buffers CASE.after.<name> of `after`
//    after the forward.
// Training is compared in float64 because float32 gradients through ~50
// ReLUs are not reproducible to 1e-4 by anyone: a pre-activation within
// rounding of zero flips a ReLU's mask and moves its gradient, and PyTorch's
// own float32 input gradient differs from its float64 one by ~1e-2. In
// float64 (the reference's own precision) the comparison is exact to the
// stored float32 rounding. All tensors are compared sampled, as stored.
inline void check_case(nn::Module& m, const pn::test::Reference& ref, const std::string& c, int64_t size,
                       int64_t train_batch = 0, const std::vector<std::string>& grads = {},
                       const std::vector<std::string>& after = {}) {
  fill_model(m);
  for (auto& p : m.parameters()) p.set_grad(Tensor());
  {
    Stopwatch w;
    m.eval();
    NoGradGuard no_grad;
    Tensor out = m.forward(fill_values("input", {1, 3, size, size}));
    MESSAGE(c, ": eval forward at ", size, "x", size, " took ", w.seconds(), " s");
    CHECK_MODEL_CLOSE(sample(out), ref[c + ".out"], c + ".out");
  }
  if (train_batch == 0) return;
  Stopwatch w;
  // Workaround for a bug in nn::Module::convert (reported): it remembers
  // converted tensors by the raw address of the old TensorImpl, which is freed
  // as soon as its slot is reassigned; when a shared module's slot is visited
  // again (AlbuNet's encoder), its new tensor may sit at a freed address and
  // be swapped for another tensor. Holding every old tensor keeps the
  // addresses from being reused.
  const auto keep_parameters = m.named_parameters();
  const auto keep_buffers = m.named_buffers();
  m.to(DType::Float64);
  m.train();
  Tensor x = fill_values("input", {train_batch, 3, size, size}).to(DType::Float64);
  x.set_requires_grad(true);
  Tensor out = m.forward(x);
  CHECK_MODEL_CLOSE(sample(out), ref[c + ".train_out"], c + ".train_out");
  Tensor g = fill_values("grad_output", out.shape()).to(DType::Float64);
  sum(mul(out, g)).backward();
  MESSAGE(c, ": float64 train forward and backward at ", size, "x", size, ", batch ", train_batch, " took ",
          w.seconds(), " s");
  REQUIRE(x.grad().defined());
  CHECK_MODEL_CLOSE(sample(x.grad()), ref[c + ".grad_input"], c + ".grad_input");
  for (const auto& n : grads) {
    const Tensor p = tensor_named(m, n);
    REQUIRE_MESSAGE(p.grad().defined(), n, " has no gradient");
    CHECK_MODEL_CLOSE(sample(p.grad()), ref[c + ".grad." + n], c + ".grad." + n);
  }
  for (const auto& n : after) CHECK_MODEL_CLOSE(tensor_named(m, n), ref[c + ".after." + n], c + ".after." + n);
  m.eval();
  const auto keep_parameters64 = m.named_parameters();
  const auto keep_buffers64 = m.named_buffers();
  m.to(DType::Float32);
}

}  // namespace pn::models::test
