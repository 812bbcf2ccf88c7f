#!/usr/bin/env python3
"""Make small real quantized MLPs with the runtimes' own tools, and record what those runtimes
compute on all 10,000 Fashion-MNIST test images (outside truth for the importers).

Writes Tests/Fixtures/real/ (see its README for every file):
  mlp784_qdq_u8s8_pt.onnx    onnxruntime quantize_static, QDQ, uint8 activations, int8 weights per tensor
  mlp784_qdq_s8s8_pc.onnx    QDQ, int8 activations, int8 weights per output channel
  mlp784_qdq_u8s8_pc.onnx    QDQ, uint8 activations, int8 weights per output channel
  mlp784_qop_u8s8.onnx       QOperator form (quantize_static QuantFormat.QOperator)
  mlp784_brevitas_float.onnx Brevitas QAT MLP exported as QCDQ, float scales
  mlp784_brevitas_po2.onnx   the same with power-of-two scales (fixed-point quantizers)
  <model>.ort_q.npy          onnxruntime 1.32 (CPU provider, default optimisation) on the 10,000
                             test images x = pixel / 255, (N, 1, 28, 28) float32: the integers of
                             the last QuantizeLinear, int16 (10000, 10)
  tflite/mlp784_int8_pc.tflite  Keras MLP, TFLiteConverter full-integer int8 (int8 input and output),
                             per-channel weights (the converter's default)
  tflite/mlp784_int8_pt.tflite  the same Keras MLP, per-tensor weights (_experimental_disable_per_channel)
  tflite/<model>.{tflm,litert_builtin_ref,litert_xnnpack}_q.npy
                             TFLite Micro, LiteRT with BUILTIN_REF kernels and LiteRT's default
                             (XNNPACK delegate) on the 10,000 test images given as int8 pixel - 128,
                             (N, 28, 28, 1): int8 (10000, 10) (make_real_cnn.tflite_runs)

All models are 784-128-10 with ReLU. The onnxruntime models come from a float MLP trained in
NumPy (make_real_models.train_mlp) and written with onnx.helper; the Brevitas models are trained
with torch. u8 x s8 models need a CPU with VNNI for exact outputs (see the README), so the script
refuses to record them elsewhere. The TFLite models come from a Keras Flatten -> Dense(128, relu)
-> Dense(10) trained with TensorFlow (seed 17, op determinism, one thread), converted and run with
make_real_cnn.py's TFLite machinery; they need no VNNI.

    PY=$(scripts/real-venv.sh) && "$PY" Tests/Fixtures/scripts/make_real_mlps.py          # all
    "$PY" Tests/Fixtures/scripts/make_real_mlps.py --only ort                              # no torch needed
    "$PY" Tests/Fixtures/scripts/make_real_mlps.py --only tflite                           # the Keras/TFLite MLPs
    "$PY" Tests/Fixtures/scripts/make_real_mlps.py --check   # rerun every runtime on the committed models

Deterministic: fixed seeds and one thread.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_real_models import OUT, load_fmnist, train_mlp, float_forward  # noqa: E402

ORT_MODELS = {
    # name: (format, activation type, per_channel)
    "mlp784_qdq_u8s8_pt": ("QDQ", "QUInt8", False),
    "mlp784_qdq_s8s8_pc": ("QDQ", "QInt8", True),
    "mlp784_qdq_u8s8_pc": ("QDQ", "QUInt8", True),
    "mlp784_qop_u8s8": ("QOperator", "QUInt8", False),
}
BREVITAS_MODELS = ["mlp784_brevitas_float", "mlp784_brevitas_po2"]
# name: per-channel weights (the converter's default) or one scale per weight tensor
TFLITE_MODELS = {"mlp784_int8_pc": True, "mlp784_int8_pt": False}
TFLITE_RUNTIMES = {"tflm": "TFLite Micro 0.dev20261023", "litert_builtin_ref": "LiteRT 2.3.0 BUILTIN_REF",
                   "litert_xnnpack": "LiteRT 2.3.0 default (XNNPACK)"}


def has_vnni():
    with open("/proc/cpuinfo") as f:
        flags = f.read()
    return "avx512_vnni" in flags or "avx_vnni" in flags


def test_floats(xte):
    return (xte.astype(np.float32) / np.float32(255)).reshape(len(xte), 1, 28, 28)


def float_onnx(params, path):
    """The float MLP as ONNX: Flatten -> Gemm(transB=1) -> Relu -> Gemm."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    W1, b1, W2, b2 = params
    nodes = [
        helper.make_node("Flatten", ["x"], ["flat"], axis=1, name="flatten"),
        helper.make_node("Gemm", ["flat", "W1", "b1"], ["h"], transB=1, name="fc1"),
        helper.make_node("Relu", ["h"], ["hr"], name="relu1"),
        helper.make_node("Gemm", ["hr", "W2", "b2"], ["logits"], transB=1, name="fc2"),
    ]
    inits = [numpy_helper.from_array(a.astype(np.float32), n) for a, n in ((W1, "W1"), (b1, "b1"), (W2, "W2"), (b2, "b2"))]
    g = helper.make_graph(nodes, "mlp784", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 1, 28, 28])],
                          [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["n", 10])], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], producer_name="zynqnet make_real_mlps.py")
    onnx.checker.check_model(m)
    onnx.save(m, path)


