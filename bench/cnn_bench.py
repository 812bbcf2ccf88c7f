#!/usr/bin/env python3
"""CNN throughput and exactness bench (issue 18): zynqnet's simulator vs onnxruntime.

One run, the 10,000 Fashion-MNIST test images (bench/out/fmnist_t10k.npz, as sim_bench.py
makes it) through the Fashion-MNIST-shaped CNN of the golden fixtures
(Tests/Fixtures/golden/cnn_fmnist.model.npz: conv 3x3x8 relu, maxpool 2, conv 3x3x16 relu,
maxpool 2, dense 400 -> 10; random int8 weights, half_up, per-channel M/s):

  zynqnet      `zynqnet infer IMAGES --model MODEL --json --output OUT.npz`; images/s from its
               JSON `images_per_second` (inference time only, as zynqnet measures it)
  onnxruntime  the same integer network as an ONNX graph: ConvInteger / MatMulInteger on uint8
               activations (weights as uint8 w + 128 with zero point 128: MLAS U8U8, exact),
               the spec's floor/half_up requantization in int64/uint64 ops as in sim_bench.py,
               MaxPool on the uint8 codes, Transpose to (h, w, c) before the dense layer; all cores.
  ort-u8s8     the same graph with int8 weights (reported; exact only where MLAS does not
               saturate, i.e. with VNNI)

Best of --repeat interleaved rounds; every row is compared with tools/reference.py (exact ints)
and names the CPU and the load. Run through bench/cnn_bench.sh, which makes the venv.
"""

import argparse
import os
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import reference as ref  # noqa: E402
from sim_bench import (add_cpuid_mask_option, agreement, apply_cpuid_mask, best_rounds, cpu_info, graph_requant, load_bench_inputs, ort_runner,  # noqa: E402
                       zynqnet_runner)


