// .npz result files: round trips, float16 rounding, archives written by
// NumPy (tests/reference/make_post_reference.py), damaged files.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "error_text.h"
#include "post_test_util.h"
#include "pneumo/data/npy.h"
#include "pneumo/data/npz.h"

namespace pn::data {

using namespace pn::post::test;
using pn::test::check_message;
using pn::test::error_of;

namespace {

struct Expected {
  std::string dtype;
  Shape shape;
  std::vector<float> values;
};

// npz_numpy.txt: "name dtype ndim dims... values...", values as float32.
std::map<std::string, Expected> expected_arrays(std::vector<std::string>* order) {
  std::map<std::string, Expected> out;
  for (const std::string& line : reference_lines(post_dir() / "npz_numpy.txt")) {
    const auto w = split_words(line);
    REQUIRE(w.size() >= 3);
    Expected e;
    e.dtype = w[1];
    const size_t ndim = std::stoul(w[2]);
    for (size_t i = 0; i < ndim; ++i) e.shape.push_back(std::stoll(w[3 + i]));
    for (size_t i = 3 + ndim; i < w.size(); ++i) e.values.push_back(static_cast<float>(std::stod(w[i])));
    order->push_back(w[0]);
    out[w[0]] = e;
  }
  return out;
}

void check_same(const Tensor& t, const std::vector<float>& values) {
  const std::vector<float> got = t.to_vector<float>();
  REQUIRE(got.size() == values.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element ", i);
    CHECK(got[i] == values[i]);
  }
}

}  // namespace

TEST_CASE("npz: round trip of float32 and float64 arrays of any shape") {
  TempDir dir;
  const fs::path file = dir / "maps.npz";
  const Tensor a = from_vector<float>({0.f, 0.25f, -1.5f, 3e-39f, 1e30f, 7.f}, {2, 3});
  const Tensor b = from_vector<double>({0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8}, {2, 2, 2});
  const Tensor s = from_vector<float>({42.f}, Shape{});
  const Tensor e = zeros({0, 4});
  {
    NpzWriter w(file);
    w.add("1.2.276.0.7230010.3.1.4.8323329.5597.1517875188.959090", a);
    w.add("b", b);
    w.add("scalar", s);
    w.add("empty", e);
    CHECK(w.count() == 4);
    CHECK_FALSE(fs::exists(file));  // nothing appears before finish()
    w.finish();
  }
  NpzReader r(file);
  CHECK(r.names() ==
        std::vector<std::string>{"1.2.276.0.7230010.3.1.4.8323329.5597.1517875188.959090", "b", "scalar", "empty"});
  CHECK(r.has("b"));
  CHECK_FALSE(r.has("b.npy"));
  const Tensor a2 = r.read("1.2.276.0.7230010.3.1.4.8323329.5597.1517875188.959090");
  CHECK(a2.shape() == Shape{2, 3});
  CHECK(a2.dtype() == DType::Float32);
  check_same(a2, a.to_vector<float>());
  const Tensor b2 = r.read("b");
  CHECK(b2.shape() == Shape{2, 2, 2});
  check_same(b2, b.to_vector<float>());  // float64 is stored as float32
  CHECK(r.read("scalar").shape() == Shape{});
  CHECK(r.read("scalar").item() == 42.0);
  CHECK(r.read("empty").shape() == Shape{0, 4});
  check_message(error_of([&] { r.read("missing"); }), {"maps.npz", "no array named 'missing'"});
}

TEST_CASE("npz: a writer without finish() leaves the previous file and no temporary") {
  TempDir dir;
  const fs::path file = dir / "r.npz";
  {
    NpzWriter w(file);
    w.add("x", zeros({2}));
    w.finish();
  }
  const std::string before = read_bytes(file);
  {
    NpzWriter w(file);
    w.add("y", ones({3}));
  }
  CHECK(read_bytes(file) == before);
  size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) ++files;
  CHECK(files == 1);
}

TEST_CASE("npz: bad arrays and names are refused") {
  TempDir dir;
  NpzWriter w(dir / "r.npz");
  w.add("x", zeros({2}));
  check_message(error_of([&] { w.add("x", zeros({2})); }), {"r.npz", "'x'", "already added"});
  check_message(error_of([&] { w.add("a/b", zeros({2})); }), {"'a/b'", "may not contain"});
  check_message(error_of([&] { w.add("", zeros({2})); }), {"non-empty name"});
  check_message(error_of([&] { w.add("u", zeros({2}, DType::UInt8)); }), {"'u'", "float32 or float64"});
  check_message(error_of([&] { w.add("n", Tensor()); }), {"'n'", "undefined"});
  w.finish();
  check_message(error_of([&] { w.add("z", zeros({2})); }), {"after finish"});
  check_message(error_of([] { NpzWriter bad("/nonexistent-folder/r.npz"); }), {"/nonexistent-folder/r.npz"});
}

