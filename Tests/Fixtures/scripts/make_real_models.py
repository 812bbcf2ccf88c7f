#!/usr/bin/env python3
"""Make the two "real" models the way their projects make them, with golden outputs
computed by re-implementations of each project's OWN inference arithmetic.

Writes Tests/Fixtures/real/:
  mnist_model.npz            the MNIST notebook's format (w1, w2, shift_l1, shift_l2): a 784-128-10
                             bias-free float MLP trained in NumPy on Fashion-MNIST, then the
                             notebook's recipe (calibrate on one batch of 64, symmetric int8
                             weights by max|w|/127 and np.round, shift-only requantization with
                             shift = round(-log2(m)), S_logits = 10/127)
  mnist_images.npz           `images` uint8 (200, 28, 28) = first 200 test images, `labels`
  mnist_expected.npz         the notebook's `fpga_layer_sim_shift_only` arithmetic: int32 matmul,
                             ReLU on the accumulator, `>> shift`, clip to uint8
  pyrtlnet_quantized.npz     pyrtlnet's quantized.npz layout: a 144-18-10 float MLP (12x12 inputs,
                             bilinear resize like tf.image.resize) trained in NumPy, quantized like
                             TFLite full-int8 post-training quantization (input/activation ranges
                             from 100 representative training images, weights symmetric int8
                             per-axis for layer 0 and per-tensor for layer 1, int32 biases)
  pyrtlnet_test_data.npz     `test_images` float32 (200, 12, 12) in [0, 1], `test_labels`
                             (pyrtlnet's mnist_test_data.npz layout)
  pyrtlnet_expected.npz      pyrtlnet's numpy_inference arithmetic (as its numpy_inference.py CLI
                             runs it): float64 input scaling + astype(int8), int32 matmul + bias,
                             ReLU, fxpmath normalize (m0 = Fxp(m*2^n, 32 fractional bits, trunc),
                             product, divide by 2^n, round half up on bit n_frac-1, saturate int8)
  *.format1.npz              the same models imported to format 1 by tools/reference.py
  index.json                 which files belong together

Each *_expected.npz has `predictions` int64, `outputs` int64 (last layer), `labels`, and
`layer{i}.output`. Finally the script checks that tools/reference.py on the spec-imported
format-1 model gives the same outputs, and prints every disagreement.

    python3 Tests/Fixtures/scripts/make_real_models.py            # trains (about a minute), writes, checks
    python3 Tests/Fixtures/scripts/make_real_models.py --check    # only re-check the committed files
    python3 Tests/Fixtures/scripts/make_real_models.py --spec-only  # rewrite only the spec's outputs, then check

Deterministic: fixed seeds and a single BLAS thread.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # Tests/Fixtures/scripts/ -> checkout
sys.path.insert(0, os.path.join(ROOT, "tools"))
import reference as ref  # noqa: E402

OUT = os.path.join(ROOT, "Tests", "Fixtures", "real")
FMNIST = "/usr/share/datasets/fashion-mnist"
N_TEST = 200


def idx(name):
    with gzip.open(os.path.join(FMNIST, name), "rb") as f:
        data = f.read()
    if data[2] == 8 and data[3] == 3:
        n, r, c = (int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(3))
        return np.frombuffer(data, np.uint8, offset=16).reshape(n, r, c).copy()
    n = int.from_bytes(data[4:8], "big")
    return np.frombuffer(data, np.uint8, offset=8).reshape(n).copy()


def load_fmnist():
    return (idx("train-images-idx3-ubyte.gz"), idx("train-labels-idx1-ubyte.gz"),
            idx("t10k-images-idx3-ubyte.gz"), idx("t10k-labels-idx1-ubyte.gz"))


# ------------------------------------------------------------------ float training

def train_mlp(x, y, sizes, bias, epochs, seed, lr=1e-3, wd=0.0, batch=64):
    """Plain NumPy float32 MLP (ReLU between layers), softmax cross-entropy, Adam.
    Weights are (out, in) like torch.nn.Linear, initialised like it (U(+-1/sqrt(in)))."""
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        k = 1 / math.sqrt(n_in)
        params.append(rng.uniform(-k, k, size=(n_out, n_in)).astype(np.float32))
        params.append(rng.uniform(-k, k, size=n_out).astype(np.float32) if bias else None)
    m = [None if p is None else np.zeros_like(p) for p in params]
    v = [None if p is None else np.zeros_like(p) for p in params]
    b1, b2, eps, t = 0.9, 0.999, 1e-8, 0
    steps = epochs * ((len(x) + batch - 1) // batch)
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch):
            idx_ = order[start:start + batch]
            xb, yb = x[idx_], y[idx_]
            acts = [xb]
            for li in range(0, len(params), 2):
                z = acts[-1] @ params[li].T + (0 if params[li + 1] is None else params[li + 1])
                acts.append(np.maximum(z, 0) if li + 2 < len(params) else z)
            logits = acts[-1]
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            g = e / e.sum(axis=1, keepdims=True)
            g[np.arange(len(yb)), yb] -= 1
            g /= len(yb)
            grads = [None] * len(params)
            for li in range(len(params) - 2, -1, -2):
                grads[li] = g.T @ acts[li // 2]
                if params[li + 1] is not None:
                    grads[li + 1] = g.sum(axis=0)
                if li > 0:
                    g = (g @ params[li]) * (acts[li // 2] > 0)
            t += 1
            rate = lr * 0.5 * (1 + math.cos(math.pi * t / steps))  # cosine decay
            for i, p in enumerate(params):
                if p is None:
                    continue
                gr = grads[i] + wd * p
                m[i] = b1 * m[i] + (1 - b1) * gr
                v[i] = b2 * v[i] + (1 - b2) * gr * gr
                mh, vh = m[i] / (1 - b1 ** t), v[i] / (1 - b2 ** t)
                p -= (rate * mh / (np.sqrt(vh) + eps)).astype(np.float32)
    return params


def float_forward(params, x):
    a = x
    for li in range(0, len(params), 2):
        a = a @ params[li].T + (0 if params[li + 1] is None else params[li + 1])
        if li + 2 < len(params):
            a = np.maximum(a, 0)
    return a


# --------------------------------------------------------- the MNIST notebook's way

def notebook_quantize(W1, W2, calib_x):
    """The notebook's cells 23-28, with its dtypes: W float32, stats from torch .item() (Python float)."""
    flat = calib_x.reshape(-1, 784)
    l1 = flat @ W1.T
    l1_max, l1_min = float(l1.max()), float(l1.min())
    S_input = 1.0 / 255.0
    S_l1_out = max(abs(l1_min), abs(l1_max)) / 127.0
    S_w1 = np.max(np.abs(W1)) / 127.0  # np.float32
    S_w2 = np.max(np.abs(W2)) / 127.0
    W1_q = np.round(W1 / S_w1).astype(np.int8)
    W2_q = np.round(W2 / S_w2).astype(np.int8)

    def get_shift_only_param(real_multiplier):
        if real_multiplier <= 0:
            return 0
        shift = round(-math.log2(real_multiplier))
        return max(0, min(31, int(shift)))

    M_effective_l1 = (S_input * S_w1) / S_l1_out
    shift_l1 = get_shift_only_param(M_effective_l1)
    S_logits = 10.0 / 127.0
    M_effective_l2 = (S_l1_out * S_w2) / S_logits
    shift_l2 = get_shift_only_param(M_effective_l2)
    return {"w1": W1_q.astype(np.int8), "w2": W2_q.astype(np.int8),
            "shift_l1": np.array(int(shift_l1)), "shift_l2": np.array(int(shift_l2))}


