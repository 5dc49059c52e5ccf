#include "pneumo/data/npy.h"

#include <cstring>

#include "pneumo/data/file_io.h"

namespace pn::data {

std::string encode_npy(const Tensor& t) {
  PN_CHECK(t.defined() && is_floating(t.dtype()), "encode_npy: needs a floating-point tensor");
  std::string shape = "(";
  for (int64_t d : t.shape()) shape += std::to_string(d) + ", ";
  if (t.dim() > 1) shape.resize(shape.size() - 2);  // (3,) keeps its comma, (2, 3) does not
  if (t.dim() == 1) shape.pop_back();
  shape += ")";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  // Magic (6) + version (2) + header length (2) + header + '\n' is padded
  // with spaces to a multiple of 64 bytes, as NumPy writes it.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  std::vector<float> values = t.to_vector<float>();
  out.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
  return out;
}

void write_npy(const std::filesystem::path& path, const Tensor& t) { write_file_atomic(path, encode_npy(t)); }

}  // namespace pn::data