TEST_CASE("npz: reads what np.savez wrote") {
  std::vector<std::string> order;
  const auto expected = expected_arrays(&order);
  NpzReader r(post_dir() / "npz_numpy.npz");
  CHECK(r.names() == order);
  for (const std::string& name : order) {
    INFO("array ", name);
    const Expected& e = expected.at(name);
    const Tensor t = r.read(name);
    CHECK(t.shape() == e.shape);
    check_same(t, e.values);
  }
}

TEST_CASE("npz: float16 storage rounds as NumPy's astype(np.float16)") {
  NpzReader numpy_file(post_dir() / "npz_numpy.npz");
  const Tensor input = numpy_file.read("float16_input");
  const std::vector<float> rounded_by_numpy = numpy_file.read("float16_rounding").to_vector<float>();
  TempDir dir;
  const fs::path file = dir / "half.npz";
  NpzWriter w(file, NpzDtype::Float16);
  w.add("h", input);
  w.finish();
  const std::vector<float> ours = NpzReader(file).read("h").to_vector<float>();
  const std::vector<float> in = input.to_vector<float>();
  REQUIRE(ours.size() == rounded_by_numpy.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    INFO("input ", in[i]);
    CHECK(std::signbit(ours[i]) == std::signbit(rounded_by_numpy[i]));
    CHECK(ours[i] == rounded_by_numpy[i]);
  }
  // Half the bytes of float32 for the data.
  const auto half_size = fs::file_size(file);
  NpzWriter w32(dir / "full.npz");
  w32.add("h", input);
  w32.finish();
  CHECK(fs::file_size(dir / "full.npz") - half_size == 2 * static_cast<uintmax_t>(input.numel()));
}

TEST_CASE("npz: compressed and unsupported arrays are refused with the reason") {
  NpzReader compressed(post_dir() / "npz_compressed.npz");
  CHECK(compressed.names() == std::vector<std::string>{"a"});
  check_message(error_of([&] { compressed.read("a"); }),
                {"npz_compressed.npz", "'a'", "compressed", "np.savez_compressed", "np.savez"});
  NpzReader unsupported(post_dir() / "npz_unsupported.npz");
  check_message(error_of([&] { unsupported.read("fortran"); }), {"'fortran'", "Fortran"});
  check_message(error_of([&] { unsupported.read("big_endian"); }), {"'big_endian'", "'>f4'"});
  check_message(error_of([&] { unsupported.read("integers"); }), {"'integers'", "'<i4'"});
}

TEST_CASE("npz: missing, truncated, corrupt and foreign files give errors naming them") {
  TempDir dir;
  const fs::path good = dir / "good.npz";
  {
    NpzWriter w(good);
    w.add("a", full({64, 64}, 0.5));
    w.add("b", full({64, 64}, 0.25));
    w.finish();
  }
  const std::string bytes = read_bytes(good);
  check_message(error_of([&] { NpzReader r(dir / "absent.npz"); }), {"absent.npz"});

  const fs::path cut = dir / "cut.npz";
  write_bytes(cut, bytes.substr(0, bytes.size() / 2));
  check_message(error_of([&] { NpzReader r(cut); }), {"cut.npz", "truncated"});

  const fs::path flipped = dir / "flipped.npz";
  std::string damaged = bytes;
  damaged[200] = static_cast<char>(damaged[200] ^ 0x55);  // inside the data of "a"
  write_bytes(flipped, damaged);
  NpzReader r(flipped);
  check_message(error_of([&] { r.read("a"); }), {"flipped.npz", "'a.npy'", "corrupt"});
  CHECK(r.read("b").to_vector<float>()[0] == 0.25f);

  const fs::path text = dir / "text.npz";
  write_bytes(text, "ImageId,EncodedPixels\nx,-1\n");
  check_message(error_of([&] { NpzReader t(text); }), {"text.npz", "not an .npz"});
}

