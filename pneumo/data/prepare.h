#pragma once
// Dataset preparation: the competition's DICOMs and RLE CSV -> PNG folders,
// as the reference's unet_pipeline/utils/prepare_png.py makes them.
//
//   OUT/train/ID.png  the training image, resized to size x size
//   OUT/mask/ID.png   its mask (the union of the image's RLE rows, 0/255),
//                     resized the same way
//   OUT/test/ID.png   the test image, resized
// where ID is the DICOM file's name without ".dcm" (the SOP Instance UID in
// the competition's files), found as DIR/*/*/*.dcm (the competition's layout).
//
// Same as the reference: the DICOM's 8-bit pixels (pneumo/data/dicom.h; for
// the competition's 8-bit files exactly pydicom's pixel_array), the mask as
// the union of the rows (the reference sums them, and cv2.imwrite saturates
// the sum to 255), both resized by resize_like_reference (skimage's resize +
// cv2.imwrite's rounding), so at the competition's size 1024 the PNGs are the
// DICOM pixels and an exact 0/255 mask, and at other sizes the mask has the
// reference's grey edges unless binarize_masks is set.  An image without a
// CSV row gets an empty mask, as in the reference, and is reported.
//
// Different from the reference, on purpose:
//   - the output folder is not deleted first: a run that was stopped and is
//     started again skips every image whose PNGs are already there at the
//     requested size and complete (each PNG is renamed into place once
//     written, so a stopped run leaves no partial PNG; the PNGs are synced to
//     disk together at the end of the run, and one cut short by a power loss
//     before that lacks its IEND chunk and is made again);
//   - a file that fails (unreadable DICOM, bad RLE row, ...) is recorded with
//     its reason and the run goes on, instead of stopping the run.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pneumo/data/rle.h"

namespace pn::data {

struct PrepareOptions {
  std::filesystem::path train_dir;  // DICOMs with masks; empty: no train/mask
  std::filesystem::path test_dir;   // DICOMs without masks; empty: no test
  std::filesystem::path rle_csv;    // required with train_dir
  std::optional<RleFormat> rle_format;  // nullopt: detected from the file
  std::filesystem::path out_dir;    // created when missing
  int size = 1024;                  // output images are size x size
  int threads = 1;                  // worker threads, >= 1
  bool binarize_masks = false;      // resized masks -> 0/255 at 128 (not reference)
  // When set, also writes a folds file in the reference's format
  // (fname,fold,exist_labels), see make_folds.
  std::filesystem::path folds_csv;
  int n_folds = 5;
  unsigned long long fold_seed = 42;
  // Called after each file (and once at the start with done == 0), never from
  // two threads at once.
  std::function<void(std::size_t done, std::size_t total)> progress;
};

struct PrepareFailure {
  std::filesystem::path file;
  std::string reason;
};

struct PrepareReport {
  std::size_t train_total = 0, test_total = 0;  // DICOMs found
  std::size_t written = 0;   // images (train with their mask, or test) written now
  std::size_t skipped = 0;   // already complete from an earlier run
  std::vector<PrepareFailure> failures;      // in file order
  std::vector<std::string> ids_without_row;  // train images with no CSV row
  std::size_t rows_without_image = 0;        // CSV image ids with no train DICOM
  std::optional<RleFormat> rle_format;       // as used (given or detected)
};

// The competition's layout: DIR/*/*/*.dcm, sorted by path (as the reference's
// sorted(glob(...))).  Throws pn::Error when dir is not a folder.
std::vector<std::filesystem::path> find_dicoms(const std::filesystem::path& dir);

// Runs the preparation.  Throws pn::Error, before writing anything, for
// invalid options (size < 1, threads < 1, n_folds < 2, no folders, train_dir
// without rle_csv), a folder that does not exist, or an unreadable CSV; each
// image's own failure goes into the report instead.
PrepareReport prepare_dataset(const PrepareOptions& options);

// One row of a folds file: fname is "ID.png".
struct FoldRow {
  std::string fname;
  int fold = 0;
  int exist_labels = 0;  // 1 when the image has a non-empty mask
};

// Assigns n_folds folds stratified by exist_labels: within each label the ids
// are shuffled (std::mt19937_64 seeded with `seed`, over the ids sorted by
// name) and dealt round-robin, so every fold gets the same share of positives
// and negatives (within one).  Returns the rows sorted by fname, as the
// reference's folds files are.  Requires n_folds >= 2 and unique ids.
std::vector<FoldRow> make_folds(std::vector<std::pair<std::string, int>> id_labels, int n_folds,
                                unsigned long long seed);

// Writes fname,fold,exist_labels atomically.
void write_folds(const std::filesystem::path& path, const std::vector<FoldRow>& rows);

}  // namespace pn::data
