#include "pneumo/data/file_io.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "tensor/error.h"

namespace pn::data {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace

std::string read_file(const std::filesystem::path& path, std::size_t max_bytes) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  PN_CHECK(!ec && std::filesystem::exists(status), "cannot read ", path.string(),
           ": no such file");
  PN_CHECK(std::filesystem::is_regular_file(status), "cannot read ", path.string(),
           ": not a regular file");
  const auto size = std::filesystem::file_size(path, ec);
  PN_CHECK(!ec, "cannot read ", path.string(), ": ", ec.message());
  PN_CHECK(size <= max_bytes, "cannot read ", path.string(), ": ", size,
           " bytes is more than the limit of ", max_bytes);
  std::ifstream in(path, std::ios::binary);
  PN_CHECK(in.is_open(), "cannot open ", path.string(), ": ", errno_text(errno));
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  PN_CHECK(static_cast<std::size_t>(in.gcount()) == bytes.size(), "cannot read ", path.string(),
           ": short read (", in.gcount(), " of ", bytes.size(), " bytes)");
  return bytes;
}

void write_file_atomic(const std::filesystem::path& path, std::string_view bytes,
                       nn::io::Durability durability) {
  // One implementation of atomic writes serves the whole project.
  nn::io::write_file_atomic(path.string(), bytes, durability);
}

}  // namespace pn::data
