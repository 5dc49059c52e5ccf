#include "apps/device_option.h"

#include "tensor/backend.h"
#include "tensor/error.h"

namespace pn::apps {

Device pick_device(const std::string& flag_value, const std::string& config_value, const std::string& config_where) {
  const std::string& name = flag_value.empty() ? config_value : flag_value;
  const std::string from = flag_value.empty() ? config_where + ": DEVICE " : "option --device ";
  if (name == "cpu") return Device::cpu();
  const bool indexed = name.size() > 5 && name.rfind("cuda:", 0) == 0 &&
                       name.find_first_not_of("0123456789", 5) == std::string::npos && name.size() < 9;
  PN_CHECK(name == "cuda" || indexed, from, "'", name, "': expected cpu, cuda or cuda:N");
  PN_CHECK(has_backend(DeviceType::CUDA), from, "'", name,
           "': this build has no CUDA backend or no GPU is present; run with --device cpu");
  const int index = indexed ? std::stoi(name.substr(5)) : 0;
  return Device::cuda(index);
}

}  // namespace pn::apps
