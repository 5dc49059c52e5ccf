#!/usr/bin/env python3
"""Reference data of the .npz files and of the post-processing (tests/data/pneumo/post/).

The C++ tests never run Python: they read what this script wrote and committed.
Run it again (from anywhere) after changing it:

    /usr/bin/python3 tests/reference/make_post_reference.py

Needs Debian's python3-numpy and python3-opencv. Deterministic (fixed seeds).

What it writes, and the source of truth for each:

npz_numpy.npz, npz_compressed.npz, npz_unsupported.npz, npz_numpy.txt
    Archives written by np.savez / np.savez_compressed, and the values they
    hold (npz_numpy.txt: name, dtype, shape, values with 9 significant
    digits). float16_rounding in npz_numpy.npz pairs float32 inputs with
    their np.float16 roundings.

contours.txt
    For masks made here (random blobs, holes, islands in holes, diagonal
    touches, single pixels, lines, regions on the image edge, noise): the
    points of every contour of cv2.findContours(mask, cv2.RETR_TREE,
    cv2.CHAIN_APPROX_SIMPLE) with cv2.contourArea, the mask that
    cv2.drawContours(zeros, contours, -1, 255, cv2.FILLED) draws with all of
    them, the reference's remove_smallest at several areas, and its
    extract_largest where no tie of areas decides the choice.

resize.txt
    cv2.resize(src, (w, h), interpolation=cv2.INTER_LINEAR) of uint8 images
    and float32 maps at several sizes, up and down.

submit/
    Result files (np.savez of float32 maps), a sample submission, and the
    submissions that the reference's TripletSubmit.py logic (apply_thresholds,
    load_mask_dict, copied below step by step, and mask2rle, from
    tools/make_pneumo_reference.py) gives for several
    configurations (submit/expected.txt lists them).
"""

import os

import sys

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
# The reference's mask2rle (utils/mask_functions.py), step by step.
from make_pneumo_reference import ref_mask2rle as mask2rle  # noqa: E402
OUT = os.path.join(HERE, "..", "data", "pneumo", "post")


def runs(mask):
    """A 2-D 0/nonzero array as 'W H r0 r1 ...': row-major alternating runs of 0 and 1, starting with 0."""
    flat = (np.asarray(mask).reshape(-1) != 0).astype(np.int8)
    out, cur, n = [], 0, 0
    for v in flat:
        if v == cur:
            n += 1
        else:
            out.append(n)
            cur, n = v, 1
    out.append(n)
    h, w = mask.shape
    return "%d %d %s" % (w, h, " ".join(map(str, out)))


def write_npz_data():
    rng = np.random.default_rng(7)
    arrays = {
        "a": np.arange(6, dtype=np.float32).reshape(2, 3) / 7,
        "b64": np.array([0.1, -2.5, 1e-300, 3.0], dtype=np.float64),
        "scalar": np.array(0.25, dtype=np.float32),
        "empty": np.zeros((0, 3), dtype=np.float32),
        "1.2.276.0.7230010.3.1.4.8323329.1000.1517875165.878027": rng.random((3, 4, 2)).astype(np.float32),
    }
    # float32 values around the float16 rounding edges: ties to even, the
    # largest finite value and overflow, subnormals, the smallest values.
    f16_in = np.array([
        0.0, -0.0, 1.0, 0.1, 0.3, 1 / 3, 65504.0, 65519.99, 65520.0, 1e6, -1e6,
        2.0 ** -24, 2.0 ** -25, 2.0 ** -25 * 1.0001, 3 * 2.0 ** -26, 2.0 ** -14, 2.0 ** -14 * (1 - 2.0 ** -11),
        1 + 2.0 ** -11, 1 + 3 * 2.0 ** -11, 1 + 2.0 ** -11 + 2.0 ** -20, 2048 + 1, 2048 + 3,
        np.inf, -np.inf, 1e-8, -1e-8, 0.999755859375, 0.99951171875 + 2.0 ** -12,
    ] + list(rng.standard_normal(20) * 10) + list(rng.random(20)), dtype=np.float32)
    arrays["float16_input"] = f16_in
    arrays["float16_rounding"] = f16_in.astype(np.float16)
    path = os.path.join(OUT, "npz_numpy.npz")
    np.savez(path, **arrays)
    with open(os.path.join(OUT, "npz_numpy.txt"), "w") as f:
        f.write("# name dtype ndim dims... values... (np.savez, %s)\n" % np.__version__)
        for name, a in arrays.items():
            vals = " ".join("%.9g" % v for v in np.asarray(a, dtype=np.float64).reshape(-1))
            f.write("%s %s %d %s %s\n" % (name, a.dtype.str, a.ndim, " ".join(map(str, a.shape)), vals))
    np.savez_compressed(os.path.join(OUT, "npz_compressed.npz"), a=arrays["a"])
    np.savez(os.path.join(OUT, "npz_unsupported.npz"),
             fortran=np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)),
             big_endian=np.arange(3, dtype=">f4"),
             integers=np.arange(3, dtype=np.int32))


