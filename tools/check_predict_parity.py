#!/usr/bin/python3
"""Checks `pneumo predict` against PyTorch end to end: each of the three
models (AlbuNet, SCSEUnet, Resnet50), built in PyTorch with random weights
and BatchNorm statistics, is saved as .pth (zip and legacy), a gray PNG is
predicted by both with flip TTA at 256x256, and the probability maps are
compared. Needs Debian's python3-torch, python3-torchvision and
python3-opencv, and a built build/pneumo. Not part of the test suite (the
weights are ~100 MB); run it by hand:

    /usr/bin/python3 tools/check_predict_parity.py [BUILD_DIR]
"""
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np
import torch

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(root, "tests", "reference"))
from make_models_reference import AlbuNet, ResnetUnet, SCSEUnet  # noqa: E402

build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build")


def randomised(model):
    torch.manual_seed(1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.0)
        # Random weights give nearly constant logits; spread them so the
        # comparison covers the whole sigmoid.
        final = model.final if isinstance(model.final, torch.nn.Conv2d) else model.final[0]
        final.weight.mul_(300.0)
    return model.eval()


tmp = tempfile.mkdtemp()
rng = np.random.default_rng(0)
yy, xx = np.mgrid[0:260, 0:300]
image = (127 + 60 * np.sin(xx / 17.0) * np.cos(yy / 23.0) + rng.normal(0, 10, (260, 300))).clip(0, 255)
image_path = os.path.join(tmp, "image.png")
cv2.imwrite(image_path, image.astype(np.uint8))

gray = cv2.imread(image_path, 0)
resized = cv2.resize(gray, (256, 256), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255.0
mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
x = torch.from_numpy(np.stack([(resized - mean[c]) / std[c] for c in range(3)])[None].astype(np.float32))
worst = 0.0
for name, model in (("AlbuNet", AlbuNet()), ("SCSEUnet", SCSEUnet(1)), ("Resnet50", ResnetUnet(1, "resnet50"))):
    model = randomised(model)
    with torch.no_grad():
        p = torch.sigmoid(model(x))
        pf = torch.flip(torch.sigmoid(model(torch.flip(x, dims=(3,)))), dims=(3,))
        expected = ((p + pf) / 2)[0, 0].numpy()
    for fmt, zip_format in (("zip", True), ("legacy", False)):
        weights = os.path.join(tmp, "%s_%s.pth" % (name, fmt))
        torch.save(model.state_dict(), weights, _use_new_zipfile_serialization=zip_format)
        out = os.path.join(tmp, "ours_%s_%s.npy" % (name, fmt))
        subprocess.run([os.path.join(build, "pneumo"), "predict", "--model", name, "--weights", weights,
                        "--image", image_path, "--size", "256", "--tta", "flip", "--out", out], check=True,
                       stdout=subprocess.DEVNULL)
        err = float(np.abs(np.load(out) - expected).max())
        worst = max(worst, err)
        print("%-8s %-6s max |ours - PyTorch| = %.3g (probabilities in [%.3f, %.3f])"
              % (name, fmt, err, expected.min(), expected.max()))
        os.remove(weights)
sys.exit(0 if worst < 1e-4 else 1)
