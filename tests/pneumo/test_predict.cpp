// Prediction helpers: preprocessing, flip TTA and the .npy writer.
#include <doctest/doctest.h>

#include <cstring>

#include "pneumo/data/npy.h"
#include "pneumo/infer/predict.h"
#include "pneumo/models/model_factory.h"
#include "tensor/random.h"

using namespace pn;

TEST_CASE("preprocess normalises with ImageNet statistics and resizes") {
  data::GrayImage img(4, 2, 255);
  img.pixels[0] = 0;
  Tensor x = infer::preprocess(img, 0);
  CHECK(x.shape() == Shape{1, 3, 2, 4});
  std::vector<float> v = x.to_vector<float>();
  CHECK(v[0] == doctest::Approx((0 - 0.485) / 0.229));
  CHECK(v[1] == doctest::Approx((1 - 0.485) / 0.229));
  CHECK(v[8] == doctest::Approx((0 - 0.456) / 0.224));  // channel 1
  CHECK(v[17] == doctest::Approx((1 - 0.406) / 0.225));  // channel 2
  CHECK(infer::preprocess(img, 8).shape() == Shape{1, 3, 8, 8});
}

TEST_CASE("flip TTA averages with the mirrored prediction") {
  models::ModelSpec spec;
  spec.class_name = "AlbuNet";
  auto model = models::build_model(spec).model;
  Tensor x = uniform({1, 3, 64, 64}, -1, 1);
  Tensor plain = infer::predict_probabilities(*model, x, false);
  Tensor mirrored = flip(infer::predict_probabilities(*model, flip(x, 3), false), 3);
  Tensor tta = infer::predict_probabilities(*model, x, true);
  CHECK(plain.shape() == Shape{1, 1, 64, 64});
  std::vector<float> a = plain.to_vector<float>(), b = mirrored.to_vector<float>(), t = tta.to_vector<float>();
  for (size_t i = 0; i < t.size(); i += 97) CHECK(t[i] == doctest::Approx((a[i] + b[i]) / 2).epsilon(1e-6));
  CHECK_FALSE(model->is_training());
}

TEST_CASE("npy files have NumPy's header") {
  std::string bytes = data::encode_npy(from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3}));
  CHECK(bytes.substr(0, 8) == std::string("\x93NUMPY\x01\x00", 8));
  size_t header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
  CHECK((10 + header_len) % 64 == 0);
  std::string header = bytes.substr(10, header_len);
  CHECK(header.find("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }") == 0);
  CHECK(header.back() == '\n');
  CHECK(bytes.size() == 10 + header_len + 6 * 4);
  float last;
  std::memcpy(&last, bytes.data() + bytes.size() - 4, 4);
  CHECK(last == 6.0f);
  CHECK(data::encode_npy(zeros({3})).find("'shape': (3,)") != std::string::npos);
}
