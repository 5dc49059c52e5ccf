#include "nn/checkpoint.h"

#include <fstream>

#include "nn/io/torch_checkpoint.h"

namespace pn::nn {

namespace {

const char* const kOptimizer = "optimizer";
const char* const kScheduler = "scheduler";
const char* const kExtra = "extra.";

bool has_prefix(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

bool is_reserved(const std::string& key) {
  return has_prefix(key, std::string(kOptimizer) + ".") || has_prefix(key, std::string(kScheduler) + ".") ||
         has_prefix(key, kExtra);
}

// The entries of `all` whose key starts with prefix + ".", keys kept whole.
StateDict with_prefix(const StateDict& all, const std::string& prefix) {
  StateDict out;
  for (auto it = all.lower_bound(prefix + "."); it != all.end() && has_prefix(it->first, prefix + "."); ++it)
    out.insert(*it);
  return out;
}

}  // namespace

void save_checkpoint(const std::string& path, const Module& model, const optim::Optimizer* optimizer,
                     const sched::Scheduler* scheduler, const StateDict& extra, const io::Metadata& metadata) {
  StateDict all = model.state_dict();
  for (const auto& [key, t] : all)
    PN_CHECK(!is_reserved(key), "save_checkpoint: ", path, ": model key '", key,
             "' collides with the prefixes reserved for optimizer, scheduler and extra state");
  if (optimizer)
    for (auto& [k, t] : optimizer->state_dict(kOptimizer)) all[k] = t;
  if (scheduler)
    for (auto& [k, t] : scheduler->state_dict(kScheduler)) all[k] = t;
  for (const auto& [k, t] : extra) all[kExtra + k] = t;
  io::save_safetensors(path, all, metadata);
}

LoadedCheckpoint load_checkpoint(const std::string& path, Module& model, optim::Optimizer* optimizer,
                                 sched::Scheduler* scheduler) {
  io::SafetensorsContent content = io::load_safetensors(path);
  StateDict weights;
  LoadedCheckpoint out;
  out.metadata = content.metadata;
  for (const auto& [k, t] : content.tensors) {
    if (has_prefix(k, kExtra)) out.extra[k.substr(std::string(kExtra).size())] = t;
    else if (!is_reserved(k)) weights[k] = t;
  }
  StateDict opt_state = with_prefix(content.tensors, kOptimizer);
  StateDict sched_state = with_prefix(content.tensors, kScheduler);
  PN_CHECK(!optimizer || !opt_state.empty(), "load_checkpoint: ", path, " holds no optimizer state");
  PN_CHECK(!scheduler || !sched_state.empty(), "load_checkpoint: ", path, " holds no scheduler state");
  try {
    model.load_state_dict(weights, /*strict=*/true);
    if (optimizer) optimizer->load_state_dict(opt_state, kOptimizer);
    if (scheduler) scheduler->load_state_dict(sched_state, kScheduler);
  } catch (const Error& e) {
    fail("load_checkpoint: ", path, ": ", e.what());
  }
  return out;
}

StateDict load_weights(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  PN_CHECK(in.good(), "load_weights: cannot open ", path);
  unsigned char head[9] = {};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  in.close();
  // safetensors: an 8-byte header length, then the JSON header's '{'.
  // PyTorch: a zip archive ("PK"), or a legacy file opening with a pickle
  // (protocol opcode 0x80). Anything else is left to the safetensors reader,
  // whose error names the file.
  bool safetensors = head[8] == '{';
  if (!safetensors && ((head[0] == 'P' && head[1] == 'K') || head[0] == 0x80))
    return io::load_torch_checkpoint(path).state;
  StateDict weights;
  for (auto& [k, t] : io::load_safetensors(path).tensors)
    if (!is_reserved(k)) weights[k] = t;
  return weights;
}

}  // namespace pn::nn
