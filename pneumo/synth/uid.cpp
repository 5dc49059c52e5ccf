#include "pneumo/synth/uid.h"

#include "tensor/error.h"

namespace pn::synth {

ImageUids competition_uids(std::uint64_t n, std::uint64_t t, std::uint64_t r) {
  PN_CHECK(n >= 1 && r >= 2, "synth::competition_uids: need n >= 1 and r >= 2, got n ", n, ", r ", r);
  const std::string tail = ".8323329." + std::to_string(n) + "." + std::to_string(t) + ".";
  const std::string root = "1.2.276.0.7230010.3.1.";
  return {root + "2" + tail + std::to_string(r - 1), root + "3" + tail + std::to_string(r - 2),
          root + "4" + tail + std::to_string(r)};
}

}  // namespace pn::synth
