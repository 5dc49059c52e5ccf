#!/usr/bin/env python3
"""Writes tests/data/malformed/: files that every reader of outside data must
refuse with a pn::Error naming the file, and manifest.csv saying which reader
reads each file and what its error message must contain.

Plain Python 3 standard library only. Every file is a small valid seed built
here (a DICOM, a PNG, CSV files, YAML configurations, a transform JSON, a
safetensors file, PyTorch checkpoints in the zip and legacy formats) with one
defect put in by hand: truncations, lying lengths and sizes, huge dimensions,
wrong types, missing and duplicate keys, bad UTF-8, path traversal in zip
names, pickles that would import and call code. The output is deterministic.

Usage: tests/reference/make_malformed_corpus.py [OUT_DIR]
(default: tests/data/malformed beside this script's folder).

Manifest columns: file (relative to OUT_DIR), reader (the name the test
tests/pneumo/test_malformed_corpus.cpp maps to a reader function), expect
(texts the message must contain besides the file's path, joined by '|').
"""
import csv
import io
import json
import os
import shutil
import struct
import sys
import warnings
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "data", "malformed")

entries = []  # (file, reader, [expected texts])


def add(fmt, name, data, reader, *expect):
    if isinstance(data, str):
        data = data.encode("utf-8")
    rel = fmt + "/" + name
    path = os.path.join(OUT, fmt, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    assert rel not in [e[0] for e in entries], rel
    entries.append((rel, reader, list(expect)))


def truncations(data, count, start=0):
    """count offsets spread over [start, len(data)), increasing, distinct."""
    n = len(data)
    offs = sorted({start + (n - start) * i // count for i in range(count)})
    return [o for o in offs if o < n]


# ---------------------------------------------------------------- PNG ----

PNG_SIG = b"\x89PNG\r\n\x1a\n"


def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def ihdr(w, h, depth=8, color=0, comp=0, filt=0, interlace=0):
    return chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color, comp, filt, interlace))


def png_rows(w, h, filter_byte=0):
    return b"".join(bytes([filter_byte]) + bytes((x * 16 + y * 7) & 255 for x in range(w)) for y in range(h))


def png(w=8, h=8, head=None, idat=None, tail=None):
    head = head if head is not None else ihdr(w, h)
    idat = idat if idat is not None else chunk(b"IDAT", zlib.compress(png_rows(w, h)))
    tail = tail if tail is not None else chunk(b"IEND", b"")
    return PNG_SIG + head + idat + tail


def make_png():
    good = png()
    for off in truncations(good, 12):
        add("png", "truncated_%03d.png" % off, good[:off], "png", "not a PNG" if off < 8 else "truncated")
    add("png", "ihdr_100000x100000.png", png(head=ihdr(100000, 100000)), "png", "100000x100000", "outside 1..32768")
    add("png", "ihdr_32768x32768.png", png(head=ihdr(32768, 32768)), "png", "32768x32768", "limit")
    add("png", "ihdr_1x100000.png", png(head=ihdr(1, 100000)), "png", "1x100000")
    add("png", "ihdr_width0.png", png(head=ihdr(0, 8)), "png", "0x8")
    add("png", "ihdr_height_2p31.png", png(head=ihdr(8, 0x80000000)), "png", "8x2147483648")
    add("png", "ihdr_ffffffff.png", png(head=ihdr(0xFFFFFFFF, 0xFFFFFFFF)), "png", "4294967295x4294967295")
    add("png", "ihdr_bitdepth3.png", png(head=ihdr(8, 8, depth=3)), "png", "IHDR bit depth 3")
    add("png", "ihdr_colortype5.png", png(head=ihdr(8, 8, color=5)), "png", "IHDR colour type 5")
    add("png", "ihdr_rgb_bitdepth4.png", png(head=ihdr(8, 8, depth=4, color=2)), "png", "which takes 8 or 16")
    add("png", "ihdr_compression1.png", png(head=ihdr(8, 8, comp=1)), "png", "IHDR compression method 1")
    add("png", "ihdr_filter1.png", png(head=ihdr(8, 8, filt=1)), "png", "IHDR filter method 1")
    add("png", "ihdr_interlace2.png", png(head=ihdr(8, 8, interlace=2)), "png", "IHDR interlace method 2")
    add("png", "ihdr_short.png", png(head=chunk(b"IHDR", struct.pack(">II", 8, 8))), "png")
    # The header says more pixels than the data hold.
    add("png", "ihdr_larger_than_data.png", png(head=ihdr(8, 4000)), "png")
    # Chunk CRCs that do not match (a flipped byte on the way).
    bad = bytearray(good)
    bad[8 + 8 + 13] ^= 0xFF  # the IHDR CRC
    add("png", "ihdr_bad_crc.png", bytes(bad), "png", "CRC")
    idat_at = 8 + 25
    bad = bytearray(good)
    bad[idat_at + 8 + 5] ^= 0x01  # a byte inside the compressed data
    add("png", "idat_bad_crc.png", bytes(bad), "png", "CRC")
    add("png", "idat_not_zlib.png", png(idat=chunk(b"IDAT", b"this is not zlib data")), "png")
    add("png", "idat_deflate_garbage.png", png(idat=chunk(b"IDAT", b"\x78\x9c" + b"\xff" * 40)), "png")
    add("png", "idat_too_little.png", png(idat=chunk(b"IDAT", zlib.compress(png_rows(8, 3)))), "png")
    add("png", "idat_filter_type_9.png", png(idat=chunk(b"IDAT", zlib.compress(png_rows(8, 8, 9)))), "png")
    add("png", "idat_empty.png", png(idat=chunk(b"IDAT", b"")), "png", "empty IDAT")
    add("png", "idat_missing.png", png(idat=b""), "png")
    add("png", "ihdr_missing.png", PNG_SIG + chunk(b"IDAT", zlib.compress(png_rows(8, 8))) + chunk(b"IEND", b""),
        "png")
    add("png", "ihdr_twice.png", png(head=ihdr(8, 8) + ihdr(8, 8)), "png")
    add("png", "iend_missing.png", png(tail=b""), "png", "IEND")
    add("png", "chunk_length_huge.png",
        PNG_SIG + ihdr(8, 8) + struct.pack(">I", 0x7FFFFFF0) + b"IDAT" + zlib.compress(png_rows(8, 8)), "png",
        "runs past the end")
    add("png", "chunk_length_ffffffff.png",
        PNG_SIG + ihdr(8, 8) + struct.pack(">I", 0xFFFFFFFF) + b"IDAT" + zlib.compress(png_rows(8, 8)), "png")
    # 16 MiB of zeros behind an 8x8 header: a decompression bomb in miniature.
    add("png", "idat_inflates_16mib.png", png(idat=chunk(b"IDAT", zlib.compress(b"\x00" * (16 << 20), 9))), "png",
        "inflate to more than")
    add("png", "palette_missing.png", png(head=ihdr(8, 8, color=3)), "png")
    add("png", "gray16_truncated_rows.png",
        png(head=ihdr(8, 8, depth=16), idat=chunk(b"IDAT", zlib.compress(png_rows(8, 8)))), "png")
    add("png", "signature_only.png", PNG_SIG, "png", "corrupt header")
    add("png", "empty.png", b"", "png", "not a PNG")
    add("png", "jpeg_named_png.png", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 30, "png", "not a PNG")
    add("png", "gif_named_png.png", b"GIF89a\x08\x00\x08\x00\x00\x00\x00;", "png", "not a PNG")
    add("png", "text.png", "just some text\n", "png", "not a PNG")


# -------------------------------------------------------------- DICOM ----

EXPLICIT_LE = "1.2.840.10008.1.2.1"


def uid(s):
    b = s.encode("ascii")
    return b + b"\x00" * (len(b) % 2)


def text(s):
    b = s.encode("ascii")
    return b + b" " * (len(b) % 2)


LONG_VRS = {b"OB", b"OW", b"OF", b"SQ", b"UT", b"UN"}


def element(group, elem, vr, value, length=None, big=False):
    """One explicit-VR element; `length` overrides the stated length."""
    e = ">" if big else "<"
    n = len(value) if length is None else length
    head = struct.pack(e + "HH", group, elem) + vr
    if vr in LONG_VRS:
        head += b"\x00\x00" + struct.pack(e + "I", n)
    else:
        head += struct.pack(e + "H", n)
    return head + value


def us(v, big=False):
    return struct.pack(">H" if big else "<H", v)


def dicom(rows=8, cols=8, bits=8, stored=None, photometric="MONOCHROME2", samples=1, pixels=None, xfer=EXPLICIT_LE,
          drop=(), extra=(), pixel_vr=b"OB", pixel_length=None, preamble=True):
    """An explicit VR little endian DICOM file (unless xfer says otherwise
    for the meta header only); `drop` removes tags, `extra` adds elements."""
    stored = bits if stored is None else stored
    if pixels is None:
        pixels = bytes((i * 5) & 255 for i in range(rows * cols * max(bits, 8) // 8))
        if len(pixels) % 2:
            pixels += b"\x00"
    meta_body = (element(0x0002, 0x0001, b"OB", b"\x00\x01") + element(0x0002, 0x0002, b"UI", uid("1.2.840.10008.5.1.4.1.1.7")) +
                 element(0x0002, 0x0003, b"UI", uid("1.2.3.4.5.6.7")) + element(0x0002, 0x0010, b"UI", uid(xfer)) +
                 element(0x0002, 0x0012, b"UI", uid("1.2.3.4.5")))
    meta = element(0x0002, 0x0000, b"UL", struct.pack("<I", len(meta_body))) + meta_body
    ds = [
        ((0x0008, 0x0016), element(0x0008, 0x0016, b"UI", uid("1.2.840.10008.5.1.4.1.1.7"))),
        ((0x0008, 0x0018), element(0x0008, 0x0018, b"UI", uid("1.2.3.4.5.6.7"))),
        ((0x0028, 0x0002), element(0x0028, 0x0002, b"US", us(samples))),
        ((0x0028, 0x0004), element(0x0028, 0x0004, b"CS", text(photometric))),
        ((0x0028, 0x0010), element(0x0028, 0x0010, b"US", us(rows))),
        ((0x0028, 0x0011), element(0x0028, 0x0011, b"US", us(cols))),
        ((0x0028, 0x0100), element(0x0028, 0x0100, b"US", us(bits))),
        ((0x0028, 0x0101), element(0x0028, 0x0101, b"US", us(stored))),
        ((0x0028, 0x0102), element(0x0028, 0x0102, b"US", us(max(stored, 1) - 1))),
        ((0x0028, 0x0103), element(0x0028, 0x0103, b"US", us(0))),
        ((0x7FE0, 0x0010), element(0x7FE0, 0x0010, pixel_vr, pixels, length=pixel_length)),
    ]
    ds = [(t, b) for t, b in ds if t not in drop] + list(extra)
    ds.sort(key=lambda tb: tb[0])
    body = meta + b"".join(b for _, b in ds)
    return (b"\x00" * 128 + b"DICM" if preamble else b"") + body


def encapsulated(fragments):
    """Encapsulated pixel data: an empty offset table, the fragments, the end."""
    items = element_item(b"")
    for f in fragments:
        items += element_item(f)
    items += struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
    return items


def element_item(value):
    return struct.pack("<HHI", 0xFFFE, 0xE000, len(value)) + value


def make_dicom():
    good = dicom()
    for off in truncations(good, 14, start=0):
        add("dicom", "truncated_%04d.dcm" % off, good[:off], "dicom", "truncated")
    add("dicom", "preamble_only.dcm", b"\x00" * 128 + b"DICM", "dicom")
    add("dicom", "text.dcm", "this is not a DICOM file\n" * 4, "dicom")
    add("dicom", "random.dcm", bytes((i * 97 + 13) & 255 for i in range(700)), "dicom")
    add("dicom", "rows_columns_65535_little_data.dcm", dicom(rows=65535, cols=65535, pixels=b"\x00" * 64), "dicom",
        "65535x65535", "Rows")
    add("dicom", "rows_4096_little_data.dcm", dicom(rows=4096, cols=4096, pixels=b"\x00" * 64), "dicom",
        "4096x4096", "truncated")
    add("dicom", "rows_0.dcm", dicom(rows=0, pixels=b"\x00" * 64), "dicom", "8x0")
    add("dicom", "columns_0.dcm", dicom(cols=0, pixels=b"\x00" * 64), "dicom", "0x8")
    add("dicom", "rows_missing.dcm", dicom(drop=[(0x0028, 0x0010)]), "dicom", "Rows")
    add("dicom", "columns_missing.dcm", dicom(drop=[(0x0028, 0x0011)]), "dicom", "Columns")
    add("dicom", "pixel_data_missing.dcm", dicom(drop=[(0x7FE0, 0x0010)]), "dicom", "no pixel data")
    add("dicom", "pixel_data_empty.dcm", dicom(pixels=b""), "dicom", "no pixel data")
    add("dicom", "pixel_data_short.dcm", dicom(pixels=b"\x01" * 20), "dicom", "truncated")
    add("dicom", "pixel_data_length_past_end.dcm", dicom(pixel_length=0x7FFFFFF0), "dicom")
    add("dicom", "pixel_data_length_odd_past_end.dcm", dicom(pixel_length=65), "dicom")
    add("dicom", "photometric_rgb.dcm", dicom(photometric="RGB"), "dicom", "RGB")
    add("dicom", "photometric_ybr.dcm", dicom(photometric="YBR_FULL"), "dicom", "YBR_FULL")
    add("dicom", "photometric_palette.dcm", dicom(photometric="PALETTE COLOR"), "dicom", "PALETTE COLOR")
    add("dicom", "photometric_missing.dcm", dicom(drop=[(0x0028, 0x0004)]), "dicom", "photometric")
    add("dicom", "samples_per_pixel_3.dcm", dicom(samples=3), "dicom", "3 samples per pixel")
    add("dicom", "bits_allocated_0.dcm", dicom(bits=0, stored=0, pixels=b"\x00" * 64), "dicom", "bits allocated")
    add("dicom", "bits_allocated_64.dcm", dicom(bits=64, stored=64), "dicom", "64/64")
    add("dicom", "bits_stored_above_allocated.dcm", dicom(bits=8, stored=16), "dicom", "8/16")
    add("dicom", "jpeg2000.dcm", dicom(xfer="1.2.840.10008.1.2.4.90", pixel_length=0xFFFFFFFF,
                                       pixels=encapsulated([b"\xff\x4f\xff\x51" + b"\x00" * 28])),
        "dicom", "JPEG 2000")
    add("dicom", "jpeg_baseline_garbage.dcm", dicom(xfer="1.2.840.10008.1.2.4.50", pixel_length=0xFFFFFFFF,
                                                    pixels=encapsulated([b"\xff\xd8" + b"\x13" * 30])), "dicom")
    add("dicom", "jpeg_baseline_no_fragment.dcm", dicom(xfer="1.2.840.10008.1.2.4.50", pixel_length=0xFFFFFFFF,
                                                        pixels=encapsulated([])), "dicom")
    add("dicom", "jpeg_ls_garbage.dcm", dicom(xfer="1.2.840.10008.1.2.4.80", pixel_length=0xFFFFFFFF,
                                              pixels=encapsulated([b"\xff\xd8\xff\xf7" + b"\x01" * 28])), "dicom")
    add("dicom", "rle_segments_15.dcm", dicom(xfer="1.2.840.10008.1.2.5", pixel_length=0xFFFFFFFF,
                                              pixels=encapsulated([struct.pack("<16I", 15, *([64] * 15))])),
        "dicom")
    add("dicom", "rle_segment_offset_past_end.dcm",
        dicom(xfer="1.2.840.10008.1.2.5", pixel_length=0xFFFFFFFF,
              pixels=encapsulated([struct.pack("<16I", 1, 100000, *([0] * 14)) + b"\x00\x00"])), "dicom")
    add("dicom", "rle_segment_short.dcm",
        dicom(xfer="1.2.840.10008.1.2.5", pixel_length=0xFFFFFFFF,
              pixels=encapsulated([struct.pack("<16I", 1, 64, *([0] * 14)) + b"\x7f\x01" * 8])), "dicom",
        "RLE segment 1")
    add("dicom", "rle_segment_decodes_short.dcm",
        dicom(xfer="1.2.840.10008.1.2.5", pixel_length=0xFFFFFFFF,
              pixels=encapsulated([struct.pack("<16I", 1, 64, *([0] * 14)) + b"\xe1\x07\x00\x09"])), "dicom",
        "decodes to 33 bytes")
    add("dicom", "rle_header_short.dcm",
        dicom(xfer="1.2.840.10008.1.2.5", pixel_length=0xFFFFFFFF, pixels=encapsulated([b"\x01\x00\x00\x00"])),
        "dicom", "64-byte header")
    add("dicom", "encapsulated_no_delimiter.dcm",
        dicom(xfer="1.2.840.10008.1.2.5", pixel_length=0xFFFFFFFF, pixels=element_item(b"") + element_item(b"\x00" * 64)),
        "dicom")
    add("dicom", "encapsulated_item_length_past_end.dcm",
        dicom(xfer="1.2.840.10008.1.2.5", pixel_length=0xFFFFFFFF,
              pixels=element_item(b"") + struct.pack("<HHI", 0xFFFE, 0xE000, 0x7FFFFFF0) + b"\x00" * 16), "dicom")
    add("dicom", "deflated_garbage.dcm", dicom(xfer="1.2.840.10008.1.2.1.99")[:132 + 100] + b"\x13" * 200, "dicom")
    long_date = element(0x0008, 0x0020, b"DA", b"20190101", length=0xFFF0)  # says 65520 bytes, has 8
    add("dicom", "element_length_past_end.dcm", dicom(extra=[((0x0008, 0x0020), long_date)]), "dicom")
    bad_vr = struct.pack("<HH", 0x0008, 0x0060) + b"\x01\x02" + struct.pack("<H", 0x7FF0) + b"CT"
    add("dicom", "bad_vr_long_length.dcm", dicom(extra=[((0x0008, 0x0060), bad_vr)]), "dicom")
    undefined = struct.pack("<HH", 0x0028, 0x0030) + b"SQ\x00\x00" + struct.pack("<I", 0xFFFFFFFF) + b"\x00" * 12
    add("dicom", "sequence_never_ends.dcm", dicom(extra=[((0x0028, 0x0030), undefined)], drop=[(0x7FE0, 0x0010)]),
        "dicom")
    slope = [((0x0028, 0x1053), element(0x0028, 0x1053, b"DS", text("1e308"))),
             ((0x0028, 0x1052), element(0x0028, 0x1052, b"DS", text("0")))]
    px16 = b"".join(struct.pack("<H", v) for v in [0, 1000] * 32)
    add("dicom", "rescale_overflows.dcm", dicom(bits=16, stored=16, pixels=px16, pixel_vr=b"OW", extra=slope), "dicom",
        "Rescale")
    negative = [((0x0028, 0x1053), element(0x0028, 0x1053, b"DS", text("-1e308"))),
                ((0x0028, 0x1052), element(0x0028, 0x1052, b"DS", text("-1e308")))]
    add("dicom", "rescale_overflows_negative.dcm",
        dicom(bits=16, stored=16, pixels=px16, pixel_vr=b"OW", extra=negative), "dicom", "Rescale")
    high_bit_40 = [((0x0028, 0x0102), element(0x0028, 0x0102, b"US", us(40)))]
    add("dicom", "high_bit_past_allocated.dcm",
        dicom(bits=16, stored=8, pixel_vr=b"OW", extra=high_bit_40, drop=[(0x0028, 0x0102)]), "dicom", "High Bit 40")
    representation_2 = [((0x0028, 0x0103), element(0x0028, 0x0103, b"US", us(2)))]
    add("dicom", "pixel_representation_2.dcm", dicom(drop=[(0x0028, 0x0103)], extra=representation_2), "dicom",
        "Pixel Representation 2")
    add("dicom", "bits_allocated_12.dcm", dicom(bits=12), "dicom", "bits allocated/stored 12/12")
    rows_text = [((0x0028, 0x0010), element(0x0028, 0x0010, b"US", b"ab"))]
    add("dicom", "rows_text_bytes.dcm", dicom(drop=[(0x0028, 0x0010)], extra=rows_text), "dicom", "8x25185")
    rows_empty = [((0x0028, 0x0010), element(0x0028, 0x0010, b"US", b""))]
    add("dicom", "rows_empty_value.dcm", dicom(drop=[(0x0028, 0x0010)], extra=rows_empty), "dicom", "Rows")
    # Sequences nested 1000 deep (DCMTK reads them by recursion: deep enough,
    # the stack overflows), in each encoding and with both kinds of length.
    undefined = (struct.pack("<HH", 0x0008, 0x1140) + b"SQ\x00\x00" + struct.pack("<I", 0xFFFFFFFF) +
                 struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF))
    add("dicom", "sequences_nested_1000.dcm", dicom(extra=[((0x0008, 0x1140), undefined * 1000)]), "dicom",
        "nested more than 64")
    defined = b""
    for _ in range(1000):
        item = struct.pack("<HHI", 0xFFFE, 0xE000, len(defined)) + defined
        defined = struct.pack("<HH", 0x0008, 0x1140) + b"SQ\x00\x00" + struct.pack("<I", len(item)) + item
    add("dicom", "sequences_nested_1000_defined_lengths.dcm", dicom(extra=[((0x0008, 0x1140), defined)]), "dicom",
        "nested more than 64")
    implicit = struct.pack("<HHI", 0x0008, 0x1140, 0xFFFFFFFF) + struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF)
    add("dicom", "sequences_nested_1000_implicit_no_meta.dcm",
        struct.pack("<HHI", 0x0008, 0x0016, 26) + uid("1.2.840.10008.5.1.4.1.1.7") + implicit * 1000, "dicom",
        "nested more than 64")
    big = (struct.pack(">HH", 0x0008, 0x1140) + b"SQ\x00\x00" + struct.pack(">I", 0xFFFFFFFF) +
           struct.pack(">HHI", 0xFFFE, 0xE000, 0xFFFFFFFF))
    head = dicom(xfer="1.2.840.10008.1.2.2")
    head = head[:head.index(b"\x08\x00\x16\x00", 132)]  # the preamble and meta header (little endian)
    add("dicom", "sequences_nested_1000_big_endian.dcm",
        head + element(0x0008, 0x0016, b"UI", uid("1.2.840.10008.5.1.4.1.1.7"), big=True) + big * 1000, "dicom",
        "nested more than 64")
    add("dicom", "no_preamble_truncated.dcm", dicom(preamble=False)[:-40], "dicom")
    add("dicom", "no_preamble_starts_mid_header.dcm", dicom(preamble=False)[13:], "dicom")


# ----------------------------------------------------------- CSV, RLE ----

def make_csv():
    add("csv", "empty.csv", "", "csv", "empty file")
    add("csv", "bom_only.csv", b"\xef\xbb\xbf", "csv", "empty file")
    add("csv", "blank_lines_only.csv", "\n\n\r\n", "csv", "empty file")
    add("csv", "row_too_few_fields.csv", "ImageId,EncodedPixels\na,-1\nb\n", "csv", "line 3")
    add("csv", "row_too_many_fields.csv", "ImageId,EncodedPixels\na,-1\nb,-1,extra\n", "csv", "line 3")
    add("csv", "row_too_many_fields_crlf.csv", "ImageId,EncodedPixels\r\na,-1\r\nb,1 2,3\r\n", "csv", "line 3")
    add("csv", "unterminated_quote.csv", 'ImageId,EncodedPixels\na,"1 2\nb,-1\n', "csv", "line 2")
    add("csv", "quote_inside_field.csv", 'ImageId,EncodedPixels\na,1 "2" 3\n', "csv", "line 2")
    add("csv", "text_after_quote.csv", 'ImageId,EncodedPixels\na,"1 2"x\n', "csv", "line 2")
    add("csv", "bad_utf8.csv", b"ImageId,EncodedPixels\n\xff\xfeab,-1\n", "csv", "line 2", "UTF-8")
    add("csv", "bad_utf8_header.csv", b"Image\xc0\xafId,EncodedPixels\na,-1\n", "csv", "line 1", "UTF-8")

    # Folds files (fname, fold, exist_labels).
    head = "fname,fold,exist_labels\n"
    add("folds", "missing_column.csv", "fname,fold\na.png,0\n", "folds", "exist_labels")
    add("folds", "fold_not_integer.csv", head + "a.png,0,0\nb.png,one,1\n", "folds", "line 3", "fold")
    add("folds", "fold_float.csv", head + "a.png,1.5,0\n", "folds", "line 2", "fold")
    add("folds", "fold_too_large.csv", head + "a.png,99999999999,0\n", "folds", "line 2", "fold")
    add("folds", "fold_empty.csv", head + "a.png,,0\n", "folds", "line 2", "fold")
    add("folds", "exist_labels_2.csv", head + "a.png,0,2\n", "folds", "line 2", "exist_labels")
    add("folds", "exist_labels_negative.csv", head + "a.png,0,-1\n", "folds", "line 2", "exist_labels")
    add("folds", "empty_fname.csv", head + "a.png,0,0\n,1,0\n", "folds", "line 3", "fname")
    add("folds", "duplicate_fname.csv", head + "a.png,0,0\nb.png,1,0\na.png,2,1\n", "folds", "line 4", "a.png")
    add("folds", "wrong_column_count.csv", head + "a.png,0,0,extra\n", "folds", "line 2")
    add("folds", "fold_negative_sign_only.csv", head + "a.png,-,0\n", "folds", "line 2", "fold")

    # RLE files, format detected (the competition's readers: train-rle.csv,
    # stage_2_train.csv and submissions).
    head = "ImageId,EncodedPixels\n"
    add("rle", "missing_encoded_pixels.csv", "ImageId,Pixels\na,-1\n", "rle", "EncodedPixels")
    add("rle", "missing_image_id.csv", "Id,EncodedPixels\na,-1\n", "rle", "ImageId")
    add("rle", "two_encoded_pixels.csv", "ImageId, EncodedPixels,EncodedPixels \na,-1,-1\n", "rle",
        "EncodedPixels")
    add("rle", "empty_image_id.csv", head + "a,-1\n,-1\n", "rle", "line 3", "empty ImageId")
    add("rle", "non_numeric.csv", head + "a,-1\nb,1 2 x 4\n", "rle", "line 3", "ImageId b")
    add("rle", "non_numeric_float.csv", head + "a,10 2.5\n", "rle", "line 2")
    add("rle", "odd_count.csv", head + "a,10 20 30\n", "rle", "line 2")
    add("rle", "negative_offset.csv", head + "a,-5 3\n", "rle", "line 2")
    add("rle", "zero_length.csv", head + "a,5 0\n", "rle", "line 2")
    add("rle", "run_past_end.csv", head + "a,1048570 10\n", "rle", "line 2")
    add("rle", "huge_value.csv", head + "a,99999999999999999999999 1\n", "rle", "line 2")
    add("rle", "mixed_formats.csv", head + "a,5 3 2 2 1 1\nb,1000000 3 1040000 2\n", "rle", "mix formats")
    add("rle", "wrong_column_count.csv", head + "a,-1,extra\n", "rle", "line 2")
    # The same defects against a stated format (rle_stage1 / rle_stage2
    # readers: every image's mask decoded at 1024 x 1024).
    add("rle", "stage1_non_numeric.csv", head + "a,1 2 3 y\n", "rle_stage1", "line 2", '"y"')
    add("rle", "stage1_negative_offset.csv", head + "a,-5 3\n", "rle_stage1", "line 2", "negative offset")
    add("rle", "stage1_negative_length.csv", head + "a,5 -3\n", "rle_stage1", "line 2")
    add("rle", "stage1_zero_length.csv", head + "a,5 0\n", "rle_stage1", "line 2", "length 0")
    add("rle", "stage1_odd_count.csv", head + "a,5 3 2\n", "rle_stage1", "line 2", "odd number")
    add("rle", "stage1_past_end.csv", head + "a,1048570 10\n", "rle_stage1", "line 2", "1048570")
    add("rle", "stage1_offsets_sum_past_end.csv", head + "a,600000 1 600000 1\n", "rle_stage1", "line 2")
    add("rle", "stage1_huge_value.csv", head + "a,5 99999999999999999999\n", "rle_stage1", "line 2", "too large")
    add("rle", "stage2_start_zero.csv", head + "a,0 3\n", "rle_stage2", "line 2", "start 0")
    add("rle", "stage2_past_end.csv", head + "a,1048576 2\n", "rle_stage2", "line 2")
    add("rle", "stage2_hex.csv", head + "a,0x10 2\n", "rle_stage2", "line 2")


# --------------------------------------------------------------- YAML ----

def make_yaml():
    y = "yaml"
    add(y, "tab_indent.yaml", "A:\n\tB: 1\n", y, ":2", "tab")
    add(y, "duplicate_key.yaml", "A: 1\nB: 2\nA: 3\n", y, ":3", "duplicate key 'A'")
    add(y, "duplicate_nested_key.yaml", "M:\n  x: 1\n  x: 2\n", y, ":3", "duplicate key 'x'")
    add(y, "duplicate_flow_key.yaml", "M: {a: 1, a: 2}\n", y, ":1", "duplicate key 'a'")
    add(y, "anchor.yaml", "A: &x 1\nB: *x\n", y, ":1")
    add(y, "alias.yaml", "A: 1\nB: *x\n", y, ":2")
    add(y, "tag.yaml", "A: !!str 1\n", y, ":1")
    add(y, "block_scalar_literal.yaml", "A: |\n  text\n", y, ":1")
    add(y, "block_scalar_folded.yaml", "A: >\n  text\n", y, ":1")
    add(y, "multi_document.yaml", "A: 1\n---\nB: 2\n", y, ":2", "multi-document")
    add(y, "document_end.yaml", "A: 1\n...\n", y, ":2", "multi-document")
    add(y, "unterminated_single_quote.yaml", "A: 'abc\n", y, ":1", "unterminated")
    add(y, "unterminated_double_quote.yaml", 'A: "abc\n', y, ":1", "unterminated")
    add(y, "unterminated_flow_sequence.yaml", "A: [1, 2\nB: 3\n", y, ":1", "unterminated flow")
    add(y, "unterminated_flow_mapping.yaml", "A: {a: 1\n", y, ":1", "unterminated flow")
    add(y, "flow_missing_comma.yaml", "A: [1 2] x\n", y, ":1")
    add(y, "flow_key_not_scalar.yaml", "A: {[1]: 2}\n", y, ":1")
    add(y, "bad_escape.yaml", 'A: "a\\qb"\n', y, ":1", "escape")
    add(y, "text_after_quote.yaml", "A: 'a' b\n", y, ":1", "after a quoted scalar")
    add(y, "no_colon.yaml", "A: 1\njust words\n", y, ":2", "expected 'key: value'")
    add(y, "empty_key.yaml", "A: 1\n: 2\n", y, ":2", "empty key")
    add(y, "bad_indentation.yaml", "A:\n    B: 1\n  C: 2\n", y, ":3", "indentation")
    add(y, "mapping_after_scalar.yaml", "A: 1\n  B: 2\n", y, ":2")
    add(y, "nesting_200_block.yaml", "".join("  " * i + "k%d:\n" % i for i in range(200)), y, "nesting")
    add(y, "nesting_200_flow.yaml", "A: " + "[" * 200 + "]" * 200 + "\n", y, ":1", "nesting")
    add(y, "bad_utf8_value.yaml", b"A: caf\xe9\n", y, ":1", "UTF-8")
    add(y, "bad_utf8_key.yaml", b"A: 1\n\xc0\xafB: 2\n", y, ":2", "UTF-8")
    add(y, "bad_utf8_comment.yaml", b"A: 1 # \xff\xfe\n", y, ":1", "UTF-8")
    add(y, "surrogate_utf8.yaml", b"A: \xed\xa0\x80\n", y, ":1", "UTF-8")


# The valid training configuration every train_config file starts from
# (the reference's keys; small UNet so that checking it is quick).
TRAIN_CONFIG = """PIPELINE_NAME: tiny
DATA_DIRECTORY: 'data'
LOGGER_DIR: 'log'
SEED: 7
DEVICE: cpu
WORKERS: 2

MODEL:
  FREEZE: False
  CLASS: UNet
  ARGS:
      seg_classes: 1
      num_filters: 4
      depth: 3

FOLD:
  NUMBER: 2
  USEFOLDS: [0, 1]
  FILE: folds.csv

USE_SAMPLER: True
NON_EMPTY_MASK_PROBA: 0.5

TRAIN_TRANSFORMS: train_transforms.json
VALID_TRANSFORMS: valid_transforms.json

CRITERION:
    CLASS: ComboLoss
    ARGS:
        weights:
            bce: 3
            dice: 1
            focal: 4

OPTIMIZER:
  CLASS: Adam
  ARGS:
    lr: 0.001
    weight_decay: 0.000005

SCHEDULER:
  CLASS: CosineAnnealingLR
  ARGS:
    T_max: 2
    eta_min: 0.000001

BATCH_SIZE: 2
GRADIENT_ACCUMULATION_STEPS: 1
GRADIENT_CLIPPING: 0.1
EPOCHES: 2
EARLY_STOPPING: 10

CHECKPOINTS:
    FULL_FOLDER: checkpoints
    BEST_FOLDER: checkpoints
    TOPK: 1

MASK_BINARIZER:
  CLASS: TripletMaskBinarization
  ARGS:
    triplets: [[0.75, 10, 0.3], [0.6, 20, 0.4]]

EVALUATION_METRIC:
  CLASS: dice_metric
  ARGS:
    per_image: True
"""


def config_without(path):
    """TRAIN_CONFIG without the key at `path` ("FOLD.NUMBER") and its block."""
    lines = TRAIN_CONFIG.split("\n")
    parts = path.split(".")
    out, stack, skip_indent = [], [], None
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        if skip_indent is not None:
            if line.strip() == "" or indent > skip_indent:
                continue
            skip_indent = None
        if line.strip() and ":" in line:
            while stack and stack[-1][0] >= indent:
                stack.pop()
            key = line.strip().split(":")[0]
            if [k for _, k in stack] + [key] == parts:
                skip_indent = indent
                continue
            stack.append((indent, key))
        out.append(line)
    text = "\n".join(out)
    assert text != TRAIN_CONFIG, path
    return text


def config_with(old, new):
    assert TRAIN_CONFIG.count(old) == 1, old
    return TRAIN_CONFIG.replace(old, new)


def make_train_config():
    r = "train_config"
    for key in ["PIPELINE_NAME", "DATA_DIRECTORY", "MODEL", "MODEL.CLASS", "FOLD", "FOLD.NUMBER", "FOLD.USEFOLDS",
                "FOLD.FILE", "TRAIN_TRANSFORMS", "VALID_TRANSFORMS", "CRITERION", "CRITERION.CLASS",
                "CRITERION.ARGS", "CRITERION.ARGS.weights", "OPTIMIZER", "OPTIMIZER.CLASS", "SCHEDULER.CLASS", "SCHEDULER", "BATCH_SIZE", "EPOCHES", "CHECKPOINTS",
                "CHECKPOINTS.FULL_FOLDER", "CHECKPOINTS.TOPK", "MASK_BINARIZER", "MASK_BINARIZER.ARGS",
                "EVALUATION_METRIC", "EVALUATION_METRIC.CLASS"]:
        # A mapping left empty is reported as such, under its own key.
        expect = {"CRITERION.ARGS.weights": ["(CRITERION.ARGS)", "expected a mapping"]}.get(
            key, ["missing key '%s'" % key.split(".")[-1]])
        add(r, "missing_%s.yaml" % key.lower().replace(".", "_"), config_without(key), r, *expect)
    add(r, "batch_size_string.yaml", config_with("BATCH_SIZE: 2", "BATCH_SIZE: two"), r, "BATCH_SIZE", "'two'")
    add(r, "batch_size_quoted.yaml", config_with("BATCH_SIZE: 2", "BATCH_SIZE: '2'"), r, "BATCH_SIZE")
    add(r, "batch_size_zero.yaml", config_with("BATCH_SIZE: 2", "BATCH_SIZE: 0"), r, "BATCH_SIZE")
    add(r, "batch_size_list.yaml", config_with("BATCH_SIZE: 2", "BATCH_SIZE: [2]"), r, "BATCH_SIZE")
    add(r, "epoches_float.yaml", config_with("EPOCHES: 2", "EPOCHES: 1.5"), r, "EPOCHES")
    add(r, "epoches_huge.yaml", config_with("EPOCHES: 2", "EPOCHES: 99999999999999999999999"), r, "EPOCHES")
    add(r, "seed_negative.yaml", config_with("SEED: 7", "SEED: -1"), r, "SEED")
    add(r, "workers_string.yaml", config_with("WORKERS: 2", "WORKERS: many"), r, "WORKERS")
    add(r, "device_tpu.yaml", config_with("DEVICE: cpu", "DEVICE: tpu"), r, "DEVICE", "tpu")
    add(r, "pipeline_name_slash.yaml", config_with("PIPELINE_NAME: tiny", "PIPELINE_NAME: a/b"), r,
        "PIPELINE_NAME")
    add(r, "pipeline_name_mapping.yaml", config_with("PIPELINE_NAME: tiny", "PIPELINE_NAME:\n  a: 1"), r,
        "PIPELINE_NAME")
    add(r, "data_directory_empty_string.yaml", config_with("DATA_DIRECTORY: 'data'", "DATA_DIRECTORY: ''"), r,
        "DATA_DIRECTORY")
    add(r, "model_class_unknown.yaml", config_with("CLASS: UNet", "CLASS: NoSuchNet"), r, "NoSuchNet")
    add(r, "model_args_string.yaml", config_with("num_filters: 4", "num_filters: four"), r, "num_filters")
    add(r, "fold_not_below_number.yaml", config_with("USEFOLDS: [0, 1]", "USEFOLDS: [0, 7]"), r, "USEFOLDS", "7")
    add(r, "fold_twice.yaml", config_with("USEFOLDS: [0, 1]", "USEFOLDS: [1, 1]"), r, "USEFOLDS", "twice")
    add(r, "fold_empty_list.yaml", config_with("USEFOLDS: [0, 1]", "USEFOLDS: []"), r, "USEFOLDS")
    add(r, "fold_number_negative.yaml", config_with("NUMBER: 2", "NUMBER: -2"), r, "NUMBER")
    add(r, "criterion_class_unknown.yaml", config_with("CLASS: ComboLoss", "CLASS: DiceLoss"), r, "DiceLoss")
    add(r, "loss_weight_string.yaml", config_with("bce: 3", "bce: heavy"), r, "bce")
    add(r, "loss_unknown.yaml", config_with("bce: 3", "bcx: 3"), r, "bcx")
    add(r, "optimizer_unknown.yaml", config_with("CLASS: Adam", "CLASS: Adamm"), r, "Adamm")
    add(r, "lr_string.yaml", config_with("lr: 0.001", "lr: fast"), r, "lr", "fast")
    add(r, "scheduler_unknown.yaml", config_with("CLASS: CosineAnnealingLR", "CLASS: Cosine"), r, "Cosine")
    add(r, "gradient_clipping_negative.yaml", config_with("GRADIENT_CLIPPING: 0.1", "GRADIENT_CLIPPING: -1"), r,
        "GRADIENT_CLIPPING")
    add(r, "use_sampler_not_boolean.yaml", config_with("USE_SAMPLER: True", "USE_SAMPLER: sometimes"), r,
        "USE_SAMPLER")
    add(r, "sample_rate_string.yaml", config_with("NON_EMPTY_MASK_PROBA: 0.5", "NON_EMPTY_MASK_PROBA: half"), r,
        "NON_EMPTY_MASK_PROBA")
    add(r, "sample_rate_bad_points.yaml",
        config_with("NON_EMPTY_MASK_PROBA: 0.5", "NON_EMPTY_MASK_PROBA: [[0, 0.8, 1]]"), r, "NON_EMPTY_MASK_PROBA")
    add(r, "topk_zero.yaml", config_with("TOPK: 1", "TOPK: 0"), r, "TOPK")
    add(r, "triplet_two_numbers.yaml", config_with("[0.6, 20, 0.4]", "[0.6, 20]"), r, "triplets")
    add(r, "triplet_negative_area.yaml", config_with("[0.6, 20, 0.4]", "[0.6, -20, 0.4]"), r, "triplets")
    add(r, "triplet_string.yaml", config_with("[0.6, 20, 0.4]", "[0.6, big, 0.4]"), r, "triplets", "big")
    add(r, "metric_unknown.yaml", config_with("CLASS: dice_metric", "CLASS: iou"), r, "iou")
    add(r, "nonfinite_unknown.yaml", TRAIN_CONFIG + "NONFINITE: ignore\n", r, "NONFINITE", "ignore")
    add(r, "duplicate_top_key.yaml", TRAIN_CONFIG + "BATCH_SIZE: 4\n", r, "duplicate key 'BATCH_SIZE'")
    add(r, "not_a_mapping.yaml", "- a\n- b\n", r, "mapping")
    add(r, "empty.yaml", "", r)
    add(r, "scalar_document.yaml", "just a string\n", r)
    add(r, "bad_utf8.yaml", TRAIN_CONFIG.replace("PIPELINE_NAME: tiny", "PIPELINE_NAME: t\xffny").encode("latin-1"),
        r, ":1", "UTF-8")


# ---------------------------------------------------------- transforms ----

A = "albumentations.augmentations.transforms."
C = "albumentations.core.composition."


def transforms_seed():
    return {
        "__version__": "0.3.1",
        "transform": {
            "__class_fullname__": C + "Compose", "p": 1.0, "bbox_params": {}, "keypoint_params": {},
            "additional_targets": {},
            "transforms": [
                {"__class_fullname__": A + "HorizontalFlip", "always_apply": False, "p": 0.5},
                {"__class_fullname__": C + "OneOf", "p": 0.3, "transforms": [
                    {"__class_fullname__": A + "RandomContrast", "always_apply": False, "p": 0.5,
                     "limit": [-0.2, 0.2]},
                    {"__class_fullname__": A + "RandomGamma", "always_apply": False, "p": 0.5,
                     "gamma_limit": [80, 120]},
                ]},
                {"__class_fullname__": A + "ShiftScaleRotate", "always_apply": False, "p": 0.5,
                 "shift_limit": [-0.1, 0.1], "scale_limit": [-0.1, 0.1], "rotate_limit": [-10, 10],
                 "interpolation": 1, "border_mode": 0},
                {"__class_fullname__": A + "Normalize", "always_apply": False, "p": 1.0,
                 "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "max_pixel_value": 255.0},
            ],
        },
    }


def make_transforms():
    r = "transforms"

    def put(name, mutate, *expect):
        d = transforms_seed()
        mutate(d)
        add(r, name, json.dumps(d, indent=1), r, *expect)

    tr = lambda d: d["transform"]["transforms"]
    good = json.dumps(transforms_seed(), indent=1).encode()
    for off in truncations(good, 10):
        add(r, "truncated_%04d.json" % off, good[:off], r, "JSON")
    put("top_class_missing.json", lambda d: d["transform"].pop("__class_fullname__"), "__class_fullname__")
    put("nested_class_missing.json", lambda d: tr(d)[1]["transforms"][0].pop("__class_fullname__"),
        "transforms[1]", "__class_fullname__")
    put("class_unknown.json", lambda d: tr(d)[0].update(__class_fullname__=A + "VerticalFlap"), "VerticalFlap")
    put("class_number.json", lambda d: tr(d)[0].update(__class_fullname__=5), "__class_fullname__", "a number")
    put("transform_missing.json", lambda d: d.pop("transform"), "transform")
    put("transform_array.json", lambda d: d.update(transform=[1, 2]), "transform")
    put("transforms_not_array.json", lambda d: d["transform"].update(transforms={"a": 1}), "transforms")
    put("p_string.json", lambda d: tr(d)[0].update(p="0.5"), "transforms[0]", "'p'")
    put("p_above_one.json", lambda d: tr(d)[0].update(p=1.5), "transforms[0]", "1.5")
    put("p_negative.json", lambda d: tr(d)[0].update(p=-0.1), "transforms[0]")
    put("p_null.json", lambda d: tr(d)[0].update(p=None), "transforms[0]", "'p'")
    put("always_apply_string.json", lambda d: tr(d)[0].update(always_apply="no"), "always_apply")
    put("unknown_argument.json", lambda d: tr(d)[1]["transforms"][0].update(limt=0.1), "limt")
    put("range_reversed.json", lambda d: tr(d)[1]["transforms"][1].update(gamma_limit=[120, 80]), "gamma_limit")
    put("range_three_numbers.json", lambda d: tr(d)[1]["transforms"][1].update(gamma_limit=[80, 100, 120]),
        "gamma_limit")
    put("range_strings.json", lambda d: tr(d)[1]["transforms"][1].update(gamma_limit=["80", "120"]), "gamma_limit")
    put("interpolation_3.json", lambda d: tr(d)[2].update(interpolation=3), "interpolation")
    put("border_mode_9.json", lambda d: tr(d)[2].update(border_mode=9), "border_mode")
    put("border_mode_float.json", lambda d: tr(d)[2].update(border_mode=1.5), "border_mode")
    put("normalize_not_last.json", lambda d: tr(d).append(tr(d)[0]), "Normalize")
    put("normalize_std_zero.json", lambda d: tr(d)[3].update(std=[0, 0, 0]), "std")
    put("normalize_mean_two_values.json", lambda d: tr(d)[3].update(mean=[0.5, 0.5]), "mean")
    put("bbox_params.json", lambda d: d["transform"].update(bbox_params={"format": "coco"}), "bbox_params")
    put("additional_targets.json", lambda d: d["transform"].update(additional_targets={"image2": "image"}),
        "additional_targets")
    add(r, "duplicate_key.json", good.replace(b'"p": 0.5,', b'"p": 0.5, "p": 0.7,', 1), r, "duplicate")
    add(r, "bad_utf8_class.json", good.replace(b"HorizontalFlip", b"Horizontal\xffFlip", 1), r, "UTF-8")
    add(r, "lone_surrogate.json", good.replace(b"HorizontalFlip", b"Horizontal\\ud800Flip", 1), r, "JSON")
    add(r, "nan_literal.json", good.replace(b'"p": 0.5,', b'"p": NaN,', 1), r, "JSON")
    add(r, "trailing_comma.json", good.replace(b'"p": 0.5\n', b'"p": 0.5,\n', 1), r, "JSON")
    add(r, "trailing_data.json", good + b"\n{}", r, "JSON")
    add(r, "control_char_in_string.json", good.replace(b"HorizontalFlip", b"Horizontal\x01Flip", 1), r, "JSON")
    add(r, "nesting_10000.json", b'{"transform": ' + b"[" * 10000 + b"]" * 10000 + b"}", r, "JSON")
    add(r, "top_level_array.json", b"[]", r)
    add(r, "empty.json", b"", r, "JSON")
    add(r, "huge_number.json", good.replace(b'"p": 0.5,', b'"p": 1e999999,', 1), r, "transforms[0]")


# -------------------------------------------------------- safetensors ----

def safetensors(header, data, raw_header=None, length=None):
    h = raw_header if raw_header is not None else json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h) if length is None else length) + h + data


