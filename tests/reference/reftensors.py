"""Writes named tensors in the test suite's reference format (tests/reference.h).

File layout, little endian:
  magic b"PNREF1\\n", u32 count, then per tensor:
  u32 name_len, name (utf-8), u32 dtype (0 float32, 1 float64), u32 rank,
  i64 dims[rank], the values in row-major order.
"""
import struct

import numpy as np


def save(path, tensors):
    """tensors: dict name -> numpy array or torch tensor (float32 or float64)."""
    with open(path + ".tmp", "wb") as f:
        f.write(b"PNREF1\n")
        f.write(struct.pack("<I", len(tensors)))
        for name, value in tensors.items():
            if hasattr(value, "detach"):
                value = value.detach().cpu().numpy()
            a = np.array(value, order="C")  # keeps 0-d arrays 0-d (ascontiguousarray would not)
            if a.dtype == np.float64:
                code = 1
            else:
                a = a.astype(np.float32)
                code = 0
            raw = name.encode()
            f.write(struct.pack("<I", len(raw)))
            f.write(raw)
            f.write(struct.pack("<II", code, a.ndim))
            f.write(struct.pack("<%dq" % a.ndim, *a.shape))
            f.write(a.astype(a.dtype.newbyteorder("<")).tobytes())
    import os
    os.replace(path + ".tmp", path)
