#pragma once
// DICOM UIDs in the form of the SIIM-ACR competition's files:
//
//   study   1.2.276.0.7230010.3.1.2.8323329.N.T.(R-1)
//   series  1.2.276.0.7230010.3.1.3.8323329.N.T.(R-2)
//   SOP     1.2.276.0.7230010.3.1.4.8323329.N.T.R
//
// (DCMTK's UID root with a counter N, a Unix time T and a six-digit R), e.g.
// 1.2.276.0.7230010.3.1.4.8323329.5597.1517875188.959090.  The SOP instance
// UID is the image's name in the CSV files and its file name.
#include <cstdint>
#include <string>

namespace pn::synth {

struct ImageUids {
  std::string study, series, sop;
};

// The three UIDs for counter n (>= 1), time t and r (>= 2): distinct n give
// distinct SOP instance UIDs whatever t and r are.
ImageUids competition_uids(std::uint64_t n, std::uint64_t t, std::uint64_t r);

}  // namespace pn::synth