TEST_CASE("npz: 65536 entries switch to zip64 records") {
  TempDir dir;
  const fs::path file = dir / "many.npz";
  const int n = 65536;
  {
    NpzWriter w(file);
    for (int i = 0; i < n; ++i) w.add(std::to_string(i), full({1}, i));
    w.finish();
  }
  const std::string bytes = read_bytes(file);
  // The classic end record saturates its counts; the zip64 record holds them.
  CHECK(bytes.find(std::string("PK\x06\x06", 4)) != std::string::npos);
  CHECK(bytes.find(std::string("PK\x06\x07", 4)) != std::string::npos);
  NpzReader r(file);
  REQUIRE(r.names().size() == static_cast<size_t>(n));
  CHECK(r.names()[65535] == "65535");
  CHECK(r.read("65535").item() == 65535.0);
  CHECK(r.read("0").item() == 0.0);
}

// tools/check_npz_numpy.py runs this with PN_NPZ_EXPORT_DIR set and checks
// with np.load that NumPy reads the files as written; without it, nothing.
TEST_CASE("npz: files for the NumPy check") {
  const char* out = std::getenv("PN_NPZ_EXPORT_DIR");
  if (!out || !*out) return;
  const fs::path dir(out);
  std::vector<float> ramp(12);
  for (size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<float>(i) / 7.f;
  for (NpzDtype dtype : {NpzDtype::Float32, NpzDtype::Float16}) {
    NpzWriter w(dir / (dtype == NpzDtype::Float32 ? "ours_f4.npz" : "ours_f2.npz"), dtype);
    w.add("ramp", from_vector<float>(ramp, {3, 4}));
    w.add("1.2.276.0.7230010.3.1.4.8323329.5597.1517875188.959090", full({2, 2, 2}, 0.1));
    w.add("scalar", from_vector<float>({42.f}, Shape{}));
    w.add("empty", zeros({0, 4}));
    w.finish();
  }
  NpzWriter many(dir / "ours_many.npz");
  for (int i = 0; i < 65536; ++i) many.add(std::to_string(i), full({1}, i));
  many.finish();
}

TEST_CASE("npz: result paths of the reference's configs") {
  CHECK(npz_path_for("experiments/albunet_valid/result_top3.pkl") == "experiments/albunet_valid/result_top3.npz");
  CHECK(npz_path_for("result.npz") == "result.npz");
  CHECK(npz_path_for("/abs/result.pickle") == "/abs/result.pickle");
  CHECK(npz_path_for("pkl") == "pkl");
}

TEST_CASE("npy headers: versions, key order and malformed dicts") {
  const std::string v1 = encode_npy_header({2, 3}, "<f2");
  CHECK(v1.size() % 64 == 0);
  NpyHeader h = parse_npy_header(v1, "x");
  CHECK(h.descr == "<f2");
  CHECK(h.shape == std::vector<int64_t>{2, 3});
  CHECK(h.data_offset == v1.size());
  CHECK(parse_npy_header(encode_npy_header({}, "<f4"), "x").shape.empty());
  CHECK(parse_npy_header(encode_npy_header({5}, "<f4"), "x").shape == std::vector<int64_t>{5});

  auto v2 = [](const std::string& dict) {
    std::string s("\x93NUMPY\x02\x00", 8);
    const size_t n = dict.size();
    for (int i = 0; i < 4; ++i) s += static_cast<char>((n >> (8 * i)) & 0xFF);
    return s + dict;
  };
  h = parse_npy_header(v2("{\"shape\": (4, 1), 'fortran_order': True, 'descr': '<f8'}\n"), "x");
  CHECK(h.descr == "<f8");
  CHECK(h.fortran_order);
  CHECK(h.shape == std::vector<int64_t>{4, 1});
  CHECK(h.data_offset == 12 + 57);

  check_message(error_of([] { parse_npy_header("PK\x03\x04xxxxxxxx", "f.npz: array 'a'"); }),
                {"f.npz: array 'a'", "magic"});
  check_message(error_of([&] { parse_npy_header(v2("{'descr': '<f4', 'shape': (1,)}"), "w"); }), {"w", "lacks"});
  check_message(error_of([&] { parse_npy_header(v2("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}"), "w"); }),
                {"w", "non-negative integer"});
  check_message(error_of([&] { parse_npy_header(v2("{'descr': '<f4', 'descr': '<f4'}"), "w"); }), {"twice"});
  check_message(error_of([&] { parse_npy_header(v2("{'descr': '<f4', 'fortran_order': Maybe}"), "w"); }),
                {"True or False"});
  std::string cut = v1.substr(0, 20);
  check_message(error_of([&] { parse_npy_header(cut, "w"); }), {"w", "past the end"});
  std::string v9 = v1;
  v9[6] = 9;
  check_message(error_of([&] { parse_npy_header(v9, "w"); }), {"version 9"});
}

}  // namespace pn::data
