#include "pneumo/infer/predict.h"

#include "autograd/grad_mode.h"
#include "pneumo/augment/image.h"
#include "pneumo/augment/warp.h"

namespace pn::infer {

Tensor predict_probabilities(models::SegmentationModel& model, const Tensor& images, bool flip_tta) {
  PN_CHECK(images.defined() && images.dim() == 4, "predict: expected images [N, 3, H, W], got ",
           images.defined() ? images.shape() : Shape{});
  NoGradGuard no_grad;
  model.eval();
  Tensor probs = sigmoid(model.forward(images));
  if (flip_tta) {
    Tensor flipped = flip(sigmoid(model.forward(flip(images, 3))), 3);
    probs = mul(add(probs, flipped), 0.5);
  }
  return probs;
}

Tensor preprocess(const data::GrayImage& image, int size) {
  PN_CHECK(image.valid() && image.width > 0 && image.height > 0, "preprocess: empty or invalid image");
  augment::Image img = augment::from_gray(image);
  if (size > 0 && (img.width != size || img.height != size))
    img = augment::resize(img, size, size, augment::Interpolation::Linear);
  const double mean[3] = {0.485, 0.456, 0.406}, std[3] = {0.229, 0.224, 0.225};
  const size_t plane = static_cast<size_t>(img.width) * static_cast<size_t>(img.height);
  std::vector<float> out(3 * plane);
  for (size_t c = 0; c < 3; ++c)
    for (size_t i = 0; i < plane; ++i)
      out[c * plane + i] = static_cast<float>((img.data[i] / 255.0 - mean[c]) / std[c]);
  return from_vector(out, {1, 3, img.height, img.width});
}

}  // namespace pn::infer
