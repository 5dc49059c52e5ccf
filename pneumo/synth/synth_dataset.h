#pragma once
// `pneumo synth`: a stand-in for the SIIM-ACR pneumothorax data, with the
// competition's files and folder layout, made of synthetic chest radiographs
// (pneumo/synth/anatomy.h, render.h).  Not medical data.
//
//   OUT/dicom-images-train/STUDY_UID/SERIES_UID/SOP_UID.dcm
//   OUT/dicom-images-test/STUDY_UID/SERIES_UID/SOP_UID.dcm
//        8-bit MONOCHROME2 DICOMs, size x size (pneumo/data/dicom_write.h)
//   OUT/train-rle.csv        the train masks as the stage 1 file has them:
//        "ImageId, EncodedPixels", then "ID, -1" or "ID, <stage 1 RLE>",
//        one row per pneumothorax region (an image with two regions has two
//        rows), CRLF line ends
//   OUT/test-truth.csv       the test masks in the same format, for scoring
//   OUT/sample_submission.csv  "ImageId,EncodedPixels", every test image once
//        with -1 (LF line ends), as the competition's sample submission
//   OUT/synth.txt            "pneumo synth" and the options: marks OUT as this
//        command's output
//
// Images are named by their SOP instance UID (pneumo/synth/uid.h), distinct
// over train and test.  Exactly round(positive_share * N) images of each split
// have a pneumothorax, and round(two_region_share * positives) of those
// (at least one when there are two or more positives) have two regions.
//
// Determinism: everything is a function of the options other than threads
// and force; the same options give byte-identical files for any thread
// count.  Image i of a split draws its anatomy from the stream
// augment::Rng::for_sample(seed, split, i) (split 0 train, 1 test), so images
// can be made in any order.
#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace pn::synth {

struct SynthOptions {
  std::filesystem::path out_dir;
  int train = 200;   // images, >= 0
  int test = 50;     // images, >= 0; train + test >= 1
  int size = 1024;   // pixels a side, 64 .. 4096
  double positive_share = 0.22;   // in [0, 1]
  double two_region_share = 0.1;  // of the positives, in [0, 1]
  std::uint64_t seed = 42;
  int threads = 1;   // >= 1
  // Write into a non-empty OUT that is not an earlier synth output.
  bool force = false;
};

struct SynthSplitReport {
  std::size_t images = 0, positives = 0, regions = 0;
};

struct SynthReport {
  SynthSplitReport train, test;
  double seconds = 0;    // wall clock
  // Mean CPU time per image (one thread): drawing and rendering, and DICOM
  // encoding and writing (waits for the disk not included).
  double render_ms = 0, write_ms = 0;
};

// Writes the data set.  Before writing, OUT must be missing or empty, hold an
// earlier synth output (its synth.txt), or options.force must be set;
// otherwise throws pn::Error saying so.  In the last two cases the outputs
// listed above are removed first (nothing else in OUT is touched), so no
// stale image is left beside the new ones.  Throws pn::Error for invalid
// options before touching OUT.
SynthReport synthesize_dataset(const SynthOptions& options);

// The marker's name, "synth.txt".
const char* synth_marker_name();

}  // namespace pn::synth
