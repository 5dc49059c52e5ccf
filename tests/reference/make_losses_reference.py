#!/usr/bin/env python3
"""Reference values for nn/losses.h, computed with PyTorch from the formulas of
the SIIM-ACR first-place solution's Losses.py (restated here, not imported).

Writes tests/data/reference/losses.bin. Run from the repository root:
    python3 tests/reference/make_losses_reference.py
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
import reftensors  # noqa: E402

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)


def soft_dice(p, t, per_image):
    parts = p.shape[0] if per_image else 1
    p, t = p.reshape(parts, -1), t.reshape(parts, -1)
    inter = (p * t).sum(1)
    union = p.sum(1) + t.sum(1) + 1e-6
    return (1 - (2 * inter + 1e-6) / union).mean()


def jaccard(p, t, per_image):
    parts = p.shape[0] if per_image else 1
    p, t = p.reshape(parts, -1), t.reshape(parts, -1)
    inter = (p * t).sum(1)
    return (1 - (inter + 1e-3) / ((p + t).sum(1) - inter + 1e-3)).mean()


def focal(p, t, gamma=2.0):
    p = p.reshape(-1).clamp(1e-8, 1 - 1e-8)
    t = t.reshape(-1).clamp(1e-8, 1 - 1e-8)
    pt = (1 - t) * (1 - p) + t * p
    return (-((1 - pt) ** gamma) * torch.log(pt)).mean()


def bce(x, t):
    x, t = x.reshape(-1), t.reshape(-1)
    return (x.clamp(min=0) - x * t + (1 + (-x.abs()).exp()).log()).mean()


def lovasz_flat(x, labels):
    signs = 2 * labels - 1
    errors = 1 - x * signs
    errors_sorted, perm = torch.sort(errors, descending=True)
    gt = labels[perm]
    gts = gt.sum()
    inter = gts - gt.cumsum(0)
    union = gts + (1 - gt).cumsum(0)
    jac = 1 - inter / union
    jac[1:] = jac[1:] - jac[:-1].clone()
    return torch.dot(torch.relu(errors_sorted), jac)


def lovasz(x, t):  # per image
    return torch.stack([lovasz_flat(a.reshape(-1), b.reshape(-1)) for a, b in zip(x, t)]).mean()


def symmetric_lovasz(x, t):
    return (lovasz(x, t) + lovasz(-x, 1 - t)) / 2


def combo(x, t, w):
    p = torch.sigmoid(x)
    terms = {"bce": lambda: bce(x, t), "dice": lambda: soft_dice(p, t, False),
             "focal": lambda: focal(p, t), "jaccard": lambda: jaccard(p, t, False),
             "lovasz": lambda: symmetric_lovasz(x, t)}
    total = sum(w[k] * terms[k]() for k in w if w[k])
    return total.clamp(min=1e-5)


out = {}
logits = torch.randn(3, 1, 8, 8) * 3
masks = (torch.rand(3, 1, 8, 8) > 0.6).double()
masks[1] = 0  # one image with an empty mask
out["logits"] = logits
out["masks"] = masks
cases = {
    "bce": lambda x: bce(x, masks),
    "dice": lambda x: soft_dice(torch.sigmoid(x), masks, False),
    "dice_per_image": lambda x: soft_dice(torch.sigmoid(x), masks, True),
    "jaccard": lambda x: jaccard(torch.sigmoid(x), masks, False),
    "focal": lambda x: focal(torch.sigmoid(x), masks),
    "lovasz": lambda x: symmetric_lovasz(x, masks),
    "combo_314": lambda x: combo(x, masks, {"bce": 3, "dice": 1, "focal": 4}),
    "combo_111": lambda x: combo(x, masks, {"bce": 1, "dice": 1, "focal": 1}),
    "combo_all": lambda x: combo(x, masks, {"bce": 2, "dice": 1, "focal": 2, "jaccard": 0.5, "lovasz": 0.5}),
}
for name, f in cases.items():
    x = logits.clone().requires_grad_(True)
    value = f(x)
    value.backward()
    out[name + ".value"] = value.detach()
    out[name + ".grad"] = x.grad
# All-empty masks.
empty = torch.zeros(2, 1, 8, 8)
x = logits[:2].clone().requires_grad_(True)
value = combo(x, empty, {"bce": 3, "dice": 1, "focal": 4})
value.backward()
out["empty.logits"] = logits[:2]
out["empty.value"] = value.detach()
out["empty.grad"] = x.grad

path = os.path.join(os.path.dirname(__file__), "..", "data", "reference", "losses.bin")
reftensors.save(path, out)
print("wrote", path)