def output_quantization(path):
    """(scale, zero point, numpy dtype) of the DequantizeLinear that makes the graph output."""
    import onnx
    from onnx import numpy_helper
    m = onnx.load(path)
    inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    for n in m.graph.node:
        if n.output[0] == m.graph.output[0].name and n.op_type == "DequantizeLinear":
            return float(inits[n.input[1]]), int(inits[n.input[2]]), inits[n.input[2]].dtype
    raise SystemExit(f"{path}: the graph output is not made by a DequantizeLinear")


def ort_outputs(path, x):
    """onnxruntime (CPU, default optimisation, one thread) on float images; the integers the
    final DequantizeLinear dequantizes, recovered exactly from its float output."""
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    s = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    name = s.get_inputs()[0].name
    y = np.concatenate([s.run(None, {name: x[i:i + 1000]})[0] for i in range(0, len(x), 1000)])
    if y.dtype in (np.uint8, np.int8):
        return y.astype(np.int16)
    scale, zero, dt = output_quantization(path)
    q = np.rint(y.astype(np.float64) / scale).astype(np.int64) + zero
    info = np.iinfo(dt)
    assert q.min() >= info.min and q.max() <= info.max, "outputs outside the type"
    # The recovered integers dequantize to exactly onnxruntime's floats.
    assert np.array_equal(((q - zero).astype(np.float32) * np.float32(scale)).astype(np.float32), y), path
    return q.astype(np.int16)


class Reader:
    """CalibrationDataReader over float images (N, 1, 28, 28)."""

    def __init__(self, x):
        self.it = iter([{"x": x[i:i + 1]} for i in range(len(x))])

    def get_next(self):
        return next(self.it, None)


def make_ort(xtr, ytr, xte, yte):
    from onnxruntime.quantization import QuantFormat, QuantType, quantize_static
    xtr_f = (xtr.astype(np.float32) / np.float32(255)).reshape(len(xtr), -1)
    params = train_mlp(xtr_f, ytr, [784, 128, 10], bias=True, epochs=3, seed=17)
    x = test_floats(xte)
    acc = np.mean(float_forward(params, x.reshape(len(x), -1)).argmax(1) == yte)
    print(f"float 784-128-10: accuracy {acc:.4f}")
    calib = test_floats(calibration_images(xtr))
    with tempfile.TemporaryDirectory() as tmp:
        fp = os.path.join(tmp, "mlp784.onnx")
        float_onnx(params, fp)
        for name, (fmt, act, pc) in ORT_MODELS.items():
            path = os.path.join(OUT, name + ".onnx")
            quantize_static(fp, path, Reader(calib), quant_format=getattr(QuantFormat, fmt),
                            activation_type=getattr(QuantType, act), weight_type=QuantType.QInt8, per_channel=pc)
            record(name, x, yte)


