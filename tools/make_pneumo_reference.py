#!/usr/bin/env python3
"""Generates the reference files of the pneumo data tests (tests/data/pneumo/).

The C++ tests never run Python: they read what this script wrote and committed.
Run it again (from anywhere) after changing it:

    /usr/bin/python3 tools/make_pneumo_reference.py

Needs the Debian packages python3-numpy, python3-pydicom, python3-pil,
python3-skimage and python3-opencv.  The output is deterministic (fixed seeds);
the DICOM files it writes use fixed UIDs.

What it writes, and the source of truth for each:

rle_reference.txt
    RLE strings for hand-made and random masks.  Stage 1 strings come from
    ref_mask2rle / ref_rle2mask below, which follow, step by step, the
    reference solution's unet_pipeline/utils/mask_functions.py (mask2rle,
    rle2mask) and prepare_png.py (get_mask: the union of several rows).  Stage 2
    strings come from Kaggle's standard encoder (1-based absolute starts, same
    column-major pixel order).

dicom_reference.txt, dicom/*.dcm, dicom/expected/*.png
    For each DICOM test file, either the expected 8-bit image (computed with
    pydicom's pixel_array and the mapping rule documented in
    pneumo/data/dicom.h, written as PNG by PIL) or the error expected.  Files
    from pydicom's own test folder are referred to by name; files this script
    makes (monochrome JPEG baseline, MONOCHROME1, big endian 12-bit signed with
    rescale and window, RLE) are written to dicom/.

resize/*.png, resize_reference.txt
    Inputs and outputs of the reference's prepare_png.py resize step:
    skimage.transform.resize with scikit-image 0.14.2's defaults (order=1,
    mode='constant', cval=0, clip=True, anti_aliasing=False) followed by
    cv2.imwrite of img * 255 (images) or of the float mask (masks).
"""

import io
import os
import sys
import warnings

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "pneumo")
PYDICOM_TEST_FILES = "/usr/lib/python3/dist-packages/pydicom/data/test_files"


# --------------------------------------------------------------------------
# RLE: the reference's semantics.


def ref_mask2rle(img, width, height):
    """mask_functions.mask2rle: img is indexed img[x][y] (the caller passes
    mask.T), scanned column by column; a run starts at a 255 pixel after a
    different one and is written when a pixel of another value ends it, as
    (offset from the end of the previous run, length).  A run still open at the
    last pixel is never written."""
    out = []
    last = 0
    pixel = 0  # counts from the end of the previous run
    start = -1
    length = 0
    for x in range(width):
        for y in range(height):
            color = img[x][y]
            if color != last:
                if color == 255:
                    start = pixel
                    length = 1
                else:
                    out += [str(start), str(length)]
                    start = -1
                    length = 0
                    pixel = 0
            elif start > -1:
                length += 1
            last = color
            pixel += 1
    return " ".join(out)


def ref_rle2mask(rle, width, height):
    """mask_functions.rle2mask: a flat array painted 255 run by run, offsets
    relative to the end of the previous run, reshaped to (width, height)."""
    mask = np.zeros(width * height)
    if rle in (" -1", "-1"):
        return mask.reshape(width, height)
    values = [int(v) for v in rle.split()]
    position = 0
    for offset, length in zip(values[0::2], values[1::2]):
        position += offset
        mask[position:position + length] = 255
        position += length
    return mask.reshape(width, height)


def ref_get_mask(encodes, width, height):
    """prepare_png.get_mask: the sum of every row's mask, transposed to
    (height, width)."""
    if encodes == [] or encodes == [" -1"]:
        return ref_rle2mask(" -1", width, height)
    mask = ref_rle2mask(encodes[0], width, height)
    for e in encodes[1:]:
        mask = mask + ref_rle2mask(e, width, height)
    return mask.T


def std_rle_encode(mask):
    """Kaggle's standard RLE (stage 2): column-major, 1-based starts."""
    flat = np.concatenate([[0], (mask.T.flatten() > 0).astype(np.int8), [0]])
    edges = np.nonzero(flat[1:] != flat[:-1])[0]
    starts, ends = edges[0::2], edges[1::2]
    return " ".join(f"{s + 1} {e - s}" for s, e in zip(starts, ends))