# ---- contours ----------------------------------------------------------------

def remove_smallest(mask, min_contour_area):  # TripletSubmit.py
    contours, _ = cv2.findContours(mask.copy(), cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    contours = [c for c in contours if cv2.contourArea(c) > min_contour_area]
    background = np.zeros(mask.shape, np.uint8)
    return cv2.drawContours(background, contours, -1, (255), thickness=cv2.FILLED)


def extract_largest(mask, n_objects):  # TripletSubmit.py; np.array(contours) of ragged lists is a list here
    contours, _ = cv2.findContours(mask.copy(), cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    areas = [cv2.contourArea(c) for c in contours]
    order = np.argsort(areas)[::-1]
    chosen = [contours[i] for i in order[:n_objects]]
    background = np.zeros(mask.shape, np.uint8)
    return cv2.drawContours(background, chosen, -1, (255), thickness=cv2.FILLED), sorted(areas, reverse=True)


def contour_masks():
    rng = np.random.default_rng(3)
    masks = []

    def blobs(h, w, sigma, level):
        noise = rng.random((h, w)).astype(np.float32)
        smooth = cv2.GaussianBlur(noise, (0, 0), sigma)
        return (smooth > np.quantile(smooth, level)).astype(np.uint8)

    for h, w, s, q in [(48, 64, 2.0, 0.6), (48, 64, 3.0, 0.5), (40, 40, 1.5, 0.7), (64, 48, 4.0, 0.3),
                       (32, 32, 1.0, 0.5), (50, 70, 2.5, 0.45), (30, 30, 1.2, 0.8)]:
        masks.append(("blobs_%dx%d_s%g_q%g" % (w, h, s, q), blobs(h, w, s, q)))
    for p in (0.2, 0.5, 0.7):
        masks.append(("noise_p%g" % p, (rng.random((24, 28)) < p).astype(np.uint8)))

    m = np.zeros((20, 24), np.uint8)
    m[2:15, 3:20] = 1
    m[5:9, 6:10] = 0          # a hole
    m[6:8, 7:9] = 1           # an island in it
    m[11:13, 14:17] = 0       # a small hole
    m[12, 15] = 1
    m[17, 2] = 1              # single pixels
    m[18, 22] = 1
    masks.append(("holes_islands", m))

    m = np.zeros((16, 16), np.uint8)
    m[3:13, 3:13] = 1
    m[4:12, 4:12] = 0         # a ring of width 1
    m[7, 7] = 1
    masks.append(("thin_ring", m))

    m = np.zeros((12, 12), np.uint8)
    for i in range(10):
        m[1 + i, 1 + i] = 1   # a diagonal line
    m[2, 8] = m[3, 9] = m[3, 7] = 1  # pixels touching diagonally
    m[8, 2] = m[9, 3] = m[10, 2] = 1
    masks.append(("diagonals", m))

    m = np.indices((14, 14)).sum(axis=0) % 2  # checkerboard
    m[:, 10:] = 0
    masks.append(("checkerboard", m.astype(np.uint8)))

    m = np.zeros((15, 17), np.uint8)
    m[0, :] = 1               # touching every edge
    m[:, 0] = 1
    m[5:, 16] = 1
    m[14, 4:9] = 1
    m[6:9, 6:9] = 1
    masks.append(("edges", m))

    masks.append(("full", np.ones((9, 11), np.uint8)))
    masks.append(("empty", np.zeros((9, 11), np.uint8)))
    masks.append(("one_pixel_image", np.ones((1, 1), np.uint8)))
    m = np.zeros((1, 9), np.uint8)
    m[0, 2:6] = 1
    masks.append(("one_row", m))
    m = np.zeros((7, 1), np.uint8)
    m[1:3, 0] = m[4:7, 0] = 1
    masks.append(("one_column", m))
    m = np.zeros((10, 10), np.uint8)
    m[1:9, 1:9] = 1
    m[3, 3] = m[3, 6] = m[6, 3] = m[6, 6] = 0   # one-pixel holes
    m[4:6, 4:6] = 0
    masks.append(("pinholes", m))
    return masks


def write_contours():
    lines = ["# mask NAME W H runs (row-major runs of 0,1,0,... pixels)",
             "# contour AREA N x0 y0 x1 y1 ...   (cv2.findContours RETR_TREE CHAIN_APPROX_SIMPLE, cv2.contourArea)",
             "# filled MIN_AREA W H runs           (remove_smallest; -1 = cv2.drawContours of all contours)",
             "# largest N W H runs                 (extract_largest, only where no tie of areas decides)",
             "# cv2 %s" % cv2.__version__]
    for name, m in contour_masks():
        lines.append("mask %s %s" % (name, runs(m)))
        contours, _ = cv2.findContours(m.copy(), cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
        for c in contours:
            pts = c.reshape(-1, 2)
            lines.append("contour %.1f %d %s" % (cv2.contourArea(c), len(pts), " ".join("%d %d" % (x, y) for x, y in pts)))
        all_filled = cv2.drawContours(np.zeros(m.shape, np.uint8), contours, -1, (255), thickness=cv2.FILLED)
        lines.append("filled -1 %s" % runs(all_filled))
        for area in (0.5, 2, 6, 10, 40):
            lines.append("filled %g %s" % (area, runs(remove_smallest(m, area))))
        for n in (1, 2, 3):
            out, areas = extract_largest(m, n)
            if n < len(areas) and areas[n - 1] == areas[n]:
                continue
            lines.append("largest %d %s" % (n, runs(out)))
    with open(os.path.join(OUT, "contours.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


# ---- resize ------------------------------------------------------------------

def write_resize():
    rng = np.random.default_rng(11)
    lines = ["# u8 W H values... -> W2 H2 values...   (cv2.resize INTER_LINEAR)",
             "# f32 W H values... -> W2 H2 values...",
             "# mask W H runs -> W2 H2 runs            (0/255 mask, INTER_LINEAR, then > 127)",
             "# cv2 %s" % cv2.__version__]
    sizes = [((5, 4), (11, 9)), ((13, 7), (4, 3)), ((8, 6), (4, 3)), ((20, 10), (7, 23)), ((31, 17), (64, 40)),
             ((3, 1), (10, 2)), ((1, 1), (3, 3)), ((16, 16), (64, 64)), ((7, 9), (7, 9)), ((40, 30), (25, 19))]
    for (w, h), (w2, h2) in sizes:
        src = rng.integers(0, 256, (h, w), dtype=np.uint8)
        dst = cv2.resize(src, (w2, h2), interpolation=cv2.INTER_LINEAR)
        lines.append("u8 %d %d %s -> %d %d %s" % (w, h, " ".join(map(str, src.reshape(-1))), w2, h2,
                                                  " ".join(map(str, dst.reshape(-1)))))
    for (w, h), (w2, h2) in sizes:
        src = rng.random((h, w)).astype(np.float32)
        dst = cv2.resize(src, (w2, h2), interpolation=cv2.INTER_LINEAR)
        lines.append("f32 %d %d %s -> %d %d %s" % (w, h, " ".join("%.9g" % v for v in src.reshape(-1)), w2, h2,
                                                   " ".join("%.9g" % v for v in dst.reshape(-1))))
    for n, sigma in ((64, 3.0), (256, 8.0), (100, 4.0)):
        noise = cv2.GaussianBlur(rng.random((n, n)).astype(np.float32), (0, 0), sigma)
        mask = (noise > np.quantile(noise, 0.8)).astype(np.uint8) * 255
        big = (cv2.resize(mask, (1024, 1024), interpolation=cv2.INTER_LINEAR) > 127).astype(np.uint8)
        lines.append("mask %s -> %s" % (runs(mask), runs(big)))
    with open(os.path.join(OUT, "resize.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


# ---- submissions ---------------------------------------------------------------

def apply_thresholds(mask, n_objects, area_threshold, top_score_threshold,
                     bottom_score_threshold, leak_score_threshold, use_contours, min_contour_area):
    if n_objects == 1:
        crazy_mask = (mask > top_score_threshold).astype(np.uint8)
        if crazy_mask.sum() < area_threshold:
            return -1
        mask = (mask > bottom_score_threshold).astype(np.uint8)
    else:
        mask = (mask > leak_score_threshold).astype(np.uint8)
    if min_contour_area > 0:
        choosen = remove_smallest(mask, min_contour_area)
    elif use_contours:
        choosen = extract_largest(mask, n_objects)[0]
    else:
        choosen = mask * 255
    if mask.shape[0] == 1024:
        reshaped_mask = choosen
    else:
        reshaped_mask = cv2.resize(choosen, dsize=(1024, 1024), interpolation=cv2.INTER_LINEAR)
    reshaped_mask = (reshaped_mask > 127).astype(int) * 255
    return mask2rle(reshaped_mask.T, 1024, 1024)


def prob_map(rng, n, blobs):
    """A probability map: Gaussian bumps of various heights, zero near the bottom-right corner
    (mask2rle drops a run that reaches the last pixel; pneumo closes it)."""
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32)
    p = np.zeros((n, n), np.float32)
    for _ in range(blobs):
        cx, cy = rng.uniform(4, n - 12, 2)
        r = rng.uniform(2, n / 6)
        p = np.maximum(p, rng.uniform(0.3, 1.0) * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r)))
    p += rng.uniform(0, 0.05, (n, n)).astype(np.float32)
    p[-6:, -6:] = 0
    return p.astype(np.float32)


def write_submit():
    rng = np.random.default_rng(5)
    sub_dir = os.path.join(OUT, "submit")
    os.makedirs(sub_dir, exist_ok=True)
    ids = ["img_a", "img_b", "img_c", "img_d", "img_e", "img_f"]
    sample_rows = ["img_c", "img_a", "img_b", "img_b", "img_d", "img_e", "img_f"]  # img_b: two rows (leak rule)
    with open(os.path.join(sub_dir, "sample_submission.csv"), "w") as f:
        f.write("ImageId,EncodedPixels\n" + "".join("%s,-1\n" % i for i in sample_rows))
    n_objects = {i: sample_rows.count(i) for i in ids}

    maps1 = {i: prob_map(rng, 64, 1 + k % 3) for k, i in enumerate(ids)}
    maps1["img_f"][:] = 0.0
    maps1["img_f"][10:20, 10:20] = np.float32(0.3)  # exactly float32(0.3): not above a threshold of 0.3
    maps1["img_f"][12:14, 12:14] = np.float32(0.8)
    maps2 = {i: prob_map(rng, 64, 2) for i in ids}
    maps3 = {i: prob_map(rng, 32, 2) for i in ids}  # another size: needs RESHAPE_MODE to blend
    np.savez(os.path.join(sub_dir, "result_a.npz"), **maps1)
    np.savez(os.path.join(sub_dir, "result_b.npz"), **maps2)
    np.savez(os.path.join(sub_dir, "result_c.npz"), **maps3)

    def blend(weights, reshape):
        out = {}
        for maps, w in weights:  # load_mask_dict: mask_dict[name] + mask * weight, from defaultdict(int)
            for name, mask in maps.items():
                if reshape and mask.shape[0] != 1024:
                    mask = cv2.resize(mask, dsize=(1024, 1024), interpolation=cv2.INTER_LINEAR)
                out[name] = out.get(name, 0) + mask * w
        return out

    configs = [
        ("single", "MASK_DICT: result_a.pkl", maps1,
         dict(area=20, top=0.7, bottom=0.3, leak=0.3, use_leak=False, contours=False, min_area=0)),
        ("single_leak", "MASK_DICT: result_a.npz", maps1,
         dict(area=5, top=0.6, bottom=0.4, leak=0.15, use_leak=True, contours=False, min_area=0)),
        ("single_min_area", "MASK_DICT: result_a.pkl", maps1,
         dict(area=0, top=0.5, bottom=0.2, leak=0.2, use_leak=False, contours=False, min_area=30)),
        ("single_contours", "MASK_DICT: result_b.pkl", maps2,
         dict(area=10, top=0.6, bottom=0.25, leak=0.2, use_leak=False, contours=True, min_area=0)),
        ("blend", "RESULT_WEIGHTS:\n  result_a.pkl: 0.6\n  result_b.pkl : 0.4", blend([(maps1, 0.6), (maps2, 0.4)], False),
         dict(area=15, top=0.6, bottom=0.3, leak=0.3, use_leak=False, contours=False, min_area=0)),
        ("blend_reshape", "RESULT_WEIGHTS:\n  result_a.pkl: 0.5\n  result_c.pkl: 0.5\nRESHAPE_MODE: True",
         blend([(maps1, 0.5), (maps3, 0.5)], True),
         dict(area=200, top=0.55, bottom=0.3, leak=0.3, use_leak=False, contours=False, min_area=0)),
    ]
    listing = ["# NAME: config_NAME.yaml (paths relative to this folder) -> expected_NAME.csv"]
    for name, source, maps, t in configs:
        yaml = ("SAMPLE_SUB: sample_submission.csv\n%s\n\nAREA_THRESHOLD: %g\nTOP_SCORE_THRESHOLD: %g\n"
                "BOTTOM_SCORE_THRESHOLD: %g\nLEAK_SCORE_THRESHOLD: %g\nUSELEAK: %s\nUSECONTOURS: %s\n"
                "MIN_CONTOUR_AREA: %g\n\nSUB_FILE: sub_%s.csv\n") % (
            source, t["area"], t["top"], t["bottom"], t["leak"], t["use_leak"], t["contours"], t["min_area"], name)
        with open(os.path.join(sub_dir, "config_%s.yaml" % name), "w") as f:
            f.write(yaml)
        leak = t["leak"] if t["use_leak"] else t["bottom"]
        rows = []
        seen = set()
        for i in sample_rows:  # one row per image, in the sample's order
            if i in seen:
                continue
            seen.add(i)
            rle = apply_thresholds(maps[i], n_objects[i], t["area"], t["top"], t["bottom"], leak, t["contours"],
                                   t["min_area"])
            rows.append("%s,%s" % (i, "-1" if rle == -1 or rle == "" else rle))
        with open(os.path.join(sub_dir, "expected_%s.csv" % name), "w") as f:
            f.write("ImageId,EncodedPixels\n" + "\n".join(rows) + "\n")
        listing.append(name)
    with open(os.path.join(sub_dir, "expected.txt"), "w") as f:
        f.write("\n".join(listing) + "\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    write_npz_data()
    write_contours()
    write_resize()
    write_submit()


if __name__ == "__main__":
    main()
