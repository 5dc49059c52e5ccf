#pragma once
// A reusable working buffer that is not zero-filled.
//
// The PNG writer needs megabyte-sized buffers for every image it writes;
// allocating them afresh each time cost more than using them (the kernel
// maps and clears new pages on every allocation of that size).  A
// thread_local Scratch keeps one buffer per thread, grown when needed and
// never shrunk.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>

namespace pn::data {

template <class T>
class Scratch {
 public:
  // At least n elements, uninitialised; valid until the next call.
  T* get(std::size_t n) {
    if (n > capacity_) {
      data_.reset(new T[n]);
      capacity_ = n;
    }
    return data_.get();
  }
  // At least n elements keeping the first `keep` (<= the current size asked
  // for before); grows by at least half so that repeated growth stays cheap.
  T* grow(std::size_t n, std::size_t keep) {
    if (n <= capacity_) return data_.get();
    const std::size_t c = std::max(n, capacity_ + capacity_ / 2);
    std::unique_ptr<T[]> bigger(new T[c]);
    if (keep > 0) std::memcpy(bigger.get(), data_.get(), keep * sizeof(T));
    data_ = std::move(bigger);
    capacity_ = c;
    return data_.get();
  }

 private:
  std::unique_ptr<T[]> data_;
  std::size_t capacity_ = 0;
};

}  // namespace pn::data
