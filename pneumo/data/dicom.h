#pragma once
// Reading a DICOM file into an 8-bit grayscale image, through DCMTK.
//
// The competition's files are 1024x1024, 8 bits, MONOCHROME2, sometimes JPEG
// baseline compressed; for them the result is the stored pixel values, exactly
// what the reference's pydicom pixel_array gives.  Other files are mapped to 8
// bits by the rule below, so that any monochrome image can be prepared.
//
// Supported: MONOCHROME1 and MONOCHROME2 with one sample per pixel; 1 to 32
// bits allocated, signed or unsigned; implicit VR little endian, explicit VR
// little and big endian, deflated, and the encapsulated JPEG (baseline,
// extended, lossless), JPEG-LS and RLE lossless transfer syntaxes; files with
// or without the DICOM preamble and meta header.  Multi-frame files give their
// first frame.
//
// Refused with a pn::Error that names the file: files that are missing,
// truncated or not DICOM; no pixel data or no Rows/Columns; colour images
// (RGB, YBR_*, PALETTE COLOR ...); encodings without a decoder here (JPEG
// 2000, say), named with their transfer syntax; images larger than the limit;
// native pixel data or RLE segments too short for the first frame (DCMTK
// would pad them with zeros); a High Bit that does not fit the stored and
// allocated bits; Rescale Slope/Intercept that make a value overflow to
// infinity.
//
// The mapping to 8 bits (in this order):
//   1. s = the stored value (sign-extended for PixelRepresentation 1, with
//      Bits Stored / High Bit applied), frame 0.
//   2. Identity: when Bits Allocated and Bits Stored are 8, the data are
//      unsigned and Rescale Slope/Intercept are absent or 1/0, out = s.  This
//      is the competition's case, and matches the reference, which uses the
//      stored values as they are (whatever VOI window the file names).
//   3. Otherwise the modality value m = s * RescaleSlope + RescaleIntercept
//      (absent: 1 and 0; a Modality LUT Sequence is ignored) is mapped:
//      - when Window Center and Window Width are present (first values taken)
//        and the width is >= 1, by DICOM's linear VOI function (PS3.3
//        C.11.2.1.2.1) onto 0..255: y = 0 when m <= c - 0.5 - (w - 1) / 2,
//        255 when m > c - 0.5 + (w - 1) / 2, else
//        ((m - (c - 0.5)) / (w - 1) + 0.5) * 255;
//      - otherwise by min-max over the frame: y = (m - min) * 255 / (max - min)
//        (0 everywhere when max == min);
//      out = floor(y + 0.5), in 0..255.  A VOI LUT Sequence and Pixel Padding
//      Value are ignored.
//   4. MONOCHROME1 (where higher values are darker) is inverted:
//      out = 255 - out, so the result always shows higher values brighter.
//
// Where DCMTK and pydicom read a file differently, this follows pydicom (the
// reference's reader): elements stored with VR UN are read with their
// dictionary VR, and 32-bit pixel data in explicit VR big endian are read as
// big endian 32-bit values (DCMTK alone exchanges their 16-bit halves).
//
// Thread safety: every function may be called from several threads at once,
// each with its own file.  On first use, DCMTK is set up once for the whole
// process: its JPEG, JPEG-LS and RLE decoders are registered, UN elements are
// converted as above, and its own log output is silenced (its failures reach
// the caller as pn::Error instead).
#include <cstddef>
#include <filesystem>
#include <string>

#include "pneumo/data/image.h"

namespace pn::data {

// What the pipeline needs from a DICOM header.
struct DicomInfo {
  std::string sop_instance_uid;  // (0008,0018); "" when absent
  int rows = 0;                  // (0028,0010)
  int columns = 0;               // (0028,0011)
  int bits_allocated = 0;        // (0028,0100)
  int bits_stored = 0;           // (0028,0101)
  bool is_signed = false;        // (0028,0103) PixelRepresentation == 1
  int samples_per_pixel = 1;     // (0028,0002)
  int frames = 1;                // (0028,0008), 1 when absent
  std::string photometric;       // (0028,0004), e.g. "MONOCHROME2"
  std::string transfer_syntax;   // UID of the encoding the file was read with
  std::string transfer_syntax_name;  // its name, e.g. "JPEG Baseline"
};

// How read_dicom mapped the values to 8 bits (rule step 2 or 3 above).
enum class DicomMapping { Identity, Window, MinMax };

struct DicomImage8 {
  DicomInfo info;
  DicomMapping mapping = DicomMapping::Identity;
  GrayImage image;  // columns x rows
};

struct DicomLimits {
  // Largest accepted file, checked before it is read (the whole file is read
  // into memory).
  std::size_t max_file_bytes = std::size_t{1} << 30;  // 1 GiB
  // Largest accepted Rows * Columns, checked before the pixels are decoded.
  std::size_t max_pixels = std::size_t{1} << 26;  // 64 Mi pixels (8192 x 8192)
};

// Reads the header only (the pixel data are not decoded).  Throws pn::Error
// naming the file when it is missing or not readable as DICOM.
DicomInfo read_dicom_info(const std::filesystem::path& path);

// Reads and decodes the image, mapped to 8 bits as documented above.  Throws
// pn::Error naming the file for everything listed under "Refused".
DicomImage8 read_dicom(const std::filesystem::path& path, const DicomLimits& limits = {});

}  // namespace pn::data