def record(name, x, yte):
    path = os.path.join(OUT, name + ".onnx")
    q = ort_outputs(path, x)
    np.save(os.path.join(OUT, name + ".ort_q.npy"), q)
    print(f"{name}: {os.path.getsize(path):,} bytes, quantized accuracy {np.mean(q.argmax(1) == yte):.4f}, "
          f"ops {sorted({n.op_type for n in __import__('onnx').load(path).graph.node})}")


def calibration_images(xtr):
    """The 512 training images every quantizer here calibrates on (uint8)."""
    return xtr[np.random.default_rng(17).permutation(len(xtr))[:512]]


def train_keras_mlp(xtr, ytr):
    """Keras 784-128-10 MLP on pixel / 255 (N, 28, 28, 1): Flatten, Dense(128, relu), Dense(10)."""
    import keras
    import tensorflow as tf
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(1)
    keras.utils.set_random_seed(17)
    tf.config.experimental.enable_op_determinism()
    L = keras.layers
    model = keras.Sequential([keras.Input((28, 28, 1)), L.Flatten(), L.Dense(128, activation="relu"), L.Dense(10)])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    model.fit(xtr.astype(np.float32)[..., None] / np.float32(255), ytr, batch_size=128, epochs=3, verbose=2, shuffle=True)
    return model


def tflite_path(name):
    return os.path.join(OUT, "tflite", name + ".tflite")


def tflite_outputs_path(name, runtime):
    return os.path.join(OUT, "tflite", f"{name}.{runtime}_q.npy")


def make_tflite(xtr, ytr, xte, yte):
    from make_real_cnn import tflite_convert, tflite_runs
    model = train_keras_mlp(xtr, ytr)
    acc = np.mean(model.predict(xte.astype(np.float32)[..., None] / np.float32(255), verbose=0).argmax(1) == yte)
    print(f"keras float 784-128-10: accuracy {acc:.4f}")
    rep = calibration_images(xtr).astype(np.float32)[..., None] / np.float32(255)
    os.makedirs(os.path.join(OUT, "tflite"), exist_ok=True)
    for name, per_channel in TFLITE_MODELS.items():
        data = tflite_convert(model, rep, per_channel=per_channel)
        write_if_changed(tflite_path(name), data)
        runs = tflite_runs(data, xte)
        for rt, q in runs.items():
            np.save(tflite_outputs_path(name, rt), q)
        print(f"{name}: {len(data):,} bytes, accuracy " + ", ".join(
            f"{rt} {np.mean(q.argmax(1) == yte):.4f}" for rt, q in runs.items())
            + f"; tflm vs builtin_ref {int((runs['tflm'] != runs['litert_builtin_ref']).sum())}, "
            f"tflm vs xnnpack {int((runs['tflm'] != runs['litert_xnnpack']).sum())} differing values")


def write_if_changed(path, data):
    if os.path.exists(path) and open(path, "rb").read() == data:
        return
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp", path)