def st_seed():
    header = {"__metadata__": {"format": "pt"},
              "a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
              "b": {"dtype": "I64", "shape": [2], "data_offsets": [24, 40]}}
    data = struct.pack("<6f", *range(6)) + struct.pack("<2q", 7, 8)
    return header, data


def make_safetensors():
    r = "safetensors"

    def put(name, mutate, *expect, data=None):
        h, d = st_seed()
        mutate(h)
        add(r, name, safetensors(h, d if data is None else data), r, *expect)

    h, d = st_seed()
    good = safetensors(h, d)
    for off in truncations(good, 14):
        add(r, "truncated_%03d.safetensors" % off, good[:off], r)
    add(r, "header_length_huge.safetensors", safetensors(h, d, length=1 << 62), r, "header length")
    add(r, "header_length_past_end.safetensors", safetensors(h, d, length=len(good)), r, "header length")
    add(r, "header_length_over_limit.safetensors", safetensors(h, d, length=100000001), r, "limit")
    add(r, "header_not_json.safetensors", safetensors(None, d, raw_header=b"not json at all"), r, "JSON")
    add(r, "header_array.safetensors", safetensors([1, 2], d), r, "not a JSON object")
    add(r, "header_bad_utf8_name.safetensors",
        safetensors(None, d, raw_header=json.dumps(h).encode().replace(b'"a"', b'"\xff"')), r, "UTF-8")
    add(r, "header_duplicate_name.safetensors",
        safetensors(None, d, raw_header=json.dumps(h).encode().replace(b'"b"', b'"a"')), r, "duplicate")
    put("dtype_missing.safetensors", lambda h: h["a"].pop("dtype"), "'a'", "dtype")
    put("shape_missing.safetensors", lambda h: h["a"].pop("shape"), "'a'", "shape")
    put("offsets_missing.safetensors", lambda h: h["b"].pop("data_offsets"), "'b'", "data_offsets")
    put("unknown_field.safetensors", lambda h: h["a"].update(stride=[3, 1]), "'a'", "stride")
    put("entry_not_object.safetensors", lambda h: h.update(a=[1, 2]), "'a'")
    put("dtype_unknown.safetensors", lambda h: h["a"].update(dtype="F33"), "'a'", "F33")
    put("dtype_lowercase.safetensors", lambda h: h["a"].update(dtype="f32"), "'a'", "f32")
    put("dtype_number.safetensors", lambda h: h["a"].update(dtype=32), "'a'", "dtype")
    put("dtype_complex.safetensors", lambda h: h["a"].update(dtype="C64"), "'a'", "C64")
    put("shape_string.safetensors", lambda h: h["a"].update(shape="2x3"), "'a'", "shape")
    put("shape_negative.safetensors", lambda h: h["a"].update(shape=[-2, -3]), "'a'", "shape")
    put("shape_float.safetensors", lambda h: h["a"].update(shape=[2.0, 3]), "'a'", "shape")
    put("shape_overflow.safetensors", lambda h: h["a"].update(shape=[1 << 32, 1 << 32, 1 << 32]), "'a'",
        "overflow")
    put("shape_product_wraps_to_6.safetensors", lambda h: h["a"].update(shape=[6, 1 << 62, 4]), "'a'")
    put("shape_65_dims.safetensors", lambda h: h["a"].update(shape=[1] * 65), "'a'", "65")
    put("shape_huge_int.safetensors", lambda h: h["a"].update(shape=[10 ** 30]), "'a'")
    put("shape_mismatch.safetensors", lambda h: h["a"].update(shape=[2, 4]), "'a'", "needs")
    put("offsets_one_value.safetensors", lambda h: h["a"].update(data_offsets=[0]), "'a'", "data_offsets")
    put("offsets_negative.safetensors", lambda h: h["a"].update(data_offsets=[-24, 0]), "'a'", "data_offsets")
    put("offsets_reversed.safetensors", lambda h: h["a"].update(data_offsets=[24, 0]), "'a'")
    put("offsets_past_end.safetensors", lambda h: h["b"].update(data_offsets=[24, 1 << 40], shape=[1 << 37]), "'b'")
    put("offsets_huge.safetensors", lambda h: h["b"].update(data_offsets=[24, 2 ** 64]), "'b'")
    put("offsets_overlap.safetensors", lambda h: h["b"].update(data_offsets=[16, 32]), "overlap", data=d[:32])
    put("offsets_gap.safetensors", lambda h: h["b"].update(data_offsets=[32, 48]), "bytes", data=d + b"\x00" * 8)
    put("trailing_bytes.safetensors", lambda h: None, "last", data=d + b"\x00" * 16)
    put("metadata_not_object.safetensors", lambda h: h.update(__metadata__=["pt"]), "__metadata__")
    put("metadata_number_value.safetensors", lambda h: h["__metadata__"].update(format=1), "format")
    add(r, "empty.safetensors", b"", r, "empty or truncated")
    add(r, "seven_bytes.safetensors", b"\x10\x00\x00\x00\x00\x00\x00", r, "empty or truncated")
    add(r, "a_pth_file.safetensors", b"PK\x03\x04" + b"\x00" * 60, r)


