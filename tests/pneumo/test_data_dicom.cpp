// DICOM: pydicom's real test files read as pydicom reads them (through the
// documented 8-bit rule) or refused with a clear error; broken inputs.
#include <doctest/doctest.h>

#include <future>
#include <string>
#include <vector>

#include "data_test_util.h"
#include "pneumo/data/dicom.h"
#include "pneumo/data/png.h"
#include "tensor/error.h"

namespace pn::data {
namespace {

using namespace pn::data::test;

fs::path folder_of(const std::string& which) {
  if (which == "pydicom") return pydicom_dir();
  REQUIRE(which == "local");
  return data_dir() / "dicom";
}

const char* mapping_name(DicomMapping m) {
  switch (m) {
    case DicomMapping::Identity: return "identity";
    case DicomMapping::Window: return "window";
    case DicomMapping::MinMax: return "minmax";
  }
  return "?";
}

bool constant(const GrayImage& g) {
  for (auto v : g.pixels)
    if (v != g.pixels[0]) return false;
  return true;
}

}  // namespace

TEST_CASE("dicom: test files read as pydicom reads them") {
  const auto lines = reference_lines(data_dir() / "dicom_reference.txt");
  int images = 0, errors = 0, decodes = 0;
  for (const std::string& line : lines) {
    const auto w = split_words(line);
    REQUIRE(w.size() >= 3);
    const fs::path path = folder_of(w[1]) / w[2];
    INFO(line);
    if (w[0] == "ok") {
      REQUIRE(w.size() == 9);
      const DicomImage8 d = read_dicom(path);
      CHECK(mapping_name(d.mapping) == w[3]);
      CHECK(d.image.width == std::stoi(w[4]));
      CHECK(d.image.height == std::stoi(w[5]));
      CHECK(d.info.columns == d.image.width);
      CHECK(d.info.rows == d.image.height);
      CHECK(d.info.sop_instance_uid == w[7]);
      const GrayImage expected = read_png(data_dir() / "dicom" / "expected" / w[8]);
      CHECK(max_abs_diff(d.image, expected) <= std::stoi(w[6]));
      ++images;
    } else if (w[0] == "error") {
      std::string text;
      for (std::size_t k = 3; k < w.size(); ++k) text += (k > 3 ? " " : "") + w[k];
      CHECK_THROWS_WITH_AS(read_dicom(path), has(text), pn::Error);
      CHECK_THROWS_WITH_AS(read_dicom(path), has(path.string()), pn::Error);
      ++errors;
    } else if (w[0] == "decodes") {
      const DicomImage8 d = read_dicom(path);
      CHECK(d.image.width == std::stoi(w[3]));
      CHECK(d.image.height == std::stoi(w[4]));
      CHECK_FALSE(constant(d.image));
      ++decodes;
    } else {
      FAIL("unknown reference line");
    }
  }
  CHECK(images >= 20);
  CHECK(errors >= 10);
  CHECK(decodes == 2);
}

TEST_CASE("dicom: header fields") {
  const DicomInfo mr = read_dicom_info(pydicom_dir() / "MR_small_bigendian.dcm");
  CHECK(mr.rows == 64);
  CHECK(mr.columns == 64);
  CHECK(mr.bits_allocated == 16);
  CHECK(mr.bits_stored == 16);
  CHECK(mr.is_signed);
  CHECK(mr.photometric == "MONOCHROME2");
  CHECK(mr.transfer_syntax == "1.2.840.10008.1.2.2");
  CHECK(mr.sop_instance_uid == "1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457");

  // The competition-shaped file: 8-bit MONOCHROME2, JPEG baseline, an image id.
  const DicomInfo c = read_dicom_info(data_dir() / "dicom" / "jpeg_baseline_mono8.dcm");
  CHECK(c.sop_instance_uid == "1.2.276.0.7230010.3.1.4.8323329.1000.1517875165.878027");
  CHECK(c.transfer_syntax == "1.2.840.10008.1.2.4.50");
  CHECK(c.rows == 56);
  CHECK(c.columns == 72);
  CHECK(c.bits_allocated == 8);
  CHECK_FALSE(c.is_signed);

  const DicomInfo dose = read_dicom_info(pydicom_dir() / "rtdose.dcm");
  CHECK(dose.frames == 15);
  CHECK(dose.bits_allocated == 32);
}

TEST_CASE("dicom: broken inputs are errors naming the file, never crashes") {
  TempDir tmp;
  CHECK_THROWS_WITH_AS(read_dicom(tmp / "missing.dcm"),
                       has("missing.dcm: no such file"), pn::Error);
  CHECK_THROWS_WITH_AS(read_dicom(tmp.path()), has("not a regular file"),
                       pn::Error);
  write_bytes(tmp / "empty.dcm", "");
  CHECK_THROWS_WITH_AS(read_dicom(tmp / "empty.dcm"), has("empty.dcm"), pn::Error);
  write_bytes(tmp / "text.dcm", "ImageId,EncodedPixels\n1.2.3,-1\n");
  CHECK_THROWS_WITH_AS(read_dicom(tmp / "text.dcm"), has("text.dcm"), pn::Error);
  write_bytes(tmp / "png.dcm", encode_png(GrayImage(8, 8, 7)));
  CHECK_THROWS_WITH_AS(read_dicom(tmp / "png.dcm"), has("png.dcm"), pn::Error);

  // Cut files at many points: every prefix is refused with pn::Error (some
  // cuts leave a valid header without pixel data; those are refused too).
  for (const fs::path& src : {data_dir() / "dicom" / "jpeg_baseline_mono8.dcm",
                             pydicom_dir() / "MR_small.dcm",
                             data_dir() / "dicom" / "mono2_8bit_rle.dcm"}) {
    const std::string bytes = read_bytes(src);
    REQUIRE(bytes.size() > 1000);
    for (std::size_t cut = 0; cut < bytes.size(); cut += 97) {
      const fs::path cut_path = tmp / ("cut_" + std::to_string(cut) + ".dcm");
      write_bytes(cut_path, bytes.substr(0, cut));
      INFO(src.string(), " cut at ", cut);
      CHECK_THROWS_WITH_AS(read_dicom(cut_path), has(cut_path.string()),
                           pn::Error);
    }
  }
  // Damaged JPEG data (the middle of the compressed stream overwritten).
  std::string jpeg = read_bytes(data_dir() / "dicom" / "jpeg_baseline_mono8.dcm");
  for (std::size_t i = jpeg.size() / 2; i < jpeg.size() / 2 + 200; ++i) jpeg[i] = '\xFF';
  write_bytes(tmp / "damaged.dcm", jpeg);
  try {
    const DicomImage8 d = read_dicom(tmp / "damaged.dcm");
    CHECK(d.image.width == 72);  // a decoder may recover: then the size holds
  } catch (const pn::Error& e) {
    CHECK(std::string(e.what()).find("damaged.dcm") != std::string::npos);
  }

  DicomLimits tiny_file;
  tiny_file.max_file_bytes = 1000;
  CHECK_THROWS_WITH_AS(read_dicom(pydicom_dir() / "MR_small.dcm", tiny_file),
                       has("bytes is more than the limit of 1000"), pn::Error);
  DicomLimits small;
  small.max_pixels = 4095;
  CHECK_THROWS_WITH_AS(read_dicom(pydicom_dir() / "MR_small.dcm", small),
                       has("64x64 pixels is more than the limit of 4095"),
                       pn::Error);
}

TEST_CASE("dicom: reads from several threads at once agree") {
  const fs::path files[] = {data_dir() / "dicom" / "jpeg_baseline_mono8.dcm",
                            pydicom_dir() / "MR_small_jpeg_ls_lossless.dcm",
                            pydicom_dir() / "MR_small_RLE.dcm", pydicom_dir() / "CT_small.dcm"};
  std::vector<GrayImage> single;
  for (const auto& f : files) single.push_back(read_dicom(f).image);
  std::vector<std::future<bool>> runs;
  for (int t = 0; t < 8; ++t) {
    runs.push_back(std::async(std::launch::async, [&, t] {
      bool same = true;
      for (int k = 0; k < 5; ++k) {
        const std::size_t i = static_cast<std::size_t>(t + k) % 4;
        same = same && read_dicom(files[i]).image == single[i];
      }
      return same;
    }));
  }
  for (auto& r : runs) CHECK(r.get());
}

}  // namespace pn::data
