#!/usr/bin/env python3
"""Independent reference implementation of zynqnet model format 2 (dense, conv2d, maxpool2d).

Computes the zynqnet model format spec (`model-format.md`, format 2, which reads
format-1 files too) with NumPy and exact Python integers. It is deliberately short and plain: it is
the yardstick the Swift simulator, the generated hardware and the importers are
compared against, so correctness beats speed.

    python3 tools/reference.py MODEL.npz IMAGES.npz -o OUT.npz [--limit N]
        MODEL: a format-1/2 model, a notebook MLP (w1/w2/shift_l1/shift_l2) or a
        pyrtlnet quantized.npz (imported per the spec). OUT gets `predictions`
        int64 (N), `outputs` int64 (N x classes) and `labels` when the image file
        has them.
    python3 tools/reference.py --convert MODEL.npz -o FORMAT1.npz
        Import a notebook / pyrtlnet file (or re-save a format-1 file) as format 1.

Exactness: accumulators are int64 only after proving |acc| < 2^62 from the
weights, the input range and the bias; every rounding mode is computed on Python
ints (and `float32` on exact fractions), so nothing can wrap and `>>` is an exact floor.
"""

import argparse
import math
import os
import sys
import tempfile

from fractions import Fraction

import numpy as np

IMAGE_KEYS = ("images", "x_test", "test_images", "x")
LABEL_KEYS = ("labels", "y_test", "test_labels", "y")

ROUNDINGS = ("floor", "half_up", "half_even", "gemmlowp", "float32")
FORMAT2_ROUNDINGS = ("half_even", "gemmlowp", "float32")
INPUT_ROUNDINGS = ("half_even", "half_away", "trunc")
FORMAT2_LAYER_KEYS = ("clamp", "stride", "padding", "size")


class SpecError(ValueError):
    pass


def _range(signed):
    return (-128, 127) if signed else (0, 255)


def _int_scalar(z, key):
    a = z[key]
    if a.shape != () or a.dtype.kind not in "iu":
        raise SpecError(f"{key}: expected an integer scalar, got {a.dtype} {a.shape}")
    return int(a)


def _flag(z, key):
    a = z[key]
    if a.shape != () or a.dtype.kind not in "biu":
        raise SpecError(f"{key}: expected a bool or int scalar")
    v = int(a)
    if v not in (0, 1):
        raise SpecError(f"{key}: flag must be 0 or 1, got {v}")
    return bool(v)


def _str(z, key, allowed):
    a = z[key]
    if a.shape != () or a.dtype.kind != "U":
        raise SpecError(f"{key}: expected a string scalar")
    v = str(a)
    if v not in allowed:
        raise SpecError(f"{key}: {v!r} is not one of {allowed}")
    return v


def _per_channel(z, key, out, lo, hi):
    a = z[key]
    if a.dtype.kind not in "iu" or a.shape not in ((), (out,)):
        raise SpecError(f"{key}: expected integer () or ({out},), got {a.dtype} {a.shape}")
    vals = [int(v) for v in np.broadcast_to(a, (out,)).tolist()]
    if any(v < lo or v > hi for v in vals):
        raise SpecError(f"{key}: values must be in [{lo}, {hi}]")
    return vals


def _check_zero(key, zero, signed):
    # Not in the spec's table; docs/spec-notes.md: a zero point outside its type's range
    # makes relu's lo exceed hi, so it is refused.
    lo, hi = _range(signed)
    if not lo <= zero <= hi:
        raise SpecError(f"{key}: {zero} is outside the {'int8' if signed else 'uint8'} range [{lo}, {hi}]")


