#!/usr/bin/env python3
"""The OpenCV-based peer of `pneumo augment --bench`: albumentations 0.3.1
(built on OpenCV) applying a reference transform file, such as
train_transforms_complex_1024.json, to one image/mask pair held in memory,
SAMPLES times on one thread; prints one JSON line (images per second).

The pair is read as the reference's dataset reads it: cv2.imread(image, 1)
(three equal channels of the gray PNG) and cv2.imread(mask, 0).  Reading is
not timed; only the Compose calls are.

Needs albumentations 0.3.1 (see tests/reference/make_augment_reference.py for
the virtual environment):
    /tmp/albenv/bin/python bench/augment_peer.py --transforms T.json \
        --image DIR/train/ID.png --mask DIR/mask/ID.png --samples 40
As in make_augment_reference.py, `value` and `mask_value` (null in the
reference's files) are set to 0, because modern OpenCV refuses None; the
reference's BORDER_REFLECT_101 never reads them.
"""
import argparse
import json
import os
import random
import time
import warnings

import albumentations as A
import cv2
import numpy as np

warnings.filterwarnings("ignore")


def all_transforms(t):
    yield t
    for child in getattr(t, "transforms", []):
        yield from all_transforms(child)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--transforms", required=True)
    ap.add_argument("--image", required=True, help="a gray PNG")
    ap.add_argument("--mask", required=True, help="its mask PNG")
    ap.add_argument("--samples", type=int, default=40, help="how many pipeline calls to time")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    cv2.setNumThreads(1)
    random.seed(a.seed)
    np.random.seed(a.seed)

    with open(a.transforms) as f:
        pipeline = A.from_dict(json.load(f))
    for t in all_transforms(pipeline):
        if hasattr(t, "value"):
            t.value = 0
            t.mask_value = 0
    image, mask = cv2.imread(a.image, 1), cv2.imread(a.mask, 0)
    assert image is not None and mask is not None, "cannot read the PNGs"

    pipeline(image=image, mask=mask)  # warm-up
    total = cpu = 0.0
    for _ in range(a.samples):
        t0, c0 = time.perf_counter(), time.process_time()
        out = pipeline(image=image, mask=mask)
        cpu += time.process_time() - c0
        total += time.perf_counter() - t0
        assert out["image"].dtype == np.float32
    print(json.dumps({"impl": "albumentations", "transforms": os.path.basename(a.transforms),
                      "width": image.shape[1], "height": image.shape[0],
                      "channels": image.shape[2], "samples": a.samples, "threads": 1,
                      "seconds": total, "images_per_s": a.samples / total,
                      "cpu_seconds": cpu, "images_per_cpu_s": a.samples / cpu,
                      "versions": {"albumentations": A.__version__, "opencv": cv2.__version__,
                                   "numpy": np.__version__}}))


if __name__ == "__main__":
    main()
