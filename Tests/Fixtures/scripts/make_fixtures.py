#!/usr/bin/env python3
"""Generate the golden test fixtures for the simulator (model format 2: dense, conv2d, maxpool2d).

Writes, for every case NAME, under Tests/Fixtures/golden/:
    NAME.model.npz     a model: format 1, or format 2 when it uses a format-2 rounding, clamp or
                       input rounding (np.savez or np.savez_compressed)
    NAME.images.npz    its images (uint8 or float, various keys/shapes, maybe labels)
    NAME.expected.npz  from tools/reference.py: `predictions` int64 (N),
                       `outputs` int64 (N x classes), `labels` when known, plus
                       `input.q` (quantized input) and `layer{i}.output` for debugging
and index.json listing every case (files, image key, counts, what it covers).

The cases cover the corners of the spec: every signedness of input/hidden/output,
every rounding (floor, half_up, half_even, gemmlowp, float32) at exact halves of positive
and negative values, gemmlowp with s > 31, float32 with M near 2^24, clamp ranges (cl = ch,
relu + clamp), every input rounding (half_even, half_away, trunc), per-tensor and
per-channel M/s, M = 2^32-1 with s = 63, s = 0, M = 1, relu with non-zero output
zero points, saturation at both ends, argmax ties, widths 1..300, absent and extreme
biases, float images with both input roundings, uint8 images into int8 inputs; and CNNs
(cnn_*): conv2d with asymmetric padding, strides 1, 2 and 3, 1x1 kernels, a kernel the size
of its whole input, per-channel and per-tensor M/s in every rounding mode, int8 and uint8
activations with non-zero zero points, maxpool2d windows overlapping (stride < size) and
not, a pool as layer 0, a conv2d as the last layer, and the Fashion-MNIST-shaped CNN.

Deterministic (fixed seeds) and rerunnable: python3 Tests/Fixtures/scripts/make_fixtures.py
"""

import json
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # Tests/Fixtures/scripts/ -> checkout
sys.path.insert(0, os.path.join(ROOT, "tools"))
import reference as ref  # noqa: E402

OUT = os.path.join(ROOT, "Tests", "Fixtures", "golden")
FMNIST = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"

CASES = []


def case(fn):
    CASES.append(fn)
    return fn


def rng_for(name):
    return np.random.default_rng(abs(hash_name(name)))


def hash_name(name):
    h = 1469598103934665603
    for c in name.encode():
        h = ((h ^ c) * 1099511628211) % 2**64
    return h % 2**63


def rng_range(signed):
    return (-128, 127) if signed else (0, 255)


# --------------------------------------------------------------- model building

def layer(weight, M, s, rounding, relu, zy, out_signed, bias=None, dtypes=None, clamp=None, kind="dense",
          stride=None, padding=None):
    return dict(weight=np.asarray(weight, dtype=np.int8), M=M, s=s, rounding=rounding,
                relu=relu, zy=zy, out_signed=out_signed, bias=bias, dtypes=dtypes or {}, clamp=clamp, kind=kind,
                stride=stride, padding=padding)


def pool(size, stride):
    return dict(kind="maxpool2d", size=size, stride=stride)


def model_arrays(input_shape, in_signed, zx, scale, layers, input_rounding=None, dt=None):
    """Build the key -> array dict: format 1, or 2 when a layer uses a format-2 rounding or a
    clamp, or the input rounding is half_away. `dt` picks dtypes to vary ("any int")."""
    dt = dt or {}
    two = input_rounding == "half_away" or any(
        L["kind"] != "dense" or L["rounding"] in ref.FORMAT2_ROUNDINGS or L.get("clamp") is not None for L in layers)
    a = {
        "format": np.array(2 if two else 1, dtype=dt.get("format", np.int64)),
        "input.shape": np.array(input_shape, dtype=dt.get("shape", np.int64)),
        "input.signed": np.array(in_signed, dtype=dt.get("flag", np.bool_)),
        "input.zero": np.array(zx, dtype=dt.get("zero", np.int64)),
        "input.scale": np.float32(scale),
    }
    if input_rounding is not None:
        a["input.rounding"] = np.array(input_rounding)
    for i, L in enumerate(layers):
        p = f"layer{i}."
        a[p + "kind"] = np.array(L["kind"])
        if L["kind"] == "maxpool2d":
            a[p + "size"] = np.array(L["size"], dtype=np.int64)
            a[p + "stride"] = np.array(L["stride"], dtype=np.int64)
            continue
        if L["stride"] is not None:
            a[p + "stride"] = np.array(L["stride"], dtype=np.int64)
        if L["padding"] is not None:
            a[p + "padding"] = np.array(L["padding"], dtype=np.int64)
        a[p + "weight"] = L["weight"]
        if L["bias"] is not None:
            a[p + "bias"] = np.asarray(L["bias"], dtype=np.int32)
        a[p + "multiplier"] = np.array(L["M"], dtype=L["dtypes"].get("M", dt.get("M", np.int64)))
        a[p + "shift"] = np.array(L["s"], dtype=L["dtypes"].get("s", dt.get("s", np.int64)))
        a[p + "rounding"] = np.array(L["rounding"])
        a[p + "relu"] = np.array(L["relu"], dtype=dt.get("flag", np.bool_))
        if L.get("clamp") is not None:
            a[p + "clamp"] = np.array(L["clamp"], dtype=L["dtypes"].get("clamp", np.int64))
        a[p + "output.zero"] = np.array(L["zy"], dtype=dt.get("zero", np.int64))
        a[p + "output.signed"] = np.array(L["out_signed"], dtype=dt.get("flag", np.bool_))
    return a


