#!/usr/bin/env python3
"""Writes the PyTorch and safetensors test files of tests/nn/test_io_*.cpp into
tests/data/checkpoints/.

Every tensor is built from small exact formulas (arange, binary fractions), so
the C++ tests recompute the expected values instead of reading them from a
second file. Files (each a few KB):

  state_{zip,legacy}.pth      one state dict holding every case the reader must
                              handle: float32/float64/int64/int32/uint8/bool,
                              float16 and bfloat16, 0-d, empty, a transposed
                              view, a strided slice with a storage offset and a
                              plain view sharing one storage, an expanded
                              (stride 0) tensor.
  nested_zip.pth              {'model': DataParallel(model).state_dict(), epoch,
                              best_score, name, optimizer}, pickle protocol 4
                              (STACK_GLOBAL, FRAME, MEMOIZE opcodes).
  nested_legacy.pth           {'state_dict': DataParallel state dict, 'epoch'},
                              legacy format as torch 1.1 wrote the model zoo.
  malicious_{zip,legacy}.pth  a state dict with an object whose unpickling would
                              call os.system; malicious_proto4_zip.pth the same
                              through STACK_GLOBAL.
  traversal_zip.pth           state_zip.pth plus an entry '../../evil.txt'.
  absolute_zip.pth            state_zip.pth plus an entry '/tmp/evil.txt'.
  deflated_zip.pth            state_zip.pth with its entries deflate-compressed.
  missing_storage_zip.pth     state_zip.pth without the entry of storage 0.
  whole_model_zip.pth         torch.save(model) of a module, not of its state dict.
  python_written.safetensors  written by the safetensors package (only when it
                              can be imported; the committed file is kept
                              otherwise), read and re-written byte for byte by
                              the C++ test.

The zip files are the same from run to run; the legacy ones are not (torch
names their storages by memory address), which the tests do not depend on.

Run with a Python that has torch (Debian's python3-torch, 1.13, was used):
    /usr/bin/python3 tests/reference/make_checkpoint_reference.py
The safetensors package is optional: pip install --target DIR safetensors and
put DIR on PYTHONPATH.
"""
import collections
import io
import os
import zipfile

import numpy as np
import torch
import torch.nn as nn

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "checkpoints")


def state_dict():
    sd = collections.OrderedDict()
    sd["conv.weight"] = (torch.arange(24, dtype=torch.float32) * 0.25 - 3).reshape(2, 3, 2, 2)
    sd["conv.bias"] = torch.tensor([0.5, -1.5])
    sd["bn.running_var"] = torch.arange(3, dtype=torch.float64) / 3
    sd["bn.num_batches_tracked"] = torch.tensor(7)  # 0-d int64, as BatchNorm keeps it
    sd["index"] = torch.tensor([-2, 0, 2 ** 40, 5], dtype=torch.int64)
    sd["count32"] = torch.tensor([-5, 7], dtype=torch.int32)
    sd["mask"] = torch.tensor([0, 1, 255], dtype=torch.uint8)
    sd["flags"] = torch.tensor([True, False, True])
    sd["half"] = torch.tensor([1.5, -2.25, 65504.0, 2.0 ** -24], dtype=torch.float16)
    sd["bf16"] = torch.tensor([1.0, -3.5, 2.0 ** 100], dtype=torch.bfloat16)
    sd["empty"] = torch.zeros(0, 3)
    # Views: saved with their strides and offsets, sharing one storage.
    sd["transposed"] = torch.arange(6, dtype=torch.float32).reshape(2, 3).t()  # stride (1, 3)
    base = torch.arange(10, dtype=torch.float32) * 1.5
    sd["shared.a"] = base[:4].view(2, 2)  # offset 0
    sd["shared.b"] = base[4::2]           # offset 4, stride 2: [6, 9, 12]
    sd["expanded"] = torch.tensor([1.0, 2.0]).expand(3, 2)  # stride (0, 1)
    return sd


