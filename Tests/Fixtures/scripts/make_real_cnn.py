#!/usr/bin/env python3
"""Make the real CNN fixtures: a small Fashion-MNIST CNN quantized by onnxruntime and by the
TFLite converter, with each reference runtime's own outputs on all 10,000 test images.

    PY=$(ZYNQNET_REAL_VENV=/work/real-venv scripts/real-venv.sh)   # or scripts/real-venv.sh
    "$PY" Tests/Fixtures/scripts/make_real_cnn.py                  # trains (about 2 min), writes
    "$PY" Tests/Fixtures/scripts/make_real_cnn.py --check          # re-runs the runtimes on the committed models

The network (Keras, channels last): conv 3x3 x8 + ReLU, max pool 2, conv 3x3 x16 + ReLU,
max pool 2, flatten, dense 400 -> 10 (no softmax). Trained in float32 on the 60,000 training
images (pixel / 255), 3 epochs of Adam.

ONNX: the float network is written as PyTorch's exporter writes it (NCHW: Conv OIHW, Relu,
MaxPool, Flatten(axis 1) in (c, h, w) order, Gemm transB = 1; opset 17), then quantized by
onnxruntime's quantize_static with MinMax calibration on 512 training images:
  cnn_qdq_u8s8_pt.onnx   QDQ, uint8 activations, int8 weights per tensor
  cnn_qdq_s8s8_pc.onnx   QDQ, int8 activations, int8 weights per output channel
  cnn_qop_u8s8_pt.onnx   QOperator (QLinearConv, uint8 MaxPool, Flatten, QGemm), uint8 / int8 per tensor
  *.ort_q.npy            onnxruntime (CPU provider, default optimisation) on the float images
                         pixel / 255 as (N, 1, 28, 28): the last QuantizeLinear's integers, int16 (10000, 10)

TFLite: TFLiteConverter full-integer int8 (int8 input and output, per-channel weights, the same
512 representative images):
  tflite/cnn_int8.tflite
  tflite/cnn_int8.tflm_q.npy             TFLite Micro
  tflite/cnn_int8.litert_builtin_ref_q.npy   LiteRT with BUILTIN_REF kernels
  tflite/cnn_int8.litert_xnnpack_q.npy   LiteRT default (XNNPACK delegate)
                                          (int8 (10000, 10), input pixel - 128)

With --windows (also part of a full run): two small untrained networks with random weights for the
window attributes the CNN above does not use, on 200 random uint8 images (pixel / 255), seed 11:
  win_qdq_u8s8_pc.onnx   (N, 3, 9, 9): Conv 8x3x3 stride 2 pads [1, 0, 2, 1] + Relu, MaxPool 3x3
                         stride 1, Conv 4x3x3 stride 2 auto_pad SAME_UPPER, Flatten, Gemm 5;
                         QDQ uint8 / int8 per channel
  win_images.npy         uint8 (200, 3, 9, 9), NCHW
  win_qdq_u8s8_pc.ort_q.npy   onnxruntime, int16 (200, 5)
  tflite/win_int8.tflite (1, 9, 9, 3): Conv2D 8x4x4 stride 2 SAME (pads 1, 2) + RELU6, MaxPool 2, Conv2D 4x3x3
                         SAME, Flatten, Dense 5; full int8
  tflite/win_images.npy  uint8 (200, 9, 9, 3), NHWC (the same images transposed)
  tflite/win_int8.{tflm,litert_builtin_ref,litert_xnnpack}_q.npy   int8 (200, 5)

Must run on a CPU with AVX-512 VNNI (onnxruntime's u8 x s8 kernels are exact only there).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_real_models import OUT, idx  # noqa: E402  (the IDX reader and Tests/Fixtures/real)


def train_keras(xtr, ytr):
    import keras
    import tensorflow as tf
    keras.utils.set_random_seed(7)
    tf.config.experimental.enable_op_determinism()
    L = keras.layers
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        L.Conv2D(8, 3, activation="relu"), L.MaxPooling2D(2),
        L.Conv2D(16, 3, activation="relu"), L.MaxPooling2D(2),
        L.Flatten(), L.Dense(10)])
    model.compile(optimizer=keras.optimizers.Adam(2e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    model.fit(xtr, ytr, batch_size=128, epochs=3, verbose=2, shuffle=True)
    return model


def float_onnx(model, path):
    """The Keras network as PyTorch would export it (NCHW)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    (k1, b1), (k2, b2), (wd, bd) = [model.layers[i].get_weights() for i in (0, 2, 5)]
    # Keras HWIO -> OIHW; dense (h, w, c) rows -> (c, h, w) columns of a (10, 400) Gemm weight.
    w1 = k1.transpose(3, 2, 0, 1).copy()
    w2 = k2.transpose(3, 2, 0, 1).copy()
    wg = wd.reshape(5, 5, 16, 10).transpose(3, 2, 0, 1).reshape(10, 400).copy()
    inits = [numpy_helper.from_array(a.astype(np.float32), n) for a, n in
             [(w1, "conv1.weight"), (b1, "conv1.bias"), (w2, "conv2.weight"), (b2, "conv2.bias"),
              (wg, "fc.weight"), (bd, "fc.bias")]]
    nodes = [
        helper.make_node("Conv", ["x", "conv1.weight", "conv1.bias"], ["c1"], name="/conv1/Conv",
                         kernel_shape=[3, 3], strides=[1, 1], pads=[0, 0, 0, 0], dilations=[1, 1], group=1),
        helper.make_node("Relu", ["c1"], ["r1"], name="/relu1/Relu"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="/pool1/MaxPool", kernel_shape=[2, 2], strides=[2, 2],
                         pads=[0, 0, 0, 0], ceil_mode=0),
        helper.make_node("Conv", ["p1", "conv2.weight", "conv2.bias"], ["c2"], name="/conv2/Conv",
                         kernel_shape=[3, 3], strides=[1, 1], pads=[0, 0, 0, 0], dilations=[1, 1], group=1),
        helper.make_node("Relu", ["c2"], ["r2"], name="/relu2/Relu"),
        helper.make_node("MaxPool", ["r2"], ["p2"], name="/pool2/MaxPool", kernel_shape=[2, 2], strides=[2, 2],
                         pads=[0, 0, 0, 0], ceil_mode=0),
        helper.make_node("Flatten", ["p2"], ["f"], name="/Flatten", axis=1),
        helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["logits"], name="/fc/Gemm", alpha=1.0, beta=1.0, transB=1),
    ]
    graph = helper.make_graph(nodes, "main_graph",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 1, 28, 28])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["n", 10])], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="pytorch-layout")
    m.ir_version = 8
    onnx.checker.check_model(m)
    onnx.save(m, path)


