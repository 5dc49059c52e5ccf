// Optimizer updates and a whole training step of a small conv net on the GPU,
// against the CPU (CTest: cuda/device).
#include <doctest/doctest.h>

#include <limits>

#include "autograd/ops.h"
#include "harness.h"
#include "nn/optim/adam.h"
#include "nn/optim/clip_grad.h"
#include "nn/optim/sgd.h"
#include "ops/conv_args.h"
#include "tensor/random.h"

using namespace pn;
using pn::test::conv_args;
using pn::test::random_input;
using pn::test::relative_error;

namespace {

const Device kCuda = Device::cuda();

std::vector<Tensor> leaves_on(const std::vector<Tensor>& cpu, Device d) {
  std::vector<Tensor> out;
  for (const Tensor& t : cpu) {
    Tensor x = t.detach().to(d);
    if (d.is_cpu()) x = x.clone();
    out.push_back(x.set_requires_grad(true));
  }
  return out;
}

// conv-bn-relu, max-pool, conv-relu, bilinear upsample, skip concat, 1x1
// conv to logits, BCE: the layers of the segmentation U-Nets in miniature.
// Returns the loss of each of `steps` Adam steps and leaves the parameters
// trained.
std::vector<double> train(std::vector<Tensor>& p, Tensor& running_mean, Tensor& running_var, const Tensor& x,
                          const Tensor& y, int steps) {
  nn::optim::Adam adam(p, nn::optim::AdamOptions{.lr = 1e-2, .weight_decay = 1e-4});
  std::vector<double> losses;
  for (int s = 0; s < steps; ++s) {
    adam.zero_grad();
    Tensor h = relu(batch_norm(conv2d(x, p[0], p[1], conv_args({1, 1}, {1, 1})), p[2], p[3], running_mean,
                               running_var, true));
    Tensor d = relu(conv2d(max_pool2d(h, Pool2dArgs{}), p[4], Tensor(), conv_args({1, 1}, {1, 1})));
    Tensor u = upsample2d(d, 2, UpsampleMode::Bilinear);
    Tensor logits = conv2d(concat({h, u}, 1), p[5], p[6]);
    Tensor loss = binary_cross_entropy_with_logits(logits, y);
    loss.backward();
    adam.step();
    losses.push_back(loss.item());
  }
  return losses;
}

}  // namespace

TEST_CASE("Adam, AdamW (amsgrad) and SGD (nesterov) updates on the GPU equal the CPU's") {
  for (DType t : {DType::Float32, DType::Float64}) {
    CAPTURE(t);
    double tol = t == DType::Float32 ? 1e-6 : 1e-13;
    Tensor p0 = random_input({257, 3}, t, 1, -1, 1, false), g0 = random_input({257, 3}, t, 2, -1, 1, false);
    auto run = [&](Device d, int which) {
      Tensor p = p0.to(d).clone().set_requires_grad(true);
      p.set_grad(g0.to(d).clone());
      if (which == 0) {
        nn::optim::Adam o({p}, {.lr = 0.01, .weight_decay = 0.1});
        for (int i = 0; i < 3; ++i) o.step();
      } else if (which == 1) {
        nn::optim::AdamW o({p}, {.lr = 0.01, .weight_decay = 0.1, .amsgrad = true});
        for (int i = 0; i < 3; ++i) o.step();
      } else {
        nn::optim::SGD o({p}, {.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01, .nesterov = true});
        for (int i = 0; i < 3; ++i) o.step();
      }
      return p.to_vector<double>();
    };
    for (int which = 0; which < 3; ++which) {
      CAPTURE(which);
      CHECK(relative_error(run(kCuda, which), run(Device::cpu(), which)) <= tol);
    }
  }
}

TEST_CASE("clip_grad_norm on the GPU equals the CPU's, for every norm type") {
  for (double p : {2.0, 1.0, 3.0, std::numeric_limits<double>::infinity()}) {
    CAPTURE(p);
    auto run = [&](Device d) {
      std::vector<Tensor> params;
      for (uint64_t seed : {1, 2}) {
        Tensor w = random_input({300, 7}, DType::Float32, seed, -1, 1, false).to(d).set_requires_grad(true);
        w.set_grad(random_input({300, 7}, DType::Float32, seed + 10, -1, 1, false).to(d));
        params.push_back(w);
      }
      double total = nn::optim::clip_grad_norm(params, 0.5, p);
      std::vector<double> g = params[0].grad().to_vector<double>();
      g.push_back(total);
      return g;
    };
    CHECK(relative_error(run(kCuda), run(Device::cpu())) <= 1e-6);
  }
}

TEST_CASE("a training step of a small conv net on the GPU matches the CPU") {
  for (DType t : {DType::Float32, DType::Float64}) {
    CAPTURE(t);
    const double tol = t == DType::Float32 ? 1e-4 : 1e-9;
    std::vector<Tensor> init = {random_input({8, 3, 3, 3}, t, 10, -0.3, 0.3, false),
                                random_input({8}, t, 11, -0.1, 0.1, false),
                                random_input({8}, t, 12, 0.8, 1.2, false),
                                random_input({8}, t, 13, -0.1, 0.1, false),
                                random_input({8, 8, 3, 3}, t, 14, -0.2, 0.2, false),
                                random_input({1, 16, 1, 1}, t, 15, -0.3, 0.3, false),
                                random_input({1}, t, 16, -0.1, 0.1, false)};
    Tensor x = random_input({2, 3, 16, 16}, t, 17, -1, 1, false);
    Tensor y = gt(random_input({2, 1, 16, 16}, t, 18, 0, 1, false), scalar_tensor(0.7, t)).to(t);

    std::vector<Tensor> p_cpu = leaves_on(init, Device::cpu()), p_gpu = leaves_on(init, kCuda);
    Tensor rm_cpu = zeros({8}, t), rv_cpu = ones({8}, t);
    Tensor rm_gpu = zeros({8}, t, kCuda), rv_gpu = ones({8}, t, kCuda);
    std::vector<double> loss_cpu = train(p_cpu, rm_cpu, rv_cpu, x, y, 3);
    std::vector<double> loss_gpu = train(p_gpu, rm_gpu, rv_gpu, x.to(kCuda), y.to(kCuda), 3);
    CHECK(relative_error(loss_gpu, loss_cpu) <= tol);
    CHECK(loss_cpu.back() < loss_cpu.front());  // it trains at all
    for (size_t i = 0; i < p_cpu.size(); ++i) {
      CAPTURE(i);
      CHECK(relative_error(p_gpu[i].to_vector<double>(), p_cpu[i].to_vector<double>()) <= tol);
    }
    CHECK(relative_error(rv_gpu.to_vector<double>(), rv_cpu.to_vector<double>()) <= tol);
  }
}
