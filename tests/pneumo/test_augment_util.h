#pragma once
// Helpers of the augmentation tests: the committed albumentations reference
// files (tests/data/augment, written by tests/reference/make_augment_reference.py),
// a .npy reader, numpy's legacy RandomState (to feed ElasticTransform the
// reference's noise) and small image builders.
#include <doctest/doctest.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "nn/io/json.h"
#include "pneumo/augment/image.h"

namespace pn::augment::test {

namespace fs = std::filesystem;

inline fs::path augment_dir() { return fs::path(PN_TEST_DATA_DIR) / "augment"; }

inline std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  INFO("file ", path.string(), " (regenerate: tests/reference/make_augment_reference.py)");
  REQUIRE(in.good());
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

// A C-order .npy array of uint8 ('|u1'), float32 ('<f4') or float64 ('<f8');
// values are kept as double (exact for all three).
struct Npy {
  std::string descr;
  std::vector<std::int64_t> shape;
  std::vector<double> values;
};

inline Npy read_npy(const fs::path& path) {
  const std::string bytes = read_text(path);
  INFO("npy file ", path.string());
  REQUIRE(bytes.size() >= 10);
  REQUIRE(bytes.compare(0, 6, "\x93NUMPY") == 0);
  const int major = static_cast<unsigned char>(bytes[6]);
  std::size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    offset = 10;
  } else {
    REQUIRE(bytes.size() >= 12);
    for (int i = 0; i < 4; ++i) header_len |= static_cast<std::size_t>(static_cast<unsigned char>(bytes[8 + static_cast<std::size_t>(i)])) << (8 * i);
    offset = 12;
  }
  const std::string header = bytes.substr(offset, header_len);
  Npy npy;
  auto field = [&](const std::string& key) {
    const std::size_t k = header.find("'" + key + "'");
    REQUIRE(k != std::string::npos);
    return header.substr(header.find(':', k) + 1);
  };
  {
    const std::string d = field("descr");
    const std::size_t a = d.find('\''), b = d.find('\'', a + 1);
    npy.descr = d.substr(a + 1, b - a - 1);
  }
  REQUIRE(field("fortran_order").find("False") < field("fortran_order").find(','));
  {
    const std::string s = field("shape");
    const std::size_t a = s.find('('), b = s.find(')');
    std::string inner = s.substr(a + 1, b - a - 1);
    std::istringstream is(inner);
    std::string item;
    while (std::getline(is, item, ',')) {
      if (item.find_first_not_of(' ') == std::string::npos) continue;
      npy.shape.push_back(std::stoll(item));
    }
  }
  std::size_t n = 1;
  for (std::int64_t d : npy.shape) n *= static_cast<std::size_t>(d);
  const char* data = bytes.data() + offset + header_len;
  const std::size_t avail = bytes.size() - offset - header_len;
  npy.values.resize(n);
  if (npy.descr == "|u1") {
    REQUIRE(avail == n);
    for (std::size_t i = 0; i < n; ++i) npy.values[i] = static_cast<unsigned char>(data[i]);
  } else if (npy.descr == "<f4") {
    REQUIRE(avail == 4 * n);
    for (std::size_t i = 0; i < n; ++i) {
      float v;
      std::memcpy(&v, data + 4 * i, 4);
      npy.values[i] = v;
    }
  } else if (npy.descr == "<f8") {
    REQUIRE(avail == 8 * n);
    std::memcpy(npy.values.data(), data, 8 * n);
  } else {
    FAIL("unsupported npy dtype ", npy.descr);
  }
  return npy;
}

// A uint8 .npy array (H, W) or (H, W, C) as an Image.
inline Image npy_image(const Npy& npy) {
  REQUIRE(npy.descr == "|u1");
  REQUIRE((npy.shape.size() == 2 || npy.shape.size() == 3));
  Image image(static_cast<int>(npy.shape[1]), static_cast<int>(npy.shape[0]),
              npy.shape.size() == 3 ? static_cast<int>(npy.shape[2]) : 1);
  for (std::size_t i = 0; i < image.data.size(); ++i) image.data[i] = static_cast<std::uint8_t>(npy.values[i]);
  return image;
}

inline Image load_image(const std::string& name) { return npy_image(read_npy(augment_dir() / name)); }

inline nn::io::JsonValue read_manifest() {
  return nn::io::parse_json(read_text(augment_dir() / "manifest.json"), "tests/data/augment/manifest.json");
}

inline double json_number(const nn::io::JsonValue& v) {
  REQUIRE(v.type == nn::io::JsonValue::Type::Number);
  double out = 0;
  const auto r = std::from_chars(v.text.data(), v.text.data() + v.text.size(), out);
  REQUIRE(r.ec == std::errc());
  return out;
}

inline const nn::io::JsonValue& member(const nn::io::JsonValue& obj, const char* key) {
  const nn::io::JsonValue* v = obj.find(key);
  INFO("missing key ", key);
  REQUIRE(v != nullptr);
  return *v;
}

inline std::vector<double> json_numbers(const nn::io::JsonValue& v) {
  REQUIRE(v.type == nn::io::JsonValue::Type::Array);
  std::vector<double> out;
  for (const auto& item : v.items) out.push_back(json_number(item));
  return out;
}

// numpy's legacy RandomState(seed) for an integer seed: MT19937 seeded by
// init_genrand (what std::mt19937(seed) does), doubles from two draws.
class NumpyRandomState {
 public:
  explicit NumpyRandomState(std::uint32_t seed) : mt_(seed) {}
  double rand() {
    const std::uint32_t a = static_cast<std::uint32_t>(mt_()) >> 5, b = static_cast<std::uint32_t>(mt_()) >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }
  double uniform(double lo, double hi) { return lo + (hi - lo) * rand(); }

 private:
  std::mt19937 mt_;
};

// How many values differ, and by how much at most.
struct Diff {
  std::size_t count = 0;
  double max = 0;
};
inline Diff diff(const Image& a, const Image& b) {
  REQUIRE(a.width == b.width);
  REQUIRE(a.height == b.height);
  REQUIRE(a.channels == b.channels);
  Diff d;
  for (std::size_t i = 0; i < a.data.size(); ++i) {
    const int e = std::abs(int(a.data[i]) - int(b.data[i]));
    if (e != 0) ++d.count;
    d.max = std::max(d.max, double(e));
  }
  return d;
}

// An image with one bright disc of radius r at (cx, cy) on black, and its
// mask (255 inside): what the geometric tests move.
inline Sample disc_sample(int width, int height, double cx, double cy, double r, int channels = 1) {
  Sample s;
  s.image = Image(width, height, channels, 0);
  s.mask = Image(width, height, 1, 0);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) {
        for (int c = 0; c < channels; ++c) s.image.at(x, y, c) = 255;
        s.mask.at(x, y) = 255;
      }
    }
  }
  return s;
}

// Centroid of the pixels of channel 0 above `threshold` (count 0 when none).
struct Centroid {
  double x = 0, y = 0;
  std::size_t count = 0;
};
inline Centroid centroid(const Image& image, int threshold = 127) {
  Centroid c;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      if (image.at(x, y) > threshold) {
        c.x += x;
        c.y += y;
        ++c.count;
      }
    }
  }
  if (c.count) {
    c.x /= static_cast<double>(c.count);
    c.y /= static_cast<double>(c.count);
  }
  return c;
}

}  // namespace pn::augment::test
