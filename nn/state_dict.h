#pragma once
// A state dict: named tensors, as PyTorch's state_dict(). Module parameters
// and buffers use PyTorch's dotted names ("encoder.layer1.0.conv1.weight");
// optimizer and scheduler state use names under their own prefix, with
// scalars stored as 0-d tensors (float64 for real numbers, int64 for counts)
// so that everything a checkpoint holds is one kind of thing.
#include <map>
#include <string>

#include "tensor/tensor.h"

namespace pn::nn {

using StateDict = std::map<std::string, Tensor>;

// A 0-d float64 / int64 tensor holding v, and the value of one.
inline Tensor scalar_state(double v) { return scalar_tensor(v, DType::Float64); }
inline Tensor count_state(int64_t v) { return from_vector<int64_t>({v}, Shape{}); }

// The entry `key` of `state`, or a pn::Error naming the key and `where`.
inline const Tensor& state_at(const StateDict& state, const std::string& key, const char* where) {
  auto it = state.find(key);
  PN_CHECK(it != state.end(), where, ": missing key '", key, "' in the state dict");
  return it->second;
}

}  // namespace pn::nn
