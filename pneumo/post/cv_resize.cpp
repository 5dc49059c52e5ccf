#include "pneumo/post/cv_resize.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace pn::post {

namespace {

constexpr int kCoefBits = 11, kCoefScale = 1 << kCoefBits;

// Where output index d samples the input: the first of its two neighbours
// (the second is index + 1, both clamped into the image) and the weight of
// the second.
struct Tap {
  int index = 0;
  float weight = 0;
};

// OpenCV treats the two directions differently at the edges: a column
// outside [0, in - 1) takes the edge pixel with weights (1, 0), while a row
// keeps its weights and reads the edge row twice, so edge rows come out as
// edge * (1 - f) + edge * f, rounded term by term.
enum class Edge { Clamp, KeepWeights };

std::vector<Tap> taps(int in, int out, Edge edge) {
  const double scale = 1.0 / (static_cast<double>(out) / in);
  std::vector<Tap> t(static_cast<size_t>(out));
  for (int d = 0; d < out; ++d) {
    float f = static_cast<float>((d + 0.5) * scale - 0.5);
    int s = static_cast<int>(std::floor(f));
    f -= static_cast<float>(s);
    if (edge == Edge::Clamp) {
      if (s < 0) s = 0, f = 0;
      if (s >= in - 1) s = in - 1, f = 0;
    }
    t[static_cast<size_t>(d)] = {s, f};
  }
  return t;
}

int clamp_index(int i, int n) { return std::clamp(i, 0, n - 1); }

// round(2048 w) as OpenCV's saturate_cast<short> rounds: to nearest, ties to even.
int fixed(float w) { return static_cast<int>(std::nearbyint(w * static_cast<float>(kCoefScale))); }

bool halving(int in_w, int in_h, int out_w, int out_h) { return in_w == 2 * out_w && in_h == 2 * out_h; }

void check_sizes(int in_w, int in_h, int width, int height) {
  PN_CHECK(in_w >= 1 && in_h >= 1, "cv_resize_linear: empty input ", in_w, "x", in_h);
  PN_CHECK(width >= 1 && height >= 1, "cv_resize_linear: output size ", width, "x", height, " must be positive");
}

}  // namespace

data::GrayImage cv_resize_linear(const data::GrayImage& src, int width, int height) {
  PN_CHECK(src.valid(), "cv_resize_linear: invalid image");
  check_sizes(src.width, src.height, width, height);
  data::GrayImage out(width, height);
  if (halving(src.width, src.height, width, height)) {
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x) {
        const int sum = src.at(2 * x, 2 * y) + src.at(2 * x + 1, 2 * y) + src.at(2 * x, 2 * y + 1) +
                        src.at(2 * x + 1, 2 * y + 1);
        out.at(x, y) = static_cast<uint8_t>((sum + 2) >> 2);
      }
    return out;
  }
  const std::vector<Tap> tx = taps(src.width, width, Edge::Clamp),
                         ty = taps(src.height, height, Edge::KeepWeights);
  // Each source row resized horizontally, 2048 x the value (exact integers).
  auto row_pass = [&](int sy, std::vector<int>& r) {
    for (int x = 0; x < width; ++x) {
      const Tap& t = tx[static_cast<size_t>(x)];
      const int a0 = fixed(1.f - t.weight), a1 = fixed(t.weight);
      const int s1 = std::min(t.index + 1, src.width - 1);
      r[static_cast<size_t>(x)] = src.at(t.index, sy) * a0 + src.at(s1, sy) * a1;
    }
  };
  std::vector<int> r0(static_cast<size_t>(width)), r1(static_cast<size_t>(width));
  for (int y = 0; y < height; ++y) {
    const Tap& t = ty[static_cast<size_t>(y)];
    const int b0 = fixed(1.f - t.weight), b1 = fixed(t.weight);
    row_pass(clamp_index(t.index, src.height), r0);
    row_pass(clamp_index(t.index + 1, src.height), r1);
    for (int x = 0; x < width; ++x) {
      const int v = (((b0 * (r0[static_cast<size_t>(x)] >> 4)) >> 16) +
                     ((b1 * (r1[static_cast<size_t>(x)] >> 4)) >> 16) + 2) >> 2;
      out.at(x, y) = static_cast<uint8_t>(std::clamp(v, 0, 255));
    }
  }
  return out;
}

Tensor cv_resize_linear(const Tensor& map, int width, int height) {
  PN_CHECK(map.defined() && map.dim() == 2 && map.dtype() == DType::Float32 && map.device().is_cpu(),
           "cv_resize_linear: expected a float32 CPU map [H, W]");
  const int in_h = static_cast<int>(map.size(0)), in_w = static_cast<int>(map.size(1));
  check_sizes(in_w, in_h, width, height);
  const float* s = map.data<float>();
  auto at = [&](int x, int y) { return s[static_cast<size_t>(y) * static_cast<size_t>(in_w) + static_cast<size_t>(x)]; };
  Tensor out({height, width}, DType::Float32);
  float* o = out.data<float>();
  auto put = [&](int x, int y, float v) { o[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)] = v; };
  if (halving(in_w, in_h, width, height)) {
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x)
        put(x, y, ((at(2 * x, 2 * y) + at(2 * x + 1, 2 * y)) + (at(2 * x, 2 * y + 1) + at(2 * x + 1, 2 * y + 1))) * 0.25f);
    return out;
  }
  const std::vector<Tap> tx = taps(in_w, width, Edge::Clamp), ty = taps(in_h, height, Edge::KeepWeights);
  auto row_pass = [&](int sy, std::vector<float>& r) {
    for (int x = 0; x < width; ++x) {
      const Tap& t = tx[static_cast<size_t>(x)];
      // At the right edge OpenCV takes the pixel alone (weight 1, nothing added).
      r[static_cast<size_t>(x)] = t.index + 1 >= in_w
                                      ? at(t.index, sy)
                                      : at(t.index, sy) * (1.f - t.weight) + at(t.index + 1, sy) * t.weight;
    }
  };
  std::vector<float> r0(static_cast<size_t>(width)), r1(static_cast<size_t>(width));
  for (int y = 0; y < height; ++y) {
    const Tap& t = ty[static_cast<size_t>(y)];
    row_pass(clamp_index(t.index, in_h), r0);
    row_pass(clamp_index(t.index + 1, in_h), r1);
    for (int x = 0; x < width; ++x)
      put(x, y, r0[static_cast<size_t>(x)] * (1.f - t.weight) + r1[static_cast<size_t>(x)] * t.weight);
  }
  return out;
}

}  // namespace pn::post
