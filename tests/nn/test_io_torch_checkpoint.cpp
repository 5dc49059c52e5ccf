// PyTorch checkpoint import (nn/io/torch_checkpoint.h): files written by
// torch 1.13 in both formats (tests/reference/make_checkpoint_reference.py),
// malicious and malformed files, and legacy checkpoints crafted byte by byte.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nn/io/safetensors.h"
#include "nn/io/torch_checkpoint.h"

using namespace pn;
using namespace pn::nn::io;
using pn::nn::StateDict;

namespace {

std::string data_file(const std::string& name) { return std::string(PN_TEST_DATA_DIR) + "/checkpoints/" + name; }

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

template <class T> void check_tensor(const StateDict& sd, const std::string& name, DType dtype, const Shape& shape,
                                     const std::vector<T>& values) {
  CAPTURE(name);
  REQUIRE(sd.count(name));
  const Tensor& t = sd.at(name);
  CHECK(t.dtype() == dtype);
  CHECK(t.shape() == shape);
  std::vector<T> got = t.to_vector<T>();
  REQUIRE(got.size() == values.size());
  for (size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(std::memcmp(&got[i], &values[i], sizeof(T)) == 0);  // bitwise
  }
}

std::vector<float> arange_f(int n, float scale, float shift) {
  std::vector<float> v;
  for (int i = 0; i < n; ++i) v.push_back(static_cast<float>(i) * scale + shift);
  return v;
}

// The state dict of make_checkpoint_reference.py's state_dict().
void check_reference_state(const StateDict& sd) {
  CHECK(sd.size() == 15);
  check_tensor<float>(sd, "conv.weight", DType::Float32, {2, 3, 2, 2}, arange_f(24, 0.25f, -3.0f));
  check_tensor<float>(sd, "conv.bias", DType::Float32, {2}, {0.5f, -1.5f});
  check_tensor<double>(sd, "bn.running_var", DType::Float64, {3}, {0.0, 1.0 / 3.0, 2.0 / 3.0});
  check_tensor<int64_t>(sd, "bn.num_batches_tracked", DType::Int64, {}, {7});
  check_tensor<int64_t>(sd, "index", DType::Int64, {4}, {-2, 0, int64_t{1} << 40, 5});
  check_tensor<int64_t>(sd, "count32", DType::Int64, {2}, {-5, 7});
  check_tensor<uint8_t>(sd, "mask", DType::UInt8, {3}, {0, 1, 255});
  check_tensor<uint8_t>(sd, "flags", DType::UInt8, {3}, {1, 0, 1});
  check_tensor<float>(sd, "half", DType::Float32, {4}, {1.5f, -2.25f, 65504.0f, std::ldexp(1.0f, -24)});
  check_tensor<float>(sd, "bf16", DType::Float32, {3}, {1.0f, -3.5f, std::ldexp(1.0f, 100)});
  check_tensor<float>(sd, "empty", DType::Float32, {0, 3}, {});
  check_tensor<float>(sd, "transposed", DType::Float32, {3, 2}, {0, 3, 1, 4, 2, 5});
  check_tensor<float>(sd, "shared.a", DType::Float32, {2, 2}, {0, 1.5f, 3, 4.5f});
  check_tensor<float>(sd, "shared.b", DType::Float32, {3}, {6, 9, 12});
  check_tensor<float>(sd, "expanded", DType::Float32, {3, 2}, {1, 2, 1, 2, 1, 2});
}

// DataParallel(Sequential(Conv2d(1, 2, 3), BatchNorm2d(2))).state_dict() with "module." removed.
void check_reference_model(const StateDict& sd) {
  CHECK(sd.size() == 7);
  check_tensor<float>(sd, "0.weight", DType::Float32, {2, 1, 3, 3}, arange_f(18, 0.125f, 0.0f));
  check_tensor<float>(sd, "0.bias", DType::Float32, {2}, {0.25f, -0.5f});
  check_tensor<float>(sd, "1.weight", DType::Float32, {2}, {1.5f, 2.0f});
  check_tensor<float>(sd, "1.bias", DType::Float32, {2}, {0.0f, -1.0f});
  check_tensor<float>(sd, "1.running_mean", DType::Float32, {2}, {0.125f, -0.25f});
  check_tensor<float>(sd, "1.running_var", DType::Float32, {2}, {1.0f, 4.0f});
  check_tensor<int64_t>(sd, "1.num_batches_tracked", DType::Int64, {}, {5});
}

std::string load_error(const std::string& file) {
  try {
    load_torch_checkpoint(data_file(file));
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string read_error(const std::string& bytes) {
  try {
    read_torch_checkpoint(MemorySource(bytes, "crafted.pth"));
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// ---- a legacy checkpoint built by hand ----

// Concatenation by appending: chains of "literal" + std::string trip a false
// -Wrestrict warning in GCC 12.
std::string cat(std::initializer_list<std::string> parts) {
  std::string out;
  for (const auto& p : parts) out += p;
  return out;
}
std::string X(const std::string& s) {  // BINUNICODE
  std::string out = "X";
  for (int i = 0; i < 4; ++i) out += static_cast<char>(s.size() >> (8 * i));
  return out + s;
}
std::string K(int n) { return std::string("K") + static_cast<char>(n); }  // BININT1
std::string G(const std::string& module, const std::string& name) { return "c" + module + "\n" + name + "\n"; }
std::string tuple_of(const std::vector<int>& v) {
  std::string out = "(";
  for (int x : v) out += K(x);
  return out + "t";
}
std::string storage(const std::string& cls, const std::string& key, int numel, const std::string& view = "N") {
  return cat({"(", X("storage"), G("torch", cls), X(key), X("cpu"), K(numel), view, "tQ"});
}
std::string tensor(const std::string& storage_pid, int offset, const std::vector<int>& size, const std::vector<int>& stride) {
  return G("torch._utils", "_rebuild_tensor_v2") + "(" + storage_pid + K(offset) + tuple_of(size) + tuple_of(stride) +
         "\x89" + G("collections", "OrderedDict") + ")RtR";
}
std::string dict_of(const std::vector<std::pair<std::string, std::string>>& items) {
  std::string out = "}(";
  for (const auto& [k, v] : items) out += X(k) + v;
  return out + "u";
}
struct Record {
  std::string key;
  int64_t numel;
  std::string bytes;
};
std::string legacy(const std::string& main_body, const std::vector<Record>& records) {
  std::string out = std::string("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", 15);
  out += std::string("\x80\x02M\xe9\x03.", 6);
  out += "\x80\x02}" + X("little_endian") + "\x88s.";
  out += "\x80\x02" + main_body + ".";
  out += "\x80\x02(";
  for (const auto& r : records) out += X(r.key);
  out += "l.";
  for (const auto& r : records) {
    for (int i = 0; i < 8; ++i) out += static_cast<char>(static_cast<uint64_t>(r.numel) >> (8 * i));
    out += r.bytes;
  }
  return out;
}
std::string floats(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

}  // namespace

TEST_CASE("torch checkpoint: the zip format (torch >= 1.6) with every kind of tensor") {
  TorchCheckpoint ck = load_torch_checkpoint(data_file("state_zip.pth"));
  CHECK(ck.format == "zip");
  CHECK(ck.nested_under.empty());
  CHECK(ck.metadata.empty());
  check_reference_state(ck.state);
}

TEST_CASE("torch checkpoint: the legacy format (torch < 1.6) with every kind of tensor") {
  TorchCheckpoint ck = load_torch_checkpoint(data_file("state_legacy.pth"));
  CHECK(ck.format == "legacy");
  check_reference_state(ck.state);
}

TEST_CASE("torch checkpoint: nested under 'model' (protocol 4) with DataParallel's 'module.' prefix") {
  TorchCheckpoint ck = load_torch_checkpoint(data_file("nested_zip.pth"));
  CHECK(ck.nested_under == "model");
  CHECK(ck.metadata == Metadata{{"epoch", "3"}, {"best_score", "0.8125"}, {"name", "albunet"}});
  check_reference_model(ck.state);
}

TEST_CASE("torch checkpoint: nested under 'state_dict' in the legacy format, as the model zoo saved it") {
  TorchCheckpoint ck = load_torch_checkpoint(data_file("nested_legacy.pth"));
  CHECK(ck.format == "legacy");
  CHECK(ck.nested_under == "state_dict");
  CHECK(ck.metadata == Metadata{{"epoch", "3"}});
  check_reference_model(ck.state);
}

TEST_CASE("torch checkpoint: an imported checkpoint converts to safetensors exactly") {
  TorchCheckpoint ck = load_torch_checkpoint(data_file("state_zip.pth"));
  SafetensorsContent back = read_safetensors(MemorySource(to_safetensors_bytes(ck.state, ck.metadata), "mem"));
  check_reference_state(back.tensors);
}

TEST_CASE("torch checkpoint: pickles that would run code are refused, naming the callable") {
  for (const char* file : {"malicious_zip.pth", "malicious_legacy.pth", "malicious_proto4_zip.pth"}) {
    INFO(std::string(file));
    std::string msg = load_error(file);
    INFO(msg);
    CHECK(msg.find(file) != std::string::npos);
    CHECK(msg.find("refusing to load global 'posix.system'") != std::string::npos);
    CHECK(msg.find("Nothing was executed") != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists("/tmp/pn_checkpoint_pwned"));
  std::string msg = load_error("whole_model_zip.pth");
  INFO(msg);
  CHECK(msg.find("refusing to load global 'torch.nn.modules.container.Sequential'") != std::string::npos);
}

TEST_CASE("torch checkpoint: hostile or unusable zip archives are refused") {
  CHECK(load_error("traversal_zip.pth").find("entry '../../evil.txt' has a '..' component (path traversal") !=
        std::string::npos);
  CHECK(load_error("absolute_zip.pth").find("entry '/tmp/evil.txt' is an absolute path") != std::string::npos);
  CHECK(load_error("deflated_zip.pth").find("is compressed (method 8, deflate)") != std::string::npos);
  CHECK(load_error("missing_storage_zip.pth").find("storage '0' has no entry state_zip/data/0") != std::string::npos);
  CHECK(load_error("no_such_file.pth").find("cannot open") != std::string::npos);
}

TEST_CASE("torch checkpoint: every truncation of both formats is an error, never a crash") {
  for (const char* file : {"state_legacy.pth", "state_zip.pth", "nested_zip.pth"}) {
    const std::string good = slurp(data_file(file));
    for (size_t n = 0; n < good.size(); ++n) {
      INFO(std::string(file));
      CAPTURE(n);
      CHECK_THROWS_AS(read_torch_checkpoint(MemorySource(std::string_view(good).substr(0, n), "cut.pth")), Error);
    }
  }
}

TEST_CASE("torch checkpoint: flipped bytes give an error or a state dict, nothing else") {
  // Under AddressSanitizer this is a small deterministic fuzz run.
  for (const char* file : {"state_legacy.pth", "state_zip.pth"}) {
    const std::string good = slurp(data_file(file));
    size_t rejected = 0;
    const unsigned char flips[] = {0x01, 0x80, 0xFF};  // one per byte, in turn
    for (size_t i = 0; i < good.size(); ++i) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ flips[i % 3]);
      try {
        read_torch_checkpoint(MemorySource(bad, "flipped.pth"));
      } catch (const Error&) {
        ++rejected;
      }
    }
    INFO(std::string(file));
    CHECK(rejected > good.size() / 2);  // most bytes matter (CRC-32 guards the zip entries)
  }
}

TEST_CASE("torch checkpoint: crafted legacy files: strides, shared storages, views, prefixes") {
  const std::vector<Record> data = {{"k0", 6, floats({0, 1, 2, 3, 4, 5})}};
  auto pid = [] { return storage("FloatStorage", "k0", 6); };
  // offset 1, size (2, 2), stride (1, 2): element (i, j) is storage[1 + i + 2j];
  // v shares the storage with stride 2.
  TorchCheckpoint ck = read_torch_checkpoint(MemorySource(
      legacy(dict_of({{"module.w", tensor(pid(), 1, {2, 2}, {1, 2})}, {"module.v", tensor(pid(), 0, {3}, {2})}}), data),
      "crafted.pth"));
  CHECK(ck.state.size() == 2);
  check_tensor<float>(ck.state, "w", DType::Float32, {2, 2}, {1, 3, 2, 4});
  check_tensor<float>(ck.state, "v", DType::Float32, {3}, {0, 2, 4});

  // The prefix stays unless every name has it.
  ck = read_torch_checkpoint(MemorySource(
      legacy(dict_of({{"module.w", tensor(pid(), 0, {1}, {1})}, {"b", tensor(pid(), 5, {}, {})}}), data), "crafted.pth"));
  check_tensor<float>(ck.state, "module.w", DType::Float32, {1}, {0});
  check_tensor<float>(ck.state, "b", DType::Float32, {}, {5});

  // A legacy storage view (view_key, offset, size) and a parameter wrapper.
  const std::string view = storage("FloatStorage", "k0", 6, cat({"(", X("view"), K(2), K(3), "t"}));
  const std::string param = G("torch._utils", "_rebuild_parameter") + "(" + tensor(view, 1, {2}, {1}) + "\x88" +
                            G("collections", "OrderedDict") + ")RtR";
  ck = read_torch_checkpoint(MemorySource(legacy(dict_of({{"p", param}}), data), "crafted.pth"));
  check_tensor<float>(ck.state, "p", DType::Float32, {2}, {3, 4});
}

TEST_CASE("torch checkpoint: crafted legacy files with errors are refused with the reason") {
  auto pid = [](int numel = 6) { return storage("FloatStorage", "k0", numel); };
  const std::vector<Record> data = {{"k0", 6, floats({0, 1, 2, 3, 4, 5})}};
  auto one = [&](const std::string& t, const std::vector<Record>& records) { return legacy(dict_of({{"w", t}}), records); };
  std::string tar(600, '\0');
  tar.replace(257, 5, "ustar");
  std::string wrong_magic = legacy(dict_of({}), {});
  wrong_magic[5] = 'X';
  std::string big_endian = legacy(dict_of({}), {});
  big_endian[big_endian.find("little_endian") + 13] = '\x89';  // NEWTRUE -> NEWFALSE
  std::string version = legacy(dict_of({}), {});
  version.replace(version.find("M\xe9\x03"), 3, "M\xe8\x03");
  struct Case {
    const char* what;
    std::string bytes;
    const char* message;
  };
  const Case cases[] = {
      {"stride past the storage", one(tensor(pid(), 1, {2, 2}, {1, 5}), data),
       "tensor of size [2, 2] and offset 1 reaches element 7 of storage 'k0' (torch.FloatStorage), which has 6"},
      {"offset past the storage", one(tensor(pid(), 6, {1}, {1}), data), "reaches element 6"},
      {"size and stride lengths differ", one(tensor(pid(), 0, {2, 2}, {1}), data), "are not tuples of one length"},
      {"negative size",
       one(G("torch._utils", "_rebuild_tensor_v2") + "(" + pid() + K(0) + "(J\xff\xff\xff\xfft" + tuple_of({1}) + "\x89" +
               G("collections", "OrderedDict") + ")RtR",
           data),
       "tensor size is int -1, not a non-negative int"},
      {"element count mismatch", one(tensor(pid(), 0, {6}, {1}), {{"k0", 5, floats({0, 1, 2, 3, 4})}}),
       "storage 'k0' at byte"},
      {"truncated storage", one(tensor(pid(), 0, {6}, {1}), {{"k0", 6, floats({0, 1, 2})}}), "storage data at byte"},
      {"storage larger than the file", one(tensor(pid(200), 0, {6}, {1}), data),
       "storage 'k0' claims 200 elements, more than the file can hold"},
      {"unused storage listed", one(tensor(pid(), 0, {6}, {1}), {data[0], {"k9", 1, floats({1})}}),
       "storage 'k9' is listed but not used"},
      {"storage listed twice", one(tensor(pid(), 0, {6}, {1}), {data[0], data[0]}), "storage 'k0' is listed twice"},
      {"storage without data", one(tensor(pid(), 0, {6}, {1}), {}), "storage 'k0' has no data in the file"},
      {"unsupported storage type", one(tensor(storage("CharStorage", "k0", 6), 0, {6}, {1}), data),
       "refusing to load global 'torch.CharStorage'"},
      {"malformed persistent id", one(cat({"(", X("storage"), X("k0"), "tQ"}), data),
       "persistent id tuple of 2 is not a ('storage', type, key, location, size) tuple"},
      {"zero strides blowing up", one(tensor(pid(), 0, {255, 255, 255}, {0, 0, 0}), data), "would take more than"},
      {"not a tensor", legacy(dict_of({{"w", K(3)}}), {}), "state dict entry 'w' is int 3, not a tensor"},
      {"duplicate after the prefix",
       legacy(dict_of({{"module.a", tensor(pid(), 0, {1}, {1})}, {"module.a", tensor(pid(), 1, {1}, {1})}}), data),
       "state dict entry 'a' appears twice"},
      {"not a dict", legacy("]", {}), "holds list of 0, not a state dict"},
      {"refused call", legacy(G("torch._utils", "_rebuild_tensor") + "(" + K(1) + "tR", {}),
       "torch._utils._rebuild_tensor called with 1 arguments"},
      {"wrong magic number", wrong_magic, "magic number"},
      {"wrong version", version, "legacy format version int 1000 is not supported"},
      {"big endian", big_endian, "big-endian"},
      {"empty file", "", "is empty"},
      {"not a checkpoint", "hello world", "neither a zip nor a legacy PyTorch checkpoint"},
      {"tar format", tar, "tar-format PyTorch checkpoint (torch < 0.4)"},
  };
  for (const auto& c : cases) {
    INFO(std::string(c.what));
    std::string msg = read_error(c.bytes);
    INFO(msg);
    CHECK(msg.find("crafted.pth") != std::string::npos);
    CHECK(msg.find(c.message) != std::string::npos);
  }
}