def notebook_inference(model, images_u8):
    """`run_fpga_inference_shift_only` per image: (ToTensor()*255).astype(uint8), then
    `fpga_layer_sim_shift_only` twice. Returns (l1 outputs, l2 outputs, predictions)."""
    def fpga_layer_sim_shift_only(input_vec, weights, shift, activation):
        acc = np.matmul(weights.astype(np.int32), input_vec.astype(np.int32))
        if activation == "relu":
            acc = np.maximum(acc, 0)
        output_val = acc >> shift
        return np.clip(output_val, 0, 255).astype(np.uint8)

    l1s, l2s, preds = [], [], []
    for img in images_u8:
        tensor = img.astype(np.float32) / np.float32(255)  # transforms.ToTensor()
        img_uint8 = (tensor.reshape(-1) * 255).astype(np.uint8)
        l1 = fpga_layer_sim_shift_only(img_uint8, model["w1"], int(model["shift_l1"]), "relu")
        l2 = fpga_layer_sim_shift_only(l1, model["w2"], int(model["shift_l2"]), "none")
        l1s.append(l1)
        l2s.append(l2)
        preds.append(int(np.argmax(l2)))
    return np.array(l1s), np.array(l2s), np.array(preds)


# ------------------------------------------------------------------ pyrtlnet's way

