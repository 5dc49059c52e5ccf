#pragma once
// Writing an 8-bit grayscale image as a DICOM file, through DCMTK: the kind of
// file the SIIM-ACR competition ships (8 bits, MONOCHROME2, one frame), read
// back by pneumo/data/dicom.h and by pydicom.
//
// The file is DICOM Part 10: the 128-byte preamble, "DICM", the file meta
// information, then the data set in explicit VR little endian, uncompressed
// (the competition's files are JPEG baseline; an uncompressed file keeps
// every pixel exact).  The header carries the elements of the competition's
// files; the empty ones (Study ID, Accession Number, ...) are written empty,
// as there.
#include <filesystem>
#include <string>

#include "pneumo/data/image.h"

namespace pn::data {

struct DicomWriteTags {
  std::string sop_class_uid = "1.2.840.10008.5.1.4.1.1.7";  // Secondary Capture Image Storage
  std::string sop_instance_uid;     // required
  std::string study_instance_uid;   // required
  std::string series_instance_uid;  // required
  std::string modality = "CR";
  std::string patient_id;    // also written as the patient's name, as there
  std::string patient_sex;   // "M", "F" or ""
  std::string patient_age;   // "38" (the competition's form) or ""
  std::string body_part = "CHEST";
  std::string view_position = "PA";  // also in the series description "view: PA"
  double pixel_spacing_mm = 0.143;   // row and column spacing, > 0
};

// The file's bytes.  Requires a valid, non-empty image of at most 65535 a
// side and the three instance UIDs; throws pn::Error otherwise or when DCMTK
// fails.
std::string encode_dicom8(const GrayImage& image, const DicomWriteTags& tags);

// encode_dicom8 written atomically to `path` (nn/io/atomic_file.h).
// Both may be called from several threads at once, each with its own image.
void write_dicom8(const std::filesystem::path& path, const GrayImage& image, const DicomWriteTags& tags);

}  // namespace pn::data
