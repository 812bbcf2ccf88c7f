#!/usr/bin/env python3
"""Rewrites bench/models/fmnist_784_128_10.npz as format 2 with both layers in one rounding
(half_up, half_even, gemmlowp, float32) and layer0.clamp [-100, 100], for the per-mode goal-design
measurements in docs/performance.md. float32 needs M < 2^24: M >> 8, s - 8 (the same scale).

usage: bench/make_format2_models.py OUTDIR   (writes OUTDIR/fmnist_MODE.npz)
"""
import os
import sys

import numpy as np


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: make_format2_models.py OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    here = os.path.dirname(os.path.abspath(__file__))
    base = dict(np.load(os.path.join(here, "models", "fmnist_784_128_10.npz")))
    for mode in ["half_up", "half_even", "gemmlowp", "float32"]:
        m = dict(base)
        m["format"] = np.int64(2)
        for i in (0, 1):
            m[f"layer{i}.rounding"] = np.array(mode)
            if mode == "float32":
                mult = m[f"layer{i}.multiplier"].astype(np.uint64)
                shift = m[f"layer{i}.shift"].astype(np.int64)
                m[f"layer{i}.multiplier"] = (mult >> 8).astype(np.uint32)
                m[f"layer{i}.shift"] = np.maximum(shift - 8, 0).astype(np.uint8)
        m["layer0.clamp"] = np.array([-100, 100], dtype=np.int64)
        path = os.path.join(out, f"fmnist_{mode}.npz")
        np.savez(path, **m)
        print("wrote", path)


if __name__ == "__main__":
    main()