# -------------------------------------------------- PyTorch checkpoints ----

PROTO2 = b"\x80\x02"


def bu(s):
    """BINUNICODE."""
    b = s.encode("utf-8") if isinstance(s, str) else s
    return b"X" + struct.pack("<I", len(b)) + b


def glob(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def binint(v):
    if 0 <= v < 256:
        return b"K" + bytes([v])
    if 0 <= v < 65536:
        return b"M" + struct.pack("<H", v)
    if -(1 << 31) <= v < (1 << 31):
        return b"J" + struct.pack("<i", v)
    n = (v.bit_length() + 8) // 8
    return b"\x8a" + bytes([n]) + v.to_bytes(n, "little", signed=True)


def tup(*items):
    return b"(" + b"".join(items) + b"t"


def tensor_pickle(storage_cls="FloatStorage", key="0", numel=6, size=(2, 3), stride=(3, 1), offset=0,
                  view=None, legacy=False):
    """_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())."""
    pid = [bu("storage"), glob("torch", storage_cls), bu(key), bu("cpu"), binint(numel)]
    if legacy:
        pid.append(b"N" if view is None else view)
    storage = tup(*pid) + b"Q"
    return (glob("torch._utils", "_rebuild_tensor_v2") +
            tup(storage, binint(offset), tup(*[binint(s) for s in size]), tup(*[binint(s) for s in stride]),
                b"\x89", glob("collections", "OrderedDict") + b")R") + b"R")


def state_pickle(items, legacy=False):
    """{name: value pickle} as an OrderedDict, as torch.save writes it."""
    body = glob("collections", "OrderedDict") + b")R"
    body += b"(" + b"".join(bu(k) + v for k, v in items) + b"u"
    return PROTO2 + body + b"."


def seed_pickle(legacy=False):
    return state_pickle([("w", tensor_pickle(legacy=legacy))])


SEED_DATA = struct.pack("<6f", *[0.5 * i for i in range(6)])


def zip_bytes(files, method=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, data)
    return buf.getvalue()


def pth_zip(pickle_bytes=None, storages=None, extra=(), folder="archive/", byteorder=b"little"):
    files = [(folder + "data.pkl", seed_pickle() if pickle_bytes is None else pickle_bytes)]
    if byteorder is not None:
        files.append((folder + "byteorder", byteorder))
    for key, data in (storages if storages is not None else [("0", SEED_DATA)]):
        files.append((folder + "data/" + key, data))
    files.append((folder + "version", b"3\n"))
    return zip_bytes(files + list(extra))


LEGACY_MAGIC = PROTO2 + b"\x8a\x0a" + (0x1950a86a20f9469cfc6c).to_bytes(10, "little") + b"."
LEGACY_VERSION = PROTO2 + b"M" + struct.pack("<H", 1001) + b"."
SYS_INFO = (PROTO2 + b"}(" + bu("protocol_version") + b"M" + struct.pack("<H", 1001) + bu("little_endian") +
            b"\x88" + bu("type_sizes") + b"}(" + bu("short") + b"K\x02" + bu("int") + b"K\x04" + bu("long") +
            b"K\x04" + b"uu.")


def pth_legacy(main=None, keys=None, storages=None, magic=LEGACY_MAGIC, version=LEGACY_VERSION, sys_info=SYS_INFO):
    main = seed_pickle(legacy=True) if main is None else main
    keys = PROTO2 + b"]" + b"(" + bu("0") + b"e." if keys is None else keys
    if storages is None:
        storages = struct.pack("<q", 6) + SEED_DATA
    return magic + version + sys_info + main + keys + storages


def make_pth():
    r = "pth"
    good = pth_zip()
    legacy = pth_legacy()

    # Pickles that would run code if a Python unpickler read them.
    attacks = {
        "os_system_reduce": glob("os", "system") + bu("echo pwned") + b"\x85R.",
        "posix_system_reduce": glob("posix", "system") + bu("echo pwned") + b"\x85R.",
        "builtins_eval_reduce": glob("builtins", "eval") + bu("__import__('os').system('x')") + b"\x85R.",
        "builtins_exec_reduce": glob("builtins", "exec") + bu("print(1)") + b"\x85R.",
        "builtin_eval_py2": glob("__builtin__", "eval") + bu("1") + b"\x85R.",
        "builtins_getattr": glob("builtins", "getattr") + glob("collections", "OrderedDict") + bu("x") + b"\x86R.",
        "subprocess_popen_reduce": glob("subprocess", "Popen") + b"(" + bu("ls") + b"l\x85R.",
        "subprocess_check_output": glob("subprocess", "check_output") + bu("ls") + b"\x85R.",
        "importlib_import": glob("importlib", "import_module") + bu("os") + b"\x85R.",
        "torch_load_nested": glob("torch", "load") + bu("x.pth") + b"\x85R.",
        "stack_global_os_system": b"\x8c\x02os\x8c\x06system\x93" + bu("id") + b"\x85R.",
        "stack_global_eval": b"\x8c\x08builtins\x8c\x04eval\x93" + bu("1+1") + b"\x85R.",
        "newobj_popen": glob("subprocess", "Popen") + b"(" + bu("ls") + b"t\x81.",
        "newobj_ex_popen": glob("subprocess", "Popen") + b")}\x92.",
        "os_system_in_state_dict": state_pickle([("w", glob("os", "system") + bu("id") + b"\x85R")])[2:],
        "model_class": glob("torchvision.models.resnet", "ResNet") + b")\x81.",
    }
    for name, body in attacks.items():
        p = PROTO2 + body if not body.startswith(PROTO2) else body
        global_name = {"os_system_reduce": "os.system", "posix_system_reduce": "posix.system",
                       "builtins_eval_reduce": "builtins.eval", "stack_global_os_system": "os.system",
                       "subprocess_popen_reduce": "subprocess.Popen", "newobj_popen": "subprocess.Popen",
                       "os_system_in_state_dict": "os.system", "model_class": "ResNet"}.get(name, "refusing")
        add(r, "zip_%s.pth" % name, pth_zip(p), r, "refusing", global_name)
    # Opcodes refused whatever they name.
    inst = PROTO2 + b"(" + bu("ls") + b"ios\nsystem\n."
    add(r, "zip_inst_os_system.pth", pth_zip(inst), r, "INST")
    add(r, "zip_obj.pth", pth_zip(PROTO2 + b"(" + glob("collections", "OrderedDict") + b"o."), r, "OBJ")
    add(r, "zip_obj_os_system.pth", pth_zip(PROTO2 + b"(" + glob("os", "system") + bu("ls") + b"o."), r, "os.system")
    add(r, "zip_ext1.pth", pth_zip(PROTO2 + b"\x82\x01)R."), r, "EXT")
    add(r, "zip_ext4.pth", pth_zip(PROTO2 + b"\x84\x01\x00\x00\x00)R."), r, "EXT")
    add(r, "zip_persid_text.pth", pth_zip(PROTO2 + b"P0\n."), r, "PERSID")
    add(r, "zip_text_global_protocol0.pth", pth_zip(b"cos\nsystem\n(S'ls'\ntR."), r, "refusing", "os.system")
    add(r, "zip_build_on_tensor.pth",
        pth_zip(state_pickle([("w", tensor_pickle() + b"}(" + bu("x") + b"K\x01ub")])), r, "refusing")
    add(r, "zip_reduce_non_global.pth", pth_zip(PROTO2 + b"K\x01)R."), r, "not a global")
    add(r, "zip_rebuild_wrong_args.pth",
        pth_zip(PROTO2 + glob("torch._utils", "_rebuild_tensor_v2") + b"(K\x01t" + b"R."), r, "_rebuild_tensor_v2")
    add(r, "zip_ordered_dict_with_args.pth",
        pth_zip(PROTO2 + glob("collections", "OrderedDict") + b"(K\x01t" + b"R."), r, "OrderedDict")
    add(r, "zip_newobj_ex_kwargs.pth",
        pth_zip(PROTO2 + glob("collections", "OrderedDict") + b")}(" + bu("a") + b"K\x01u\x92."), r, "NEWOBJ_EX")
    add(r, "zip_set.pth", pth_zip(PROTO2 + b"\x8f."), r, "set")
    add(r, "zip_protocol_9.pth", pth_zip(b"\x80\x09}."), r, "protocol 9")
    add(r, "zip_unknown_opcode.pth", pth_zip(PROTO2 + b"\xff."), r, "unknown opcode")
    add(r, "zip_stack_underflow.pth", pth_zip(PROTO2 + b"R."), r, "stack underflow")
    add(r, "zip_no_mark.pth", pth_zip(PROTO2 + b"K\x01t."), r, "MARK")
    add(r, "zip_memo_undefined.pth", pth_zip(PROTO2 + b"h\x07."), r, "memo")
    add(r, "zip_frame_past_end.pth", pth_zip(b"\x80\x04\x95" + struct.pack("<Q", 1 << 40) + b"}."), r, "frame")
    add(r, "zip_binunicode_past_end.pth", pth_zip(PROTO2 + b"X" + struct.pack("<I", 0xFFFFFFF0) + b"abc."), r)
    add(r, "zip_binbytes8_huge.pth", pth_zip(PROTO2 + b"\x8e" + struct.pack("<Q", 1 << 62) + b"abc."), r)
    add(r, "zip_long4_huge.pth", pth_zip(PROTO2 + b"\x8b" + struct.pack("<i", 0x7FFFFFF0) + b"\x01."), r)
    add(r, "zip_long4_negative.pth", pth_zip(PROTO2 + b"\x8b" + struct.pack("<i", -5) + b"\x01."), r, "negative")
    add(r, "zip_string_bad_utf8.pth", pth_zip(PROTO2 + b"}" + bu(b"\xff\xfe") + b"K\x01s."), r, "UTF-8")
    add(r, "zip_no_stop.pth", pth_zip(PROTO2 + b"}"), r)
    add(r, "zip_empty_pickle.pth", pth_zip(b""), r)
    deep = PROTO2 + b"]" * 20000 + b"a" * 19999 + b"."
    add(r, "zip_deep_list.pth", pth_zip(deep), r, "not a state dict")
    add(r, "zip_self_cycle.pth", pth_zip(PROTO2 + b"]q\x00h\x00a."), r, "not a state dict")
    add(r, "zip_value_not_tensor.pth", pth_zip(state_pickle([("w", b"K\x01")])), r, "'w'", "not a tensor")
    add(r, "zip_key_not_string.pth", pth_zip(PROTO2 + b"}K\x01" + tensor_pickle() + b"s."), r, "not a string")
    add(r, "zip_duplicate_name.pth", pth_zip(state_pickle([("w", tensor_pickle()), ("w", tensor_pickle())])), r,
        "'w'")
    add(r, "zip_storage_complex.pth", pth_zip(state_pickle([("w", tensor_pickle("ComplexFloatStorage"))])), r,
        "ComplexFloatStorage")
    add(r, "zip_storage_numel_huge.pth", pth_zip(state_pickle([("w", tensor_pickle(numel=1 << 40))])), r,
        "more than the file can hold")
    add(r, "zip_storage_numel_negative.pth", pth_zip(state_pickle([("w", tensor_pickle(numel=-6))])), r,
        "storage size")
    add(r, "zip_tensor_past_storage.pth", pth_zip(state_pickle([("w", tensor_pickle(size=(3, 3)))])), r,
        "reaches element")
    add(r, "zip_tensor_offset_past_storage.pth", pth_zip(state_pickle([("w", tensor_pickle(offset=4))])), r,
        "reaches element")
    add(r, "zip_tensor_size_negative.pth", pth_zip(state_pickle([("w", tensor_pickle(size=(-2, 3)))])), r,
        "tensor size")
    add(r, "zip_tensor_size_overflow.pth",
        pth_zip(state_pickle([("w", tensor_pickle(size=(1 << 40, 1 << 40), stride=(0, 0)))])), r, "overflows")
    add(r, "zip_tensor_zero_stride_expands.pth",
        pth_zip(state_pickle([("w", tensor_pickle(size=(1 << 20, 1 << 12), stride=(0, 0)))])), r, "would take more")
    add(r, "zip_tensor_rank_mismatch.pth", pth_zip(state_pickle([("w", tensor_pickle(stride=(1,)))])), r, "stride")
    add(r, "zip_persistent_id_short.pth", pth_zip(state_pickle([("w", tup(bu("storage")) + b"Q")])), r,
        "persistent id")
    add(r, "zip_storage_entry_missing.pth", pth_zip(storages=[]), r, "has no entry")
    add(r, "zip_storage_entry_short.pth", pth_zip(storages=[("0", SEED_DATA[:20])]), r, "holds 20 bytes")
    add(r, "zip_storage_entry_long.pth", pth_zip(storages=[("0", SEED_DATA + b"\x00" * 4)]), r, "holds 28 bytes")
    add(r, "zip_byteorder_big.pth", pth_zip(byteorder=b"big"), r, "byte order")
    add(r, "zip_no_data_pkl.pth", zip_bytes([("archive/data/0", SEED_DATA)]), r, "data.pkl")
    add(r, "zip_two_data_pkl.pth", pth_zip(extra=[("other/data.pkl", seed_pickle())]), r, "several data.pkl")
    add(r, "zip_compressed.pth", zip_bytes([("archive/data.pkl", seed_pickle()), ("archive/data/0", SEED_DATA)],
                                           zipfile.ZIP_DEFLATED), r, "compressed")
    # Entry names that would escape a folder when extracted.
    for name, entry in [("dotdot", "../../x"), ("dotdot_inner", "archive/../../etc/passwd"),
                        ("absolute", "/etc/passwd"), ("drive", "C:evil"), ("backslash", "archive\\..\\x"),
                        ("dotdot_data", "archive/data/../../../x")]:
        add(r, "zip_name_%s.pth" % name, pth_zip(extra=[(entry, b"x")]), r, entry.split("/")[0] or "/")
    add(r, "zip_name_dotdot_folder.pth", pth_zip(folder="../"), r, "..")
    add(r, "zip_name_duplicate.pth", pth_zip(extra=[("archive/version", b"3\n")]), r, "twice")
    # The zip structure itself.
    for off in truncations(good, 12, start=4):
        add(r, "zip_truncated_%04d.pth" % off, good[:off], r)
    eocd = good.rfind(b"PK\x05\x06")
    bad = bytearray(good)
    struct.pack_into("<I", bad, eocd + 16, len(good) + 100)
    add(r, "zip_cd_offset_past_end.pth", bytes(bad), r, "central directory")
    bad = bytearray(good)
    struct.pack_into("<HH", bad, eocd + 8, 60000, 60000)
    add(r, "zip_cd_count_huge.pth", bytes(bad), r, "entries")
    bad = bytearray(good)
    struct.pack_into("<HH", bad, eocd + 4, 1, 1)
    add(r, "zip_multi_disk.pth", bytes(bad), r)
    bad = bytearray(good)
    cd = good.find(b"PK\x01\x02")
    struct.pack_into("<I", bad, cd + 42, 3)  # first entry's local header offset
    add(r, "zip_local_header_moved.pth", bytes(bad), r, "local header")
    bad = bytearray(good)
    struct.pack_into("<H", bad, cd + 8, 1)  # encrypted
    add(r, "zip_encrypted.pth", bytes(bad), r, "encrypted")
    bad = bytearray(good)
    struct.pack_into("<I", bad, cd + 20, 0x7FFFFFF0)  # stored size
    add(r, "zip_stored_size_past_end.pth", bytes(bad), r)
    bad = bytearray(good)
    bad[30 + len("archive/data.pkl") + 3] ^= 0x01  # a byte of data.pkl: CRC mismatch
    add(r, "zip_crc_mismatch.pth", bytes(bad), r, "CRC")
    bad = bytearray(good)
    bad[30] = ord("b")  # the local header's name differs from the central directory's
    add(r, "zip_local_name_differs.pth", bytes(bad), r, "archive/data.pkl")
    # Legacy (torch < 1.6) files.
    for off in truncations(legacy, 10, start=1):
        add(r, "legacy_truncated_%04d.pth" % off, legacy[:off], r)
    add(r, "legacy_bad_magic.pth", pth_legacy(magic=PROTO2 + b"K\x01."), r, "magic number")
    add(r, "legacy_version_1000.pth", pth_legacy(version=PROTO2 + b"M" + struct.pack("<H", 1000) + b"."), r,
        "version")
    add(r, "legacy_big_endian.pth", pth_legacy(sys_info=SYS_INFO.replace(b"\x88", b"\x89")), r, "big-endian")
    add(r, "legacy_sys_info_os_system.pth",
        pth_legacy(sys_info=PROTO2 + glob("os", "system") + bu("id") + b"\x85R."), r, "refusing", "os.system")
    add(r, "legacy_main_os_system.pth", pth_legacy(main=PROTO2 + glob("os", "system") + bu("id") + b"\x85R."), r,
        "refusing", "os.system")
    add(r, "legacy_main_stack_global_eval.pth",
        pth_legacy(main=PROTO2 + b"\x8c\x08builtins\x8c\x04eval\x93" + bu("1") + b"\x85R."), r, "builtins.eval")
    add(r, "legacy_keys_not_list.pth", pth_legacy(keys=PROTO2 + b"K\x01."), r, "storage key list")
    add(r, "legacy_key_unused.pth", pth_legacy(keys=PROTO2 + b"](" + bu("0") + bu("9") + b"e."), r, "'9'")
    add(r, "legacy_key_twice.pth", pth_legacy(keys=PROTO2 + b"](" + bu("0") + bu("0") + b"e."), r, "twice")
    add(r, "legacy_key_missing.pth", pth_legacy(keys=PROTO2 + b"]."), r, "no data")
    add(r, "legacy_numel_mismatch.pth", pth_legacy(storages=struct.pack("<q", 5) + SEED_DATA), r, "holds 5")
    add(r, "legacy_numel_huge.pth", pth_legacy(storages=struct.pack("<q", -1) + SEED_DATA), r)
    add(r, "legacy_view_outside.pth",
        pth_legacy(main=state_pickle([("w", tensor_pickle(legacy=True, view=tup(bu("v"), binint(4), binint(6))))])),
        r, "storage view")
    add(r, "legacy_tar.pth", b"\x00" * 257 + b"ustar" + b"\x00" * 300, r, "tar")
    add(r, "empty.pth", b"", r, "empty")
    add(r, "text.pth", "not a checkpoint\n", r, "neither a zip nor")
    add(r, "safetensors_named_pth.pth", safetensors(*st_seed()), r, "neither a zip nor")


def main():
    warnings.filterwarnings("ignore", "Duplicate name", UserWarning)  # zip_name_duplicate.pth is meant
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    make_png()
    make_dicom()
    make_csv()
    make_yaml()
    make_train_config()
    make_transforms()
    make_safetensors()
    make_pth()
    with open(os.path.join(OUT, "manifest.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "reader", "expect"])
        for rel, reader, expect in entries:
            assert all("|" not in e for e in expect), rel
            w.writerow([rel, reader, "|".join(expect)])
    counts = {}
    for rel, _, _ in entries:
        counts[rel.split("/")[0]] = counts.get(rel.split("/")[0], 0) + 1
    total = sum(os.path.getsize(os.path.join(OUT, e[0])) for e in entries)
    print("%d files, %d bytes: %s" % (len(entries), total, ", ".join("%s %d" % kv for kv in sorted(counts.items()))))


if __name__ == "__main__":
    main()