def tf_resize_bilinear(images, out_h, out_w):
    """tf.image.resize(method='bilinear', antialias=False): half-pixel centres, float32."""
    images = images.astype(np.float32)
    n, in_h, in_w = images.shape

    def weights(out_size, in_size):
        scale = np.float32(in_size / out_size)
        pos = (np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * scale - np.float32(0.5)
        lo_f = np.floor(pos)
        lo = np.maximum(lo_f.astype(np.int64), 0)
        hi = np.minimum(np.ceil(pos).astype(np.int64), in_size - 1)
        return lo, hi, (pos - lo_f).astype(np.float32)

    ylo, yhi, yl = weights(out_h, in_h)
    xlo, xhi, xl = weights(out_w, in_w)
    tl = images[:, ylo][:, :, xlo]
    tr = images[:, ylo][:, :, xhi]
    bl = images[:, yhi][:, :, xlo]
    br = images[:, yhi][:, :, xhi]
    top = tl + (tr - tl) * xl[None, None, :]
    bottom = bl + (br - bl) * xl[None, None, :]
    return (top + (bottom - top) * yl[None, :, None]).astype(np.float32)


def tflite_asymmetric(lo, hi):
    """int8 activation quantization from a calibrated range (range always includes 0)."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    scale = np.float32((hi - lo) / 255.0)
    zero = int(np.clip(round(-128 - lo / float(scale)), -128, 127))
    return scale, zero


def round_away(x):
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def pyrtlnet_quantize(params, calib_x):
    """TFLite full-integer recipe -> pyrtlnet's quantized.npz dict (its dtypes and shapes)."""
    W0, b0, W1, b1 = params
    flat = calib_x.reshape(len(calib_x), -1)
    in_scale, in_zero = tflite_asymmetric(flat.min(), flat.max())
    h = np.maximum(flat @ W0.T + b0, 0)
    o = h @ W1.T + b1
    h_scale, h_zero = tflite_asymmetric(0.0, h.max())  # ReLU fused: range [0, max]
    o_scale, o_zero = tflite_asymmetric(o.min(), o.max())
    t = {"input.scale": np.array([in_scale], np.float32), "input.zero": np.array([in_zero], np.int32)}
    s_in = in_scale
    for i, (W, b, per_axis, out_scale, out_zero) in enumerate(
            ((W0, b0, True, h_scale, h_zero), (W1, b1, False, o_scale, o_zero))):
        wmax = np.abs(W).max(axis=1) if per_axis else np.array([np.abs(W).max()])
        w_scale = (wmax / 127.0).astype(np.float32)
        wq = np.clip(round_away(W / w_scale[:, None].astype(np.float64)), -127, 127).astype(np.int8)
        bias_scale = w_scale.astype(np.float64) * float(s_in)
        bq = np.clip(round_away(b / bias_scale), -2**31, 2**31 - 1).astype(np.int32)
        p = f"layer{i}"
        t[f"{p}.weight.scale"] = w_scale
        t[f"{p}.weight.zero"] = np.zeros(len(w_scale), np.int32)
        t[f"{p}.output.scale"] = np.array([out_scale], np.float32)
        t[f"{p}.output.zero"] = np.array([out_zero], np.int32)
        t[f"{p}.weight"] = wq
        t[f"{p}.bias"] = bq[:, None]  # np.expand_dims(bias, axis=1)
        s_in = out_scale
    return t


def pyrtlnet_inference(t, test_batch):
    """pyrtlnet's NumPyInference.run on one batch, re-implemented from its arithmetic.
    Returns (quantized input (N, 144), layer0 outputs (N, 18), layer1 outputs (N, 10), predictions)."""
    # batched_images() pads with np.zeros (float64) through np.append -> the batch is float64.
    test_batch = np.asarray(test_batch, dtype=np.float64)
    q = test_batch / t["input.scale"] + t["input.zero"]  # float64
    assert (q > -129).all() and (q < 128).all(), "astype(int8) would wrap"
    x = np.trunc(q).astype(np.int64).reshape(len(test_batch), -1).T  # (144, N)
    x_in = x.T.copy()

    layers = []
    s_in, z_in = t["input.scale"], t["input.zero"]
    for i in range(2):
        p = f"layer{i}"
        s_w, s_out, z_out = t[f"{p}.weight.scale"], t[f"{p}.output.scale"], t[f"{p}.output.zero"]
        assert (t[f"{p}.weight.zero"] == 0).all()
        # normalization_constants: m = s1*s2/s3 in float32, m0 = m*2^n in [0.5, 1), n in 0..31
        m = s_w * s_in / s_out
        m0, n = [], []
        for m_in in m:
            for n_out in range(32):
                m0_out = m_in * (2 ** n_out)
                if 0.5 <= m0_out < 1:
                    m0.append(m0_out)
                    n.append(n_out)
                    break
        assert len(n) == len(m)
        # Fxp(m0, signed=False, n_word=32, n_frac=32): raw = trunc(m0 * 2^32), saturated to 32 bits
        m0_raw = [min(int(np.trunc(np.float32(v) * np.float32(2**32))), 2**32 - 1) for v in m0]
        # quantized_matmul (int32; z1 = 0) + bias, ReLU on layer 0
        w = t[f"{p}.weight"].astype(np.int64)
        acc = w @ x - (w.sum(axis=1, keepdims=True) * z_in)
        acc = acc + t[f"{p}.bias"].astype(np.int64)
        assert (np.abs(acc) < 2**31).all(), "int32 accumulator would wrap"
        if i == 0:
            acc = np.maximum(0, acc)
        # normalize(): Fxp product (64-bit word, 32 fractional bits), / 2**n with the divisor
        # converted like the product (signed, 31 integer bits: 2^31 saturates), floor division
        # of raw values, then round half up on the top dropped bit, + z3, saturate to int8.
        prod = acc.T.astype(object)  # (N, out)
        out = np.empty(prod.shape, dtype=np.int64)
        for o in range(prod.shape[1]):
            M = m0_raw[o if len(m0_raw) > 1 else 0]
            nn = n[o if len(n) > 1 else 0]
            div_raw = min(2**nn * 2**32, 2**63 - 1)
            for r in range(prod.shape[0]):
                val = (int(prod[r, o]) * M * 2**32) // div_raw  # raw, 32 fractional bits
                round_up = (val >> 31) & 1
                shifted = (val >> 32) + round_up
                out[r, o] = min(max(int(z_out[0]) + shifted, -128), 127)
        layers.append(out)
        x = out.T
        s_in, z_in = s_out, z_out
    preds = layers[1].argmax(axis=1)  # (10, N).argmax(axis=0) in pyrtlnet: first max
    return x_in, layers[0], layers[1], preds


# ----------------------------------------------------------------------- checks

def compare(name, project_layers, model_path, images):
    """tools/reference.py on the spec-imported model vs the project's own arithmetic."""
    model = ref.load_model(model_path)
    xq = ref.quantize_images(model, images)
    outs, preds = ref.run(model, xq)
    bad = 0
    for i, (mine, theirs) in enumerate(zip(outs, project_layers)):
        diff = np.argwhere(mine != theirs)
        if len(diff):
            rows = sorted(set(diff[:, 0].tolist()))
            print(f"  {name}: layer{i} differs in {len(diff)} values on images {rows[:20]}")
            bad += 1
    return outs, preds, bad


def write_spec_expected(P):
    """pyrtlnet_expected_spec.npz: tools/reference.py (the spec) on the float images."""
    with open(P("index.json")) as f:
        index = json.load(f)["cases"]
    for m in index:
        if m["expected"] == "pyrtlnet_expected_spec.npz":
            model = ref.load_model(P(m["model"]))
            with np.load(P(m["images"])) as z:
                imgs, labels = z[m["images_key"]], z[m["labels_key"]].astype(np.int64)
            xq = ref.quantize_images(model, imgs)
            outs, preds = ref.run(model, xq)
            ref.save_if_changed(P(m["expected"]), {"predictions": preds, "outputs": outs[-1], "labels": labels,
                                                   "input.q": xq, "layer0.output": outs[0], "layer1.output": outs[1]},
                                compressed=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="only re-check the committed files")
    ap.add_argument("--spec-only", action="store_true",
                    help="keep the committed models and project outputs; rewrite only what the spec determines "
                         "(pyrtlnet_expected_spec.npz, *.format1.npz), then check")
    a = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    P = lambda f: os.path.join(OUT, f)  # noqa: E731

    if a.spec_only:
        for src in ("mnist_model.npz", "pyrtlnet_quantized.npz"):
            with np.load(P(src)) as z:
                ref.save_if_changed(P(src.replace(".npz", ".format1.npz")), ref.to_format1(z))
        write_spec_expected(P)
    elif not a.check:
        xtr, ytr, xte, yte = load_fmnist()
        xtr_f = (xtr.astype(np.float32) / np.float32(255)).reshape(len(xtr), -1)
        xte_f = (xte.astype(np.float32) / np.float32(255)).reshape(len(xte), -1)
        ytr = ytr.astype(np.int64)

        # ---- notebook: 784-128-10, no bias, Adam with weight decay 1e-4
        W1, _, W2, _ = train_mlp(xtr_f, ytr, [784, 128, 10], bias=False, epochs=3, seed=42, wd=1e-4)
        acc_f = np.mean(float_forward([W1, None, W2, None], xte_f).argmax(1) == yte)
        calib = xtr_f[np.random.default_rng(42).permutation(len(xtr_f))[:64]]  # one shuffled batch
        nb = notebook_quantize(W1, W2, calib)
        ref.save_if_changed(P("mnist_model.npz"), nb)  # np.savez, like the notebook
        ref.save_if_changed(P("mnist_images.npz"), {"images": xte[:N_TEST], "labels": yte[:N_TEST].astype(np.int64)},
                            compressed=True)
        l1, l2, pr = notebook_inference(nb, xte[:N_TEST])
        ref.save_if_changed(P("mnist_expected.npz"), {
            "predictions": pr.astype(np.int64), "outputs": l2.astype(np.int64),
            "labels": yte[:N_TEST].astype(np.int64), "layer0.output": l1.astype(np.int64),
            "layer1.output": l2.astype(np.int64)}, compressed=True)
        print(f"notebook model: float accuracy {acc_f:.4f} (10k), shifts {int(nb['shift_l1'])}, {int(nb['shift_l2'])}, "
              f"integer accuracy {np.mean(pr == yte[:N_TEST]):.3f} on {N_TEST}")

        # ---- pyrtlnet: 12x12 inputs, 144-18-10 with biases
        r_tr = tf_resize_bilinear(xtr / 255.0, 12, 12)
        r_te = tf_resize_bilinear(xte / 255.0, 12, 12)
        params = train_mlp(r_tr.reshape(len(r_tr), -1), ytr, [144, 18, 10], bias=True, epochs=6, seed=42)
        acc_f = np.mean(float_forward(params, r_te.reshape(len(r_te), -1)).argmax(1) == yte)
        t = pyrtlnet_quantize(params, r_tr[:100])  # representative_dataset: first 100 train images
        ref.save_if_changed(P("pyrtlnet_quantized.npz"), t, compressed=True)  # save_tensors: savez_compressed
        ref.save_if_changed(P("pyrtlnet_test_data.npz"), {"test_images": r_te[:N_TEST], "test_labels": yte[:N_TEST]},
                     compressed=True)
        xq, l0, l1, pr = pyrtlnet_inference(t, r_te[:N_TEST])
        ref.save_if_changed(P("pyrtlnet_expected.npz"), {
            "predictions": pr.astype(np.int64), "outputs": l1, "labels": yte[:N_TEST].astype(np.int64),
            "input.q": xq, "layer0.output": l0, "layer1.output": l1}, compressed=True)
        # The same inputs as pyrtlnet quantizes them, as uint8 images (uint8 into an int8 input is
        # pixel - 128): checks the integer layers against pyrtlnet without the float step.
        ref.save_if_changed(P("pyrtlnet_test_data_u8.npz"), {
            "images": (xq + 128).astype(np.uint8).reshape(-1, 12, 12), "labels": yte[:N_TEST].astype(np.int64)})
        print(f"pyrtlnet model: float accuracy {acc_f:.4f} (10k), integer accuracy "
              f"{np.mean(pr == yte[:N_TEST]):.3f} on {N_TEST}")

        for src in ("mnist_model.npz", "pyrtlnet_quantized.npz"):
            dst = src.replace(".npz", ".format1.npz")
            with np.load(P(src)) as z:
                ref.save_if_changed(P(dst), ref.to_format1(z))
        index = [
            {"project": "mnist-notebook", "model": "mnist_model.npz", "format1": "mnist_model.format1.npz",
             "images": "mnist_images.npz", "images_key": "images", "labels_key": "labels",
             "expected": "mnist_expected.npz", "spec_agrees": True,
             "note": "uint8 images; expected = the notebook's fpga_layer_sim_shift_only"},
            {"project": "pyrtlnet", "model": "pyrtlnet_quantized.npz", "format1": "pyrtlnet_quantized.format1.npz",
             "images": "pyrtlnet_test_data_u8.npz", "images_key": "images", "labels_key": "labels",
             "expected": "pyrtlnet_expected.npz", "spec_agrees": True,
             "note": "uint8 images = pyrtlnet's own quantized input + 128; expected = pyrtlnet's numpy_inference"},
            {"project": "pyrtlnet", "model": "pyrtlnet_quantized.npz", "format1": "pyrtlnet_quantized.format1.npz",
             "images": "pyrtlnet_test_data.npz", "images_key": "test_images", "labels_key": "test_labels",
             "expected": "pyrtlnet_expected.npz", "spec_agrees": False,
             "note": "float images: pyrtlnet divides by input.scale in float64 (see README); the spec's "
                     "outputs for these images are in pyrtlnet_expected_spec.npz"},
            {"project": "pyrtlnet (spec)", "model": "pyrtlnet_quantized.npz", "format1": "pyrtlnet_quantized.format1.npz",
             "images": "pyrtlnet_test_data.npz", "images_key": "test_images", "labels_key": "test_labels",
             "expected": "pyrtlnet_expected_spec.npz", "spec_agrees": True,
             "note": "float images quantized as the spec says (float32); expected from tools/reference.py"},
        ]
        # Other keys (make_real_mlps.py's runtime_cases) are kept.
        with open(P("index.json")) as f:
            kept = {k: v for k, v in json.load(f).items() if k not in ("generator", "cases")}
        with open(P("index.json"), "w") as f:
            json.dump({"generator": "Tests/Fixtures/scripts/make_real_models.py", "cases": index, **kept}, f, indent=1)
            f.write("\n")
        write_spec_expected(P)

    # ---- the check: project arithmetic vs the spec (tools/reference.py on the imported model)
    with open(P("index.json")) as f:
        index = json.load(f)["cases"]
    failures = 0
    for m in index:
        exp = np.load(P(m["expected"]))
        images = np.load(P(m["images"]))[m["images_key"]]
        layers = [exp[f"layer{i}.output"] for i in range(2)]
        for path in (m["model"], m["format1"]):
            outs, preds, bad = compare(m["project"], layers, P(path), images)
            same_pred = int((preds == exp["predictions"]).sum())
            verdict = "IDENTICAL" if not bad else "DIFFER"
            print(f"{m['project']:15s} {m['images']:26s} {m['expected']:27s} {path:31s} outputs {verdict}, "
                  f"predictions {same_pred}/{len(preds)}{'' if m['spec_agrees'] else ' (known: float step)'}")
            if bool(bad) == m["spec_agrees"]:
                failures += 1
                print("  ^ unexpected")
        if "input.q" in exp:
            xq = ref.quantize_images(ref.load_model(P(m["model"])), images)
            d = xq != exp["input.q"]
            if d.any():
                print(f"  quantized input differs in {int(d.sum())} of {d.size} values "
                      f"(spec - project: {sorted(set((xq - exp['input.q'])[d].tolist()))})")
        if images.dtype == np.float32 and m["project"] == "pyrtlnet":
            # pyrtlnet's NumPyInference before batching (c2d5d53^: one float32 image at a time,
            # `test_image / input_scale + input_zero` with the interpreter's float32 (1,) scale and
            # int32 (1,) zero point): a float32 division, then a float64 sum, then astype(int8).
            # Format 2's trunc reading is exactly that.
            with np.load(P(m["model"])) as z:
                scale_arr, zero_arr = z["input.scale"].reshape(1), z["input.zero"].reshape(1).astype(np.int32)
            single = np.stack([(img / scale_arr + zero_arr).astype(np.int8) for img in images]).reshape(len(images), -1)
            xq = ref.quantize_images(ref.load_model(P(m["model"])), images)
            same = int((single == xq).sum())
            print(f"  pyrtlnet's single-image reading (float32 division) vs the spec: {same}/{xq.size} input values equal")
            if same != xq.size:
                failures += 1
                print("  ^ unexpected")
    print("all as expected" if not failures else f"{failures} unexpected results")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
