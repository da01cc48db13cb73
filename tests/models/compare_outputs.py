#!/usr/bin/python3
"""Compares algoscope's outputs with expected ones (both ONNX test_data_set layout, output_K.pb):
passes when max |ours - expected| <= rel * max |expected| + abs for every output. Exit 0 on a
match, 1 on a mismatch, 2 on bad input."""
import argparse
import os
import sys

import numpy as np
import onnx
import onnx.numpy_helper


def read(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return onnx.numpy_helper.to_array(t)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("expected_dir")
    p.add_argument("actual_dir")
    p.add_argument("--rel", type=float, default=1e-4)
    p.add_argument("--abs", type=float, default=1e-5)
    a = p.parse_args()
    k, ok = 0, True
    while os.path.exists(os.path.join(a.expected_dir, f"output_{k}.pb")):
        want = read(os.path.join(a.expected_dir, f"output_{k}.pb"))
        path = os.path.join(a.actual_dir, f"output_{k}.pb")
        if not os.path.exists(path):
            print(f"missing {path}")
            return 2
        got = read(path)
        if got.shape != want.shape:
            print(f"output {k}: shape {got.shape} instead of {want.shape}")
            return 1
        err = float(np.max(np.abs(got.astype(np.float64) - want)))
        bound = a.rel * float(np.max(np.abs(want))) + a.abs
        print(f"output {k}: shape {got.shape}, max abs error {err:.3g}, bound {bound:.3g}")
        ok &= err <= bound
        k += 1
    if k == 0:
        print(f"no output_0.pb in {a.expected_dir}")
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