def make_brevitas(xtr, ytr, xte, yte):
    import torch
    from torch import nn
    import brevitas.nn as qnn
    from brevitas.export import export_onnx_qcdq
    from brevitas.quant import (Int8ActPerTensorFixedPoint, Int8ActPerTensorFloat, Int8WeightPerTensorFixedPoint,
                                Int8WeightPerTensorFloat, Int32Bias, Uint8ActPerTensorFixedPoint,
                                Uint8ActPerTensorFloat)
    torch.manual_seed(17)
    torch.set_num_threads(1)
    kinds = {
        "mlp784_brevitas_float": (Int8WeightPerTensorFloat, Uint8ActPerTensorFloat, Int8ActPerTensorFloat),
        "mlp784_brevitas_po2": (Int8WeightPerTensorFixedPoint, Uint8ActPerTensorFixedPoint, Int8ActPerTensorFixedPoint),
    }
    xtr_t = torch.from_numpy(test_floats(xtr))
    ytr_t = torch.from_numpy(ytr.astype(np.int64))
    x = test_floats(xte)
    for name, (wq, uq, sq) in kinds.items():
        torch.manual_seed(17)
        model = nn.Sequential(
            qnn.QuantIdentity(act_quant=uq, return_quant_tensor=True),
            nn.Flatten(),
            qnn.QuantLinear(784, 128, bias=True, weight_quant=wq, bias_quant=Int32Bias, return_quant_tensor=True),
            qnn.QuantReLU(act_quant=uq, return_quant_tensor=True),
            qnn.QuantLinear(128, 10, bias=True, weight_quant=wq, bias_quant=Int32Bias, output_quant=sq,
                            return_quant_tensor=False),
        )
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        g = torch.Generator().manual_seed(17)
        model.train()
        for epoch in range(2):
            order = torch.randperm(len(xtr_t), generator=g)
            for i in range(0, len(order), 128):
                idx_ = order[i:i + 128]
                opt.zero_grad()
                loss = nn.functional.cross_entropy(model(xtr_t[idx_]), ytr_t[idx_])
                loss.backward()
                opt.step()
        model.eval()
        with torch.no_grad():
            acc = (model(torch.from_numpy(x)).argmax(1).numpy() == yte).mean()
        path = os.path.join(OUT, name + ".onnx")
        export_onnx_qcdq(model, args=torch.zeros(1, 1, 28, 28), export_path=path, input_names=["x"],
                         dynamic_axes={"x": {0: "n"}}, dynamo=False)  # dynamo export refuses quantized biases
        print(f"{name}: brevitas accuracy {acc:.4f}")
        record(name, x, yte)


FORMS = {
    "mlp784_qdq_u8s8_pt": "onnxruntime quantize_static QDQ, uint8 activations, int8 weights per tensor",
    "mlp784_qdq_s8s8_pc": "onnxruntime quantize_static QDQ, int8 activations, int8 weights per output channel",
    "mlp784_qdq_u8s8_pc": "onnxruntime quantize_static QDQ, uint8 activations, int8 weights per output channel",
    "mlp784_qop_u8s8": "onnxruntime quantize_static QOperator (com.microsoft QGemm), uint8 activations, int8 weights per tensor",
    "mlp784_brevitas_float": "Brevitas 0.13.4 QAT, export_onnx_qcdq, float scales",
    "mlp784_brevitas_po2": "Brevitas 0.13.4 QAT, export_onnx_qcdq, power-of-two scales",
}
IMAGES = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"


