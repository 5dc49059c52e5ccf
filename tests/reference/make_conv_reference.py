#!/usr/bin/env python3
"""Writes tests/data/reference/conv2d.bin and conv_transpose2d.bin.

For every case: float32 inputs x, w, b (when the case has a bias) and a random
g, the output of PyTorch's conv2d / conv_transpose2d and the gradients of
sum(out * g) with respect to x, w and b. The arguments are stored with them
(`<case>.args` = stride, padding, dilation, groups, output_padding), so the
C++ test cannot drift from this script. PyTorch computes in float64 from the
float32 inputs and the results are rounded to float32: the reference is the
exact answer, and the test measures only our own float32 error.

Run from anywhere with a Python that has torch (1.13 was used):
    python3 tests/reference/make_conv_reference.py
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reftensors  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "reference")

# name: (x shape, w shape, bias, stride, padding, dilation, groups, output_padding)
CONV2D = {
    "plain": ([2, 3, 9, 8], [5, 3, 3, 3], True, (1, 1), (0, 0), (1, 1), 1, (0, 0)),
    "stride2_pad1": ([2, 4, 11, 10], [6, 4, 3, 3], True, (2, 2), (1, 1), (1, 1), 1, (0, 0)),
    "dilation2": ([2, 3, 12, 11], [4, 3, 3, 3], False, (1, 2), (2, 1), (2, 2), 1, (0, 0)),
    "groups32": ([2, 64, 5, 6], [64, 2, 3, 3], True, (1, 1), (1, 1), (1, 1), 32, (0, 0)),
    "depthwise": ([2, 8, 9, 9], [8, 1, 3, 3], True, (2, 2), (1, 1), (1, 1), 8, (0, 0)),
    "1x1": ([2, 16, 7, 6], [8, 16, 1, 1], True, (1, 1), (0, 0), (1, 1), 1, (0, 0)),
    "7x7_stride2_pad3": ([1, 3, 16, 16], [8, 3, 7, 7], False, (2, 2), (3, 3), (1, 1), 1, (0, 0)),
}

CONV_TRANSPOSE2D = {
    "4x4_stride2_pad1": ([2, 16, 6, 5], [16, 8, 4, 4], True, (2, 2), (1, 1), (1, 1), 1, (0, 0)),
    "output_padding": ([2, 6, 5, 4], [6, 4, 3, 3], True, (2, 2), (1, 1), (1, 1), 1, (1, 1)),
    "groups": ([2, 8, 5, 5], [8, 3, 3, 3], True, (2, 1), (1, 0), (1, 1), 4, (1, 0)),
    "dilation2_output_padding": ([1, 4, 5, 6], [4, 5, 3, 3], False, (1, 1), (1, 0), (2, 2), 1, (1, 1)),
    "1x1": ([2, 8, 5, 5], [8, 4, 1, 1], True, (1, 1), (0, 0), (1, 1), 1, (0, 0)),
}


def make(cases, transpose):
    gen = torch.Generator().manual_seed(20240607 + transpose)
    tensors = {}
    for name, (xs, ws, has_bias, stride, padding, dilation, groups, out_pad) in cases.items():
        def rand(shape):
            return torch.rand(shape, generator=gen, dtype=torch.float32) * 2 - 1

        x, w = rand(xs), rand(ws)
        b = rand([ws[1] * groups if transpose else ws[0]]) if has_bias else None
        x64, w64 = x.double().requires_grad_(), w.double().requires_grad_()
        b64 = b.double().requires_grad_() if has_bias else None
        if transpose:
            out = F.conv_transpose2d(x64, w64, b64, stride, padding, out_pad, groups, dilation)
        else:
            out = F.conv2d(x64, w64, b64, stride, padding, dilation, groups)
        g = torch.randn(out.shape, generator=gen, dtype=torch.float32)
        (out * g.double()).sum().backward()
        args = list(stride) + list(padding) + list(dilation) + [groups] + list(out_pad)
        tensors[name + ".args"] = torch.tensor(args, dtype=torch.float64)
        tensors[name + ".x"], tensors[name + ".w"], tensors[name + ".g"] = x, w, g
        tensors[name + ".out"] = out.float()
        tensors[name + ".gx"], tensors[name + ".gw"] = x64.grad.float(), w64.grad.float()
        if has_bias:
            tensors[name + ".b"], tensors[name + ".gb"] = b, b64.grad.float()
    return tensors


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    reftensors.save(os.path.join(OUT_DIR, "conv2d.bin"), make(CONV2D, False))
    reftensors.save(os.path.join(OUT_DIR, "conv_transpose2d.bin"), make(CONV_TRANSPOSE2D, True))


if __name__ == "__main__":
    main()