def std_rle_decode(rle, width, height):
    flat = np.zeros(width * height, dtype=np.uint8)
    if rle.strip() in ("", "-1"):
        return flat.reshape(width, height).T
    v = [int(t) for t in rle.split()]
    for s, n in zip(v[0::2], v[1::2]):
        flat[s - 1:s - 1 + n] = 255
    return flat.reshape(width, height).T


def expected_stage1(mask):
    """pneumo's encoder: the reference string, plus the run the reference drops
    when it reaches the last pixel; "-1" for an empty mask."""
    h, w = mask.shape
    ref = ref_mask2rle((mask > 0).astype(np.int64).T * 255, w, h)
    flat = (mask.T.flatten() > 0)
    if flat[-1]:
        # The dropped run: from the last 0 pixel (or the start) to the end.
        zeros = np.nonzero(~flat)[0]
        run_start = zeros[-1] + 1 if len(zeros) else 0
        prev_end = 0
        if ref:
            v = [int(t) for t in ref.split()]
            for off, n in zip(v[0::2], v[1::2]):
                prev_end += off + n
        closing = f"{run_start - prev_end} {len(flat) - run_start}"
        enc = (ref + " " + closing) if ref else closing
    else:
        enc = ref
    return ref, (enc if enc else "-1")


def mask_rows(mask):
    return "/".join("".join("1" if v else "0" for v in row) for row in mask)