def parse_model(z):
    """A format-1 or format-2 mapping (np.load result or dict of arrays) -> plain model dict.
    Each layer has "kind"; "in_shape"/"out_shape" are the activation shapes around it."""
    z = {k: np.asarray(z[k]) for k in z.keys()}
    used = set()

    def need(key):
        if key not in z:
            raise SpecError(f"missing key {key}")
        used.add(key)
        return key

    fmt = _int_scalar(z, need("format"))
    if fmt not in (1, 2):
        raise SpecError(f"format: unsupported format {fmt}")

    def format2(key, what):
        if fmt != 2:
            raise SpecError(f"{key}: {what} is format 2, but the file says format 1")
    shape = z[need("input.shape")]
    if shape.ndim != 1 or shape.dtype.kind not in "iu" or len(shape) == 0 or (shape < 1).any():
        raise SpecError("input.shape: expected a non-empty 1-D array of positive ints")
    shape = [int(v) for v in shape]
    scale = z[need("input.scale")]
    if scale.dtype != np.float32 or scale.shape != () or not (np.isfinite(scale) and scale > 0):
        raise SpecError("input.scale: expected a finite float32 scalar > 0")
    model = {
        "input_shape": shape,
        "input_signed": _flag(z, need("input.signed")),
        "input_zero": _int_scalar(z, need("input.zero")),
        "input_scale": np.float32(scale),
        "input_rounding": "half_even",
        "layers": [],
    }
    if "input.rounding" in z:
        model["input_rounding"] = _str(z, need("input.rounding"), INPUT_ROUNDINGS)
        if model["input_rounding"] == "half_away":
            format2("input.rounding", "'half_away'")
    _check_zero("input.zero", model["input_zero"], model["input_signed"])
    cur = list(shape)  # the activation shape flowing into layer i
    cur_zero, cur_signed = model["input_zero"], model["input_signed"]
    i = 0
    while f"layer{i}.kind" in z:
        p = f"layer{i}."
        kind = _str(z, need(p + "kind"), ("dense", "conv2d", "maxpool2d"))
        if kind != "dense":
            format2(p + "kind", f"'{kind}'")
        allowed = {"dense": ("clamp",), "conv2d": ("clamp", "stride", "padding"), "maxpool2d": ("stride", "size")}[kind]
        for k in FORMAT2_LAYER_KEYS:
            if p + k in z:
                format2(p + k, f"the key '{k}'")
                if k not in allowed:
                    raise SpecError(f"{p}{k}: does not belong to a {kind} layer")
        if kind != "dense" and len(cur) != 3:
            raise SpecError(f"{p}kind: {kind} takes an [H, W, C] tensor, not a shape {cur}")
        if kind == "maxpool2d":
            for k in ("weight", "bias", "multiplier", "shift", "rounding", "relu", "output.zero", "output.signed"):
                if p + k in z:
                    raise SpecError(f"{p}{k}: does not belong to a maxpool2d layer")
            size = _pair(z, need(p + "size"), 2, 1)
            stride = _pair(z, need(p + "stride"), 2, 1)
            H, W, C = cur
            if size[0] > H or size[1] > W:
                raise SpecError(f"{p}size: window {size} larger than [H, W] = [{H}, {W}]")
            out_shape = [(H - size[0]) // stride[0] + 1, (W - size[1]) // stride[1] + 1, C]
            model["layers"].append({"kind": "maxpool2d", "size": size, "stride": stride, "in_shape": cur,
                                    "out_shape": out_shape, "out_zero": cur_zero, "out_signed": cur_signed})
            cur = out_shape
            i += 1
            continue
        w = z[need(p + "weight")]
        if kind == "conv2d":
            if w.dtype != np.int8 or w.ndim != 4 or min(w.shape) < 1 or w.shape[3] != cur[2]:
                raise SpecError(f"{p}weight: expected int8 (out, kh, kw, {cur[2]}), got {w.dtype} {w.shape}")
            stride = _pair(z, need(p + "stride"), 2, 1) if p + "stride" in z else [1, 1]
            padding = _pair(z, need(p + "padding"), 4, 0) if p + "padding" in z else [0, 0, 0, 0]
            H, W, C = cur
            kh, kw = w.shape[1], w.shape[2]
            ho = (H + padding[0] + padding[2] - kh) // stride[0] + 1
            wo = (W + padding[1] + padding[3] - kw) // stride[1] + 1
            if H + padding[0] + padding[2] < kh or W + padding[1] + padding[3] < kw:
                raise SpecError(f"{p}weight: kernel larger than the padded input")
            out_shape = [ho, wo, w.shape[0]]
        else:
            n_in = int(np.prod(cur))
            if w.dtype != np.int8 or w.ndim != 2 or w.shape[1] != n_in or w.shape[0] < 1:
                raise SpecError(f"{p}weight: expected int8 ({'out'}, {n_in}), got {w.dtype} {w.shape}")
            out_shape = [w.shape[0]]
        out = w.shape[0]
        if p + "bias" in z:
            b = z[need(p + "bias")]
            if b.dtype != np.int32 or b.shape != (out,):
                raise SpecError(f"{p}bias: expected int32 ({out},), got {b.dtype} {b.shape}")
            bias = [int(v) for v in b.tolist()]
        else:
            bias = [0] * out
        L = {
            "kind": kind,
            "weight": w.astype(np.int64),
            "bias": bias,
            "M": _per_channel(z, need(p + "multiplier"), out, 1, 2**32 - 1),
            "s": _per_channel(z, need(p + "shift"), out, 0, 63),
            "rounding": _str(z, need(p + "rounding"), ROUNDINGS),
            "relu": _flag(z, need(p + "relu")),
            "clamp": None,
            "out_zero": _int_scalar(z, need(p + "output.zero")),
            "out_signed": _flag(z, need(p + "output.signed")),
            "in_shape": cur,
            "out_shape": out_shape,
        }
        if kind == "conv2d":
            L["stride"], L["padding"] = stride, padding
        if L["rounding"] in FORMAT2_ROUNDINGS:
            format2(p + "rounding", f"'{L['rounding']}'")
        if L["rounding"] == "float32" and max(L["M"]) >= 2**24:
            raise SpecError(f"{p}multiplier: float32 needs M < 2^24")
        _check_zero(p + "output.zero", L["out_zero"], L["out_signed"])
        if p + "clamp" in z:
            c = z[need(p + "clamp")]
            if c.dtype.kind not in "iu" or c.shape != (2,):
                raise SpecError(f"{p}clamp: expected integer (2,), got {c.dtype} {c.shape}")
            L["clamp"] = (int(c[0]), int(c[1]))
        lo, hi = output_range(L)
        if lo > hi:
            raise SpecError(f"{p}clamp: leaves no output value (lo {lo} > hi {hi})")
        model["layers"].append(L)
        cur, cur_zero, cur_signed = out_shape, L["out_zero"], L["out_signed"]
        i += 1
    if i == 0:
        raise SpecError("missing key layer0.kind")
    if model["layers"][-1]["kind"] == "maxpool2d":
        raise SpecError(f"layer{i - 1}.kind: the last layer must not be maxpool2d")
    unknown = sorted(set(z) - used)
    if unknown:
        raise SpecError(f"unknown key {unknown[0]}")
    return model


parse_format1 = parse_model  # the name the scripts used for format 1


def _pair(z, key, n, lo):
    """An integer (n,) array with every entry >= lo (stride, padding, size)."""
    a = z[key]
    if a.dtype.kind not in "iu" or a.shape != (n,) or (a < lo).any():
        raise SpecError(f"{key}: expected integer ({n},) with entries >= {lo}, got {a.dtype} {a.shape}")
    return [int(v) for v in a.tolist()]


def output_range(layer):
    """[lo, hi] of the spec: the type's range, lo raised to zy by relu, narrowed by clamp."""
    lo, hi = _range(layer["out_signed"])
    if layer["relu"]:
        lo = max(lo, layer["out_zero"])
    if layer.get("clamp") is not None:
        lo, hi = max(lo, layer["clamp"][0]), min(hi, layer["clamp"][1])
    return lo, hi


# ---------------------------------------------------------------- importers

def import_notebook(z):
    """The MNIST notebook's shift-only MLP (w1, w2, shift_l1, shift_l2) -> format-1 arrays."""
    w1, w2 = np.asarray(z["w1"]), np.asarray(z["w2"])
    if w1.dtype != np.int8 or w2.dtype != np.int8 or w1.ndim != 2 or w2.ndim != 2 or w2.shape[1] != w1.shape[0]:
        raise SpecError("w1/w2: expected int8 (h, in) and (c, h)")
    out = {
        "format": np.int64(1),
        "input.shape": np.array([w1.shape[1]], dtype=np.int64),
        "input.signed": np.bool_(False),
        "input.zero": np.int64(0),
        "input.scale": np.float32(1.0 / 255.0),
    }
    for i, (w, shift, relu) in enumerate(((w1, z["shift_l1"], True), (w2, z["shift_l2"], False))):
        p = f"layer{i}."
        out[p + "kind"] = np.array("dense")
        out[p + "weight"] = w
        out[p + "multiplier"] = np.int64(1)
        out[p + "shift"] = np.int64(int(shift))
        out[p + "rounding"] = np.array("floor")
        out[p + "relu"] = np.bool_(relu)
        out[p + "output.zero"] = np.int64(0)
        out[p + "output.signed"] = np.bool_(False)
    return out


def pyrtlnet_multiplier(s_w, s_in, s_out):
    """m = s_w*s_in/s_out in float32; smallest n in 0..31 with m*2^n in [0.5, 1);
    M = trunc(m*2^n*2^32); s = 32 + n (the spec's rule)."""
    m = (np.float32(s_w) * np.float32(s_in)) / np.float32(s_out)
    for n in range(32):
        m0 = float(m) * 2.0**n  # exact: m is float32, times a power of two
        if 0.5 <= m0 < 1.0:
            return int(m0 * 2.0**32), 32 + n  # m0*2^32 is an integer already (24-bit mantissa)
    raise SpecError(f"multiplier {float(m)!r} has no n in 0..31 with m*2^n in [0.5, 1)")


def import_pyrtlnet(z):
    """pyrtlnet quantized.npz -> format-1 arrays (int8 everywhere, ReLU after layer 0 only)."""
    def arr(key):
        if key not in z:
            raise SpecError(f"missing key {key}")
        return np.asarray(z[key])

    s_in = arr("input.scale").reshape(-1)
    if s_in.size != 1:
        raise SpecError("input.scale: expected one value")
    s_in = np.float32(s_in[0])
    n_layers = 0
    while f"layer{n_layers}.weight" in z:
        n_layers += 1
    w0 = arr("layer0.weight")
    out = {
        "format": np.int64(1),
        "input.shape": np.array([w0.shape[1]], dtype=np.int64),
        "input.signed": np.bool_(True),
        "input.zero": np.int64(int(arr("input.zero").reshape(-1)[0])),
        "input.scale": s_in,
        "input.rounding": np.array("trunc"),
    }
    for i in range(n_layers):
        p = f"layer{i}."
        w = arr(p + "weight")
        o = w.shape[0]
        if (arr(p + "weight.zero") != 0).any():
            raise SpecError(f"{p}weight.zero: must be 0")
        s_w = arr(p + "weight.scale").astype(np.float32).reshape(-1)
        s_out = arr(p + "output.scale").astype(np.float32).reshape(-1)
        if s_out.size != 1 or s_w.size not in (1, o):
            raise SpecError(f"{p}weight.scale / {p}output.scale: bad shape")
        pairs = [pyrtlnet_multiplier(s, s_in, s_out[0]) for s in s_w]
        if len(pairs) == 1:
            M, s = np.int64(pairs[0][0]), np.int64(pairs[0][1])
        else:
            M = np.array([m for m, _ in pairs], dtype=np.int64)
            s = np.array([sh for _, sh in pairs], dtype=np.int64)
        out[p + "kind"] = np.array("dense")
        out[p + "weight"] = w.astype(np.int8)
        out[p + "bias"] = arr(p + "bias").reshape(o).astype(np.int32)
        out[p + "multiplier"] = M
        out[p + "shift"] = s
        out[p + "rounding"] = np.array("half_up")
        out[p + "relu"] = np.bool_(i == 0)
        out[p + "output.zero"] = np.int64(int(arr(p + "output.zero").reshape(-1)[0]))
        out[p + "output.signed"] = np.bool_(True)
        s_in = s_out[0]
    return out


def load_model(path):
    """Any of the three formats -> plain model dict (see parse_format1)."""
    with np.load(path, allow_pickle=False) as z:
        return parse_model(to_format1(z))


def to_format1(z):
    keys = set(z.keys())
    if "format" in keys:
        return {k: z[k] for k in keys}
    if {"w1", "w2", "shift_l1", "shift_l2"} <= keys:
        return import_notebook(z)
    if "input.scale" in keys and "layer0.weight.scale" in keys:
        return import_pyrtlnet(z)
    raise SpecError("not a format-1, notebook or pyrtlnet model (no 'format' key)")


# ---------------------------------------------------------------- inference

def quantize_images(model, images):
    """Images (N, ...) uint8 or float -> int64 (N, n_in) quantized model input."""
    images = np.asarray(images)
    n_in = int(np.prod(model["input_shape"]))
    if images.ndim < 1 or images[0].size != n_in:
        raise SpecError(f"images: each image must have {n_in} elements")
    x = images.reshape(images.shape[0], n_in)
    lo, hi = _range(model["input_signed"])
    if x.dtype == np.uint8:
        return x.astype(np.int64) - (128 if model["input_signed"] else 0)
    if x.dtype.kind != "f":
        raise SpecError(f"images: dtype {x.dtype} is neither uint8 nor float")
    v = x.astype(np.float32) / model["input_scale"]  # float32 / float32 -> float32
    assert v.dtype == np.float32
    if np.isnan(v).any():
        raise SpecError("images: NaN after scaling")
    zx = model["input_zero"]
    rounding = model["input_rounding"]
    if rounding == "half_even":  # clamp(R(v) + zx), R = NumPy's rint (half to even)
        r = np.rint(v).astype(np.float64) + zx
    elif rounding == "half_away":  # clamp(R(v) + zx), R = half away from zero; float64 holds |v| + 0.5 exactly
        w = v.astype(np.float64)
        r = np.sign(w) * np.floor(np.abs(w) + 0.5) + zx
    else:  # trunc: clamp(trunc(v + zx)) of the exact sum (Fractions: a float64 sum can round for tiny v)
        flat = [float(e) for e in v.reshape(-1)]
        r = np.array([e if math.isinf(e) else float(math.trunc(Fraction(e) + zx)) for e in flat],
                     dtype=np.float64).reshape(v.shape)
    return np.clip(r, lo, hi).astype(np.int64)


# ------------------------------------------------------------- requantization

def round_half_even(num, den):
    """num / den (den > 0) to the nearest integer, ties to even, on Python ints."""
    q, r = divmod(num, den)  # floor division: 0 <= r < den
    if 2 * r > den or (2 * r == den and q % 2 == 1):
        q += 1
    return q


def round_half_away(num, den):
    """num / den (den > 0) to the nearest integer, ties away from zero."""
    q = (abs(num) * 2 + den) // (2 * den)
    return q if num >= 0 else -q


def round_24_bits(x):
    """A Fraction rounded to 24 significant bits, ties to even (unbounded exponent)."""
    if x == 0:
        return Fraction(0)
    e = math.floor(math.log2(abs(x)))  # may be off by one for huge values: fixed below
    while Fraction(2) ** e > abs(x):
        e -= 1
    while Fraction(2) ** (e + 1) <= abs(x):
        e += 1
    ulp = Fraction(2) ** (e - 23)
    n = round_half_even((x / ulp).numerator, (x / ulp).denominator)
    return n * ulp


def scale(acc, M, s, rounding):
    """q of the spec: acc scaled by M / 2^s and rounded (Python ints, exact)."""
    p = acc * M
    if rounding == "floor":
        return p >> s
    if rounding == "half_up":
        return p if s == 0 else (p + (1 << (s - 1))) >> s
    if rounding == "half_even":
        return round_half_even(p, 1 << s)
    if rounding == "gemmlowp":
        L, E = max(0, 31 - s), max(0, s - 31)
        t = (acc * (1 << L) * M + (1 << 30)) >> 31
        return round_half_away(t, 1 << E)
    if rounding == "float32":
        a = round_24_bits(Fraction(acc))
        b = round_24_bits(a * M / Fraction(1 << s))
        return round_half_even(b.numerator, b.denominator)
    raise SpecError(f"unknown rounding {rounding!r}")


def dense(layer, x, in_zero, in_signed):
    """One layer of the spec on int64 (N, in) inputs -> int64 (N, out)."""
    w = layer["weight"]
    xc = x - in_zero
    # |acc| bound, so that the int64 matmul provably cannot wrap.
    lo, hi = _range(in_signed)
    span = max(abs(lo - in_zero), abs(hi - in_zero))
    bound = int(np.abs(w).sum(axis=1).max()) * span + max(abs(b) for b in layer["bias"])
    assert bound < 2**62, "accumulator bound exceeds int64"
    acc = xc @ w.T + np.array(layer["bias"], dtype=np.int64)
    M, s = np.array(layer["M"], dtype=object), np.array(layer["s"], dtype=np.int64)
    half = [(1 << (v - 1)) if v >= 1 and layer["rounding"] == "half_up" else 0 for v in layer["s"]]
    if layer["rounding"] in ("floor", "half_up") and all(bound * m + r < 2**62 for m, r in zip(layer["M"], half)):
        # floor((acc*M + r) / 2^s) with |acc*M + r| < 2^62 proven: int64 and >> are exact.
        q = (acc * M.astype(np.int64) + np.array(half, dtype=np.int64)) >> s
    else:
        q = np.empty(acc.shape, dtype=object)  # exact Python ints from here on
        for (n, o), a in np.ndenumerate(acc):
            q[n, o] = scale(int(a), layer["M"][o], layer["s"][o], layer["rounding"])
    lo, hi = output_range(layer)
    y = np.clip(q + layer["out_zero"], lo, hi)
    return y.astype(np.int64)


def conv2d(layer, x, in_zero, in_signed):
    """conv2d of the spec on int64 (N, H*W*C) inputs in (h, w, c) order -> (N, Ho*Wo*out):
    acc[y, v, o] = bias[o] + sum over a, b, c of weight[o, a, b, c] * (x[y*sh + a - top, v*sw + b - left, c] - zx),
    a position in the padding counting as zx (adding 0). Computed as a dense layer on each
    position's patch (in (a, b, c) order, the flattening of weight[o])."""
    n = x.shape[0]
    ho, wo, out = layer["out_shape"]
    patches = conv_patches(layer, x, in_zero)
    flat = dict(layer, weight=layer["weight"].reshape(out, -1))
    y = dense(flat, patches, in_zero, in_signed)
    return y.reshape(n, ho * wo * out)


def conv_patches(layer, x, in_zero):
    """Each output position's kh x kw x C patch of a conv2d layer's input, in (a, b, c) order:
    int64 (N*Ho*Wo, kh*kw*C), positions in (h, w) order, padding holding zx."""
    H, W, C = layer["in_shape"]
    ho, wo, _ = layer["out_shape"]
    top, left, bottom, right = layer["padding"]
    sh, sw = layer["stride"]
    kh, kw = layer["weight"].shape[1], layer["weight"].shape[2]
    n = x.shape[0]
    # The padded image holds zx outside [0, H) x [0, W): x - zx = 0 there.
    padded = np.full((n, H + top + bottom, W + left + right, C), in_zero, dtype=np.int64)
    padded[:, top:top + H, left:left + W, :] = x.reshape(n, H, W, C)
    patches = np.empty((n, ho, wo, kh * kw * C), dtype=np.int64)
    for y in range(ho):
        for v in range(wo):
            patches[:, y, v, :] = padded[:, y * sh:y * sh + kh, v * sw:v * sw + kw, :].reshape(n, -1)
    return patches.reshape(n * ho * wo, kh * kw * C)


def maxpool2d(layer, x):
    """maxpool2d of the spec: y[y', v', c] = max over a < kh, b < kw of x[y'*sh + a, v'*sw + b, c]."""
    H, W, C = layer["in_shape"]
    ho, wo, _ = layer["out_shape"]
    (kh, kw), (sh, sw) = layer["size"], layer["stride"]
    n = x.shape[0]
    img = x.reshape(n, H, W, C)
    y = np.empty((n, ho, wo, C), dtype=np.int64)
    for r in range(ho):
        for v in range(wo):
            y[:, r, v, :] = img[:, r * sh:r * sh + kh, v * sw:v * sw + kw, :].max(axis=(1, 2))
    return y.reshape(n, ho * wo * C)


def run(model, xq):
    """Quantized input (N, n_in) -> (outputs of every layer, predictions)."""
    outs = []
    x, zero, signed = xq, model["input_zero"], model["input_signed"]
    for layer in model["layers"]:
        if layer["kind"] == "maxpool2d":
            x = maxpool2d(layer, x)
        elif layer["kind"] == "conv2d":
            x = conv2d(layer, x, zero, signed)
        else:
            x = dense(layer, x, zero, signed)
        outs.append(x)
        zero, signed = layer["out_zero"], layer["out_signed"]
    preds = np.argmax(x, axis=1).astype(np.int64)  # first index on ties
    return outs, preds


def load_images(path):
    with np.load(path, allow_pickle=False) as z:
        key = next((k for k in IMAGE_KEYS if k in z), None)
        if key is None:
            raise SpecError(f"{path}: no images key ({', '.join(IMAGE_KEYS)})")
        lkey = next((k for k in LABEL_KEYS if k in z), None)
        return z[key], (z[lkey].astype(np.int64) if lkey else None)


def infer_file(model_path, images_path, limit=None):
    model = load_model(model_path)
    images, labels = load_images(images_path)
    if limit is not None:
        images = images[:limit]
        labels = None if labels is None else labels[:limit]
    outs, preds = run(model, quantize_images(model, images))
    return outs, preds, labels


def save_npz(path, arrays, compressed=False):
    """Write through a temporary file and rename, so nothing is half-written."""
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, suffix=".npz")
    os.close(fd)
    try:
        (np.savez_compressed if compressed else np.savez)(tmp, **arrays)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def save_if_changed(path, arrays, compressed=False):
    """save_npz, unless the file already holds exactly
    these arrays (npz members carry timestamps: rewriting would churn git on every rerun)."""
    if os.path.exists(path):
        try:
            with np.load(path, allow_pickle=False) as old:
                same = set(old.keys()) == set(arrays) and all(
                    old[k].dtype == np.asarray(arrays[k]).dtype and old[k].shape == np.asarray(arrays[k]).shape
                    and np.array_equal(old[k], arrays[k], equal_nan=old[k].dtype.kind == "f") for k in arrays)
            if same:
                return
        except (OSError, ValueError):
            pass
    save_npz(path, arrays, compressed=compressed)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("images", nargs="?")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--convert", action="store_true", help="write MODEL as a zynqnet model (format 1/2) and stop")
    ap.add_argument("--limit", type=int)
    a = ap.parse_args(argv)
    try:
        if a.convert:
            with np.load(a.model, allow_pickle=False) as z:
                arrays = to_format1(z)
            parse_model(arrays)  # validate what we write
            save_npz(a.output, arrays)
            return 0
        if a.images is None:
            ap.error("IMAGES is required unless --convert")
        outs, preds, labels = infer_file(a.model, a.images, a.limit)
    except (SpecError, OSError, ValueError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    res = {"predictions": preds, "outputs": outs[-1]}
    if labels is not None:
        res["labels"] = labels
        print(f"accuracy {np.mean(preds == labels):.4f} on {len(preds)} images")
    save_npz(a.output, res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
