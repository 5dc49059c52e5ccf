// Probability maps in .npz archives (what `pneumo search` and `submit` read):
// the zip directory, then every array. The reader takes a path, so each input
// goes through a file in memory-backed /dev/shm.
#include <unistd.h>

#include <fstream>
#include <string>

#include "fuzz_main.h"
#include "pneumo/data/npz.h"
PN_FUZZ_TARGET({
  static const std::string path = "/dev/shm/pn_fuzz_" + std::to_string(::getpid()) + ".npz";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  pn::data::NpzReader reader(path);
  for (const std::string& name : reader.names()) {
    try {
      reader.read(name);
    } catch (const pn::Error&) {
    }
  }
})
