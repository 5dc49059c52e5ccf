#pragma once
// Pipelines from albumentations 0.3.1's serialized JSON
// (albumentations.save(transform, path, data_format='json')): the reference's
// files in transforms/ load unchanged.
//
// The file is {"__version__": ..., "transform": NODE} where a NODE is an
// object naming its class in "__class_fullname__" plus the class's
// constructor arguments, as albumentations.from_dict reads it.  Supported:
//   albumentations.core.composition.Compose / OneOf
//   albumentations.augmentations.transforms.HorizontalFlip, RandomContrast,
//     RandomBrightness, RandomBrightnessContrast, RandomGamma,
//     ElasticTransform, GridDistortion, OpticalDistortion, ShiftScaleRotate,
//     Resize, Normalize
// with albumentations' defaults for missing arguments and its to_tuple rules
// for ranges (a number v means (-v, v); ShiftScaleRotate's scale_limit is
// stored as an offset from 1).  Stricter than albumentations, so a mistake is
// an error instead of a silently different pipeline:
//   - an unknown class, an unknown or mistyped argument, p outside [0, 1], a
//     range with lo > hi, an interpolation other than 0 (nearest) or 1
//     (linear), a border mode other than 0..4, non-empty bbox_params,
//     keypoint_params or additional_targets;
//   - Normalize anywhere but last in the top-level Compose (the 8-bit
//     transforms cannot follow it).
// Every error is a pn::Error naming the file and the path of the node, e.g.
//   "transforms.json: transform.transforms[2] (OneOf).transforms[0]
//    (RandomContrast): unknown argument 'limt'".
#include <filesystem>
#include <string>
#include <string_view>

#include "pneumo/augment/transform.h"

namespace pn::augment {

// Parses `text`; `source` names it in errors.
TransformPtr parse_transforms(std::string_view text, std::string_view source);

// Reads and parses a file (at most 1 MiB).
TransformPtr load_transforms(const std::filesystem::path& path);

}  // namespace pn::augment
