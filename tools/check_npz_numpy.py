#!/usr/bin/env python3
"""Checks that NumPy reads the .npz files pneumo writes (data/npz.h) as written.

Not part of the test suite (which never runs Python): run it by hand after
changing the writer, with Debian's Python and NumPy, from the repository root:

    /usr/bin/python3 tools/check_npz_numpy.py [build/test_pneumo]

It runs the test binary's "npz: files for the NumPy check" case with
PN_NPZ_EXPORT_DIR set, then opens each file with np.load (float32, float16,
65536 entries with zip64 records) and compares names, dtypes, shapes and
values; zipfile's CRC check runs over every entry.
"""

import os
import subprocess
import sys
import tempfile
import zipfile

import numpy as np


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "build/test_pneumo"
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, PN_NPZ_EXPORT_DIR=tmp)
        subprocess.run([binary, "--test-case=npz: files for the NumPy check"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        ramp = (np.arange(12, dtype=np.float32) / np.float32(7)).reshape(3, 4)
        uid = "1.2.276.0.7230010.3.1.4.8323329.5597.1517875188.959090"
        for name, dtype in (("ours_f4.npz", np.float32), ("ours_f2.npz", np.float16)):
            path = os.path.join(tmp, name)
            with zipfile.ZipFile(path) as z:
                assert z.testzip() is None, "%s: bad CRC" % name
            with np.load(path) as f:
                assert f.files == ["ramp", uid, "scalar", "empty"], f.files
                for key in f.files:
                    assert f[key].dtype == dtype, (name, key, f[key].dtype)
                assert np.array_equal(f["ramp"], ramp.astype(dtype)), name
                assert np.array_equal(f[uid], np.full((2, 2, 2), 0.1, np.float32).astype(dtype)), name
                assert f["scalar"].shape == () and f["scalar"] == 42, name
                assert f["empty"].shape == (0, 4), name
            print("%s: np.load reads it as written (%s)" % (name, np.dtype(dtype).name))
        path = os.path.join(tmp, "ours_many.npz")
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None
        with np.load(path) as f:
            assert len(f.files) == 65536 and f.files[-1] == "65535"
            assert all(f[k][0] == int(k) for k in ("0", "1", "4095", "65535"))
        print("ours_many.npz: 65536 entries (zip64 end records) read by np.load")


if __name__ == "__main__":
    main()
