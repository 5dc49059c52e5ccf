#include "pneumo/data/npy.h"

#include <cstring>
#include <limits>
#include <optional>

#include "pneumo/data/file_io.h"

namespace pn::data {

std::string encode_npy_header(const std::vector<int64_t>& shape, std::string_view descr) {
  std::string dims = "(";
  for (int64_t d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() > 1) dims.resize(dims.size() - 2);  // (3,) keeps its comma, (2, 3) does not
  if (shape.size() == 1) dims.pop_back();
  dims += ")";
  std::string header = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': " + dims + ", }";
  // Magic (6) + version (2) + header length (2) + header + '\n' is padded
  // with spaces to a multiple of 64 bytes, as NumPy writes it.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  PN_CHECK(header.size() <= 0xFFFF, "encode_npy_header: a ", shape.size(), "-dimensional shape makes a header of ",
           header.size(), " bytes, over the 65535 of format 1.0");
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  return out;
}

std::string encode_npy(const Tensor& t) {
  PN_CHECK(t.defined() && is_floating(t.dtype()), "encode_npy: needs a floating-point tensor");
  std::string out = encode_npy_header(t.shape(), "<f4");
  std::vector<float> values = t.to_vector<float>();
  out.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
  return out;
}

void write_npy(const std::filesystem::path& path, const Tensor& t) { write_file_atomic(path, encode_npy(t)); }

namespace {

// The header dict: a Python literal with string keys and string, boolean or
// tuple-of-integer values, which is all np.save writes.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, std::string_view where) : s_(text), where_(where) {}

  NpyHeader parse() {
    NpyHeader h;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    expect('{');
    while (!peek('}')) {
      const std::string key = quoted();
      expect(':');
      if (key == "descr") {
        once(seen_descr, key);
        h.descr = quoted();
      } else if (key == "fortran_order") {
        once(seen_order, key);
        h.fortran_order = boolean();
      } else if (key == "shape") {
        once(seen_shape, key);
        h.shape = tuple();
      } else {
        bad("unknown key '" + key + "'");
      }
      if (!peek('}')) expect(',');
    }
    expect('}');
    skip_spaces();
    PN_CHECK(pos_ == s_.size(), where_, ": .npy header has text after its dict");
    PN_CHECK(seen_descr && seen_order && seen_shape, where_,
             ": .npy header lacks one of 'descr', 'fortran_order', 'shape'");
    return h;
  }

 private:
  [[noreturn]] void bad(const std::string& what) const {
    fail(where_, ": malformed .npy header (", what, " at character ", pos_, "): ", s_);
  }
  void skip_spaces() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t')) ++pos_;
  }
  bool peek(char c) {
    skip_spaces();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  void expect(char c) {
    if (!peek(c)) bad(std::string("expected '") + c + "'");
    ++pos_;
  }
  void once(bool& seen, const std::string& key) {
    if (seen) bad("key '" + key + "' appears twice");
    seen = true;
  }
  std::string quoted() {
    skip_spaces();
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) bad("expected a quoted string");
    const char q = s_[pos_++];
    const size_t end = s_.find(q, pos_);
    if (end == std::string_view::npos) bad("unterminated string");
    std::string v(s_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return v;
  }
  bool boolean() {
    skip_spaces();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      if (s_.substr(pos_, std::strlen(word)) == word) {
        pos_ += std::strlen(word);
        return value;
      }
    }
    bad("expected True or False");
  }
  std::vector<int64_t> tuple() {
    std::vector<int64_t> dims;
    expect('(');
    while (!peek(')')) {
      int64_t v = 0;
      size_t digits = 0;
      for (; pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9'; ++pos_, ++digits) {
        if (v > (std::numeric_limits<int64_t>::max() - 9) / 10) bad("dimension too large");
        v = v * 10 + (s_[pos_] - '0');
      }
      if (digits == 0) bad("expected a non-negative integer");
      if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;  // Python 2 long
      dims.push_back(v);
      if (!peek(')')) expect(',');
    }
    expect(')');
    return dims;
  }

  std::string_view s_;
  std::string_view where_;
  size_t pos_ = 0;
};

}  // namespace

NpyHeader parse_npy_header(std::string_view bytes, std::string_view where) {
  PN_CHECK(bytes.size() >= 10 && bytes.substr(0, 6) == std::string_view("\x93NUMPY", 6), where,
           ": not a .npy array (no \\x93NUMPY magic)");
  const auto byte = [&](size_t i) { return static_cast<size_t>(static_cast<unsigned char>(bytes[i])); };
  const size_t major = byte(6);
  PN_CHECK(major >= 1 && major <= 3, where, ": .npy format version ", major, ".", byte(7), " is not supported");
  size_t length = 0, start = 0;
  if (major == 1) {
    length = byte(8) | byte(9) << 8;
    start = 10;
  } else {
    PN_CHECK(bytes.size() >= 12, where, ": truncated .npy header");
    length = byte(8) | byte(9) << 8 | byte(10) << 16 | byte(11) << 24;
    start = 12;
  }
  PN_CHECK(length <= bytes.size() - start, where, ": the .npy header of ", length, " bytes runs past the end (",
           bytes.size(), " bytes; truncated?)");
  NpyHeader h = HeaderParser(bytes.substr(start, length), where).parse();
  h.data_offset = start + length;
  return h;
}

}  // namespace pn::data
