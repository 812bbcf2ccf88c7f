#!/usr/bin/env python3
"""Cross-check tools/reference.py against a second, loop-by-loop pure-Python version of the spec.

For every case in Tests/Fixtures/golden/index.json this recomputes the outputs with plain
Python ints (`//` floor division, no NumPy arithmetic, no int64) and Python's `round()`
(half to even) / `math.trunc` for float images, and compares with the committed
NAME.expected.npz bit for bit. Also checks the files load with the stock np.load.

    python3 scripts/check_reference.py        # exit 0 when every case agrees
"""

import json
import math
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLD = os.path.join(ROOT, "Tests", "Fixtures", "golden")
sys.path.insert(0, os.path.join(ROOT, "tools"))
from reference import ADD_ZERO_IN_FLOAT32  # noqa: E402  (the one rule both must share)


def scalar(z, k, default=None):
    return z[k].item() if k in z else default


def per_channel(z, k, out):
    a = z[k]
    return [int(a.item())] * out if a.shape == () else [int(v) for v in a.tolist()]


def quantize(z, img):
    signed = bool(scalar(z, "input.signed"))
    lo, hi = (-128, 127) if signed else (0, 255)
    flat = img.reshape(-1)
    if img.dtype == np.uint8:
        return [int(p) - 128 if signed else int(p) for p in flat.tolist()]
    zx = int(scalar(z, "input.zero"))
    scale = np.float32(z["input.scale"])
    rounding = scalar(z, "input.rounding", "half_even")
    out = []
    for x in flat.tolist():
        v = np.float32(np.float32(x) / scale)        # float32 division
        if ADD_ZERO_IN_FLOAT32:
            t = float(np.float32(v + np.float32(zx)))  # float32 addition
        else:
            t = float(v) + zx                           # Python float: float64 addition
        if math.isinf(t):
            out.append(hi if t > 0 else lo)
            continue
        r = round(t) if rounding == "half_even" else math.trunc(t)
        out.append(min(max(r, lo), hi))
    return out


def run(z, x):
    zx, signed = int(scalar(z, "input.zero")), bool(scalar(z, "input.signed"))
    i = 0
    layers = []
    while f"layer{i}.kind" in z:
        p = f"layer{i}."
        w = z[p + "weight"].astype(int).tolist()
        out = len(w)
        bias = z[p + "bias"].astype(int).tolist() if p + "bias" in z else [0] * out
        M, s = per_channel(z, p + "multiplier", out), per_channel(z, p + "shift", out)
        zy, osg = int(scalar(z, p + "output.zero")), bool(scalar(z, p + "output.signed"))
        lo, hi = (-128, 127) if osg else (0, 255)
        if bool(scalar(z, p + "relu")):
            lo = max(lo, zy)
        y = []
        for o in range(out):
            acc = bias[o] + sum(w[o][k] * (x[k] - zx) for k in range(len(x)))
            prod = acc * M[o]
            if scalar(z, p + "rounding") == "half_up" and s[o] >= 1:
                q = (prod + 2 ** (s[o] - 1)) // 2 ** s[o]
            else:
                q = prod // 2 ** s[o]
            y.append(min(max(zy + q, lo), hi))
        layers.append(y)
        x, zx, signed = y, zy, osg
        i += 1
    return layers


def main():
    with open(os.path.join(GOLD, "index.json")) as f:
        cases = json.load(f)["cases"]
    bad = 0
    for c in cases:
        z = dict(np.load(os.path.join(GOLD, c["model"])))
        imgs = np.load(os.path.join(GOLD, c["images"]))[c["images_key"]]
        exp = np.load(os.path.join(GOLD, c["expected"]))
        ok = True
        for n in range(len(imgs)):
            layers = run(z, quantize(z, imgs[n]))
            last = layers[-1]
            pred = last.index(max(last))
            if pred != exp["predictions"][n] or last != exp["outputs"][n].tolist() or any(
                    layers[i] != exp[f"layer{i}.output"][n].tolist() for i in range(len(layers))):
                ok = False
                print(f"{c['name']}: image {n} differs")
                break
        bad += not ok
        print(f"{c['name']:40s} {'ok' if ok else 'MISMATCH'}")
    print(f"{len(cases) - bad}/{len(cases)} cases agree")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
