#!/usr/bin/env python3
"""Make bench/models/fmnist_784_128_10.npz: the format-1 784-128-10 int8 model of the bench.

A float 784-128(ReLU)-10 MLP with biases, trained in NumPy on the Fashion-MNIST training set
(Debian package dataset-fashion-mnist), then quantized:
  - input: uint8 pixels feed an int8 input (pixel - 128), zero point -128, scale 1/255;
  - weights: int8, symmetric per output channel (scale = max|w| / 127);
  - activations: int8; hidden after ReLU with zero point -128 and scale max/255 from 2,000
    training images; output with an asymmetric range from the same images;
  - biases: int32, round(b / (s_in * s_w));
  - requantization per output channel: m = s_w * s_in / s_out = m0 * 2^-n with m0 in
    [0.5, 1), M = round(m0 * 2^31) (< 2^31), s = 31 + n; rounding half_up.

    python3 bench/make_bench_model.py      # deterministic (single BLAS thread), ~30 s
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import math  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Fixtures", "scripts"))
import make_real_models as real  # noqa: E402  (Fashion-MNIST loader and the NumPy trainer)
import reference as ref  # noqa: E402

OUT = os.path.join(ROOT, "bench", "models", "fmnist_784_128_10.npz")


def multiplier(m):
    """m > 0 -> (M, s) with M / 2^s = m to 31 bits."""
    m0, e = math.frexp(m)  # m = m0 * 2^e, m0 in [0.5, 1)
    M = round(m0 * 2**31)
    s = 31 - e
    if M == 2**31:  # m0 rounded up to 1.0
        M, s = 2**30, s - 1
    assert 1 <= M < 2**32 and 0 <= s <= 63, (m, M, s)
    return M, s


def main():
    xtr, ytr, xte, yte = real.load_fmnist()
    xtr_f = (xtr.astype(np.float32) / np.float32(255)).reshape(len(xtr), -1)
    xte_f = (xte.astype(np.float32) / np.float32(255)).reshape(len(xte), -1)
    W0, b0, W1, b1 = real.train_mlp(xtr_f, ytr.astype(np.int64), [784, 128, 10], bias=True, epochs=4, seed=7)
    acc_f = np.mean(real.float_forward([W0, b0, W1, b1], xte_f).argmax(1) == yte)

    calib = xtr_f[np.random.default_rng(7).permutation(len(xtr_f))[:2000]]
    h = np.maximum(calib @ W0.T + b0, 0)
    o = h @ W1.T + b1
    s_in, z_in = 1.0 / 255.0, -128
    s_h, z_h = float(h.max()) / 255.0, -128
    lo, hi = min(float(o.min()), 0.0), max(float(o.max()), 0.0)
    s_o = (hi - lo) / 255.0
    z_o = int(np.clip(round(-128 - lo / s_o), -128, 127))

    arrays = {
        "format": np.int64(1),
        "input.shape": np.array([28, 28], dtype=np.int64),
        "input.signed": np.bool_(True),
        "input.zero": np.int64(z_in),
        "input.scale": np.float32(s_in),
        "input.rounding": np.array("half_even"),
    }
    for i, (W, b, s_x, s_y, z_y, relu) in enumerate(((W0, b0, s_in, s_h, z_h, True), (W1, b1, s_h, s_o, z_o, False))):
        s_w = np.abs(W).max(axis=1).astype(np.float64) / 127.0
        wq = np.clip(np.rint(W / s_w[:, None]), -127, 127).astype(np.int8)
        bq = np.clip(np.rint(b / (s_x * s_w)), -2**31, 2**31 - 1).astype(np.int32)
        Ms, ss = zip(*(multiplier(sw * s_x / s_y) for sw in s_w))
        p = f"layer{i}."
        arrays.update({
            p + "kind": np.array("dense"), p + "weight": wq, p + "bias": bq,
            p + "multiplier": np.array(Ms, dtype=np.uint32), p + "shift": np.array(ss, dtype=np.uint8),
            p + "rounding": np.array("half_up"), p + "relu": np.bool_(relu),
            p + "output.zero": np.int64(z_y), p + "output.signed": np.bool_(True),
        })
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    ref.save_if_changed(OUT, arrays)
    model = ref.load_model(OUT)
    outs, preds = ref.run(model, ref.quantize_images(model, xte))
    print(f"{os.path.relpath(OUT, ROOT)}: float accuracy {acc_f:.4f}, int8 accuracy {np.mean(preds == yte):.4f} "
          f"(10,000 test images, tools/reference.py)")


if __name__ == "__main__":
    main()
