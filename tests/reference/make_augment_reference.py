#!/usr/bin/env python3
"""Reference outputs of albumentations 0.3.1 for pneumo/augment.

Every augmentation of the reference's transform files is run by
albumentations 0.3.1 itself, with FIXED parameters, on small committed inputs;
the C++ tests (tests/pneumo/test_augment_reference.cpp) run ours with the same
parameters and compare.  The transforms come from the reference's own file
train_transforms_complex_1024.json (albumentations.load), so their settings
are exactly the reference's; a few more cases construct transforms directly
to cover other border modes, non-square images and approximate=True.

Writes tests/data/augment/: the inputs and outputs as .npy files and
manifest.json, the list of cases (operation, parameters, files).  Run from the
repository root:
    python3 tests/reference/make_augment_reference.py

It needs albumentations 0.3.1 with its dependencies, which Debian does not
package; make a virtual environment once:
    python3 -m venv /tmp/albenv
    /tmp/albenv/bin/pip install albumentations==0.3.1 "imgaug<0.2.7" \
        "numpy<2" scipy opencv-python-headless
and either run the script with /tmp/albenv/bin/python or set
PN_ALBUMENTATIONS_PYTHON=/tmp/albenv/bin/python (the script re-runs itself
with that interpreter when its own lacks albumentations).  Used for the
committed files: albumentations 0.3.1, OpenCV 4.11.0 (4.10.0 gives the same
files), numpy 1.26.4, scipy 1.17.1.

Two adaptations, both outside the computations compared:
  - modern cv2 refuses borderValue=None, which 0.3.1 passes when `value` is
    null (as in the reference's files); value and mask_value are set to 0,
    which is what OpenCV took None for and which BORDER_REFLECT_101 never
    reads;
  - albumentations.pytorch imports torch, so ToTensor's img_to_tensor
    (im / 255. for uint8, then float32) is restated here.
"""
import json
import os
import subprocess
import sys
import warnings

try:
    import albumentations as A
except ImportError:
    other = os.environ.get("PN_ALBUMENTATIONS_PYTHON")
    if other and os.path.realpath(other) != os.path.realpath(sys.executable):
        sys.exit(subprocess.call([other] + sys.argv))
    sys.exit("make_augment_reference.py: albumentations 0.3.1 is not installed for %s; "
             "see the instructions at the top of this script" % sys.executable)

import cv2
import numpy as np
import scipy

warnings.filterwarnings("ignore")
assert A.__version__ == "0.3.1", "albumentations 0.3.1 is needed, found " + A.__version__

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "tests", "data", "augment")
TRANSFORMS = os.path.join(ROOT, "..", "shared", "reference", "transforms",
                          "train_transforms_complex_1024.json")
os.makedirs(OUT, exist_ok=True)

cases = []
files = {}


def save(name, array):
    array = np.ascontiguousarray(array)
    files[name] = array
    np.save(os.path.join(OUT, name), array)
    return name


def case(name, op, input_name, output, params, tolerance=None):
    entry = {"name": name, "op": op, "input": input_name, "output": save(name + ".npy", output),
             "params": params}
    if tolerance:
        entry["tolerance"] = tolerance
    cases.append(entry)


