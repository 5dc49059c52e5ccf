#pragma once
// The device a command runs on: the --device flag when given, else the
// configuration's DEVICE; "cuda" without a CUDA backend is an error that says
// how to run on the CPU instead.
#include <string>

#include "tensor/device.h"

namespace pn::apps {

Device pick_device(const std::string& flag_value, const std::string& config_value, const std::string& config_where);

}  // namespace pn::apps