def calibrate(rng, acc, target, per_channel, m_bits=None):
    """Pick M (random bit width unless m_bits) and s so that acc*M/2^s spreads to ~target."""
    spread = np.maximum(np.abs(acc).max(axis=0) if per_channel else np.abs(acc).max(), 1).astype(np.float64)
    spread = np.atleast_1d(spread)
    Ms, ss = [], []
    for sp in spread:
        bits = m_bits if m_bits is not None else int(rng.integers(1, 33))
        M = int(rng.integers(2 ** (bits - 1), 2 ** bits)) if bits > 1 else 1
        s = int(round(np.log2(M * sp / target)))
        s = min(max(s, 0), 63)
        Ms.append(M)
        ss.append(s)
    if not per_channel:
        return Ms[0], ss[0]
    return Ms, ss


def random_mlp(rng, x_q, zx, in_signed, widths, signs, roundings, relus, per_channel, bias_scale=2000,
               target=90, zero_points=None):
    """Random dense layers calibrated on the actual quantized inputs x_q (int64 N x in)."""
    layers = []
    x, z, sg = x_q, zx, in_signed
    n_in = x_q.shape[1]
    for i, out in enumerate(widths):
        w = rng.integers(-128, 128, size=(out, n_in))
        b = rng.integers(-bias_scale, bias_scale + 1, size=out) if bias_scale else None
        acc = (x - z) @ w.T + (0 if b is None else b)
        # float32's M is a float32 significand: 24 bits.
        M, s = calibrate(rng, acc, target, per_channel[i], m_bits=24 if roundings[i] == "float32" else None)
        lo, hi = rng_range(signs[i])
        zy = zero_points[i] if zero_points else int(rng.integers(lo // 2, hi // 2 + 1))
        L = layer(w, M, s, roundings[i], relus[i], zy, signs[i], bias=b)
        layers.append(L)
        pl = ref.parse_format1(model_arrays([n_in], sg, z, 1.0, [L]))["layers"][0]
        x = ref.dense(pl, x, z, sg)
        z, sg, n_in = zy, signs[i], out
    return layers


def quantize_for(shape, signed, zx, scale, rounding, images):
    """The quantized model input of `images` for an input with these parameters."""
    n = int(np.prod(shape))
    probe = model_arrays(shape, signed, zx, scale, [layer(np.zeros((1, n)), 1, 0, "floor", False, 0, True)],
                         input_rounding=rounding)
    return ref.quantize_images(ref.parse_format1(probe), images)


def fmnist_images(n):
    import gzip
    with gzip.open(FMNIST, "rb") as f:
        data = f.read()
    return np.frombuffer(data, dtype=np.uint8, offset=16)[: n * 784].reshape(n, 28, 28).copy()


# --------------------------------------------------------------------- the cases
# Each returns (description, model arrays, images dict (key -> array), compressed flags).

@case
def signs():
    out = []
    for code in range(8):
        si, sh, so = bool(code & 4), bool(code & 2), bool(code & 1)
        name = "signs_" + "".join("s" if b else "u" for b in (si, sh, so))
        rng = rng_for(name)
        n = 40
        float_images = code % 2 == 1
        zx = int(rng.integers(-20, 21)) if si else int(rng.integers(0, 30))
        scale = np.float32(rng.uniform(0.01, 0.05))
        if float_images:
            lo, hi = rng_range(si)
            imgs = ((rng.uniform(lo - 5, hi + 5, size=(n, 4, 5)) - zx) * scale).astype(np.float32)
        else:
            imgs = rng.integers(0, 256, size=(n, 4, 5), dtype=np.uint8)
        xq = quantize_for([4, 5], si, zx, scale, ["half_even", "trunc"][code % 2], imgs)
        layers = random_mlp(rng, xq, zx, si, [16, 10], [sh, so], [["floor", "half_up"][code % 2], ["half_up", "floor"][code // 4 % 2]],
                            [code % 3 != 0, False], [code % 2 == 0, code % 2 == 1])
        arrays = model_arrays([4, 5], si, zx, scale, layers, input_rounding=["half_even", "trunc"][code % 2])
        labels = rng.integers(0, 10, size=n)
        out.append((name, f"input {'int8' if si else 'uint8'}, hidden {'int8' if sh else 'uint8'}, output {'int8' if so else 'uint8'}; "
                    f"{'float32' if float_images else 'uint8'} images", arrays, {"images": imgs, "labels": labels}, code % 3 == 0))
    return out


def halves_model(rounding, out_signed, zy):
    """One input element, 12 channels: every (M, s) puts acc*M/2^s on many exact halves
    (gemmlowp: s = 32, 33, 63 have E > 0; float32: M < 2^24, one near 2^24)."""
    Ms = [1, 3, 1, 2, 5, 1, 7, 2**32 - 1, 3 * 2**30, 2**31, 1, 9]
    if rounding == "float32":
        Ms = [1, 3, 1, 2, 5, 1, 7, 2**24 - 1, 3 * 2**22, 2**23, 1, 9]
    ss = [1, 1, 2, 2, 3, 0, 4, 32, 33, 33, 63, 5]
    w = np.array([[1], [1], [1], [-1], [1], [1], [-1], [1], [-1], [1], [1], [1]])
    L = layer(w, Ms, ss, rounding, False, zy, out_signed, bias=[0, 0, 0, 0, 0, 0, 3, 0, 0, 1, 0, -2],
              dtypes={"M": np.uint32, "s": np.uint8})
    return model_arrays([1], True, 0, 1.0, [L])


@case
def halves():
    out = []
    imgs = np.arange(256, dtype=np.uint8).reshape(256, 1)  # int8 input: every value -128..127
    for rounding in ref.ROUNDINGS:
        for out_signed, zy in ((True, 0), (False, 128)):
            name = f"halves_{rounding}_{'int8' if out_signed else 'uint8'}"
            out.append((name, f"{rounding} at exact halves of positive and negative p, per-channel M/s incl. s=0, "
                        f"s=63, M=2^32-1; {'int8' if out_signed else 'uint8 zy=128'} output",
                        halves_model(rounding, out_signed, zy), {"x": imgs}, rounding == "floor"))
    return out


@case
def extreme():
    """M = 2^32-1 with s near 63 and biases at the int32 ends: acc leaves int32, p ~ 2^63."""
    name = "extreme_m_s63"
    rng = rng_for(name)
    n = 64
    imgs = rng.integers(0, 256, size=(n, 6), dtype=np.uint8)
    imgs[0] = 0
    imgs[1] = 255
    imgs[2] = [0, 255, 0, 255, 0, 255]
    # x - zx = pixel in [0, 255]. Channel 0: acc = 2^30 + sum(pixels); q = 0 only for the all-zero
    # image (acc = 2^30 exactly; M rounded to 2^32 would give 1). Channel 1 mirrors it at -2^30.
    # Channels 2, 3, 6: bias at the int32 ends, acc leaves int32 (a wrap flips the sign).
    # Channels 4, 5: bias 0, q ~ acc/2^13 varies with the image.
    w0 = np.array([[1] * 6, [-1] * 6, [127] * 6, [-128] * 6, [127] * 6, [-128] * 6, [127, -128] * 3,
                   list(rng.integers(-128, 128, size=6))])
    b0 = [2**30, -2**30, 2**31 - 1, -2**31, 0, 0, 2**31 - 1, -2**31]
    L0 = layer(w0, 2**32 - 1, [63, 63, 62, 62, 45, 44, 56, 50], "half_up", False, 0, True, bias=b0,
               dtypes={"M": np.uint64, "s": np.int32})
    w1 = rng.integers(-128, 128, size=(5, 8))
    L1 = layer(w1, [2**32 - 1, 2**32 - 1, 1, 2**31 + 12345, 2**32 - 1], [63, 45, 0, 40, 42], "floor", False, -3, True,
               bias=[2**31 - 1, 0, 0, -2**31 + 1, 1000])
    arrays = model_arrays([6], True, -128, 1.0, [L0, L1])
    return [(name, "M=2^32-1 with s=63..38, biases +-2^31, accumulators beyond int32; uint8 images into int8 input (zx=-128)",
             arrays, {"images": imgs}, False)]


@case
def s0_m1():
    out = []
    for name, M, s, rounding in (("s0_m1_floor", 1, 0, "floor"), ("s0_m1_half_up", 1, 0, "half_up"),
                                  ("s0_mixed", [1, 2, 3, 200, 1, 2**32 - 1, 65536, 7], [0, 0, 0, 0, 1, 0, 16, 3], "half_up")):
        rng = rng_for(name)
        n = 50
        imgs = rng.integers(0, 256, size=(n, 9), dtype=np.uint8)
        w0 = rng.integers(-3, 4, size=(8, 9))
        L0 = layer(w0, M, s, rounding, False, int(rng.integers(-10, 10)), True, bias=rng.integers(-300, 300, size=8))
        w1 = rng.integers(-2, 3, size=(4, 8))
        L1 = layer(w1, M if np.isscalar(M) else 1, s if np.isscalar(s) else 0, rounding, False, 0, False)
        arrays = model_arrays([9], False, 0, 1.0, [L0, L1], dt={"M": np.uint32, "s": np.uint8})
        out.append((name, f"s = 0 with M = {M if np.isscalar(M) else 'mixed'}: q = acc*M, heavy saturation; uint8 input",
                    arrays, {"test_images": imgs, "test_labels": rng.integers(0, 4, size=n)}, False))
    return out


@case
def relu_zero_points():
    name = "relu_zero_points"
    rng = rng_for(name)
    n = 60
    imgs = rng.integers(0, 256, size=(n, 12), dtype=np.uint8)
    w0 = rng.integers(-128, 128, size=(10, 12))
    xq = imgs.astype(np.int64) - 128
    acc0 = (xq + 7) @ w0.T
    M0, s0 = calibrate(rng, acc0, 100, True)
    # int8 hidden with relu at zy=37: lo becomes 37
    L0 = layer(w0, M0, s0, "half_up", True, 37, True, bias=rng.integers(-5000, 5000, size=10))
    x1 = ref.dense(ref.parse_format1(model_arrays([12], True, -7, 1.0, [L0]))["layers"][0], xq, -7, True)
    w1 = rng.integers(-128, 128, size=(8, 10))
    M1, s1 = calibrate(rng, (x1 - 37) @ w1.T, 150, False)
    # uint8 with relu at zy=200
    L1 = layer(w1, M1, s1, "floor", True, 200, False)
    x2 = ref.dense(ref.parse_format1(model_arrays([10], True, 37, 1.0, [L1]))["layers"][0], x1, 37, True)
    w2 = rng.integers(-128, 128, size=(6, 8))
    M2, s2 = calibrate(rng, (x2 - 200) @ w2.T, 120, True)
    # int8 relu at negative zy=-100, then a last layer relu at zy=127 (output pinned at 127)
    L2 = layer(w2, M2, s2, "half_up", True, -100, True, bias=rng.integers(-100, 100, size=6))
    w3 = rng.integers(-128, 128, size=(4, 6))
    L3 = layer(w3, [1, 1, 1 << 20, 3], [4, 5, 27, 7], "floor", True, 50, False)
    arrays = model_arrays([12], True, -7, 1.0, [L0, L1, L2, L3])
    out = [(name, "relu at zy=37 (int8), 200 (uint8), -100 (int8), 50 (uint8)", arrays, {"images": imgs}, True)]
    name = "relu_pinned"
    rng = rng_for(name)
    imgs = rng.integers(0, 256, size=(20, 4), dtype=np.uint8)
    L0 = layer(rng.integers(-128, 128, size=(3, 4)), 1, 0, "half_up", True, 127, True)
    L1 = layer(rng.integers(-128, 128, size=(2, 3)), 1, 0, "floor", True, 255, False)
    out.append((name, "relu at zy = hi (127 int8, 255 uint8): lo = hi, every output pinned, prediction 0",
                model_arrays([4], False, 0, 1.0, [L0, L1]), {"images": imgs}, False))
    return out


@case
def saturation_and_ties():
    out = []
    name = "saturate_both_ends"
    rng = rng_for(name)
    n = 50
    imgs = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    w0 = rng.integers(-128, 128, size=(12, 16))
    L0 = layer(w0, 1 << 31, 28, "half_up", False, 0, True, bias=rng.integers(-1000, 1000, size=12))  # q = 8*acc
    w1 = rng.integers(-128, 128, size=(10, 12))
    L1 = layer(w1, 3, 2, "floor", False, 100, False)
    out.append((name, "large gains: int8 hidden and uint8 output saturate at both ends",
                model_arrays([16], False, 0, 1.0, [L0, L1]), {"images": imgs, "labels": rng.integers(0, 10, size=n)}, False))

    name = "argmax_ties"
    rng = rng_for(name)
    imgs = rng.integers(0, 256, size=(n, 8), dtype=np.uint8)
    w0 = rng.integers(-128, 128, size=(6, 8))
    L0 = layer(w0, 1, 8, "floor", False, 0, True)
    base = rng.integers(-128, 128, size=(3, 6))
    # duplicated rows -> equal outputs at classes (0,4), (1,5,7); classes 2,3,6 are +-sum(x1)*huge:
    # all three at 127 when sum(x1) > 0, else at -128 and the duplicated rows tie
    w1 = np.stack([base[0], base[1], np.full(6, 127), np.full(6, 127), base[0], base[1], np.full(6, 127), base[1]])
    L1 = layer(w1, [1, 1, 1 << 30, 1 << 30, 1, 1, 1 << 30, 1], [6, 6, 20, 20, 6, 6, 20, 6], "half_up", False, 0, True,
               bias=[5, 0, 0, 0, 5, 0, 0, 0])
    arrays = model_arrays([8], True, 0, 1.0, [L0, L1])
    out.append((name, "equal maxima (duplicated rows, saturation at 127): the lowest index wins",
                arrays, {"images": imgs}, True))

    name = "argmax_ties_uint8"
    rng = rng_for(name)
    imgs = rng.integers(0, 256, size=(n, 5), dtype=np.uint8)
    imgs[0] = 0
    imgs[1] = 255
    w0 = np.array([[0] * 5, [1] * 5, [0] * 5, [1] * 5, [-1] * 5])
    L0 = layer(w0, 1, 0, "floor", False, 0, False)  # outputs 0, sum, 0, sum, 0 (clamped to [0, 255])
    out.append((name, "uint8 output, classes 1 and 3 always equal (ties at up to 255), all-zero image ties at 0",
                model_arrays([5], False, 0, 1.0, [L0]), {"images": imgs}, False))
    return out


@case
def widths():
    out = []
    name = "width_1"
    rng = rng_for(name)
    imgs = rng.integers(0, 256, size=(30, 1), dtype=np.uint8)
    L = [layer([[int(rng.integers(-128, 128))]], 1, 1, "half_up", True, 3, True, bias=[17]),
         layer([[-77]], 5, 3, "floor", False, 10, False)]
    out.append((name, "every width 1 (one input, one class: prediction always 0)",
                model_arrays([1], False, 0, 1.0, L), {"images": imgs, "labels": np.zeros(30, dtype=np.int64)}, False))

    name = "width_300"
    rng = rng_for(name)
    imgs = rng.integers(0, 256, size=(20, 300), dtype=np.uint8)
    xq = imgs.astype(np.int64) - 128
    layers = random_mlp(rng, xq, 5, True, [300, 300], [False, True], ["half_up", "floor"], [True, False], [True, False],
                        bias_scale=100000)
    out.append((name, "300 inputs, 300 hidden (uint8), 300 classes (int8), per-channel then per-tensor",
                model_arrays([300], True, 5, 1.0, layers), {"images": imgs}, True))

    name = "bottleneck_1"
    rng = rng_for(name)
    imgs = rng.integers(0, 256, size=(30, 7), dtype=np.uint8)
    xq = imgs.astype(np.int64)
    layers = random_mlp(rng, xq, 0, False, [1, 13], [True, False], ["half_up", "half_up"], [False, False], [False, True])
    out.append((name, "7 -> 1 -> 13: a hidden layer of width 1",
                model_arrays([7], False, 0, 1.0, layers), {"images": imgs}, False))

    name = "deep_6"
    rng = rng_for(name)
    imgs = rng.integers(0, 256, size=(40, 8, 8), dtype=np.uint8)
    xq = imgs.reshape(40, 64).astype(np.int64) - 128
    ws = [33, 17, 9, 2, 3, 11]
    signs = [True, False, True, True, False, True]
    layers = random_mlp(rng, xq, -128, True, ws, signs, ["half_up", "floor"] * 3, [True, True, False, True, False, False],
                        [True, False, True, False, True, True])
    out.append((name, "six layers 64-33-17-9-2-3-11, mixed signedness/rounding/relu, input shape (8, 8)",
                model_arrays([8, 8], True, -128, 1.0, layers, dt={"shape": np.int32, "flag": np.int64}),
                {"images": imgs}, True))
    return out


@case
def biases():
    out = []
    name = "bias_absent"
    rng = rng_for(name)
    imgs = rng.integers(0, 256, size=(30, 10), dtype=np.uint8)
    layers = random_mlp(rng, imgs.astype(np.int64), 3, False, [7, 4], [True, True], ["floor", "half_up"], [True, False],
                        [True, True], bias_scale=0)
    out.append((name, "no layer{i}.bias keys (all zero)", model_arrays([10], False, 3, 1.0, layers), {"images": imgs}, False))

    name = "bias_extreme"
    rng = rng_for(name)
    imgs = rng.integers(0, 256, size=(30, 10), dtype=np.uint8)
    w0 = rng.integers(-128, 128, size=(6, 10))
    # zy = -1, half_up. ch0: 2^31-1 + acc -> 127 unless the sum wrapped (then -128); ch2: q = 127 or 128
    # depending on the sign of the weighted sum; ch3: -63 / -64 likewise; ch1, 4, 5 near the ends too.
    b0 = [2**31 - 1, -2**31, 2**31 - 1 - 2**23, -2**31 + 2**24, 2**30, -2**30]
    L0 = layer(w0, [1, 1, 1, 1, 3, 3], [24, 25, 24, 25, 26, 26], "half_up", False, -1, True, bias=b0)
    w1 = rng.integers(-128, 128, size=(3, 6))
    L1 = layer(w1, 1, 2, "floor", False, 0, True, bias=[2**31 - 1, -2**31, 0])
    out.append((name, "biases at and near +-2^31 (acc beyond int32); uint8 images into int8 input, zx = 0",
                model_arrays([10], True, 0, 1.0, [L0, L1]), {"images": imgs}, True))
    return out


def identity_layer(n, signed, zx, **kw):
    """y = clamp(zx + (x - zx)) = x: the output shows the quantized input itself."""
    return layer(np.eye(n, dtype=np.int64), 1, 0, "floor", False, zx, signed, **kw)


def add_probes(zx, signed, rounding, count=12):
    """v values (float32) for which R(v + zx) depends on how the sum is rounded: float32 sum vs
    float64 sum vs the exact sum (format 2: R(v) + zx, and trunc of the exact sum)."""
    lo, hi = rng_range(signed)
    R = np.rint if rounding != "trunc" else np.trunc
    found = []
    for n in range(2 * (lo - 2), 2 * (hi + 2) + 1):
        base = n / 2.0 - zx
        for k in range(1, 4):
            for sign in (-1, 1):
                v = np.float32(base + sign * k * np.spacing(np.float32(abs(base) or 1.0)))
                f32 = R(np.float32(v + np.float32(zx)))
                f64 = R(np.float64(v) + zx)
                if f32 != f64 and v not in found:
                    found.append(v)
    picks = found[:: max(1, len(found) // count)][:count]
    # float64 vs exact: a tiny v next to a non-zero zx (the double sum drops it; trunc sees it)
    tiny = [np.float32(2.0**-60), np.float32(-(2.0**-60))] if zx else []
    return np.array(picks + tiny, dtype=np.float64)


def special_floats(scale, zx, signed, n_extra, rng, rounding=None):
    """Values that land exactly on halves (+ and -) after /scale + zx, plus clamps and randoms."""
    lo, hi = rng_range(signed)
    probes = add_probes(zx, signed, rounding) * scale  # scale is a power of two: v comes back exactly
    halves = (np.arange(2 * (lo - 3), 2 * (hi + 3) + 1) / 2.0 - zx) * scale
    specials = np.array([0.0, -0.0, np.inf, -np.inf, 1e30, -1e30, np.float32(np.finfo(np.float32).tiny),
                         -np.float32(np.finfo(np.float32).tiny)], dtype=np.float64)
    rand = (rng.uniform(lo - 10, hi + 10, size=n_extra) - zx) * scale
    return np.concatenate([halves, specials, probes, rand]).astype(np.float32)


@case
def float_images():
    out = []
    for signed in (True, False):
        for rounding in ("half_even", "half_away", "trunc", None):
            t = "int8" if signed else "uint8"
            name = f"float_{rounding or 'default'}_{t}"
            rng = rng_for(name)
            zx = -3 if signed else 7
            scale = 0.5 if rounding != "trunc" else 0.25  # powers of two: the halves are exact
            vals = special_floats(scale, zx, signed, 200 if rounding else 60, rng, rounding)
            n_in = 16
            vals = np.concatenate([vals, np.zeros((-len(vals)) % n_in, dtype=np.float32)])
            imgs = vals.reshape(-1, n_in)
            arrays = model_arrays([n_in], signed, zx, scale, [identity_layer(n_in, signed, zx)], input_rounding=rounding)
            out.append((name, f"float32 images into {t} input, rounding {rounding or 'absent (half_even)'}: "
                        f"exact halves of +/- values, +-0, +-inf, huge, tiny, values where a float32 v + zx rounds "
                        f"differently from float64/exact; identity layer shows the quantized input",
                        arrays, {"images": imgs}, signed))
    for rounding in ("half_even", "trunc"):
        name = f"float_scale_255_{rounding}"
        rng = rng_for(name)
        scale = np.float32(1.0 / 255.0)
        imgs = np.concatenate([(np.arange(256) / 255.0).reshape(1, 256), rng.uniform(-0.1, 1.1, size=(49, 256))])
        arrays = model_arrays([16, 16], True, -128, scale, [identity_layer(256, True, -128)], input_rounding=rounding)
        out.append((name, f"float64 images (cast to float32 first) with scale float32(1/255), zx=-128, {rounding}: "
                    "pyrtlnet-style input", arrays, {"x_test": imgs}, True))
    name = "float_random_mlp"
    rng = rng_for(name)
    scale = np.float32(0.0137)
    imgs = rng.normal(0, 1, size=(50, 3, 10)).astype(np.float32)
    xq = quantize_for([30], True, 2, scale, "trunc", imgs)
    layers = random_mlp(rng, xq, 2, True, [20, 10], [True, True], ["half_up", "half_up"], [True, False], [True, False])
    out.append((name, "float32 images of shape (3, 10) into a (30,) input, trunc, random 2-layer int8 MLP",
                model_arrays([30], True, 2, scale, layers, input_rounding="trunc"), {"images": imgs, "labels": rng.integers(0, 10, 50)}, False))
    return out


@case
def uint8_into_int8():
    out = []
    name = "u8_into_int8_identity"
    imgs = np.arange(256, dtype=np.uint8).reshape(16, 16)
    arrays = model_arrays([16], True, 5, 1.0, [identity_layer(16, True, 5)])
    out.append((name, "uint8 images into an int8 input (pixel - 128), identity layer shows it", arrays, {"images": imgs}, False))
    name = "u8_into_uint8_identity"
    arrays = model_arrays([16], False, 9, 1.0, [identity_layer(16, False, 9)])
    out.append((name, "uint8 images into a uint8 input as they are, identity layer", arrays, {"y": np.arange(16), "x": imgs}, False))
    return out


@case
def fashion_mlp():
    """A realistic 784-48-10 model on 100 real Fashion-MNIST test images, image shapes varied."""
    out = []
    imgs = fmnist_images(100)
    for name, shape, img_view, in_signed, zx in (
            ("fmnist_784_48_10_int8", [28, 28], imgs, True, -128),
            ("fmnist_784_48_10_uint8_flat_images", [28, 28], imgs.reshape(100, 784), False, 0),
            ("fmnist_784_48_10_nchw_images", [784], imgs.reshape(100, 1, 28, 28), True, 0)):
        rng = rng_for(name)
        xq = imgs.reshape(100, 784).astype(np.int64) - (128 if in_signed else 0)
        layers = random_mlp(rng, xq, zx, in_signed, [48, 10], [not in_signed, True], ["half_up", "half_up"], [True, False],
                            [True, True], bias_scale=30000)
        out.append((name, f"784-48-10 random weights on Fashion-MNIST test images of shape {img_view.shape[1:]}, input "
                    f"shape {shape}", model_arrays(shape, in_signed, zx, 1 / 255, layers), {"images": img_view}, True))
    return out


@case
def format2_modes():
    """Format 2's roundings at the extremes, clamp ranges, and random MLPs in every mode."""
    out = []
    # Accumulators beyond int32 (biases at +-2^31, weights at +-128) with M = 2^32-1 and
    # s = 63..38 (gemmlowp's E = 32..7), and the float32 twin with M = 2^24-1 (acc > 2^24:
    # its first rounding matters).
    for rounding in ("half_even", "gemmlowp", "float32"):
        name = f"extreme_{rounding}"
        rng = rng_for(name)
        imgs = rng.integers(0, 256, size=(64, 6), dtype=np.uint8)
        imgs[0], imgs[1] = 0, 255
        top = 2**24 - 1 if rounding == "float32" else 2**32 - 1
        w0 = np.array([[1] * 6, [-1] * 6, [127] * 6, [-128] * 6, [127] * 6, [-128] * 6, [127, -128] * 3,
                       list(rng.integers(-128, 128, size=6))])
        b0 = [2**30, -2**30, 2**31 - 1, -2**31, 0, 0, 2**31 - 1, -2**31]
        ss = [63, 63, 62, 62, 45, 44, 56, 50] if rounding != "float32" else [55, 55, 54, 54, 37, 36, 48, 42]
        L0 = layer(w0, top, ss, rounding, False, 0, True, bias=b0, dtypes={"M": np.uint64, "s": np.int32})
        w1 = rng.integers(-128, 128, size=(5, 8))
        L1 = layer(w1, [top, top, 1, top // 2 + 12345, top], [63, 45, 0, 40, 42] if rounding != "float32" else [55, 37, 0, 32, 34],
                   rounding, False, -3, True, bias=[2**31 - 1, 0, 0, -2**31 + 1, 1000])
        out.append((name, f"{rounding}: M = {'2^24-1' if rounding == 'float32' else '2^32-1'} with large s, biases +-2^31, "
                    "accumulators beyond int32", model_arrays([6], True, -128, 1.0, [L0, L1]), {"images": imgs}, False))

    # gemmlowp's two roundings against one: M = 0.75*2^31, s = 32, 33 on small accumulators.
    name = "gemmlowp_double_rounding"
    imgs = np.arange(256, dtype=np.uint8).reshape(256, 1)
    L = layer([[1], [1], [-1], [1]], [3 * 2**29, 3 * 2**29, 3 * 2**29, 2**31 - 1], [32, 33, 32, 40], "gemmlowp", False, 0, True,
              bias=[0, 1, 0, -5])
    out.append((name, "gemmlowp with E = 1, 2, 9: t rounds, then t / 2^E ties away (differs from one rounding)",
                model_arrays([1], True, 0, 1.0, [L]), {"images": imgs}, False))

    # Clamp: cl = ch, relu + clamp (the larger low end wins), clamp beyond the type, RELU6-like.
    name = "clamp_ranges"
    rng = rng_for(name)
    imgs = rng.integers(0, 256, size=(60, 10), dtype=np.uint8)
    w0 = rng.integers(-128, 128, size=(8, 10))
    L0 = layer(w0, 2**31, 40, "half_up", True, -20, True, bias=rng.integers(-3000, 3000, size=8), clamp=[-30, 60])
    w1 = rng.integers(-128, 128, size=(6, 8))
    L1 = layer(w1, 2**23 + 77, 31, "float32", False, -50, True, clamp=[-50, 46], dtypes={"clamp": np.int8})
    w2 = rng.integers(-128, 128, size=(6, 6))
    L2 = layer(w2, 1, 7, "half_even", True, 5, True, clamp=[-1000, 1000], bias=rng.integers(-200, 200, size=6))
    w3 = rng.integers(-128, 128, size=(5, 6))
    L3 = layer(w3, 3 * 2**29, 37, "gemmlowp", False, 100, False, clamp=[90, 140])
    w4 = rng.integers(-128, 128, size=(4, 5))
    L4 = layer(w4, 5, 3, "half_up", True, 0, True, clamp=[7, 7])
    out.append((name, "clamp [-30, 60] with relu at zy = -20 (lo = -20), a RELU6-like [zy, zy + 96] given as int8, "
                "a clamp wider than int8, [90, 140] on uint8, cl = ch = 7 (every output 7)",
                model_arrays([10], False, 0, 1.0, [L0, L1, L2, L3, L4]), {"images": imgs}, False))

    # Random MLPs in every format-2 mode, per-channel and per-tensor, int8 and uint8.
    for rounding in ("half_even", "gemmlowp", "float32"):
        for per_channel in (True, False):
            name = f"random_{rounding}_{'per_channel' if per_channel else 'per_tensor'}"
            rng = rng_for(name)
            imgs = rng.integers(0, 256, size=(50, 24), dtype=np.uint8)
            xq = imgs.astype(np.int64) - 128
            layers = random_mlp(rng, xq, -128, True, [20, 12, 10], [False, True, True], [rounding] * 3,
                                [True, True, False], [per_channel] * 3, bias_scale=5000)
            layers[1]["clamp"] = [-100, 100]
            out.append((name, f"784-style 24-20-12-10 MLP, {rounding}, {'per-channel' if per_channel else 'per-tensor'} "
                        "M/s, a clamp on layer 1", model_arrays([24], True, -128, 1.0, layers), {"images": imgs}, per_channel))
    return out


def random_cnn(rng, x_q, in_shape, zx, in_signed, specs, target=90, bias_scale=3000):
    """Random layers from specs, calibrated on the actual quantized inputs x_q (int64 N x n_in):
    ("conv", out, kh, kw, stride or None, padding or None, rounding, relu, per_channel, out_signed),
    ("pool", size, stride) or ("dense", out, rounding, relu, per_channel, out_signed)."""
    layers = []
    x, z, sg = x_q, zx, in_signed
    for spec in specs:
        shape = _shapes(in_shape, layers)[-1] if layers else list(in_shape)
        if spec[0] == "pool":
            L = pool(spec[1], spec[2])
            out_shape = _shapes(in_shape, layers + [L])[-1]
            x = ref.maxpool2d({"in_shape": shape, "out_shape": out_shape, "size": L["size"], "stride": L["stride"]}, x)
            layers.append(L)
            continue
        if spec[0] == "conv":
            _, out, kh, kw, stride, padding, rounding, relu, per_channel, out_signed = spec
            w = rng.integers(-128, 128, size=(out, kh, kw, shape[2]))
        else:
            _, out, rounding, relu, per_channel, out_signed = spec
            w = rng.integers(-128, 128, size=(out, x.shape[1]))
            stride = padding = None
        kind = "conv2d" if spec[0] == "conv" else "dense"
        b = rng.integers(-bias_scale, bias_scale + 1, size=out)
        probe = layer(w, 1, 0, "floor", False, 0, True, bias=b, kind=kind, stride=stride, padding=padding)
        pl = ref.parse_model(model_arrays(shape, sg, z, 1.0, [probe]))["layers"][0]
        patches = ref.conv_patches(pl, x, z) if kind == "conv2d" else x
        acc = (patches - z) @ w.reshape(out, -1).T + b
        M, s = calibrate(rng, acc, target, per_channel, m_bits=24 if rounding == "float32" else None)
        lo, hi = rng_range(out_signed)
        zy = int(rng.integers(lo // 2, hi // 2 + 1))
        L = layer(w, M, s, rounding, relu, zy, out_signed, bias=b, kind=kind, stride=stride, padding=padding)
        x = ref.run(ref.parse_model(model_arrays(shape, sg, z, 1.0, [L])), x)[0][0]
        layers.append(L)
        z, sg = zy, out_signed
    return layers


def _shapes(in_shape, layers):
    shapes, cur = [], list(in_shape)
    for L in layers:
        if L["kind"] == "maxpool2d":
            (kh, kw), (sh, sw) = L["size"], L["stride"]
            cur = [(cur[0] - kh) // sh + 1, (cur[1] - kw) // sw + 1, cur[2]]
        elif L["kind"] == "conv2d":
            out, kh, kw, _ = L["weight"].shape
            (sh, sw) = L["stride"] or [1, 1]
            t, l, b, r = L["padding"] or [0, 0, 0, 0]
            cur = [(cur[0] + t + b - kh) // sh + 1, (cur[1] + l + r - kw) // sw + 1, out]
        else:
            cur = [L["weight"].shape[0]]
        shapes.append(cur)
    return shapes


@case
def cnns():
    out = []
    # Every rounding mode, int8 and uint8 activations with non-zero zero points, per-channel and
    # per-tensor M/s: conv 3x3 with asymmetric padding -> non-overlapping pool 2 -> 1x1 conv -> dense.
    for k, rounding in enumerate(ref.ROUNDINGS):
        name = f"cnn_{rounding}"
        rng = rng_for(name)
        signed = k % 2 == 0
        zx = int(rng.integers(-40, 40)) if signed else int(rng.integers(5, 60))
        imgs = rng.integers(0, 256, size=(24, 9, 8, 2), dtype=np.uint8)
        xq = quantize_for([9, 8, 2], signed, zx, 1.0, None, imgs)
        specs = [("conv", 4, 3, 3, None, [1, 0, 2, 1], rounding, True, k % 2 == 0, not signed),
                 ("pool", [2, 2], [2, 2]),
                 ("conv", 3, 1, 1, [1, 1], None, rounding, False, k % 2 == 1, signed),
                 ("dense", 5, rounding, False, True, True)]
        layers = random_cnn(rng, xq, [9, 8, 2], zx, signed, specs)
        out.append((name, f"CNN [9, 8, 2] {'int8' if signed else 'uint8'} input zx={zx}: conv 3x3x4 padding [1, 0, 2, 1] "
                    f"relu, pool 2 stride 2, conv 1x1x3, dense 5; {rounding}, per-channel and per-tensor M/s",
                    model_arrays([9, 8, 2], signed, zx, 1.0, layers), {"images": imgs}, k % 2 == 0))
    # Strides 2 and 3, an overlapping pool (stride < size), a last conv whose kernel is its whole input.
    name = "cnn_strides_whole_kernel"
    rng = rng_for(name)
    imgs = rng.integers(0, 256, size=(30, 11, 10, 1), dtype=np.uint8)
    xq = quantize_for([11, 10, 1], False, 9, 1.0, None, imgs)
    specs = [("conv", 5, 3, 2, [2, 3], [2, 1, 0, 1], "half_up", True, True, True),
             ("pool", [3, 2], [1, 1])]
    layers = random_cnn(rng, xq, [11, 10, 1], 9, False, specs)
    h, w, _ = _shapes([11, 10, 1], layers)[-1]
    specs.append(("conv", 6, h, w, [3, 2], None, "gemmlowp", False, True, False))
    layers = random_cnn(rng_for(name), xq, [11, 10, 1], 9, False, specs)
    out.append((name, f"uint8 input zx=9: conv 3x2x5 stride [2, 3] padding [2, 1, 0, 1], pool [3, 2] stride 1 "
                f"(overlapping), last conv with the kernel = its whole input [{h}, {w}] (output [1, 1, 6])",
                model_arrays([11, 10, 1], False, 9, 1.0, layers), {"images": imgs}, False))
    # A pool as layer 0 (overlapping 3x3 stride 2, int8 input), stride-3 conv, per-channel float32.
    name = "cnn_pool_first"
    rng = rng_for(name)
    imgs = rng.integers(0, 256, size=(30, 10, 9, 3), dtype=np.uint8)
    xq = quantize_for([10, 9, 3], True, -17, 1.0, None, imgs)
    specs = [("pool", [3, 3], [2, 2]),
             ("conv", 4, 2, 2, [3, 3], [0, 1, 1, 0], "float32", True, True, True),
             ("dense", 7, "half_even", False, False, False)]
    layers = random_cnn(rng, xq, [10, 9, 3], -17, True, specs)
    out.append((name, "int8 input zx=-17: pool 3x3 stride 2 first (overlapping), conv 2x2x4 stride 3 padding [0, 1, 1, 0] "
                "float32 per-channel, dense 7 half_even uint8 output", model_arrays([10, 9, 3], True, -17, 1.0, layers),
                {"images": imgs}, True))
    # The Fashion-MNIST-shaped CNN on real test images.
    name = "cnn_fmnist"
    rng = rng_for(name)
    imgs = fmnist_images(40)
    xq = quantize_for([28, 28, 1], True, -128, 1 / 255, None, imgs)
    specs = [("conv", 8, 3, 3, None, None, "half_up", True, True, True), ("pool", [2, 2], [2, 2]),
             ("conv", 16, 3, 3, None, None, "half_up", True, True, True), ("pool", [2, 2], [2, 2]),
             ("dense", 10, "half_up", False, True, True)]
    layers = random_cnn(rng, xq, [28, 28, 1], -128, True, specs)
    out.append((name, "Fashion-MNIST CNN: conv 3x3x8 relu, pool 2, conv 3x3x16 relu, pool 2, dense 400 -> 10; random int8 "
                "weights on 40 real test images", model_arrays([28, 28, 1], True, -128, 1 / 255, layers), {"images": imgs}, True))
    return out


# ------------------------------------------------------------------------ driver

def main():
    os.makedirs(OUT, exist_ok=True)
    index = []
    total = 0
    for fn in CASES:
        for name, desc, arrays, images, compressed in fn():
            model = ref.parse_format1(arrays)  # our own models must be valid
            img_key = next(k for k in ref.IMAGE_KEYS if k in images)
            lab_key = next((k for k in ref.LABEL_KEYS if k in images), None)
            xq = ref.quantize_images(model, images[img_key])
            outs, preds = ref.run(model, xq)
            exp = {"predictions": preds, "outputs": outs[-1], "input.q": xq}
            for i, o in enumerate(outs):
                exp[f"layer{i}.output"] = o
            if lab_key:
                exp["labels"] = np.asarray(images[lab_key], dtype=np.int64)
            files = {}
            for kind, arrs, comp in (("model", arrays, compressed), ("images", images, not compressed),
                                     ("expected", exp, xq.size > 5000)):
                path = os.path.join(OUT, f"{name}.{kind}.npz")
                ref.save_if_changed(path, arrs, comp)
                files[kind] = os.path.relpath(path, OUT)
                total += os.path.getsize(path)
            top = outs[-1].max(axis=1, keepdims=True)
            ties = int(((outs[-1] == top).sum(axis=1) > 1).sum())
            index.append({
                "name": name, "description": desc, **files,
                "images_key": img_key, "labels_key": lab_key,
                "images_dtype": str(images[img_key].dtype), "images_shape": list(images[img_key].shape),
                "count": int(len(preds)), "classes": int(outs[-1].shape[1]), "layers": len(outs),
                "argmax_ties": ties,
                "saturated_low": int((outs[-1] == (-128 if model["layers"][-1]["out_signed"] else 0)).sum()),
                "saturated_high": int((outs[-1] == (127 if model["layers"][-1]["out_signed"] else 255)).sum()),
            })
            print(f"{name:40s} n={len(preds):4d} classes={outs[-1].shape[1]:3d} ties={ties}")
    with open(os.path.join(OUT, "index.json.tmp"), "w") as f:
        json.dump({"spec": "model-format.md format 2 (dense layers)", "generator": "Tests/Fixtures/scripts/make_fixtures.py",
                   "reference": "tools/reference.py", "cases": index}, f, indent=1)
        f.write("\n")
    os.replace(os.path.join(OUT, "index.json.tmp"), os.path.join(OUT, "index.json"))
    print(f"{len(index)} cases, {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
