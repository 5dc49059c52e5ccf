#pragma once
// Shared helpers of the pneumo data tests: where the test files are, scratch
// folders, and small parsers for the committed reference files.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "pneumo/data/image.h"

namespace pn::data::test {

namespace fs = std::filesystem;

// tests/data/pneumo: the committed reference files.
inline fs::path data_dir() { return fs::path(PN_TEST_DATA_DIR) / "pneumo"; }

// A folder of external test inputs: the environment variable `env` when set,
// else `fallback`.  The tests that need it FAIL (never skip) when it is
// missing, saying what to install or set.
inline fs::path external_dir(const char* env, const fs::path& fallback, const char* what) {
  const char* e = std::getenv(env);
  const fs::path dir = e && *e ? fs::path(e) : fallback;
  INFO(what, " expected at ", dir.string(), " (set ", env, " to another folder)");
  REQUIRE(fs::is_directory(dir));
  return dir;
}

// pydicom's real DICOM test files (Debian package python3-pydicom).
inline fs::path pydicom_dir() {
  return external_dir("PN_PYDICOM_TEST_FILES",
                      "/usr/lib/python3/dist-packages/pydicom/data/test_files",
                      "pydicom's test files (apt-get install python3-pydicom)");
}

// The competition's real CSV files: ../shared/reference next to the checkout.
inline fs::path reference_dir() {
  return external_dir("PN_REFERENCE_DIR",
                      fs::path(PN_TEST_DATA_DIR) / ".." / ".." / ".." / "shared" / "reference",
                      "the competition's reference files (folds/, input/)");
}

// A fresh, empty scratch folder, removed when the object goes away.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> n{0};
    path_ = fs::temp_directory_path() /
            ("pn_data_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

inline void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

inline std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

// The lines of a reference file, without '#' comments and blank lines; a
// missing file fails the test.
inline std::vector<std::string> reference_lines(const fs::path& path) {
  std::ifstream in(path);
  INFO("reference file ", path.string(), " (regenerate: tools/make_pneumo_reference.py)");
  REQUIRE(in.is_open());
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    lines.push_back(line);
  }
  return lines;
}

// "key rest of line" -> rest (after the first space; "" when none).
inline std::string rest_after_key(const std::string& line, const std::string& key) {
  INFO("line: ", line);
  REQUIRE(line.compare(0, key.size(), key) == 0);
  return line.size() > key.size() + 1 ? line.substr(key.size() + 1) : std::string();
}

inline std::vector<std::string> split_words(const std::string& s) {
  std::istringstream is(s);
  std::vector<std::string> out;
  std::string w;
  while (is >> w) out.push_back(w);
  return out;
}

// A mask from "0110/1000/..." rows (top row first), values 0/255.
inline GrayImage mask_from_rows(const std::string& rows, int width, int height) {
  GrayImage m(width, height, 0);
  int x = 0, y = 0;
  for (char c : rows) {
    if (c == '/') {
      REQUIRE(x == width);
      ++y;
      x = 0;
      continue;
    }
    REQUIRE(y < height);
    REQUIRE(x < width);
    m.at(x, y) = c == '1' ? 255 : 0;
    ++x;
  }
  REQUIRE(y == height - 1);
  return m;
}

// doctest's substring matcher for exception messages, from any string.
inline doctest::Contains has(const std::string& text) { return doctest::Contains(text.c_str()); }

// Largest absolute difference between two images of the same size.
inline int max_abs_diff(const GrayImage& a, const GrayImage& b) {
  REQUIRE(a.width == b.width);
  REQUIRE(a.height == b.height);
  int worst = 0;
  for (std::size_t i = 0; i < a.pixels.size(); ++i) {
    worst = std::max(worst, std::abs(int(a.pixels[i]) - int(b.pixels[i])));
  }
  return worst;
}

}  // namespace pn::data::test
