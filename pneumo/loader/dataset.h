#pragma once
// The reference's PneumothoraxDataset over a prepared folder
// (pneumo/data/prepare.h: ROOT/train/ID.png, ROOT/mask/ID.png,
// ROOT/test/ID.png) and a folds file (fname,fold,exist_labels).
//
//   train: the rows whose fold is not the validation fold, in file order;
//          an image with exist_labels == 0 gets an empty mask without reading
//          its mask file (as the reference does);
//   val:   the rows of the validation fold, in file order, masks read;
//   test:  the sorted *.png files of ROOT/test, no masks.
// Images are read as one gray channel: the reference's cv2.imread(path, 1)
// makes 3 equal channels of the gray PNG, which the augmentations treat the
// same (augment::normalize and to_unit_float expand it at the end).  Masks
// keep their PNG values (0/255; the reference's 512 PNGs may have grey
// edges), and a batch holds mask / 255, as the reference's ToTensor does.
//
// Different from the reference, on purpose: an empty training mask has the
// image's size (the reference makes it 1024 x 1024 whatever the image size,
// which its Resize then hides); a missing or unreadable file is a pn::Error
// naming it (the reference's cv2.imread returns None and fails later).
#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "pneumo/augment/image.h"
#include "pneumo/augment/rng.h"
#include "pneumo/augment/transform.h"

namespace pn::loader {

// One row of a folds file.
struct FoldRow {
  std::string fname;  // "ID.png"
  int fold = 0;
  int exist_labels = 0;  // 0 or 1
};

// Reads a folds file (columns fname, fold, exist_labels; others ignored).
// Throws pn::Error naming the file and the line for a missing column, a
// non-integer fold, an exist_labels other than 0/1, an empty or duplicate
// fname.
std::vector<FoldRow> read_folds(const std::filesystem::path& csv);

enum class Split { Train, Val, Test };
const char* split_name(Split s);

class PneumoDataset {
 public:
  // The training / validation split of `rows` for validation fold `fold`.
  // Requires the fold to occur in rows (else pn::Error: a typo would train on
  // everything and validate on nothing).
  static PneumoDataset train(const std::filesystem::path& root, const std::vector<FoldRow>& rows, int fold,
                             augment::TransformPtr transform);
  static PneumoDataset val(const std::filesystem::path& root, const std::vector<FoldRow>& rows, int fold,
                           augment::TransformPtr transform);
  // The sorted ROOT/test/*.png.  Throws pn::Error when the folder is missing.
  static PneumoDataset test(const std::filesystem::path& root, augment::TransformPtr transform);

  Split split() const { return split_; }
  std::size_t size() const { return fnames_.size(); }
  // "ID.png" and "ID" of item i.
  const std::string& fname(std::size_t i) const { return fnames_.at(i); }
  std::string id(std::size_t i) const;
  // exist_labels per item (train and val; empty for test).
  const std::vector<int>& exist_labels() const { return labels_; }
  std::filesystem::path image_path(std::size_t i) const;
  std::filesystem::path mask_path(std::size_t i) const;
  const augment::TransformPtr& transform() const { return transform_; }

  // Item i as read, before the transform.  Throws pn::Error naming the file.
  augment::Sample read(std::size_t i) const;
  // read(i) through the transform (if any), drawing from `rng`.  Thread-safe
  // (the dataset and its transform are immutable).
  augment::Sample load(std::size_t i, augment::Rng& rng) const;

 private:
  PneumoDataset(Split split, std::filesystem::path root, augment::TransformPtr transform)
      : split_(split), root_(std::move(root)), transform_(std::move(transform)) {}
  Split split_;
  std::filesystem::path root_;
  augment::TransformPtr transform_;
  std::vector<std::string> fnames_;
  std::vector<int> labels_;
};

}  // namespace pn::loader