def onnx_cnn(model, weights="u8"):
    """The spec's CNN as an ONNX graph of integer ops (NCHW inside), bit-exact for floor/half_up
    layers without padding whose products provably fit (asserted)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []

    def const(name, arr):
        inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    H, W, C = model["input_shape"]
    nodes.append(helper.make_node("Reshape", ["images", const("in_shape", np.array([-1, H, W, C], np.int64))], ["x_nhwc"]))
    nodes.append(helper.make_node("Transpose", ["x_nhwc"], ["x0"], perm=[0, 3, 1, 2]))
    x_name, shape = "x0", [H, W, C]
    zx, signed = model["input_zero"], model["input_signed"]
    n = len(model["layers"])
    for i, L in enumerate(model["layers"]):
        p = f"l{i}_"
        last = i == n - 1
        if L["kind"] == "maxpool2d":
            nodes.append(helper.make_node("MaxPool", [x_name], [p + "y"], kernel_shape=L["size"], strides=L["stride"]))
            x_name, shape = p + "y", L["out_shape"]
            continue
        off = 128 if signed else 0
        w = L["weight"]
        out = w.shape[0]
        M, s, r, olo, ohi = graph_requant(L, zx, signed)
        out_off = 0 if last else (128 if L["out_signed"] else 0)
        if L["kind"] == "conv2d":
            assert L["padding"] == [0, 0, 0, 0]
            wk = w.transpose(0, 3, 1, 2)  # OHWI -> OIHW
            args = ([const(p + "w", (wk + 128).astype(np.uint8)), const(p + "azp", np.uint8(zx + off)),
                     const(p + "wzp", np.uint8(128))] if weights == "u8" else
                    [const(p + "w", wk.astype(np.int8)), const(p + "azp", np.uint8(zx + off))])
            nodes.append(helper.make_node("ConvInteger", [x_name] + args, [p + "acc32"], strides=L["stride"]))
            bshape = (1, out, 1, 1)
        else:
            if len(shape) == 3:  # (N, C, H, W) -> the spec's (h, w, c) flattening
                nodes.append(helper.make_node("Transpose", [x_name], [p + "nhwc"], perm=[0, 2, 3, 1]))
                nodes.append(helper.make_node("Reshape", [p + "nhwc", const(p + "flat", np.array([0, -1], np.int64))], [p + "x"]))
                x_name = p + "x"
            args = ([const(p + "w", (w.T + 128).astype(np.uint8)), const(p + "azp", np.uint8(zx + off)),
                     const(p + "wzp", np.uint8(128))] if weights == "u8" else
                    [const(p + "w", w.T.astype(np.int8)), const(p + "azp", np.uint8(zx + off))])
            nodes.append(helper.make_node("MatMulInteger", [x_name] + args, [p + "acc32"]))
            bshape = (out,)
        b = lambda a, dt=np.int64: np.asarray(a, dtype=dt).reshape(bshape)  # noqa: E731
        nodes += [
            helper.make_node("Cast", [p + "acc32"], [p + "acc"], to=TensorProto.INT64),
            helper.make_node("Add", [p + "acc", const(p + "bias", b(L["bias"]))], [p + "accb"]),
            helper.make_node("Mul", [p + "accb", const(p + "M", b(M))], [p + "prod"]),
            helper.make_node("Add", [p + "prod", const(p + "rnd", b(r + 2**62))], [p + "prod_off"]),
            helper.make_node("Cast", [p + "prod_off"], [p + "prod_u"], to=TensorProto.UINT64),
            helper.make_node("BitShift", [p + "prod_u", const(p + "s", b(s, np.uint64))], [p + "q_u"], direction="RIGHT"),
            helper.make_node("Cast", [p + "q_u"], [p + "q_off"], to=TensorProto.INT64),
            helper.make_node("Add", [p + "q_off", const(p + "zy", b(L["out_zero"] + out_off - np.left_shift(1, 62 - s)))],
                             [p + "y_unclamped"]),
            helper.make_node("Max", [p + "y_unclamped", const(p + "lo", np.int64(olo + out_off))], [p + "y_lo"]),
            helper.make_node("Min", [p + "y_lo", const(p + "hi", np.int64(ohi + out_off))], ["outputs" if last else p + "y"]),
        ]
        if not last:
            nodes.append(helper.make_node("Cast", [p + "y"], [p + "u8"], to=TensorProto.UINT8))
            x_name = p + "u8"
        shape = L["out_shape"]
        zx, signed = L["out_zero"], L["out_signed"]
    n_out = model["layers"][-1]["weight"].shape[0]
    graph = helper.make_graph(
        nodes, "zynqnet_cnn",
        [helper.make_tensor_value_info("images", TensorProto.UINT8, ["N", H, W])],
        [helper.make_tensor_value_info("outputs", TensorProto.INT64, ["N", n_out])], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="zynqnet-bench")
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m.SerializeToString()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=os.path.join(ROOT, "Tests", "Fixtures", "golden", "cnn_fmnist.model.npz"))
    ap.add_argument("--images", default=os.path.join(ROOT, "bench", "out", "fmnist_t10k.npz"))
    ap.add_argument("--zynqnet", default=os.environ.get("ZYNQNET", os.path.join(ROOT, ".build", "release", "zynqnet")))
    ap.add_argument("--repeat", type=int, default=3)
    add_cpuid_mask_option(ap)
    a = ap.parse_args()
    cpu_model, cpu_flags, _ = apply_cpuid_mask(a, *cpu_info())
    images, labels, model, n = load_bench_inputs(a, cpu_model, cpu_flags)
    macs = 0
    for L in model["layers"]:
        if L["kind"] != "maxpool2d":
            macs += int(np.prod(L["out_shape"][:-1] or [1])) * L["weight"].size if L["kind"] == "conv2d" else L["weight"].size
    print(f"{macs} MACs per image")
    t0 = time.perf_counter()
    ref_outs, ref_pred = ref.run(model, ref.quantize_images(model, images))
    ref_out = ref_outs[-1]
    print(f"tools/reference.py (exact ints) took {time.perf_counter() - t0:.2f} s")

    runners, notes = {}, {}
    tmpdir = tempfile.TemporaryDirectory()
    if os.access(a.zynqnet, os.X_OK):
        runners["zynqnet"] = zynqnet_runner(a.zynqnet, a.images, a.model, tmpdir.name, notes)
    else:
        print(f"zynqnet not found at {a.zynqnet}: skipped")
    try:
        import onnxruntime as ort
        feed = {"images": np.ascontiguousarray(images)}
        for name, wt in (("onnxruntime", "u8"), ("ort-u8s8", "s8")):
            so = ort.SessionOptions()
            so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            runners[name] = ort_runner(ort.InferenceSession(onnx_cnn(model, wt), so, providers=["CPUExecutionProvider"]), feed)
            notes[name] = f"onnxruntime {ort.__version__}, ConvInteger/MatMulInteger {'u8u8' if wt == 'u8' else 'u8s8'}, default threads"
    except ImportError as e:
        print(f"onnxruntime not available ({e}): skipped (run bench/cnn_bench.sh)")
    results = best_rounds(runners, a.repeat, n, notes, {"ort-u8s8": False})
    tmpdir.cleanup()
    print()
    print(f"{'backend':12s} {'images/s':>10s} {'seconds':>9s}  {'vs reference: pred / outputs':>29s}  {'load':>5s}  notes")
    for name, r in results.items():
        vr = "{:.4%} / {:.4%}".format(*agreement(r["out"], r["pred"], ref_out, ref_pred))
        print(f"{name:12s} {r['ips']:10.0f} {r['seconds']:9.4f}  {vr:>29s}  {r['load']:5.2f}  {r['note']}; {cpu_model}")
    exact_ort = [k for k in ("onnxruntime", "ort-u8s8") if k in results and np.array_equal(results[k]["out"], ref_out)]
    if "zynqnet" in results and exact_ort:
        fastest = max(exact_ort, key=lambda k: results[k]["ips"])
        print(f"\nzynqnet / onnxruntime (fastest exact path here: {fastest}) throughput ratio: "
              f"{results['zynqnet']['ips'] / results[fastest]['ips']:.3f}")
    inexact = [k for k in results if results[k]["must_be_exact"] and not np.array_equal(results[k]["out"], ref_out)]
    print("bit-exact to tools/reference.py: " + ", ".join(k for k in results if np.array_equal(results[k]["out"], ref_out)))
    return 1 if inexact else 0


if __name__ == "__main__":
    sys.exit(main())
