#pragma once
// Prediction as the reference's Inference.py does it: the sigmoid of the
// model's logits, optionally averaged with the prediction of the horizontally
// flipped batch flipped back (flip TTA).
#include "autograd/ops.h"
#include "pneumo/data/image.h"
#include "pneumo/models/segmentation_model.h"

namespace pn::infer {

// images [N, 3, H, W] (preprocessed) -> probabilities [N, C, H, W], computed
// in eval mode without recording gradients.
Tensor predict_probabilities(models::SegmentationModel& model, const Tensor& images, bool flip_tta);

// The reference's test-time preprocessing of one 8-bit gray image: cv2-style
// bilinear resize to size x size (when size > 0 and different), the gray
// channel repeated to 3, and ImageNet normalisation ((p / 255 - mean) / std
// per channel) -> [1, 3, size, size] float32.
Tensor preprocess(const data::GrayImage& image, int size);

}  // namespace pn::infer
