#pragma once
// Reading reference tensors produced by PyTorch (tests/reference/*.py write
// them with reftensors.py into tests/data/reference/), and comparing to them.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace pn::test {

class Reference {
 public:
  // Loads tests/data/reference/<file>.
  explicit Reference(const std::string& file) {
    path_ = std::string(PN_TEST_DATA_DIR) + "/reference/" + file;
    std::ifstream in(path_, std::ios::binary);
    PN_CHECK(in.good(), "reference file ", path_, " cannot be opened (run tests/reference/*.py)");
    char magic[7];
    in.read(magic, 7);
    PN_CHECK(in.good() && std::memcmp(magic, "PNREF1\n", 7) == 0, path_, ": not a reference file");
    uint32_t count = read<uint32_t>(in);
    for (uint32_t i = 0; i < count; ++i) {
      std::string name(read<uint32_t>(in), '\0');
      in.read(name.data(), static_cast<std::streamsize>(name.size()));
      uint32_t code = read<uint32_t>(in), rank = read<uint32_t>(in);
      Shape shape;
      for (uint32_t d = 0; d < rank; ++d) shape.push_back(read<int64_t>(in));
      if (code == 1) {
        std::vector<double> v(static_cast<size_t>(shape.numel()));
        in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * 8));
        tensors_[name] = from_vector(v, shape);
      } else {
        std::vector<float> v(static_cast<size_t>(shape.numel()));
        in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
        tensors_[name] = from_vector(v, shape);
      }
      PN_CHECK(in.good(), path_, ": truncated at tensor ", name);
    }
  }

  // The tensor stored under `name` (a copy, safe to mark requires_grad).
  Tensor operator[](const std::string& name) const {
    auto it = tensors_.find(name);
    PN_CHECK(it != tensors_.end(), path_, ": no tensor named ", name);
    return it->second.clone();
  }
  bool has(const std::string& name) const { return tensors_.count(name) != 0; }

 private:
  template <class T> static T read(std::ifstream& in) {
    T v{};
    in.read(reinterpret_cast<char*>(&v), sizeof v);
    return v;
  }
  std::string path_;
  std::map<std::string, Tensor> tensors_;
};

// ||ours - ref|| / ||ref|| (norm-wise relative error), in double.
inline double relative_error(const Tensor& ours, const Tensor& ref) {
  REQUIRE_MESSAGE(ours.shape() == ref.shape(), "shape ", ours.shape(), " vs reference ", ref.shape());
  std::vector<double> a = ours.to_vector<double>(), b = ref.to_vector<double>();
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    num += (a[i] - b[i]) * (a[i] - b[i]);
    den += b[i] * b[i];
  }
  return std::sqrt(num) / std::max(std::sqrt(den), 1e-30);
}

// Checks ours against ref to the project's parity tolerance (1e-5 norm-wise).
#define CHECK_CLOSE_TO_REF(ours, ref, what)                          \
  do {                                                               \
    double pn_err_ = ::pn::test::relative_error((ours), (ref));      \
    INFO(what, ": relative error ", pn_err_);                        \
    CHECK(pn_err_ <= 1e-5);                                          \
  } while (0)

}  // namespace pn::test