def quantize(float_path, out_path, calib, fmt, act, per_channel):
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter([{"x": calib[i:i + 1]} for i in range(len(calib))])

        def get_next(self):
            return next(self.it, None)

    quantize_static(float_path, out_path, Reader(),
                    quant_format=QuantFormat.QDQ if fmt == "qdq" else QuantFormat.QOperator,
                    activation_type=QuantType.QUInt8 if act == "u8" else QuantType.QInt8,
                    weight_type=QuantType.QInt8, per_channel=per_channel)


def ort_q(path, x):
    """onnxruntime's integer outputs: the graph output's DequantizeLinear input, added as an output."""
    import onnx
    import onnxruntime as ort
    m = onnx.load(path)
    out = m.graph.output[0].name
    dq = [n for n in m.graph.node if out in n.output]
    assert len(dq) == 1 and dq[0].op_type == "DequantizeLinear", dq
    qname = dq[0].input[0]
    m.graph.output.append(onnx.helper.make_empty_tensor_value_info(qname))
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    s = ort.InferenceSession(m.SerializeToString(), so, providers=["CPUExecutionProvider"])
    q = np.concatenate([s.run([qname], {"x": x[i:i + 500]})[0] for i in range(0, len(x), 500)])
    return q.astype(np.int16)


def tflite_convert(model, rep, per_channel=True):
    """TFLiteConverter full-integer int8 (int8 input and output); per_channel=False sets the
    converter's `_experimental_disable_per_channel` (one weight scale per tensor)."""
    import tensorflow as tf

    def representative():
        for x in rep:
            yield [x[None].astype(np.float32)]
    c = tf.lite.TFLiteConverter.from_keras_model(model)
    c.optimizations = [tf.lite.Optimize.DEFAULT]
    c.representative_dataset = representative
    c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    c.inference_input_type = tf.int8
    c.inference_output_type = tf.int8
    if not per_channel:
        c._experimental_disable_per_channel = True
    return c.convert()


