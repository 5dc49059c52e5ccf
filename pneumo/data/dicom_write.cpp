#include "pneumo/data/dicom_write.h"

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcostrmb.h>

#include <cstdio>
#include <vector>

#include "nn/io/atomic_file.h"
#include "tensor/error.h"

namespace pn::data {
namespace {

void put(DcmDataset& ds, const DcmTagKey& key, const std::string& value) {
  const OFCondition c = ds.putAndInsertString(DcmTag(key), value.c_str());
  PN_CHECK(c.good(), "encode_dicom8: cannot set ", DcmTag(key).getTagName(), " (DCMTK: ", c.text(), ")");
}

void put16(DcmDataset& ds, const DcmTagKey& key, int value) {
  const OFCondition c = ds.putAndInsertUint16(DcmTag(key), static_cast<Uint16>(value));
  PN_CHECK(c.good(), "encode_dicom8: cannot set ", DcmTag(key).getTagName(), " (DCMTK: ", c.text(), ")");
}

// A decimal string (VR DS) of at most 16 characters.
std::string decimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

std::string encode_dicom8(const GrayImage& image, const DicomWriteTags& tags) {
  PN_CHECK(image.valid() && !image.empty() && image.width <= 65535 && image.height <= 65535,
           "encode_dicom8: need a non-empty image of at most 65535 a side, got ", image.width, "x",
           image.height);
  PN_CHECK(!tags.sop_instance_uid.empty() && !tags.study_instance_uid.empty() &&
               !tags.series_instance_uid.empty(),
           "encode_dicom8: the SOP, study and series instance UIDs are required");
  PN_CHECK(tags.pixel_spacing_mm > 0, "encode_dicom8: pixel spacing must be > 0, got ", tags.pixel_spacing_mm);

  DcmFileFormat ff;
  DcmDataset& ds = *ff.getDataset();
  put(ds, DCM_SpecificCharacterSet, "ISO_IR 100");
  put(ds, DCM_SOPClassUID, tags.sop_class_uid);
  put(ds, DCM_SOPInstanceUID, tags.sop_instance_uid);
  put(ds, DCM_StudyDate, "19010101");
  put(ds, DCM_StudyTime, "000000.00");
  put(ds, DCM_AccessionNumber, "");
  put(ds, DCM_Modality, tags.modality);
  put(ds, DCM_ConversionType, "WSD");
  put(ds, DCM_ReferringPhysicianName, "");
  put(ds, DCM_SeriesDescription, "view: " + tags.view_position);
  put(ds, DCM_PatientName, tags.patient_id);
  put(ds, DCM_PatientID, tags.patient_id);
  put(ds, DCM_PatientBirthDate, "");
  put(ds, DCM_PatientSex, tags.patient_sex);
  put(ds, DCM_PatientAge, tags.patient_age);
  put(ds, DCM_BodyPartExamined, tags.body_part);
  put(ds, DCM_ViewPosition, tags.view_position);
  put(ds, DCM_StudyInstanceUID, tags.study_instance_uid);
  put(ds, DCM_SeriesInstanceUID, tags.series_instance_uid);
  put(ds, DCM_StudyID, "");
  put(ds, DCM_SeriesNumber, "1");
  put(ds, DCM_InstanceNumber, "1");
  put(ds, DCM_PatientOrientation, "");
  put16(ds, DCM_SamplesPerPixel, 1);
  put(ds, DCM_PhotometricInterpretation, "MONOCHROME2");
  put16(ds, DCM_Rows, image.height);
  put16(ds, DCM_Columns, image.width);
  put(ds, DCM_PixelSpacing, decimal(tags.pixel_spacing_mm) + "\\" + decimal(tags.pixel_spacing_mm));
  put16(ds, DCM_BitsAllocated, 8);
  put16(ds, DCM_BitsStored, 8);
  put16(ds, DCM_HighBit, 7);
  put16(ds, DCM_PixelRepresentation, 0);
  const OFCondition px = ds.putAndInsertUint8Array(DCM_PixelData, image.pixels.data(), image.pixels.size());
  PN_CHECK(px.good(), "encode_dicom8: cannot set the pixel data (DCMTK: ", px.text(), ")");

  // DCMTK writes into a fixed buffer and asks for it to be emptied when full.
  const E_TransferSyntax xfer = EXS_LittleEndianExplicit;
  std::vector<char> chunk(image.pixels.size() + 64 * 1024);
  DcmOutputBufferStream stream(chunk.data(), static_cast<offile_off_t>(chunk.size()));
  std::string bytes;
  auto drain = [&] {
    void* data = nullptr;
    offile_off_t n = 0;
    stream.flushBuffer(data, n);
    bytes.append(static_cast<const char*>(data), static_cast<std::size_t>(n));
  };
  ff.transferInit();
  OFCondition c = ff.write(stream, xfer, EET_ExplicitLength, nullptr, EGL_recalcGL, EPD_noChange, 0, 0, 0,
                           EWM_createNewMeta);
  while (c == EC_StreamNotifyClient) {
    drain();
    c = ff.write(stream, xfer, EET_ExplicitLength, nullptr, EGL_recalcGL, EPD_noChange, 0, 0, 0,
                 EWM_createNewMeta);
  }
  ff.transferEnd();
  PN_CHECK(c.good(), "encode_dicom8: DCMTK cannot encode ", tags.sop_instance_uid, " (", c.text(), ")");
  stream.flush();
  drain();
  return bytes;
}

void write_dicom8(const std::filesystem::path& path, const GrayImage& image, const DicomWriteTags& tags) {
  nn::io::write_file_atomic(path.string(), encode_dicom8(image, tags));
}

}  // namespace pn::data