# ---- inputs -------------------------------------------------------------
rs = np.random.RandomState(2019)
yy, xx = np.mgrid[0:64, 0:64].astype(np.float64)
gray = 110 + 70 * np.sin(xx / 6.0) * np.cos(yy / 9.0) + 40 * (xx > 40) - 30 * ((xx - 20) ** 2 + (yy - 44) ** 2 < 90)
gray = np.clip(gray + rs.normal(0, 12, size=gray.shape), 0, 255).astype(np.uint8)
rgb = np.stack([gray, np.clip(255 - gray.astype(int) + 20, 0, 255), np.roll(gray, 7, axis=1) // 2], axis=2).astype(np.uint8)
mask = np.zeros((64, 64), np.uint8)
mask[(xx - 22) ** 2 / 80.0 + (yy - 30) ** 2 / 200.0 < 1] = 255
mask[50:57, 40:62] = 255
mask[5, 5] = 255
rect = np.ascontiguousarray(gray[5:45, 3:59])      # 40 rows x 56 columns
rect_mask = np.ascontiguousarray(mask[5:45, 3:59])
small = np.ascontiguousarray(gray[:16, :16])
small_rgb = np.ascontiguousarray(rgb[:16, :16])
for name, array in [("gray", gray), ("rgb", rgb), ("mask", mask), ("rect", rect), ("rect_mask", rect_mask),
                    ("small", small), ("small_rgb", small_rgb)]:
    save("input_" + name + ".npy", array)
INPUTS = {"gray": gray, "rgb": rgb, "mask": mask, "rect": rect, "rect_mask": rect_mask, "small": small,
          "small_rgb": small_rgb}

# ---- the reference's own transforms ---------------------------------------
with open(TRANSFORMS) as f:
    pipeline = A.from_dict(json.load(f))


def find(tree, cls):
    for t in tree.transforms:
        if type(t).__name__ == cls:
            return t
        if hasattr(t, "transforms"):
            found = find(t, cls)
            if found is not None:
                return found
    return None


def ref(cls):
    t = find(pipeline, cls)
    assert t is not None, cls
    if hasattr(t, "value"):
        t.value = 0
        t.mask_value = 0
    return t


def run(t, image, is_mask, **params):
    """The transform's apply / apply_to_mask with fixed parameters, as __call__ would pass them."""
    params = dict(params)
    if hasattr(t, "interpolation"):
        params["interpolation"] = t.interpolation
    params.update({"cols": image.shape[1], "rows": image.shape[0]})
    if is_mask:
        return t.apply_to_mask(image, **params)
    return t.apply(image, **params)


def targets(t, name, op, params, inputs, tolerance=None, **extra):
    """One case per input: images with the transform's interpolation, masks with nearest."""
    for inp in inputs:
        is_mask = "mask" in inp
        out = run(t, INPUTS[inp], is_mask, **params)
        p = dict(extra)
        p.update(params)
        p["is_mask"] = is_mask
        case("%s_%s" % (name, inp), op, "input_%s.npy" % inp, out, p, tolerance)


# HorizontalFlip
targets(ref("HorizontalFlip"), "hflip", "hflip", {}, ["gray", "rgb", "mask"])

# RandomContrast / RandomBrightness (brightness_contrast_adjust) and RandomGamma
for i, alpha in enumerate([1.17, 0.81, 1.0]):
    targets(ref("RandomContrast"), "contrast%d" % i, "brightness_contrast", {"alpha": alpha, "beta": 0.0},
            ["gray"] + (["rgb"] if i == 0 else []))
for i, beta in enumerate([0.13, -0.19]):
    targets(ref("RandomBrightness"), "brightness%d" % i, "brightness_contrast", {"alpha": 1.0, "beta": beta},
            ["gray"] + (["rgb"] if i == 0 else []))
targets(A.RandomBrightnessContrast(), "brightness_contrast", "brightness_contrast", {"alpha": 1.1, "beta": 0.1},
        ["gray"])
for i, g in enumerate([80, 93, 100, 120]):
    targets(ref("RandomGamma"), "gamma%d" % i, "gamma", {"gamma": g / 100.0}, ["gray"] + (["rgb"] if i == 0 else []))

# Normalize (float32) and ToTensor's conversion of a uint8 image
norm = ref("Normalize")
for inp in ["small", "small_rgb"]:
    image = INPUTS[inp]
    as_read = np.stack([image] * 3, axis=2) if image.ndim == 2 else image  # cv2.imread(path, 1)
    case("normalize_" + inp, "normalize", "input_%s.npy" % inp, norm.apply(as_read),
         {"mean": list(norm.mean), "std": list(norm.std), "max_pixel_value": norm.max_pixel_value})
    out = np.moveaxis(as_read / (255. if as_read.dtype == np.uint8 else 1), -1, 0).astype(np.float32)
    case("to_tensor_" + inp, "to_tensor", "input_%s.npy" % inp, out, {})

# ShiftScaleRotate
ssr = ref("ShiftScaleRotate")
for i, (angle, scale, dx, dy) in enumerate([(17.3, 1.07, 0.03, -0.02), (-44.0, 0.91, -0.0625, 0.05),
                                             (90.0, 1.0, 0.0, 0.0), (33.3, 1.1, 0.0625, 0.0625)]):
    targets(ssr, "ssr%d" % i, "shift_scale_rotate", {"angle": angle, "scale": scale, "dx": dx, "dy": dy},
            ["gray", "mask"] + (["rect", "rect_mask"] if i < 2 else []) + (["rgb"] if i == 0 else []),
            border_mode=4)
for mode, value in [(cv2.BORDER_CONSTANT, 77), (cv2.BORDER_REPLICATE, 0), (cv2.BORDER_REFLECT, 0),
                    (cv2.BORDER_WRAP, 0)]:
    t = A.ShiftScaleRotate(border_mode=mode, value=value, mask_value=value)
    targets(t, "ssr_border%d" % mode, "shift_scale_rotate",
            {"angle": -31.0, "scale": 0.83, "dx": 0.06, "dy": -0.05}, ["gray", "mask"], border_mode=mode,
            value=value)

# OpticalDistortion
opt = ref("OpticalDistortion")
for i, (k, dx, dy) in enumerate([(1.3, 0, 0), (-1.7, 1, -1), (0.05, 0, 0), (2.0, 0, 0)]):
    targets(opt, "optical%d" % i, "optical_distortion", {"k": k, "dx": dx, "dy": dy},
            ["gray", "mask"] + (["rect", "rgb"] if i == 0 else []), tolerance="maps", border_mode=4)

# GridDistortion
grid = ref("GridDistortion")
steps = [([1.1, 0.8, 1.2, 0.9, 1.0, 1.1], [0.9, 1.2, 0.8, 1.1, 1.0, 0.7]),
         ([0.7, 1.3, 1.27, 0.71, 1.05, 0.95], [1.3, 0.7, 1.0, 1.0, 0.75, 1.22])]
for i, (xs, ys) in enumerate(steps):
    targets(grid, "grid%d" % i, "grid_distortion", {"stepsx": xs, "stepsy": ys},
            ["gray", "mask", "rect", "rect_mask"] + (["rgb"] if i == 0 else []), num_steps=grid.num_steps,
            border_mode=4)
# 60 = 5 * 12: no partial last cell, so the map does not end at the border.
crop60 = np.ascontiguousarray(gray[:60, :60])
save("input_crop60.npy", crop60)
INPUTS["crop60"] = crop60
targets(grid, "grid_even", "grid_distortion", {"stepsx": steps[0][0], "stepsy": steps[0][1]}, ["crop60"],
        num_steps=grid.num_steps, border_mode=4)

# ElasticTransform (approximate=False as in the reference; one approximate=True case)
el = ref("ElasticTransform")
for seed in [5, 1234]:
    targets(el, "elastic_s%d" % seed, "elastic_transform", {"random_state": seed},
            ["gray", "mask"] + (["rect", "rect_mask", "rgb"] if seed == 5 else []), tolerance="maps",
            alpha=el.alpha, sigma=el.sigma, alpha_affine=el.alpha_affine, approximate=el.approximate,
            border_mode=4)
el_approx = A.ElasticTransform(alpha=120, sigma=6.0, alpha_affine=3.6, approximate=True, value=0, mask_value=0)
targets(el_approx, "elastic_approx", "elastic_transform", {"random_state": 77}, ["gray", "mask"],
        tolerance="maps", alpha=120, sigma=6.0, alpha_affine=3.6, approximate=True, border_mode=4)

# Resize (linear for images, nearest for masks)
for w, h in [(48, 48), (80, 80), (32, 32), (30, 22)]:
    t = A.Resize(height=h, width=w, interpolation=1)
    targets(t, "resize_%dx%d" % (w, h), "resize", {"width": w, "height": h},
            ["gray", "mask"] + (["rgb"] if w == 48 else []))
t = A.Resize(height=20, width=28, interpolation=1)
targets(t, "resize_rect_half", "resize", {"width": 28, "height": 20}, ["rect", "rect_mask"])

# numpy's RandomState, which the C++ test re-implements to feed ElasticTransform the same noise.
st = np.random.RandomState(5)
check = {"seed": 5, "uniform": st.uniform(-3.6, 3.6, size=(3, 2)).ravel().tolist(),
         "rand": st.rand(4).tolist()}

manifest = {
    "generator": "tests/reference/make_augment_reference.py",
    "versions": {"albumentations": A.__version__, "opencv": cv2.__version__, "numpy": np.__version__,
                 "scipy": scipy.__version__},
    "random_state_check": check,
    "cases": cases,
}
with open(os.path.join(OUT, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
    f.write("\n")
print("wrote %d cases, %d files, %d bytes to %s" % (len(cases), len(files),
                                                    sum(os.path.getsize(os.path.join(OUT, n)) for n in files), OUT))