def tflite_runs(model_bytes, images_u8, shape=(1, 28, 28, 1), classes=10):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    from tflite_micro.python.tflite_micro import runtime
    x = (images_u8.astype(np.int16) - 128).astype(np.int8).reshape(-1, *shape)
    out = {}
    tflm = runtime.Interpreter.from_bytes(model_bytes)
    det = tflm.get_input_details(0)
    scale, zero = det["quantization_parameters"]["scales"][0], det["quantization_parameters"]["zero_points"][0]
    assert np.float32(scale) == np.float32(1 / 255) and zero == -128, (scale, zero)
    res = []
    for i in range(len(x)):
        tflm.set_input(x[i], 0)
        tflm.invoke()
        res.append(tflm.get_output(0).reshape(classes))
    out["tflm"] = np.array(res, np.int8)
    for name, kind in [("litert_builtin_ref", OpResolverType.BUILTIN_REF), ("litert_xnnpack", OpResolverType.AUTO)]:
        it = Interpreter(model_content=model_bytes, experimental_op_resolver_type=kind, num_threads=1)
        it.allocate_tensors()
        i_in, i_out = it.get_input_details()[0]["index"], it.get_output_details()[0]["index"]
        res = []
        for k in range(len(x)):
            it.set_tensor(i_in, x[k])
            it.invoke()
            res.append(it.get_tensor(i_out).reshape(classes))
        out[name] = np.array(res, np.int8)
    return out


def window_models():
    """The small window-attribute networks (see the module docstring)."""
    import keras
    import onnx
    import tensorflow as tf
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(11)
    imgs = rng.integers(0, 256, size=(200, 3, 9, 9), dtype=np.uint8)
    calib = rng.integers(0, 256, size=(64, 3, 9, 9), dtype=np.uint8).astype(np.float32) / 255
    x = imgs.astype(np.float32) / 255
    w1 = rng.normal(0, 0.3, (8, 3, 3, 3)).astype(np.float32)
    b1 = rng.normal(0, 0.1, 8).astype(np.float32)
    w2 = rng.normal(0, 0.3, (4, 8, 3, 3)).astype(np.float32)
    b2 = rng.normal(0, 0.1, 4).astype(np.float32)
    wg = rng.normal(0, 0.3, (5, 16)).astype(np.float32)
    bg = rng.normal(0, 0.1, 5).astype(np.float32)
    # (N,3,9,9) conv s2 pads [1,0,2,1] -> (N,8,5,4); maxpool 3 s1 -> (N,8,3,2); conv 3x3 s2 SAME_UPPER (pads [1,0,1,1]) -> (N,4,2,1); 8 -> Gemm 5
    wg = wg[:, :8]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 0, 2, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[3, 3], strides=[1, 1]),
        helper.make_node("Conv", ["p1", "w2", "b2"], ["c2"], name="conv2", kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER"),
        helper.make_node("Flatten", ["c2"], ["f"], name="flatten", axis=1),
        helper.make_node("Gemm", ["f", "wg", "bg"], ["y"], name="fc", transB=1),
    ]
    inits = [numpy_helper.from_array(a, n) for a, n in [(w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2"), (wg, "wg"), (bg, "bg")]]
    graph = helper.make_graph(nodes, "win", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3, 9, 9])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 5])], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    import tempfile
    fpath = os.path.join(tempfile.mkdtemp(), "win_float.onnx")
    onnx.save(m, fpath)
    path = os.path.join(OUT, "win_qdq_u8s8_pc.onnx")
    quantize(fpath, path, calib, "qdq", "u8", True)
    save("win_images.npy", imgs)
    save("win_qdq_u8s8_pc.ort_q.npy", ort_q(path, x))

    keras.utils.set_random_seed(11)
    L = keras.layers
    k = keras.Sequential([
        keras.Input((9, 9, 3)),
        L.Conv2D(8, 4, strides=2, padding="same", activation="relu6"), L.MaxPooling2D(2),
        L.Conv2D(4, 3, padding="same"), L.Flatten(), L.Dense(5)])
    for layer in k.layers:
        ws = layer.get_weights()
        if ws:
            layer.set_weights([rng.normal(0, 0.3, w.shape).astype(np.float32) for w in ws])
    nhwc = imgs.transpose(0, 2, 3, 1).copy()
    data = tflite_convert(k, calib.transpose(0, 2, 3, 1))
    with open(os.path.join(OUT, "tflite", "win_int8.tflite"), "wb") as f:
        f.write(data)
    save(os.path.join("tflite", "win_images.npy"), nhwc)
    for name, v in tflite_runs(data, nhwc, shape=(1, 9, 9, 3), classes=5).items():
        save(os.path.join("tflite", f"win_int8.{name}_q.npy"), v)


