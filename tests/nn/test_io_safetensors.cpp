// safetensors (nn/io/safetensors.h): bitwise round trips, the exact bytes of
// the reference implementation, a file written by the Python package, and a
// battery of corrupted files.
#include <doctest/doctest.h>

#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "nn/io/atomic_file.h"
#include "nn/io/safetensors.h"

namespace fs = std::filesystem;
using namespace pn;
using namespace pn::nn::io;
using pn::nn::StateDict;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string data_file(const std::string& name) { return std::string(PN_TEST_DATA_DIR) + "/checkpoints/" + name; }

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         (a.nbytes() == 0 || std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) == 0);
}

template <class T> Tensor tensor(std::vector<T> v, Shape s) { return from_vector<T>(v, s); }

// Bytes of a safetensors file with the given header text (padded as the
// format asks) and data section.
std::string st_file(std::string header, const std::string& data) {
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string out(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[static_cast<size_t>(i)] = static_cast<char>(n >> (8 * i));
  return out + header + data;
}

std::string read_error(const std::string& bytes) {
  try {
    read_safetensors(MemorySource(bytes, "bad.safetensors"));
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

StateDict every_kind() {
  const float fnan = std::bit_cast<float>(0x7fc12345u);  // a NaN with a payload
  const double dnan = std::bit_cast<double>(0x7ff8000000abcdefull);
  StateDict sd;
  sd["encoder.conv1.weight"] = tensor<float>({1.5f, -0.0f, fnan, std::numeric_limits<float>::infinity(),
                                              std::numeric_limits<float>::denorm_min(), 3.25e38f},
                                             {1, 2, 3});
  sd["encoder.bn1.running_var"] = tensor<double>({1.0 / 3.0, dnan, -0.0}, {3});
  sd["encoder.bn1.num_batches_tracked"] = nn::count_state(123456789012345);  // 0-d int64
  sd["optimizer.step"] = tensor<int64_t>({INT64_MIN, -1, INT64_MAX}, {3});
  sd["mask"] = tensor<uint8_t>({0, 7, 255}, {3, 1});
  sd["scalar.lr"] = nn::scalar_state(3e-4);  // 0-d float64
  sd["scalar.f32"] = tensor<float>({2.5f}, {});
  sd["empty.f32"] = empty({0}, DType::Float32);
  sd["empty.u8"] = empty({2, 0, 3}, DType::UInt8);
  sd["z.last"] = tensor<float>({7.0f}, {1});
  return sd;
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("pn_safetensors_" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("safetensors: every dtype, 0-d and empty tensors and metadata round-trip bitwise") {
  TempDir dir;
  const std::string path = (dir.path / "ckpt.safetensors").string();
  const StateDict sd = every_kind();
  const Metadata meta{{"epoch", "12"}, {"config_hash", "9f86d08"}, {"note", "quote \" backslash \\ newline \n \xc3\xa9"}};
  save_safetensors(path, sd, meta);
  SafetensorsContent back = load_safetensors(path);
  CHECK(back.metadata == meta);
  REQUIRE(back.tensors.size() == sd.size());
  for (const auto& [name, t] : sd) {
    CAPTURE(name);
    REQUIRE(back.tensors.count(name));
    CHECK(same_bits(back.tensors.at(name), t));
  }
  // The writer is deterministic: re-saving what was read gives the same bytes.
  CHECK(to_safetensors_bytes(back.tensors, back.metadata) == slurp(path));
  // The data section starts 8-byte aligned and every tensor is aligned to its element size.
  const std::string bytes = slurp(path);
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  CHECK(n % 8 == 0);
  CHECK(bytes.substr(8, 17) == "{\"__metadata__\":{");
}

TEST_CASE("safetensors: the writer produces the reference implementation's bytes") {
  // Test vectors of the reference implementation's own serialisation tests.
  StateDict one;
  one["attn.0"] = tensor<float>({0, 1, 2, 3, 4, 5}, {1, 2, 3});
  std::string expected = st_file(R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})", "");
  for (float v : {0.f, 1.f, 2.f, 3.f, 4.f, 5.f}) expected.append(reinterpret_cast<const char*>(&v), 4);
  CHECK(expected.size() == 8 + 64 + 24);
  CHECK(to_safetensors_bytes(one) == expected);

  CHECK(to_safetensors_bytes({}) == std::string("\x08\0\0\0\0\0\0\0{}      ", 16));
  CHECK(to_safetensors_bytes({}, {{"framework", "pt"}}) ==
        std::string("\x28\0\0\0\0\0\0\0", 8) + "{\"__metadata__\":{\"framework\":\"pt\"}}     ");

  // Order: by dtype alignment (I64, F64, F32, U8), then by name.
  StateDict mixed;
  mixed["a_u8"] = tensor<uint8_t>({1}, {1});
  mixed["b_f32"] = tensor<float>({1}, {1});
  mixed["c_f64"] = tensor<double>({1}, {1});
  mixed["d_i64"] = tensor<int64_t>({1}, {1});
  mixed["e_f32"] = tensor<float>({1}, {1});
  std::string h = to_safetensors_bytes(mixed).substr(8);
  auto at = [&](const char* name) { return h.find(name); };
  CHECK(at("d_i64") < at("c_f64"));
  CHECK(at("c_f64") < at("b_f32"));
  CHECK(at("b_f32") < at("e_f32"));
  CHECK(at("e_f32") < at("a_u8"));
  CHECK(h.find(R"("d_i64":{"dtype":"I64","shape":[1],"data_offsets":[0,8]})") != std::string::npos);
  CHECK(h.find(R"("a_u8":{"dtype":"U8","shape":[1],"data_offsets":[24,25]})") != std::string::npos);
}

TEST_CASE("safetensors: a file written by the Python package is read, and rewritten byte for byte") {
  const std::string path = data_file("python_written.safetensors");
  SafetensorsContent c = load_safetensors(path);
  CHECK(c.metadata == Metadata{{"epoch", "3"}});
  REQUIRE(c.tensors.size() == 5);
  CHECK(same_bits(c.tensors.at("weight"), tensor<float>({-1, -0.5f, 0, 0.5f, 1, 1.5f}, {2, 3})));
  CHECK(same_bits(c.tensors.at("running_var"), tensor<double>({0.0, 1.0 / 3.0, 2.0 / 3.0}, {3})));
  CHECK(same_bits(c.tensors.at("num_batches_tracked"), nn::count_state(7)));
  CHECK(same_bits(c.tensors.at("mask"), tensor<uint8_t>({0, 1, 255}, {3})));
  CHECK(same_bits(c.tensors.at("empty"), empty({0, 4})));
  CHECK(to_safetensors_bytes(c.tensors, c.metadata) == slurp(path));
}

TEST_CASE("safetensors: F16, BF16 and BOOL are widened on reading") {
  std::string data;
  for (uint16_t h : {0x3C00, 0x0001, 0xFC00, 0x7BFF, 0x8000}) data.append(reinterpret_cast<const char*>(&h), 2);
  for (uint16_t b : {0x3F80, 0xC060}) data.append(reinterpret_cast<const char*>(&b), 2);
  data += std::string("\x01\x00", 2);
  std::string bytes = st_file(R"({"h":{"dtype":"F16","shape":[5],"data_offsets":[0,10]},)"
                              R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[10,14]},)"
                              R"("m":{"dtype":"BOOL","shape":[2],"data_offsets":[14,16]}})",
                              data);
  SafetensorsContent c = read_safetensors(MemorySource(bytes, "mem"));
  CHECK(c.tensors.at("h").to_vector<float>() ==
        std::vector<float>{1.0f, std::ldexp(1.0f, -24), -std::numeric_limits<float>::infinity(), 65504.0f, -0.0f});
  CHECK(std::signbit(c.tensors.at("h").to_vector<float>()[4]));
  CHECK(c.tensors.at("b").to_vector<float>() == std::vector<float>{1.0f, -3.5f});
  CHECK(c.tensors.at("m").dtype() == DType::UInt8);
  CHECK(c.tensors.at("m").to_vector<uint8_t>() == std::vector<uint8_t>{1, 0});
}

TEST_CASE("safetensors: the writer refuses what the format cannot hold") {
  StateDict bad;
  bad["__metadata__"] = tensor<float>({1}, {1});
  CHECK_THROWS_AS(to_safetensors_bytes(bad), Error);
  StateDict undefined;
  undefined["w"] = Tensor();
  CHECK_THROWS_AS(to_safetensors_bytes(undefined), Error);
}

TEST_CASE("safetensors: a failed save leaves the previous checkpoint intact") {
  TempDir dir;
  const std::string path = (dir.path / "ckpt.safetensors").string();
  save_safetensors(path, every_kind(), {{"epoch", "1"}});
  const std::string before = slurp(path);
  StateDict next;
  next["w"] = tensor<float>({1, 2, 3}, {3});
  testing::inject_failure(testing::FailPoint::Write, ENOSPC);
  CHECK_THROWS_AS(save_safetensors(path, next, {{"epoch", "2"}}), Error);
  testing::clear_injected_failure();
  CHECK(slurp(path) == before);
  CHECK(load_safetensors(path).metadata.at("epoch") == "1");
}

TEST_CASE("safetensors: corrupted files are rejected with the file and the problem named") {
  const std::string f32x4(16, '\0');
  auto entry = [](const char* name, const char* dtype, const char* shape, const char* offsets) {
    return std::string("\"") + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape +
           ",\"data_offsets\":" + offsets + "}";
  };
  std::string huge_len(8, '\0');
  huge_len[5] = 1;  // 2^40
  std::string rank65 = "[1";
  for (int d = 1; d < 65; ++d) rank65 += ",1";
  rank65 += "]";
  std::string past_end = std::string("\xc8\0\0\0\0\0\0\0", 8) + std::string(92, ' ');
  struct Case {
    const char* what;
    std::string bytes;
    const char* message;
  };
  const Case cases[] = {
      {"empty file", "", "shorter than the 8-byte header length"},
      {"5 bytes", "abcde", "shorter than the 8-byte header length"},
      {"header too long", huge_len + "{}", "exceeds the limit of 100000000 bytes"},
      {"header past the end", past_end, "runs past the end of the 100-byte file"},
      {"bad JSON", st_file("{\"w\":{\"dtype\":", ""), "invalid JSON"},
      {"not an object", st_file("[1,2]", ""), "the header is an array, not a JSON object"},
      {"invalid UTF-8", st_file("{\"\xff\":1}", ""), "invalid UTF-8"},
      {"duplicate name", st_file("{" + entry("w", "F32", "[2]", "[0,8]") + "," + entry("w", "F32", "[2]", "[8,16]") + "}", f32x4),
       "duplicate key 'w'"},
      {"unknown dtype", st_file("{" + entry("w", "F17", "[4]", "[0,16]") + "}", f32x4), "tensor 'w': dtype 'F17' is not supported"},
      {"unsupported dtype", st_file("{" + entry("w", "I32", "[4]", "[0,16]") + "}", f32x4), "tensor 'w': dtype 'I32'"},
      {"dtype not a string", st_file(R"({"w":{"dtype":4,"shape":[4],"data_offsets":[0,16]}})", f32x4), "dtype is a number"},
      {"shape/size mismatch", st_file("{" + entry("w", "F32", "[2,3]", "[0,16]") + "}", f32x4),
       "tensor 'w': shape [2, 3] of F32 needs 24 bytes but data_offsets [0, 16] hold 16"},
      {"negative extent", st_file("{" + entry("w", "F32", "[-4]", "[0,16]") + "}", f32x4), "shape entry '-4' is not a non-negative integer"},
      {"fractional extent", st_file("{" + entry("w", "F32", "[4.0]", "[0,16]") + "}", f32x4), "shape entry '4.0'"},
      {"shape overflow", st_file("{" + entry("w", "F32", "[4294967296,4294967296,0]", "[0,0]") + "}", ""), "overflow"},
      {"too many dimensions", st_file("{" + entry("w", "U8", rank65.c_str(), "[0,1]") + "}", "x"),
       "tensor 'w': shape has 65 dimensions (at most 64)"},
      {"shape not an array", st_file("{" + entry("w", "F32", "4", "[0,16]") + "}", f32x4), "shape is a number"},
      {"offsets reversed", st_file("{" + entry("w", "U8", "[0]", "[16,0]") + "}", f32x4), "end before they begin"},
      {"offsets not a pair", st_file("{" + entry("w", "F32", "[4]", "[0,16,32]") + "}", f32x4), "data_offsets must be an array [begin, end]"},
      {"offset not an integer", st_file("{" + entry("w", "F32", "[4]", "[0,\"16\"]") + "}", f32x4), "non-negative integers"},
      {"overlapping ranges",
       st_file("{" + entry("a", "F32", "[2]", "[0,8]") + "," + entry("b", "F32", "[3]", "[4,16]") + "}", f32x4),
       "tensor 'b' data_offsets [4, 16] overlap tensor 'a' [0, 8]"},
      {"identical ranges",
       st_file("{" + entry("a", "F32", "[4]", "[0,16]") + "," + entry("b", "F32", "[4]", "[0,16]") + "}", f32x4), "overlap"},
      {"gap between ranges",
       st_file("{" + entry("a", "F32", "[1]", "[0,4]") + "," + entry("b", "F32", "[2]", "[8,16]") + "}", f32x4),
       "bytes [4, 8) of the data section belong to no tensor (gap before tensor 'b')"},
      {"range outside the file", st_file("{" + entry("w", "F32", "[8]", "[0,32]") + "}", f32x4),
       "tensor 'w': data_offsets [0, 32] lie outside the data section, which holds 16 bytes"},
      {"trailing bytes", st_file("{" + entry("w", "F32", "[2]", "[0,8]") + "}", f32x4),
       "the last 8 bytes of the data section belong to no tensor"},
      {"entry not an object", st_file(R"({"w":3})", ""), "tensor 'w' is a number, not an object"},
      {"missing field", st_file(R"({"w":{"dtype":"F32","data_offsets":[0,16]}})", f32x4), "tensor 'w' lacks 'shape'"},
      {"unknown field", st_file(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16],"x":1}})", f32x4),
       "tensor 'w' has an unknown field 'x'"},
      {"metadata not strings", st_file(R"({"__metadata__":{"epoch":3}})", ""), "metadata 'epoch' is a number, not a string"},
      {"metadata not an object", st_file(R"({"__metadata__":[]})", ""), "'__metadata__' is an array"},
      {"deep nesting", st_file("{\"w\":" + std::string(1000, '['), ""), "nesting deeper"},
  };
  for (const auto& c : cases) {
    INFO(std::string(c.what));
    std::string msg = read_error(c.bytes);
    INFO(msg);
    CHECK(msg.find("safetensors 'bad.safetensors'") != std::string::npos);
    CHECK(msg.find(c.message) != std::string::npos);
  }
}

TEST_CASE("safetensors: every truncation and every flipped byte of a valid file is handled") {
  const std::string good = to_safetensors_bytes(every_kind(), {{"epoch", "3"}});
  for (size_t n = 0; n < good.size(); ++n) {
    CAPTURE(n);
    CHECK_THROWS_AS(read_safetensors(MemorySource(std::string_view(good).substr(0, n), "cut")), Error);
  }
  // A flipped byte may still leave a valid file (inside the data, or a digit
  // of a name); what matters is that nothing else than a pn::Error happens.
  size_t rejected = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x5A);
    try {
      read_safetensors(MemorySource(bad, "flipped"));
    } catch (const Error&) {
      ++rejected;
    }
  }
  CHECK(rejected > 100);  // every byte of the length and of the JSON syntax
}

TEST_CASE("safetensors: a missing file is an error naming it") {
  try {
    load_safetensors("/nonexistent/dir/model.safetensors");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("/nonexistent/dir/model.safetensors") != std::string::npos);
  }
}
