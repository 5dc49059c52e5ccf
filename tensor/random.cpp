#include "tensor/random.h"

#include "tensor/backend.h"

namespace pn {

Generator& default_generator() {
  static Generator g(0);
  return g;
}

void manual_seed(uint64_t seed) { default_generator().set_state(seed, 0); }

namespace {

Tensor make_random(const Shape& shape, Backend::Distribution d, double p0, double p1, DType dtype,
                   Device device, Generator* gen, const char* op) {
  PN_CHECK(is_floating(dtype), op, ": needs a floating-point dtype, got ", dtype);
  Generator& g = gen ? *gen : default_generator();
  Tensor t(shape, dtype, device);
  uint64_t offset = g.advance(static_cast<uint64_t>(t.numel()));
  backend(device).random(t, d, p0, p1, g.seed(), offset);
  return t;
}

}  // namespace

Tensor uniform(const Shape& shape, double lo, double hi, DType dtype, Device device, Generator* gen) {
  PN_CHECK(lo <= hi, "uniform: lo ", lo, " > hi ", hi);
  return make_random(shape, Backend::Distribution::Uniform, lo, hi, dtype, device, gen, "uniform");
}

Tensor normal(const Shape& shape, double mean, double std, DType dtype, Device device, Generator* gen) {
  PN_CHECK(std >= 0, "normal: negative standard deviation ", std);
  return make_random(shape, Backend::Distribution::Normal, mean, std, dtype, device, gen, "normal");
}

Tensor bernoulli(const Shape& shape, double p, DType dtype, Device device, Generator* gen) {
  PN_CHECK(p >= 0 && p <= 1, "bernoulli: probability ", p, " outside [0, 1]");
  return make_random(shape, Backend::Distribution::Bernoulli, p, 0.0, dtype, device, gen, "bernoulli");
}

}  // namespace pn
