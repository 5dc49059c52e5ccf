"""PyTorch references for the layer ops' parity tests (tests/ops/test_<op>.cpp).

Writes tests/data/reference/<op>.bin with reftensors.save. Each file holds
cases named "<case>.<tensor>": the inputs, the output, a random upstream
gradient g and the gradients of sum(out * g), all float32 (reftensors stores a
0-D tensor, such as a reduced loss, as shape [1]). Run from anywhere
with a Python that has torch (1.13 was used):

    python3 tests/reference/make_layers_reference.py
"""
import os
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reftensors  # noqa: E402

OUT_DIR = os.path.join(HERE, "..", "data", "reference")


def leaf(t):
    return t.detach().clone().requires_grad_(True)


def backward(out, inputs):
    """A random g and the gradients of sum(out * g) for the given inputs."""
    g = torch.randn_like(out)
    grads = torch.autograd.grad((out * g).sum(), inputs)
    return g, grads


def save(op, cases):
    tensors = {}
    for case, named in cases.items():
        for name, value in named.items():
            tensors[case + "." + name] = value
    reftensors.save(os.path.join(OUT_DIR, op + ".bin"), tensors)


def batch_norm():
    torch.manual_seed(0)
    cases = {}
    # 4-D training with a mean far from 0 (tests the two-pass statistics),
    # [N, C] training with other momentum and eps, and 4-D evaluation.
    for case, shape, training, momentum, eps in [
        ("train", (4, 6, 7, 9), True, 0.1, 1e-5),
        ("train2d", (16, 5), True, 0.25, 1e-3),
        ("eval", (3, 6, 5, 4), False, 0.1, 1e-5),
    ]:
        c = shape[1]
        x = leaf(torch.randn(shape) * 2.0 + 3.0)
        w = leaf(torch.rand(c) + 0.5)
        b = leaf(torch.randn(c))
        rm = torch.randn(c) * 0.5
        rv = torch.rand(c) + 0.5
        rm_after, rv_after = rm.clone(), rv.clone()
        out = F.batch_norm(x, rm_after, rv_after, w, b, training=training, momentum=momentum, eps=eps)
        g, (gx, gw, gb) = backward(out, [x, w, b])
        cases[case] = dict(x=x, w=w, b=b, rm=rm, rv=rv, out=out, g=g, gx=gx, gw=gw, gb=gb,
                           rm_after=rm_after, rv_after=rv_after,
                           momentum=torch.tensor(momentum, dtype=torch.float64),
                           eps=torch.tensor(eps, dtype=torch.float64))
    save("batch_norm", cases)


def max_pool2d():
    torch.manual_seed(1)
    cases = {}
    # ResNet's stem pool (3x3, stride 2, padding 1) and the U-Net pool (2x2,
    # stride 2), on sizes where ceil_mode adds an output row or column.
    for case, shape, k, s, p, ceil in [
        ("k3s2p1", (2, 3, 16, 17), 3, 2, 1, False),
        ("k3s2p1_ceil", (2, 3, 16, 17), 3, 2, 1, True),
        ("k2s2", (2, 3, 17, 15), 2, 2, 0, False),
        ("k2s2_ceil", (2, 3, 17, 15), 2, 2, 0, True),
    ]:
        x = leaf(torch.randn(shape))
        out, idx = F.max_pool2d(x, k, s, p, ceil_mode=ceil, return_indices=True)
        g, (gx,) = backward(out, [x])
        cases[case] = dict(x=x, out=out, indices=idx.float(), g=g, gx=gx)
    save("max_pool2d", cases)


def adaptive_avg_pool2d():
    torch.manual_seed(2)
    cases = {}
    for case, size in [("1x1", (1, 1)), ("5x4", (5, 4)), ("3x7", (3, 7)), ("4x15", (4, 15))]:
        x = leaf(torch.randn(2, 3, 11, 13))
        out = F.adaptive_avg_pool2d(x, size)
        g, (gx,) = backward(out, [x])
        cases[case] = dict(x=x, out=out, g=g, gx=gx)
    save("adaptive_avg_pool2d", cases)


def upsample2d():
    torch.manual_seed(3)
    cases = {}
    for mode in ["nearest", "bilinear"]:
        for scale in [2, 3]:
            x = leaf(torch.randn(2, 3, 5, 7))
            kwargs = {"align_corners": False} if mode == "bilinear" else {}
            out = F.interpolate(x, scale_factor=scale, mode=mode, **kwargs)
            g, (gx,) = backward(out, [x])
            cases["%s%d" % (mode, scale)] = dict(x=x, out=out, g=g, gx=gx)
    save("upsample2d", cases)


def binary_cross_entropy_with_logits():
    torch.manual_seed(4)
    x = torch.randn(3, 4, 5) * 3.0
    flat = x.view(-1)
    flat[:8] = torch.tensor([50.0, -50.0, 100.0, -100.0, 20.0, -20.0, 0.0, 1e-3])
    t = torch.rand(3, 4, 5)
    t.view(-1)[8:14] = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.0, 1.0])
    t.view(-1)[:4] = torch.tensor([0.0, 1.0, 1.0, 0.0])  # confidently wrong on the largest logits
    cases = {}
    for reduction in ["none", "mean", "sum"]:
        xl = leaf(x)
        out = F.binary_cross_entropy_with_logits(xl, t, reduction=reduction)
        g, (gx,) = backward(out, [xl])
        cases[reduction] = dict(x=xl, t=t, out=out, g=g, gx=gx)
    save("binary_cross_entropy_with_logits", cases)


if __name__ == "__main__":
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    batch_norm()
    max_pool2d()
    adaptive_avg_pool2d()
    upsample2d()
    binary_cross_entropy_with_logits()
