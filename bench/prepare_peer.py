#!/usr/bin/python3
"""The Python peer of `pneumo prepare`: the reference's dataset preparation
(unet_pipeline/utils/prepare_png.py of the first-place solution), step for
step, on one thread, timed, printing one JSON line.

For every train DICOM (DIR/*/*/*.dcm, sorted):
  - pydicom reads the file and decodes pixel_array;
  - the image's RLE rows are looked up in the CSV (a pandas DataFrame
    filtered on ImageId, as the reference does per image), each row decoded
    into a float64 0/255 mask, the rows summed, the sum transposed;
  - skimage.transform.resize scales mask and image to SIZE x SIZE (bilinear,
    constant 0 outside, no anti-aliasing: the reference's scikit-image 0.14.2
    defaults, spelled out because newer versions changed them);
  - cv2.imwrite writes mask/ID.png (float64 -> uint8 by OpenCV) and
    train/ID.png (the [0, 1] image times 255), OpenCV's default PNG settings.
For every test DICOM: read, resize, times 255, cv2.imwrite test/ID.png.

The reference runs this through joblib's threading backend; here it is one
plain loop (cv2.setNumThreads(1)), so the figure is the throughput of one core.

    /usr/bin/python3 bench/prepare_peer.py --train DIR --test DIR --rle CSV --out DIR --size 1024
"""
import argparse
import glob
import json
import os
import sys
import time

import cv2
import numpy as np
import pandas as pd
import pydicom
import skimage
from skimage.transform import resize

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
# The reference's get_mask and rle2mask, restated step by step for the data tests.
from make_pneumo_reference import ref_get_mask  # noqa: E402


def scale(image, size):
    return resize(image, (size, size), order=1, mode="constant", cval=0, clip=True,
                  preserve_range=False, anti_aliasing=False)


def dicoms(folder):
    return sorted(glob.glob(os.path.join(folder, "*", "*", "*.dcm"))) if folder else []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", default="")
    ap.add_argument("--test", default="")
    ap.add_argument("--rle", default="")
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", type=int, default=1024)
    a = ap.parse_args()
    cv2.setNumThreads(1)

    t0 = time.perf_counter()
    cpu0 = time.process_time()
    train, test = dicoms(a.train), dicoms(a.test)
    for sub in ("train", "mask", "test"):
        os.makedirs(os.path.join(a.out, sub), exist_ok=True)
    table = pd.read_csv(a.rle) if train else None
    column = table.columns[1] if train else None  # " EncodedPixels" in stage 1, "EncodedPixels" in stage 2
    for f in train:
        img = pydicom.dcmread(f).pixel_array
        name = os.path.basename(f)[:-4]
        rows = list(table.loc[table["ImageId"] == name, column].values)
        mask = scale(ref_get_mask(rows, img.shape[1], img.shape[0]), a.size)
        img = scale(img, a.size)
        cv2.imwrite(os.path.join(a.out, "train", name + ".png"), img * 255)
        cv2.imwrite(os.path.join(a.out, "mask", name + ".png"), mask)
    for f in test:
        img = pydicom.dcmread(f).pixel_array
        name = os.path.basename(f)[:-4]
        cv2.imwrite(os.path.join(a.out, "test", name + ".png"), scale(img, a.size) * 255)
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    n = len(train) + len(test)
    print(json.dumps({"impl": "python", "images": n, "train": len(train), "test": len(test),
                      "size": a.size, "seconds": seconds, "cpu_seconds": cpu,
                      "images_per_s": n / seconds,
                      "versions": {"pydicom": pydicom.__version__, "skimage": skimage.__version__,
                                   "opencv": cv2.__version__, "numpy": np.__version__,
                                   "pandas": pd.__version__}}))


if __name__ == "__main__":
    main()
