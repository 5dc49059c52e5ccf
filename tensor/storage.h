#pragma once
// A block of device memory shared by a tensor and its views.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "tensor/device.h"

namespace pn {

class Storage {
 public:
  // Allocates nbytes on `device` through its backend; CPU memory is 64-byte
  // aligned (one cache line, one AVX-512 vector). Contents are uninitialised.
  Storage(size_t nbytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

  // Counts in-place writes to this memory. Autograd records it when it saves a
  // tensor for backward and refuses to run backward if it changed since.
  uint64_t version() const { return version_; }
  void bump_version() { ++version_; }

 private:
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  Device device_;
  uint64_t version_ = 0;
};

}  // namespace pn
