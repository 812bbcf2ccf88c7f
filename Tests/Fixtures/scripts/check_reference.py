#!/usr/bin/env python3
"""Cross-check tools/reference.py against a second, loop-by-loop pure-Python version of the spec.

For every case in Tests/Fixtures/golden/index.json this recomputes the outputs with plain
Python ints (`//` floor division, `divmod`, bit lengths; no NumPy arithmetic, no int64,
no Fractions: tools/reference.py uses those for float32) and Python's `round()` (half to
even) / `math.floor` / exact integer parts for float images, and compares with the
committed NAME.expected.npz bit for bit. Also checks the files load with the stock np.load.

    python3 Tests/Fixtures/scripts/check_reference.py        # exit 0 when every case agrees
"""

import json
import math
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # Tests/Fixtures/scripts/ -> checkout
GOLD = os.path.join(ROOT, "Tests", "Fixtures", "golden")


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
        v = float(np.float32(np.float32(x) / scale))  # float32 division
        if math.isinf(v):
            out.append(hi if v > 0 else lo)
            continue
        if rounding == "half_even":
            r = round(v) + zx                          # Python's round: half to even
        elif rounding == "half_away":
            r = int(math.copysign(math.floor(abs(v) + 0.5), v)) + zx  # |v| + 0.5 exact in a double
        else:
            # trunc(v + zx) exactly: v = num / den as integers, then integer truncation.
            num, den = v.as_integer_ratio()
            t = num + zx * den
            r = t // den if t >= 0 else -((-t) // den)
        out.append(min(max(r, lo), hi))
    return out


def to_24_bits(n, e):
    """The value n·2^e (n an int) rounded to 24 significant bits, ties to even: (n', e')."""
    sign, n = (-1 if n < 0 else 1), abs(n)
    drop = n.bit_length() - 24
    if drop <= 0:
        return sign * n, e
    q, r = n >> drop, n & ((1 << drop) - 1)
    half = 1 << (drop - 1)
    if r > half or (r == half and q & 1):
        q += 1
    return sign * q, e + drop


def requantize(acc, M, s, rounding):
    p = acc * M
    if rounding == "floor":
        return p // 2 ** s
    if rounding == "half_up":
        return p if s == 0 else (p + 2 ** (s - 1)) // 2 ** s
    if rounding == "half_even":
        q, r = divmod(p, 2 ** s)
        return q + 1 if 2 * r > 2 ** s or (2 * r == 2 ** s and q % 2) else q
    if rounding == "gemmlowp":
        L, E = max(0, 31 - s), max(0, s - 31)
        t = (acc * 2 ** L * M + 2 ** 30) // 2 ** 31
        m = (abs(t) + 2 ** E // 2) // 2 ** E if E else abs(t)
        return m if t >= 0 else -m
    if rounding == "float32":
        a, ea = to_24_bits(acc, 0)
        b, eb = to_24_bits(a * M, ea - s)   # b·2^eb
        if eb >= 0:
            return b * 2 ** eb
        q, r = divmod(b, 2 ** -eb)
        return q + 1 if 2 * r > 2 ** -eb or (2 * r == 2 ** -eb and q % 2) else q
    raise ValueError(rounding)


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
        if p + "clamp" in z:
            cl, ch = (int(v) for v in z[p + "clamp"].tolist())
            lo, hi = max(lo, cl), min(hi, ch)
        y = []
        for o in range(out):
            acc = bias[o] + sum(w[o][k] * (x[k] - zx) for k in range(len(x)))
            q = requantize(acc, M[o], s[o], scalar(z, p + "rounding"))
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