def write_index():
    """index.json's `runtime_cases`: each real model made by a runtime's own tools, with the
    file of what that runtime computes on all 10,000 test images (the three copied from
    ../shared/data/real too). `cases` belongs to make_real_models.py and is kept."""
    path = os.path.join(OUT, "index.json")
    with open(path) as f:
        index = json.load(f)
    ort_input = "float32 pixel / 255, shape (N, 1, 28, 28)"
    rows = [{"model": "mlp_qdq_u8s8_pt.onnx", "outputs": "mlp_qdq_u8s8_pt.ort_q.npy", "runtime": "onnxruntime 1.32.0",
             "form": "PyTorch 784-128-64-10, " + FORMS["mlp784_qdq_u8s8_pt"][len("onnxruntime "):], "input": ort_input,
             "made_by": "../shared/data/real"},
            {"model": "mlp_qdq_s8s8_pc.onnx", "outputs": "mlp_qdq_s8s8_pc.ort_q.npy", "runtime": "onnxruntime 1.32.0",
             "form": "PyTorch 784-128-64-10, " + FORMS["mlp784_qdq_s8s8_pc"][len("onnxruntime "):], "input": ort_input,
             "made_by": "../shared/data/real"}]
    for rt, label in (("tflm", "TFLite Micro 0.dev20261023"), ("litert_builtin_ref", "LiteRT 2.3.0 BUILTIN_REF"),
                      ("litert_xnnpack", "LiteRT 2.3.0 default (XNNPACK)")):
        rows.append({"model": "tflite/mlp_int8.tflite", "outputs": f"tflite/mlp_int8.{rt}_q.npy", "runtime": label,
                     "form": "Keras 784-128-64-10, TFLiteConverter full-integer int8, per-channel weights",
                     "input": "int8 pixel - 128, shape (N, 28, 28, 1)", "made_by": "../shared/data/real"})
    for name, per_channel in TFLITE_MODELS.items():
        if not os.path.exists(tflite_path(name)):
            continue
        for rt, label in TFLITE_RUNTIMES.items():
            rows.append({"model": f"tflite/{name}.tflite", "outputs": f"tflite/{name}.{rt}_q.npy", "runtime": label,
                         "form": "Keras 784-128-10, TFLiteConverter 2.21.0 full-integer int8, "
                         + ("per-channel weights" if per_channel else "per-tensor weights (_experimental_disable_per_channel)"),
                         "input": "int8 pixel - 128, shape (N, 28, 28, 1)", "made_by": "Tests/Fixtures/scripts/make_real_mlps.py"})
    for name, form in FORMS.items():
        if os.path.exists(os.path.join(OUT, name + ".onnx")):
            rows.append({"model": name + ".onnx", "outputs": name + ".ort_q.npy", "runtime": "onnxruntime 1.32.0",
                         "form": "784-128-10, " + form, "input": ort_input,
                         "made_by": "Tests/Fixtures/scripts/make_real_mlps.py"})
    index["runtime_cases_images"] = IMAGES
    index["runtime_cases"] = rows
    with open(path + ".tmp", "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")
    os.replace(path + ".tmp", path)


def check(only):
    _, _, xte, _ = load_fmnist()
    x = test_floats(xte)
    bad = 0
    if only in (None, "tflite"):
        from make_real_cnn import tflite_runs
        for name in TFLITE_MODELS:
            with open(tflite_path(name), "rb") as f:
                runs = tflite_runs(f.read(), xte)
            for rt, got in runs.items():
                want = np.load(tflite_outputs_path(name, rt))
                d = int((got != want).sum()) if got.shape == want.shape else want.size
                bad += d
                print(f"{name} {rt}: {d} of {want.size} values differ from the committed outputs")
    if only == "tflite":
        return bad
    ort_names = list(ORT_MODELS) if only == "ort" else BREVITAS_MODELS if only == "brevitas" else list(ORT_MODELS) + BREVITAS_MODELS
    for name in ort_names:
        path = os.path.join(OUT, name + ".onnx")
        if not os.path.exists(path):
            print(f"{name}: not made")
            continue
        want = np.load(os.path.join(OUT, name + ".ort_q.npy"))
        got = ort_outputs(path, x)
        d = int((got != want).sum())
        bad += d
        print(f"{name}: {d} of {want.size} values differ from the committed outputs")
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=["ort", "brevitas", "tflite"], help="make (or check) only one family")
    ap.add_argument("--check", action="store_true", help="rerun the runtimes on the committed models and compare")
    a = ap.parse_args()
    if a.only != "tflite" and not has_vnni():
        raise SystemExit("this CPU has no VNNI: onnxruntime's u8 x s8 kernels would saturate (see Tests/Fixtures/real/README.md)")
    if a.check:
        raise SystemExit(1 if check(a.only) else 0)
    xtr, ytr, xte, yte = load_fmnist()
    ytr = ytr.astype(np.int64)
    if a.only in (None, "ort"):
        make_ort(xtr, ytr, xte, yte)
    if a.only in (None, "brevitas"):
        make_brevitas(xtr, ytr, xte, yte)
    if a.only in (None, "tflite"):
        make_tflite(xtr, ytr, xte, yte)
    write_index()


if __name__ == "__main__":
    main()
