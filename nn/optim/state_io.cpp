#include "nn/optim/state_io.h"

#include <cmath>

namespace pn::nn::optim {

void StateWriter::put(const std::string& key, double v) { out_[prefix_ + "." + key] = scalar_state(v); }
void StateWriter::put(const std::string& key, int64_t v) { out_[prefix_ + "." + key] = count_state(v); }
void StateWriter::put(const std::string& key, bool v) { put(key, int64_t{v ? 1 : 0}); }
void StateWriter::put(const std::string& key, const Tensor& t) { out_[prefix_ + "." + key] = t; }

bool StateReader::has(const std::string& key) const { return in_.count(full(key)) != 0; }

const Tensor& StateReader::tensor(const std::string& key) {
  std::string name = full(key);
  const Tensor& t = state_at(in_, name, owner_.c_str());
  PN_CHECK(t.defined(), owner_, ": entry '", name, "' of the state dict is an undefined tensor");
  taken_.insert(name);
  return t;
}

double StateReader::scalar(const std::string& key) {
  const Tensor& t = tensor(key);
  PN_CHECK(t.numel() == 1, owner_, ": entry '", full(key), "' must hold one number, has shape ",
           t.shape());
  return t.item();
}

template <> double StateReader::get<double>(const std::string& key) { return scalar(key); }

template <> int64_t StateReader::get<int64_t>(const std::string& key) {
  const Tensor& t = tensor(key);
  PN_CHECK(t.numel() == 1, owner_, ": entry '", full(key), "' must hold one number, has shape ",
           t.shape());
  // Read int64 entries as int64: a count above 2^53 would not survive double.
  if (t.dtype() == DType::Int64) return t.to_vector<int64_t>()[0];
  double v = t.item();
  PN_CHECK(std::nearbyint(v) == v && std::fabs(v) < 9.0e15, owner_, ": entry '", full(key),
           "' must be an integer, got ", v);
  return static_cast<int64_t>(v);
}

template <> bool StateReader::get<bool>(const std::string& key) {
  int64_t v = get<int64_t>(key);
  PN_CHECK(v == 0 || v == 1, owner_, ": entry '", full(key), "' must be 0 or 1, got ", v);
  return v == 1;
}

void StateReader::finish() const {
  std::string head = prefix_ + ".";
  std::string unknown;
  size_t count = 0;
  for (auto it = in_.lower_bound(head); it != in_.end() && it->first.compare(0, head.size(), head) == 0;
       ++it) {
    if (taken_.count(it->first)) continue;
    if (count < 8) unknown += (count ? ", '" : "'") + it->first + "'";
    ++count;
  }
  PN_CHECK(count == 0, owner_, ": the state dict does not match: ", count,
           " unexpected entr", count == 1 ? "y " : "ies ", unknown, count > 8 ? ", ..." : "");
}

}  // namespace pn::nn::optim