def save(name, a):
    path = os.path.join(OUT, name)
    np.save(path, a)
    print(f"wrote {name} {a.dtype} {a.shape}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true", help="re-run the runtimes on the committed models and compare")
    ap.add_argument("--windows", action="store_true", help="make only the small window-attribute models")
    args = ap.parse_args()
    if args.windows:
        window_models()
        return
    xtr = idx("train-images-idx3-ubyte.gz")
    ytr = idx("train-labels-idx1-ubyte.gz")
    xte = idx("t10k-images-idx3-ubyte.gz")
    yte = idx("t10k-labels-idx1-ubyte.gz")
    xte_f = (xte.astype(np.float32) / 255).reshape(-1, 1, 28, 28)
    calib_nchw = (xtr[:512].astype(np.float32) / 255).reshape(-1, 1, 28, 28)
    os.makedirs(os.path.join(OUT, "tflite"), exist_ok=True)
    onnx_models = [("cnn_qdq_u8s8_pt", "qdq", "u8", False), ("cnn_qdq_s8s8_pc", "qdq", "s8", True),
                   ("cnn_qop_u8s8_pt", "qop", "u8", False)]
    tfl = os.path.join(OUT, "tflite", "cnn_int8.tflite")
    if args.check:
        bad = 0
        for name, *_ in onnx_models:
            got = ort_q(os.path.join(OUT, name + ".onnx"), xte_f)
            want = np.load(os.path.join(OUT, name + ".ort_q.npy"))
            bad += int((got != want).sum())
            print(name, "differing", int((got != want).sum()))
        runs = tflite_runs(open(tfl, "rb").read(), xte)
        for k, v in runs.items():
            want = np.load(os.path.join(OUT, "tflite", f"cnn_int8.{k}_q.npy"))
            bad += int((v != want).sum())
            print(k, "differing", int((v != want).sum()))
        sys.exit(1 if bad else 0)

    model = train_keras(xtr.astype(np.float32)[..., None] / 255, ytr)
    logits = model.predict(xte.astype(np.float32)[..., None] / 255, verbose=0)
    print("keras float accuracy", float((logits.argmax(1) == yte).mean()))

    import tempfile
    import onnxruntime as ort
    tmp = tempfile.mkdtemp()
    fpath = os.path.join(tmp, "cnn_float.onnx")
    float_onnx(model, fpath)
    fl = ort.InferenceSession(fpath, providers=["CPUExecutionProvider"]).run(None, {"x": xte_f[:1000]})[0]
    print("float onnx vs keras max |diff|", float(np.abs(fl - logits[:1000]).max()))
    for name, fmt, act, pc in onnx_models:
        path = os.path.join(OUT, name + ".onnx")
        quantize(fpath, path, calib_nchw, fmt, act, pc)
        q = ort_q(path, xte_f)
        print(name, "accuracy", float((q.argmax(1) == yte).mean()), "bytes", os.path.getsize(path))
        save(name + ".ort_q.npy", q)

    data = tflite_convert(model, xtr[:512].astype(np.float32)[..., None] / 255)
    with open(tfl, "wb") as f:
        f.write(data)
    print("tflite bytes", len(data))
    for k, v in tflite_runs(data, xte).items():
        print(k, "accuracy", float((v.argmax(1) == yte).mean()))
        save(os.path.join("tflite", f"cnn_int8.{k}_q.npy"), v)
    window_models()


if __name__ == "__main__":
    main()