def write_rle_reference():
    rng = np.random.default_rng(20190906)
    cases = []

    def add(name, mask):
        mask = (np.asarray(mask) > 0).astype(np.uint8)
        cases.append((name, mask))

    def from_pixels(w, h, pixels):
        m = np.zeros((h, w), np.uint8)
        for x, y in pixels:
            m[y, x] = 1
        return m

    add("empty", np.zeros((3, 4)))
    add("first_pixel", from_pixels(4, 3, [(0, 0)]))
    add("last_pixel", from_pixels(4, 3, [(3, 2)]))
    add("full", np.ones((3, 4)))
    add("one_by_one_on", np.ones((1, 1)))
    add("one_by_one_off", np.zeros((1, 1)))
    add("wide_top_right", from_pixels(5, 3, [(4, 0)]))
    add("tall_bottom_left", from_pixels(3, 5, [(0, 4)]))
    add("crosses_column", from_pixels(4, 3, [(0, 2), (1, 0), (1, 1)]))
    add("two_runs", from_pixels(4, 3, [(0, 1), (2, 0), (2, 1), (2, 2)]))
    add("last_column_to_end", from_pixels(4, 3, [(1, 1), (3, 1), (3, 2)]))
    add("row", np.array([[0, 1, 1, 0, 1, 1, 1]]))
    add("column", np.array([[1], [0], [1], [1], [0]]))
    for i in range(40):
        h = int(rng.integers(1, 18))
        w = int(rng.integers(1, 18))
        density = float(rng.choice([0.05, 0.3, 0.5, 0.8, 0.97]))
        m = rng.random((h, w)) < density
        if i % 3 == 0:  # blobs: a few filled rectangles, like real masks
            m = np.zeros((h, w), bool)
            for _ in range(int(rng.integers(1, 4))):
                y0, x0 = int(rng.integers(0, h)), int(rng.integers(0, w))
                m[y0:y0 + int(rng.integers(1, 6)), x0:x0 + int(rng.integers(1, 6))] = True
        add(f"random_{i}", m)

    lines = ["# Generated by tools/make_pneumo_reference.py: do not edit.",
             "# case NAME WIDTH HEIGHT / mask ROWS ('/'-separated rows of 0 and 1, top row first)",
             "# ref1: the reference's mask2rle(mask.T * 255, W, H), dropped last run included",
             "# enc1 / enc2: the expected stage 1 / stage 2 encodings (-1 when empty)"]
    for name, m in cases:
        h, w = m.shape
        ref, enc1 = expected_stage1(m)
        enc2 = std_rle_encode(m) or "-1"
        # Self-checks: both encodings decode back to the mask by the reference
        # decoders; the reference string differs only when the last pixel is set.
        assert (ref_get_mask([enc1], w, h) > 0).astype(np.uint8).tolist() == m.tolist(), name
        assert ((std_rle_decode(enc2, w, h) > 0).astype(np.uint8) == m).all(), name
        assert (ref == enc1 or (enc1 == "-1" and ref == "")) == (not m.T.flatten()[-1]), name
        lines += [f"case {name} {w} {h}", f"mask {mask_rows(m)}", f"ref1 {ref}",
                  f"enc1 {enc1}", f"enc2 {enc2}"]

    # Several rows for one image: the union (the reference sums, then any
    # nonzero pixel is mask).
    lines.append("# union NAME WIDTH HEIGHT FORMAT(1|2) / rle STRING (one per row) / mask ROWS")
    for k in range(8):
        h = int(rng.integers(2, 12))
        w = int(rng.integers(2, 12))
        parts = [rng.random((h, w)) < 0.25 for _ in range(int(rng.integers(2, 4)))]
        if k == 0:
            parts.append(np.zeros((h, w), bool))  # an empty row among them
        for fmt in (1, 2):
            texts = []
            for p in parts:
                if fmt == 1:
                    texts.append(expected_stage1(p.astype(np.uint8))[1])
                else:
                    texts.append(std_rle_encode(p) or "-1")
            if fmt == 1:
                ref_texts = [t for t in texts if t != "-1"] or [" -1"]
                union = ref_get_mask(ref_texts, w, h) > 0
            else:
                union = np.zeros((h, w), bool)
                for t in texts:
                    union |= std_rle_decode(t, w, h) > 0
            assert (union == np.logical_or.reduce(parts)).all()
            lines.append(f"union u{k} {w} {h} {fmt}")
            lines += [f"rle {t}" for t in texts]
            lines.append(f"mask {mask_rows(union.astype(np.uint8))}")

    # The competition's own example of a stage 1 string (1024 x 1024) and the
    # same mask in stage 2: the pair must decode alike and each must be
    # detected as its format.
    example1 = ("387620 23 996 33 986 43 977 51 968 58 962 65 956 70 952 74 949 76 "
                "946 79")
    m = (ref_get_mask([example1], 1024, 1024) > 0)
    example2 = std_rle_encode(m)
    lines.append("# same NAME WIDTH HEIGHT PIXELS / s1 STRING / s2 STRING")
    lines += [f"same competition_example 1024 1024 {int(m.sum())}", f"s1 {example1}",
              f"s2 {example2}"]
    with open(os.path.join(OUT, "rle_reference.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"rle_reference.txt: {len(cases)} cases")


# --------------------------------------------------------------------------
# DICOM: the mapping rule of pneumo/data/dicom.h on pydicom's pixel values.


def to8(ds):
    """The documented 8-bit mapping, from pydicom's stored values."""
    arr = ds.pixel_array
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    if frames > 1:
        arr = arr[0]
    arr = arr.astype(np.float64)
    ba, bs = int(ds.BitsAllocated), int(ds.BitsStored)
    signed = int(ds.PixelRepresentation) == 1
    slope = float(ds.get("RescaleSlope", 1.0))
    intercept = float(ds.get("RescaleIntercept", 0.0))
    if ba == 8 and bs == 8 and not signed and slope == 1.0 and intercept == 0.0:
        out, mapping = arr, "identity"
    else:
        m = arr * slope + intercept
        wc, ww = ds.get("WindowCenter"), ds.get("WindowWidth")
        first = lambda v: float(v[0]) if isinstance(v, pydicom.multival.MultiValue) else float(v)
        if wc is not None and ww is not None and first(ww) >= 1:
            c, w = first(wc), first(ww)
            y = ((m - (c - 0.5)) / (w - 1) + 0.5) * 255 if w > 1 else np.zeros_like(m)
            y = np.where(m <= c - 0.5 - (w - 1) / 2, 0.0, y)
            y = np.where(m > c - 0.5 + (w - 1) / 2, 255.0, y)
            mapping = "window"
        else:
            lo, hi = m.min(), m.max()
            y = (m - lo) * 255 / (hi - lo) if hi > lo else np.zeros_like(m)
            mapping = "minmax"
        out = np.clip(np.floor(y + 0.5), 0, 255)
    out = out.astype(np.uint8)
    if ds.PhotometricInterpretation == "MONOCHROME1":
        out = (255 - out).astype(np.uint8)
    return out, mapping


def new_dataset(rows, cols, photometric, bits, stored, signed, transfer_syntax, sop_uid):
    from pydicom.dataset import Dataset, FileMetaDataset
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"  # Secondary Capture
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = transfer_syntax
    meta.ImplementationClassUID = "1.2.826.0.1.3680043.9.7433.1.1"
    ds = Dataset()
    ds.file_meta = meta
    ds.preamble = b"\0" * 128
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = sop_uid
    ds.Modality = "CR"
    ds.Rows, ds.Columns = rows, cols
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = photometric
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = bits, stored, stored - 1
    ds.PixelRepresentation = 1 if signed else 0
    ts = pydicom.uid.UID(transfer_syntax)
    ds.is_little_endian = ts != pydicom.uid.ExplicitVRBigEndian
    ds.is_implicit_VR = ts == pydicom.uid.ImplicitVRLittleEndian
    return ds


def test_picture(h, w, rng):
    """A smooth picture with edges and a little noise, in 0..1."""
    y, x = np.mgrid[0:h, 0:w]
    img = 0.5 + 0.3 * np.sin(x / 5.0) * np.cos(y / 7.0) + 0.15 * (x / w)
    img[(x - w / 3) ** 2 + (y - h / 2) ** 2 < (min(h, w) / 4) ** 2] += 0.2
    img += rng.normal(0, 0.02, img.shape)
    return np.clip(img, 0, 1)


def write_dicom_reference():
    from PIL import Image
    from pydicom.encaps import encapsulate
    from pydicom.dataset import FileMetaDataset
    from pydicom.filewriter import dcmwrite
    from pydicom.uid import (ExplicitVRBigEndian, ExplicitVRLittleEndian,
                             ImplicitVRLittleEndian, JPEGBaseline8Bit, RLELossless)

    rng = np.random.default_rng(1517875165)
    ddir = os.path.join(OUT, "dicom")
    edir = os.path.join(ddir, "expected")
    os.makedirs(edir, exist_ok=True)
    made = {}  # file name -> (pixel values as pydicom should read them)

    # A competition-shaped file (8-bit MONOCHROME2, JPEG baseline, a real
    # image id as SOP Instance UID), small and not square.
    uid = "1.2.276.0.7230010.3.1.4.8323329.1000.1517875165.878027"
    pic = (test_picture(56, 72, rng) * 255).round().astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pic, "L").save(buf, "JPEG", quality=90)
    jpeg = buf.getvalue()
    ds = new_dataset(56, 72, "MONOCHROME2", 8, 8, False, JPEGBaseline8Bit, uid)
    ds.PixelData = encapsulate([jpeg])
    ds["PixelData"].is_undefined_length = True
    ds["PixelData"].VR = "OB"
    ds.save_as(os.path.join(ddir, "jpeg_baseline_mono8.dcm"), write_like_original=False)
    # pydicom here cannot decode JPEG itself without extra plugins; the
    # reference is the JPEG decoded by PIL (libjpeg's islow IDCT, as DCMTK).
    made["jpeg_baseline_mono8.dcm"] = np.asarray(Image.open(io.BytesIO(jpeg)).convert("L"))

    # 8-bit MONOCHROME1, implicit VR: inverted.
    v = (test_picture(30, 40, rng) * 255).round().astype(np.uint8)
    ds = new_dataset(30, 40, "MONOCHROME1", 8, 8, False, ImplicitVRLittleEndian,
                     "1.2.826.0.1.3680043.9.7433.2.1")
    ds.PixelData = v.tobytes()
    ds.save_as(os.path.join(ddir, "mono1_8bit_implicit.dcm"), write_like_original=False)

    # 8-bit MONOCHROME2 with a VOI window: identity anyway (as the reference).
    v = (test_picture(20, 24, rng) * 255).round().astype(np.uint8)
    ds = new_dataset(20, 24, "MONOCHROME2", 8, 8, False, ExplicitVRLittleEndian,
                     "1.2.826.0.1.3680043.9.7433.2.2")
    ds.WindowCenter, ds.WindowWidth = 100, 50
    ds.PixelData = v.tobytes()
    ds.save_as(os.path.join(ddir, "mono2_8bit_window_ignored.dcm"), write_like_original=False)

    # 12 of 16 bits, signed, big endian, rescale 0.5 / -20 and a VOI window.
    v = (test_picture(24, 32, rng) * 3800 - 1900).round().astype(np.int16)
    ds = new_dataset(24, 32, "MONOCHROME2", 16, 12, True, ExplicitVRBigEndian,
                     "1.2.826.0.1.3680043.9.7433.2.3")
    ds.RescaleSlope, ds.RescaleIntercept = "0.5", "-20"
    ds.WindowCenter, ds.WindowWidth = "100", "900"
    ds.PixelData = v.astype(">i2").tobytes()
    ds.save_as(os.path.join(ddir, "mono2_12bit_signed_bigendian.dcm"), write_like_original=False)

    # 16-bit unsigned MONOCHROME1 without window: min-max, then inverted.
    v = (test_picture(18, 26, rng) * 40000 + 1000).round().astype(np.uint16)
    ds = new_dataset(18, 26, "MONOCHROME1", 16, 16, False, ExplicitVRLittleEndian,
                     "1.2.826.0.1.3680043.9.7433.2.4")
    ds.PixelData = v.tobytes()
    ds.save_as(os.path.join(ddir, "mono1_16bit_minmax.dcm"), write_like_original=False)

    # 8-bit MONOCHROME2, RLE lossless (pydicom's own encoder).
    v = (test_picture(33, 21, rng) * 255).round().astype(np.uint8)
    ds = new_dataset(33, 21, "MONOCHROME2", 8, 8, False, ExplicitVRLittleEndian,
                     "1.2.826.0.1.3680043.9.7433.2.5")
    ds.PixelData = v.tobytes()
    ds.compress(RLELossless, encoding_plugin="pydicom")
    ds.save_as(os.path.join(ddir, "mono2_8bit_rle.dcm"), write_like_original=False)

    # A bare dataset: no preamble, no "DICM", no meta header (implicit VR
    # little endian, what readers assume then); 16 bits, min-max.
    v = (test_picture(16, 20, rng) * 3000).round().astype(np.uint16)
    ds = new_dataset(16, 20, "MONOCHROME2", 16, 16, False, ImplicitVRLittleEndian,
                     "1.2.826.0.1.3680043.9.7433.2.6")
    ds.PixelData = v.tobytes()
    ds.file_meta = FileMetaDataset()
    ds.preamble = None
    dcmwrite(os.path.join(ddir, "mono2_16bit_no_meta.dcm"), ds, write_like_original=True)
    with open(os.path.join(ddir, "mono2_16bit_no_meta.dcm"), "rb") as f:
        head = f.read(132)
    assert b"DICM" not in head and head[:4] == b"\x08\x00\x16\x00", head[:8]

    # A complete file whose pixel data are shorter than Rows x Columns say.
    ds = new_dataset(20, 20, "MONOCHROME2", 8, 8, False, ExplicitVRLittleEndian,
                     "1.2.826.0.1.3680043.9.7433.2.7")
    ds.PixelData = bytes(300)
    ds.save_as(os.path.join(ddir, "short_pixel_data.dcm"), write_like_original=False)

    lines = ["# Generated by tools/make_pneumo_reference.py: do not edit.",
             "# ok FOLDER FILE MAPPING WIDTH HEIGHT TOLERANCE SOP_UID EXPECTED_PNG",
             "#   FOLDER: pydicom (its test_files folder) or local (dicom/ here)",
             "#   TOLERANCE: largest allowed difference of a pixel from the expected",
             "# error FOLDER FILE TEXT-THE-MESSAGE-MUST-CONTAIN",
             "# decodes FOLDER FILE WIDTH HEIGHT: no reference decoder here; must read"]

    def ok(folder, name, reference_name=None, tolerance=0, pixels=None, force=False):
        path = os.path.join(PYDICOM_TEST_FILES if folder == "pydicom" else ddir, name)
        ds = pydicom.dcmread(path, force=force)
        if force:  # no meta header: pydicom must be told the encoding
            ds.file_meta = FileMetaDataset()
            ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
        if pixels is not None:  # pydicom cannot decode it: decoded elsewhere
            ds_ref = ds
            expected, mapping = pixels, "identity"
        else:
            ds_ref = pydicom.dcmread(os.path.join(PYDICOM_TEST_FILES, reference_name)) \
                if reference_name else ds
            expected, mapping = to8(ds_ref)
        png = os.path.splitext(name)[0] + ".png"
        Image.fromarray(expected, "L").save(os.path.join(edir, png))
        uid = ds.get("SOPInstanceUID", "")
        lines.append(f"ok {folder} {name} {mapping} {expected.shape[1]} {expected.shape[0]} "
                     f"{tolerance} {uid} {png}")

    for name in ["CT_small.dcm", "MR_small.dcm", "MR_small_RLE.dcm", "MR_small_bigendian.dcm",
                 "MR_small_expb.dcm", "MR_small_implicit.dcm", "MR_small_padded.dcm",
                 "image_dfl.dcm", "liver_1frame.dcm", "liver_expb_1frame.dcm", "rtdose.dcm",
                 "rtdose_1frame.dcm", "rtdose_expb.dcm", "rtdose_rle.dcm",
                 "rtdose_rle_1frame.dcm"]:
        ok("pydicom", name)
    # Lossless JPEG-LS: pydicom needs a plugin for it; it holds MR_small's pixels.
    ok("pydicom", "MR_small_jpeg_ls_lossless.dcm", reference_name="MR_small.dcm")
    ok("local", "jpeg_baseline_mono8.dcm", tolerance=1, pixels=made["jpeg_baseline_mono8.dcm"])
    for name in ["mono1_8bit_implicit.dcm", "mono2_8bit_window_ignored.dcm",
                 "mono2_12bit_signed_bigendian.dcm", "mono1_16bit_minmax.dcm",
                 "mono2_8bit_rle.dcm", "mono2_16bit_no_meta.dcm"]:
        ok("local", name, force=name.endswith("no_meta.dcm"))
    # 12-bit lossy JPEG (process 4): no decoder for it in Debian's Python stack.
    lines.append("decodes pydicom JPEG-lossy.dcm 256 1024")
    lines.append("decodes pydicom JPGExtended.dcm 256 1024")
    errors = [
        ("JPEG2000.dcm", "JPEG 2000"),
        ("MR_small_jp2klossless.dcm", "JPEG 2000"),
        ("693_J2KI.dcm", "JPEG 2000"),
        ("ExplVR_BigEnd.dcm", "photometric interpretation \"RGB\""),
        ("SC_rgb_rle.dcm", "photometric interpretation \"RGB\""),
        ("SC_ybr_full_422_uncompressed.dcm", "photometric interpretation \"YBR_FULL_422\""),
        ("MR_truncated.dcm", "truncated"),
        ("rtplan_truncated.dcm", "truncated"),
        ("no_meta.dcm", "not a DICOM file"),
        ("rtplan.dcm", "no Rows/Columns"),
        ("test-SR.dcm", "no Rows/Columns"),
    ]
    for name, text in errors:
        lines.append(f"error pydicom {name} {text}")
    lines.append("error local short_pixel_data.dcm the pixel data are 300 bytes where 20x20 "
                 "pixels of 8 bits need 400")
    with open(os.path.join(OUT, "dicom_reference.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"dicom_reference.txt: {sum(l.startswith('ok') for l in lines)} images")


# --------------------------------------------------------------------------
# Resize: prepare_png.py's skimage resize + cv2.imwrite.


def write_resize_reference():
    import cv2
    from skimage.transform import resize

    rng = np.random.default_rng(8323329)
    rdir = os.path.join(OUT, "resize")
    os.makedirs(rdir, exist_ok=True)

    def ref_resize(img, size_hw):
        # scikit-image 0.14.2's defaults, spelled out (later versions changed
        # mode and anti_aliasing).
        return resize(img, size_hw, order=1, mode="constant", cval=0, clip=True,
                      preserve_range=False, anti_aliasing=False)

    image = (test_picture(48, 64, rng) * 200 + 30).round().astype(np.uint8)
    image[5:9, 50:60] = 255  # a saturated patch
    mask = np.zeros((48, 64), np.uint8)
    mask[10:30, 12:40] = 255
    mask[35:47, 45:63] = 255
    cv2.imwrite(os.path.join(rdir, "image.png"), image)
    cv2.imwrite(os.path.join(rdir, "mask.png"), mask)
    # A dark image (all values above 0): up-sampling blends the border with
    # the constant 0 outside, and clipping to the input range applies.
    dark = (test_picture(10, 12, rng) * 60 + 90).round().astype(np.uint8)
    cv2.imwrite(os.path.join(rdir, "dark.png"), dark)

    lines = ["# Generated by tools/make_pneumo_reference.py: do not edit.",
             "# KIND INPUT WIDTH HEIGHT OUTPUT  (KIND image: cv2.imwrite(resize(img) * 255);",
             "#   KIND mask: cv2.imwrite(resize(float mask))"]
    sizes = [(64, 48), (32, 24), (21, 17), (16, 16), (100, 75), (30, 60), (1, 1)]
    for w, h in sizes:
        out = f"image_{w}x{h}.png"
        cv2.imwrite(os.path.join(rdir, out), ref_resize(image, (h, w)) * 255)
        lines.append(f"image image.png {w} {h} {out}")
    for w, h in [(64, 48), (32, 24), (21, 17), (80, 60)]:
        out = f"mask_{w}x{h}.png"
        cv2.imwrite(os.path.join(rdir, out), ref_resize(mask.astype(np.float64), (h, w)))
        lines.append(f"mask mask.png {w} {h} {out}")
    for w, h in [(30, 25), (5, 4)]:
        out = f"dark_{w}x{h}.png"
        cv2.imwrite(os.path.join(rdir, out), ref_resize(dark, (h, w)) * 255)
        lines.append(f"image dark.png {w} {h} {out}")
    with open(os.path.join(OUT, "resize_reference.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"resize_reference.txt: {len(lines) - 3} cases")


# --------------------------------------------------------------------------
# PNG: a colour and a 16-bit file, and the gray values read_png must give.


def write_png_reference():
    from PIL import Image

    rng = np.random.default_rng(51)
    pdir = os.path.join(OUT, "png")
    os.makedirs(pdir, exist_ok=True)
    rgb = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)
    Image.fromarray(rgb, "RGB").save(os.path.join(pdir, "rgb_7x5.png"))
    # stb_image's colour-to-gray rule: (77 R + 150 G + 29 B) >> 8.
    r, g, b = (rgb[..., i].astype(np.int64) for i in range(3))
    gray = ((r * 77 + g * 150 + b * 29) >> 8).astype(np.uint8)
    Image.fromarray(gray, "L").save(os.path.join(pdir, "rgb_7x5_gray.png"))
    # 16-bit gray: stb keeps the high byte.
    deep = rng.integers(0, 65536, (4, 6), dtype=np.uint16)
    Image.fromarray(deep.astype(np.int32), "I").convert("I;16").save(
        os.path.join(pdir, "gray16_6x4.png"))
    Image.fromarray((deep >> 8).astype(np.uint8), "L").save(
        os.path.join(pdir, "gray16_6x4_gray.png"))
    print("png/: 2 cases")


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    import pydicom
    import pydicom.multival
    import pydicom.uid
    os.makedirs(OUT, exist_ok=True)
    write_rle_reference()
    write_dicom_reference()
    write_resize_reference()
    write_png_reference()
    sys.exit(0)
