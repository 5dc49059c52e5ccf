// Writing 8-bit DICOMs: read back by our reader and by DCMTK itself, with the
// competition's header elements; bad inputs refused.
#include <doctest/doctest.h>

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>

#include <string>

#include "data_test_util.h"
#include "pneumo/data/dicom.h"
#include "pneumo/data/dicom_write.h"
#include "tensor/error.h"

namespace pn::data {
namespace {

using namespace pn::data::test;

DicomWriteTags sample_tags() {
  return {.sop_instance_uid = "1.2.276.0.7230010.3.1.4.8323329.5597.1517875188.959090",
          .study_instance_uid = "1.2.276.0.7230010.3.1.2.8323329.5597.1517875188.959089",
          .series_instance_uid = "1.2.276.0.7230010.3.1.3.8323329.5597.1517875188.959088",
          .patient_id = "17d405a3-a0d2-4901-b33a-63906aa48d9f",
          .patient_sex = "F",
          .patient_age = "38",
          .view_position = "AP",
          .pixel_spacing_mm = 0.168};
}

GrayImage gradient(int w, int h) {
  GrayImage g(w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) g.at(x, y) = static_cast<std::uint8_t>((x * 7 + y * 13) % 256);
  return g;
}

std::string text(DcmDataset& ds, const DcmTagKey& key) {
  OFString s;
  REQUIRE(ds.findAndGetOFStringArray(key, s).good());
  return s.c_str();
}

int number(DcmDataset& ds, const DcmTagKey& key) {
  Uint16 v = 0;
  REQUIRE(ds.findAndGetUint16(key, v).good());
  return v;
}

}  // namespace

TEST_CASE("dicom write: read back exactly, with the competition's header") {
  TempDir tmp;
  const fs::path file = tmp / "x.dcm";
  const GrayImage image = gradient(37, 23);  // odd sizes: the pixel data are padded
  write_dicom8(file, image, sample_tags());

  const std::string bytes = read_bytes(file);
  REQUIRE(bytes.size() > 132);
  CHECK(bytes.substr(0, 128) == std::string(128, '\0'));
  CHECK(bytes.substr(128, 4) == "DICM");

  const DicomImage8 d = read_dicom(file);
  CHECK(d.mapping == DicomMapping::Identity);
  CHECK(d.image == image);
  CHECK(d.info.rows == 23);
  CHECK(d.info.columns == 37);
  CHECK(d.info.bits_allocated == 8);
  CHECK(d.info.bits_stored == 8);
  CHECK_FALSE(d.info.is_signed);
  CHECK(d.info.samples_per_pixel == 1);
  CHECK(d.info.photometric == "MONOCHROME2");
  CHECK(d.info.sop_instance_uid == sample_tags().sop_instance_uid);
  CHECK(d.info.transfer_syntax == "1.2.840.10008.1.2.1");  // explicit VR little endian

  DcmFileFormat ff;
  REQUIRE(ff.loadFile(file.c_str()).good());
  DcmDataset& ds = *ff.getDataset();
  CHECK(text(ds, DCM_SOPClassUID) == "1.2.840.10008.5.1.4.1.1.7");
  CHECK(text(ds, DCM_StudyInstanceUID) == sample_tags().study_instance_uid);
  CHECK(text(ds, DCM_SeriesInstanceUID) == sample_tags().series_instance_uid);
  CHECK(text(ds, DCM_Modality) == "CR");
  CHECK(text(ds, DCM_BodyPartExamined) == "CHEST");
  CHECK(text(ds, DCM_ViewPosition) == "AP");
  CHECK(text(ds, DCM_SeriesDescription) == "view: AP");
  CHECK(text(ds, DCM_PatientID) == sample_tags().patient_id);
  CHECK(text(ds, DCM_PatientName) == sample_tags().patient_id);
  CHECK(text(ds, DCM_PatientSex) == "F");
  CHECK(text(ds, DCM_PatientAge) == "38");
  CHECK(text(ds, DCM_PixelSpacing) == "0.168\\0.168");
  CHECK(number(ds, DCM_HighBit) == 7);
  CHECK(number(ds, DCM_PixelRepresentation) == 0);
  OFString media_sop;
  REQUIRE(ff.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPInstanceUID, media_sop).good());
  CHECK(std::string(media_sop.c_str()) == sample_tags().sop_instance_uid);
}

TEST_CASE("dicom write: bad inputs are errors") {
  TempDir tmp;
  DicomWriteTags no_uid = sample_tags();
  no_uid.series_instance_uid.clear();
  DicomWriteTags bad_spacing = sample_tags();
  bad_spacing.pixel_spacing_mm = 0;
  CHECK_THROWS_WITH_AS(encode_dicom8(GrayImage(), sample_tags()), has("non-empty image"), pn::Error);
  CHECK_THROWS_WITH_AS(encode_dicom8(gradient(4, 4), no_uid), has("UIDs are required"), pn::Error);
  CHECK_THROWS_WITH_AS(encode_dicom8(gradient(4, 4), bad_spacing), has("pixel spacing"), pn::Error);
  CHECK_THROWS_WITH_AS(write_dicom8(tmp / "missing" / "x.dcm", gradient(4, 4), sample_tags()),
                       has((tmp / "missing" / "x.dcm").string()), pn::Error);
}

}  // namespace pn::data