def small_model():
    m = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))
    with torch.no_grad():
        m[0].weight.copy_(torch.arange(18, dtype=torch.float32).reshape(2, 1, 3, 3) / 8)
        m[0].bias.copy_(torch.tensor([0.25, -0.5]))
        m[1].weight.copy_(torch.tensor([1.5, 2.0]))
        m[1].bias.copy_(torch.tensor([0.0, -1.0]))
        m[1].running_mean.copy_(torch.tensor([0.125, -0.25]))
        m[1].running_var.copy_(torch.tensor([1.0, 4.0]))
        m[1].num_batches_tracked.fill_(5)
    return nn.DataParallel(m)  # on the CPU it only wraps: names get "module."


class Evil:
    """Unpickling this would run a shell command; the reader must refuse it."""

    def __reduce__(self):
        return (os.system, ("echo pwned > /tmp/pn_checkpoint_pwned",))


def path(name):
    return os.path.join(OUT_DIR, name)


def save(obj, name, **kwargs):
    torch.save(obj, path(name), **kwargs)


def rezip(src, dst, extra=(), compression=zipfile.ZIP_STORED, drop=()):
    """Copies the entries of zip src but those named in drop into dst, adding (name, bytes) pairs."""
    with zipfile.ZipFile(path(src)) as zin, zipfile.ZipFile(path(dst), "w", compression) as zout:
        for info in zin.infolist():
            if info.filename not in drop:
                zout.writestr(entry(info.filename, compression), zin.read(info.filename))
        for name, data in extra:
            zout.writestr(entry(name, compression), data)


def entry(name, compression):
    # A fixed date keeps the generated files identical from run to run.
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = compression
    return info


def safetensors_file():
    try:
        from safetensors.numpy import save_file
    except ImportError:
        print("safetensors is not importable: keeping the committed python_written.safetensors")
        return
    tensors = {
        "weight": (np.arange(6, dtype=np.float32) * 0.5 - 1).reshape(2, 3),
        "running_var": np.arange(3, dtype=np.float64) / 3,
        "num_batches_tracked": np.array(7, dtype=np.int64),  # 0-d
        "mask": np.array([0, 1, 255], dtype=np.uint8),
        "empty": np.zeros((0, 4), dtype=np.float32),
    }
    save_file(tensors, path("python_written.safetensors"), metadata={"epoch": "3"})


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    sd = state_dict()
    save(sd, "state_zip.pth")
    save(sd, "state_legacy.pth", _use_new_zipfile_serialization=False)

    model_sd = small_model().state_dict()
    nested = {"model": model_sd, "epoch": 3, "best_score": 0.8125, "name": "albunet",
              "optimizer": {"lr": 1e-4}}
    save(nested, "nested_zip.pth", pickle_protocol=4)
    save({"state_dict": model_sd, "epoch": 3}, "nested_legacy.pth", _use_new_zipfile_serialization=False)

    evil = {"weight": torch.ones(2), "evil": Evil()}
    save(evil, "malicious_zip.pth")
    save(evil, "malicious_legacy.pth", _use_new_zipfile_serialization=False)
    save(evil, "malicious_proto4_zip.pth", pickle_protocol=4)

    rezip("state_zip.pth", "traversal_zip.pth", [("../../evil.txt", b"pwned")])
    rezip("state_zip.pth", "absolute_zip.pth", [("/tmp/evil.txt", b"pwned")])
    rezip("state_zip.pth", "deflated_zip.pth", compression=zipfile.ZIP_DEFLATED)
    rezip("state_zip.pth", "missing_storage_zip.pth", drop=("state_zip/data/0",))
    save(nn.Sequential(nn.Conv2d(1, 1, 1)), "whole_model_zip.pth")

    safetensors_file()
    for name in sorted(os.listdir(OUT_DIR)):
        print("%-28s %6d bytes" % (name, os.path.getsize(path(name))))


if __name__ == "__main__":
    main()
