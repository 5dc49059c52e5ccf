#pragma once
// Import of PyTorch checkpoints (torch.save of a state dict) without Python.
//
// Both formats are read:
//  - zip (torch >= 1.6): "<folder>/data.pkl" holds the pickle, each storage's
//    bytes are the entry "<folder>/data/<key>" (the folder name varies);
//  - legacy (torch < 1.6, e.g. the reference model zoo, saved with torch 1.1):
//    the pickles of a magic number, the protocol version and system info, the
//    main pickle, the list of storage keys, then per key an int64 element
//    count and the storage's bytes.
//
// The pickle is read by the restricted unpickler (nn/io/pickle.h), which here
// allows only what a state dict needs: collections.OrderedDict,
// torch._utils._rebuild_tensor_v2 / _rebuild_tensor / _rebuild_parameter,
// the storage classes in persistent ids, and plain values. Any other global
// (os.system, a model class of a pickled nn.Module, ...) is refused with a
// pn::Error naming it; nothing is ever executed.
//
// Tensors come out contiguous on the CPU whatever their strides and storage
// offsets (transposed views, slices, several tensors sharing one storage).
// Storage types map to framework dtypes: Float -> float32, Double -> float64,
// Long and Int -> int64, Byte and Bool -> uint8, Half and BFloat16 -> float32
// (exact widening); others are refused.
//
// The state dict is the top-level dict itself, or the dict under its
// "state_dict" or "model" key (checked in that order: the model zoo saves
// {'state_dict': ...}, TernausNet {'model': ...}). When every name starts
// with "module." (a model wrapped in DataParallel) the prefix is removed.
// Every value of the state dict must be a tensor.
#include <string>

#include "nn/io/byte_source.h"
#include "nn/io/safetensors.h"  // Metadata
#include "nn/state_dict.h"

namespace pn::nn::io {

struct TorchCheckpoint {
  StateDict state;
  // Top-level entries beside a nested state dict that are plain scalars
  // (epoch, best score, a name), as Python's str() would print them.
  Metadata metadata;
  std::string format;       // "zip" or "legacy"
  std::string nested_under; // "", "state_dict" or "model"
};

TorchCheckpoint load_torch_checkpoint(const std::string& path);
TorchCheckpoint read_torch_checkpoint(const ByteSource& source);

// Materialised tensors may not total more than this many times the size of
// the file (plus 1 MiB): zero or overlapping strides can make a tiny file
// describe terabytes. Widening 16-bit floats and tied weights stay far below.
inline constexpr uint64_t kMaxCheckpointExpansion = 16;

}  // namespace pn::nn::io
