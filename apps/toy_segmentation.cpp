#include "apps/toy_segmentation.h"

#include "apps/commands.h"

#include <cmath>
#include <iomanip>
#include <iostream>
#include <vector>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "tensor/random.h"

namespace pn::apps {

namespace {

// A batch of images [N,1,S,S] with one bright disc each on Gaussian noise, and
// the disc masks [N,1,S,S] as targets.
void make_batch(int64_t n, int64_t size, Generator& gen, Tensor& images, Tensor& masks) {
  std::vector<double> centre = uniform({n, 3}, 0, 1, DType::Float64, Device::cpu(), &gen).to_vector<double>();
  Tensor noise = normal({n, 1, size, size}, 0, 0.35, DType::Float32, Device::cpu(), &gen);
  std::vector<float> img = noise.to_vector<float>(), msk(img.size());
  for (int64_t b = 0; b < n; ++b) {
    double cy = size * (0.25 + 0.5 * centre[static_cast<size_t>(b * 3)]);
    double cx = size * (0.25 + 0.5 * centre[static_cast<size_t>(b * 3 + 1)]);
    double r = size * (0.1 + 0.15 * centre[static_cast<size_t>(b * 3 + 2)]);
    for (int64_t y = 0; y < size; ++y)
      for (int64_t x = 0; x < size; ++x) {
        size_t i = static_cast<size_t>((b * size + y) * size + x);
        bool inside = (y - cy) * (y - cy) + (x - cx) * (x - cx) < r * r;
        msk[i] = inside ? 1.0f : 0.0f;
        img[i] += inside ? 1.0f : 0.0f;
      }
  }
  images = from_vector(img, {n, 1, size, size});
  masks = from_vector(msk, {n, 1, size, size});
}

// PyTorch's default Conv2d initialisation: uniform in +-1/sqrt(fan_in) for the
// bias, and (kaiming-uniform with a = sqrt(5)) the same bound for the weight.
Tensor init_param(const Shape& shape, int64_t fan_in, Generator& gen) {
  double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  Tensor t = uniform(shape, -bound, bound, DType::Float32, Device::cpu(), &gen);
  t.set_requires_grad(true);
  return t;
}

}  // namespace

ToyResult train_toy_segmentation(const ToyOptions& o, std::ostream& log) {
  Generator gen(o.seed);
  const int64_t width = 8;
  std::vector<Tensor> params = {
      init_param({width, 1, 3, 3}, 9, gen),          init_param({width}, 9, gen),
      init_param({width, width, 3, 3}, 9 * width, gen), init_param({width}, 9 * width, gen),
      init_param({1, width, 1, 1}, width, gen),      init_param({1}, width, gen)};
  Conv2dArgs same;
  same.padding[0] = same.padding[1] = 1;
  auto forward = [&](const Tensor& x) {
    Tensor h = relu(conv2d(x, params[0], params[1], same));
    h = relu(conv2d(h, params[2], params[3], same));
    return conv2d(h, params[4], params[5]);
  };

  ToyResult result;
  for (int64_t step = 0; step < o.steps; ++step) {
    Tensor images, masks;
    make_batch(o.batch, o.size, gen, images, masks);
    Tensor loss = binary_cross_entropy_with_logits(forward(images), masks);
    for (Tensor& p : params) p.set_grad(Tensor());
    loss.backward();
    {
      NoGradGuard no_grad;  // plain SGD
      for (Tensor& p : params) p.add_(p.grad(), -o.lr);
    }
    double l = loss.item();
    if (step == 0) result.first_loss = l;
    result.last_loss = l;
    if (step % 10 == 0 || step + 1 == o.steps)
      log << "step " << std::setw(4) << step << "  loss " << std::fixed << std::setprecision(4) << l << "\n";
  }

  NoGradGuard no_grad;
  Tensor images, masks;
  make_batch(o.batch, o.size, gen, images, masks);
  Tensor pred = gt(forward(images), zeros({})).to(DType::Float32);
  double inter = sum(pred * masks).item(), total = sum(pred).item() + sum(masks).item();
  result.dice = total > 0 ? 2 * inter / total : 1.0;
  log << "dice on a fresh batch: " << std::setprecision(3) << result.dice << "\n";
  return result;
}

int run_demo(int, char**) {
  ToyResult r = train_toy_segmentation(ToyOptions{}, std::cout);
  std::cout << "loss " << r.first_loss << " -> " << r.last_loss << "\n";
  return r.last_loss < r.first_loss ? 0 : 1;
}

}  // namespace pn::apps
