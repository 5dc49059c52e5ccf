// pneumo bench: the time of a training or inference step of one model, as
// one JSON line (bench/peer.py prints the same line for PyTorch, and
// bench/compare runs both). Besides the step's median time and images per
// second it gives the peak memory (host RSS, or device memory on a GPU), the
// step's FLOPs as 2 x the multiply-adds of direct convolutions and matrix
// products, the rate that makes, and on a known GPU the model-FLOPs
// utilisation (mfu): that rate over the card's dense peak for the precision.
// --mode load times the batch loader instead (apps/bench_loader.cpp).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <sstream>
#include <omp.h>

#include "apps/args.h"
#include "apps/commands.h"
#include "autograd/grad_mode.h"
#include "nn/losses.h"
#include "nn/optim/adam.h"
#include "pneumo/models/model_factory.h"
#include "tensor/backend.h"
#include "tensor/profiler.h"
#include "tensor/random.h"

namespace pn::apps {

namespace {

models::ModelSpec bench_model(const std::string& name) {
  models::ModelSpec spec;
  if (name == "albunet") {
    spec.class_name = "AlbuNet";
  } else if (name == "scseunet") {
    spec.class_name = "SCSEUnet";
    spec.args["seg_classes"] = int64_t{1};
  } else if (name == "resnet50") {
    spec.class_name = "Resnet";
    spec.args["seg_classes"] = int64_t{1};
    spec.args["backbone_arch"] = std::string("resnet50");
  } else {
    fail("option --model: expected albunet, scseunet or resnet50, got '", name, "'");
  }
  return spec;
}

// The card's dense (no sparsity) peak in TFLOP/s for a precision, from
// NVIDIA's data sheets, or 0 when the card is not listed (then no MFU is
// printed). H200 has the H100 SXM's compute.
double dense_peak_tflops(const std::string& device_name, const std::string& precision) {
  struct Card {
    const char* name_part;
    const char* not_part;  // a variant with other figures
    double fp32, tf32, bf16;
  };
  static constexpr Card kCards[] = {
      {"H200", nullptr, 66.9, 494.7, 989.4},
      {"H100", "PCIe", 66.9, 494.7, 989.4},  // SXM
      {"H100 PCIe", nullptr, 51.2, 378.0, 756.0},
      {"A100", nullptr, 19.5, 156.0, 312.0},
  };
  for (const Card& c : kCards) {
    if (device_name.find(c.name_part) == std::string::npos) continue;
    if (c.not_part && device_name.find(c.not_part) != std::string::npos) continue;
    return precision == "bf16" ? c.bf16 : precision == "tf32" ? c.tf32 : c.fp32;
  }
  return 0;
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

}  // namespace

int run_bench(int argc, char** argv) {
  for (int i = 0; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--mode" && std::string(argv[i + 1]) == "load") return run_bench_loader(argc, argv);
  Args args(argc, argv, 0, {"model", "size", "batch", "mode", "steps", "device", "threads", "precision"},
            {"profile"});
  std::string model_name = args.str("model", "albunet");
  int64_t size = args.integer("size", 256), batch = args.integer("batch", 2), steps = args.integer("steps", 5);
  std::string mode = args.str("mode", "train"), device = args.str("device", "cpu");
  std::string precision = args.str("precision", "fp32");
  PN_CHECK(mode == "train" || mode == "infer", "option --mode: expected train, infer or load, got '", mode, "'");
  PN_CHECK(device == "cpu" || device == "cuda", "option --device: expected cpu or cuda, got '", device, "'");
  PN_CHECK(precision == "fp32" || precision == "tf32" || precision == "bf16",
           "option --precision: expected fp32, tf32 or bf16, got '", precision, "'");
  PN_CHECK(precision != "bf16", "option --precision bf16: bf16 mixed precision is not implemented yet (fp32 or tf32)");
  const Device dev = device == "cuda" ? Device::cuda() : Device::cpu();
  Backend& be = backend(dev);
  PN_CHECK(precision != "tf32" || be.set_allow_tf32(true), "option --precision tf32: the ", device,
           " device has no TF32 math");
  PN_CHECK(size > 0 && batch > 0 && steps > 0, "options --size, --batch and --steps must be positive");
  int threads = static_cast<int>(args.integer("threads", omp_get_max_threads()));
  omp_set_num_threads(threads);

  auto model = models::build_model(bench_model(model_name)).model;
  model->to(dev);
  Generator gen(0);
  Tensor x = normal({batch, 3, size, size}, 0, 1, DType::Float32, dev, &gen);
  Tensor y = bernoulli({batch, 1, size, size}, 0.2, DType::Float32, dev, &gen);
  // GPU work is queued asynchronously: a step's time counts only once reading
  // one value back has waited for all of it.
  Tensor probe = model->parameters().back();
  auto finish = [&] {
    if (dev.is_cuda()) (void)probe.detach().flatten().slice(0, 1).item();
  };
  nn::optim::Adam adam(model->parameters(), nn::optim::AdamOptions{.lr = 1e-4});
  nn::ComboLoss loss({{"bce", 3}, {"dice", 1}, {"focal", 4}});
  if (mode == "train") model->train();
  else model->eval();

  auto step = [&] {
    if (mode == "infer") {
      NoGradGuard no_grad;
      sigmoid(model->forward(x));
      return;
    }
    adam.zero_grad();
    loss(model->forward(x), y).backward();
    adam.step();
  };
  auto timed_step = [&] {
    step();
    finish();
  };
  // Warm-up (first-touch allocations, packing buffers, cuDNN's algorithm
  // search), profiled for the step's FLOP count: 2 x the multiply-adds of
  // direct convolutions and matrix products, whatever algorithm ran.
  set_profiling(true);
  timed_step();
  const double flops = total_flops(profile_report());
  set_profiling(false);
  std::vector<double> times;
  for (int64_t s = 0; s < steps; ++s) {
    bool profile = args.has("profile") && s == steps - 1;
    if (profile) set_profiling(true);
    auto t0 = std::chrono::steady_clock::now();
    timed_step();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (profile) {
      set_profiling(false);
      std::cerr << format_profile(profile_report());
    }
  }
  std::sort(times.begin(), times.end());
  const double median = times[times.size() / 2];
  const std::string device_name = be.device_name();
  const double tflops = flops / median / 1e12, peak_tflops = dense_peak_tflops(device_name, precision);
  // On the host, the resident peak (tensors, kernels' scratch, the C
  // library's free lists) is what the machine pays; the tensors' own peak
  // says how much of it the framework's bookkeeping could still win.
  const double tensor_peak_mb = static_cast<double>(be.memory().peak) / (1 << 20);
  const double peak_mb = dev.is_cuda() ? tensor_peak_mb : peak_rss_mb();
  std::ostringstream mfu;  // model-FLOPs utilisation: the share of the card's peak
  if (peak_tflops > 0) mfu << tflops / peak_tflops;
  else mfu << "null";
  std::cout << "{\"impl\": \"pneumo\", \"model\": \"" << model_name << "\", \"size\": " << size
            << ", \"batch\": " << batch << ", \"mode\": \"" << mode << "\", \"device\": \"" << device
            << "\", \"threads\": " << threads << ", \"precision\": \"" << precision << "\", \"steps\": " << steps
            << ", \"median_s\": " << median << ", \"images_per_s\": " << static_cast<double>(batch) / median
            << ", \"peak_mem_mb\": " << peak_mb << ", \"tensor_peak_mb\": " << tensor_peak_mb
            << ", \"gflop_per_step\": " << flops / 1e9
            << ", \"tflops\": " << tflops << ", \"mfu\": " << mfu.str() << ", \"device_name\": \""
            << device_name << "\"}" << std::endl;
  return 0;
}

}  // namespace pn::apps
