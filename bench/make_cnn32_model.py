#!/usr/bin/env python3
"""Writes a 32x32x3 CNN with random int8 weights (format 2), for the conv hardware measurements in
docs/performance.md: conv 3x3 x16 (padding 1) relu, maxpool 2, conv 3x3 x32 (padding 1) relu,
maxpool 2, conv 3x3 x64 relu, dense 1024 -> 10. Scales (M, s) keep the codes spread; seed fixed.

usage: bench/make_cnn32_model.py OUT.npz
"""
import sys

import numpy as np


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: make_cnn32_model.py OUT.npz")
    rng = np.random.default_rng(32)
    m = {"format": np.int64(2), "input.shape": np.array([32, 32, 3], dtype=np.int64),
         "input.signed": np.bool_(True), "input.zero": np.int64(-3), "input.scale": np.float32(1 / 255)}
    layers = [("conv2d", 16, 3, [1, 1, 1, 1]), ("maxpool2d",), ("conv2d", 32, 16, [1, 1, 1, 1]), ("maxpool2d",),
              ("conv2d", 64, 32, [0, 0, 0, 0]), ("dense", 10, 6 * 6 * 64)]
    for i, l in enumerate(layers):
        p = f"layer{i}."
        m[p + "kind"] = np.array(l[0])
        if l[0] == "maxpool2d":
            m[p + "size"] = np.array([2, 2], dtype=np.int64)
            m[p + "stride"] = np.array([2, 2], dtype=np.int64)
            continue
        out, fan = l[1], l[2]
        shape = (out, 3, 3, fan) if l[0] == "conv2d" else (out, fan)
        m[p + "weight"] = rng.integers(-128, 128, size=shape, dtype=np.int8)
        k = int(np.prod(shape[1:]))
        m[p + "bias"] = rng.integers(-2000, 2000, size=out, dtype=np.int32)
        m[p + "multiplier"] = rng.integers(1 << 30, 1 << 31, size=out, dtype=np.int64)
        # p = acc·M / 2^s: acc spreads about 128·128·sqrt(k); s brings it to about ±64.
        m[p + "shift"] = np.full(out, 31 + int(np.log2(128 * 128 * np.sqrt(k) / 64)), dtype=np.int64)
        m[p + "rounding"] = np.array("half_up")
        m[p + "relu"] = np.bool_(l[0] == "conv2d")
        m[p + "output.zero"] = np.int64(-20 if l[0] == "conv2d" else 0)
        m[p + "output.signed"] = np.bool_(True)
        if l[0] == "conv2d" and any(l[3]):
            m[p + "padding"] = np.array(l[3], dtype=np.int64)
    np.savez(sys.argv[1], **m)
    print("wrote", sys.argv[1])


if __name__ == "__main__":
    main()
