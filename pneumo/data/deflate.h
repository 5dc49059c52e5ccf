#pragma once
// A fast zlib compressor for the PNGs the pipeline writes.
//
// Why our own: the PNG writer spent 90% of `pneumo prepare`'s time in
// stb_image_write's compressor (hash chains searched for long matches).
// Filtered image rows are noise-like: long matches are rare and gain little,
// what pays is Huffman coding of the byte values and runs of one repeated
// byte (the flat black around a radiograph, the zeros of a mask).  This is
// zlib's Z_RLE strategy, which OpenCV uses for PNG by default: the only
// back-references are runs (distance 1, length 3..258), every other byte a
// literal, each block with its own dynamic Huffman codes.  It produces
// about the bytes of cv2.imwrite's PNGs at several times stb's speed.
//
// The output is a standard zlib stream (RFC 1950: header, deflate blocks of
// RFC 1951, Adler-32), read by any inflater.
#include <cstddef>
#include <cstdint>
#include <string>

namespace pn::data {

// Appends the zlib stream of data[0, size) to `out`.  Any size, 0 included
// (an empty stream is one empty final block).
void zlib_compress_runs(const std::uint8_t* data, std::size_t size, std::string& out);

// The Adler-32 checksum of data[0, size) continuing from `adler` (1 for a new
// stream), as zlib's adler32().
std::uint32_t adler32(const std::uint8_t* data, std::size_t size, std::uint32_t adler = 1);

}  // namespace pn::data
