#pragma once
// Writing and reading the named entries of an optimizer's or scheduler's
// state in a StateDict (nn/state_dict.h), under a prefix such as "optimizer".
//
// Real numbers are 0-d float64 tensors, counts and flags 0-d int64 tensors,
// as the StateDict convention says. A reader remembers which entries it took,
// so that finish() can reject a state dict with entries under the prefix that
// the loader does not know (a state saved by another optimizer, or for more
// parameter groups): a state that does not match fails loudly instead of
// being half-applied.
#include <cstdint>
#include <set>
#include <string>

#include "nn/state_dict.h"

namespace pn::nn::optim {

class StateWriter {
 public:
  // Entries go to out[prefix + "." + key].
  StateWriter(StateDict& out, std::string prefix) : out_(out), prefix_(std::move(prefix)) {}

  void put(const std::string& key, double v);    // 0-d float64
  void put(const std::string& key, int64_t v);   // 0-d int64
  void put(const std::string& key, bool v);      // 0-d int64, 0 or 1
  // Stores the tensor itself (an alias, not a copy).
  void put(const std::string& key, const Tensor& t);

 private:
  StateDict& out_;
  std::string prefix_;
};

class StateReader {
 public:
  // `owner` names the loader in errors, e.g. "Adam.load_state_dict".
  StateReader(const StateDict& in, std::string prefix, std::string owner)
      : in_(in), prefix_(std::move(prefix)), owner_(std::move(owner)) {}

  bool has(const std::string& key) const;
  // The entry prefix.key, converted. Throws pn::Error naming the owner and
  // the full key when it is missing, has more than one element, or (for
  // int64_t and bool) does not hold an integer (0 or 1 for bool).
  template <class T> T get(const std::string& key);
  // The tensor prefix.key itself (throws when missing).
  const Tensor& tensor(const std::string& key);

  // Throws pn::Error listing the entries under the prefix that no get() or
  // tensor() took.
  void finish() const;

  const std::string& owner() const { return owner_; }
  std::string full(const std::string& key) const { return prefix_ + "." + key; }

 private:
  double scalar(const std::string& key);
  const StateDict& in_;
  std::string prefix_, owner_;
  std::set<std::string> taken_;
};

template <> double StateReader::get<double>(const std::string& key);
template <> int64_t StateReader::get<int64_t>(const std::string& key);
template <> bool StateReader::get<bool>(const std::string& key);

}  // namespace pn::nn::optim
