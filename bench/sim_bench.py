#!/usr/bin/env python3
"""Throughput and exactness bench: zynqnet's simulator vs NumPy vs onnxruntime.

One run, the same 10,000 Fashion-MNIST test images (made from the Debian IDX files into
bench/out/fmnist_t10k.npz) and the same 784-128-10 int8 format-1 model
(bench/models/fmnist_784_128_10.npz, made by bench/make_bench_model.py):

  zynqnet      `zynqnet infer IMAGES --model MODEL --json --output OUT.npz` (path from $ZYNQNET
               or .build/release/zynqnet); images/s = its JSON `images_per_second` (inference
               time only, as zynqnet measures it)
  numpy        a plain vectorized NumPy integer implementation of the spec (int64 matmul,
               exact int64 requantization after proving |acc * M| < 2^62), one thread
  onnxruntime  the same integer network as an ONNX graph: MatMulInteger (uint8 activations
               with a zero point, weights as uint8 w+128 with zero point 128) -> int64 bias, * M, + rounding constant and
               2^62 offset, BitShift right (uint64), - offset, + zy, Max/Min clamp; bit-exact
               to the spec for this model (the script proves the preconditions); all cores.
  ort-u8s8     the same graph with int8 weights (the common U8S8 form): faster, but MLAS's
               AVX2 kernel saturates pairs of products to int16, so it is reported, not required
               to be exact

Each is timed best-of --repeat, in interleaved rounds; each one's outputs are compared with zynqnet's (fraction of
images with the same prediction and with identical output vectors) and with
tools/reference.py (exact Python ints). Run through bench/sim_bench.sh, which makes the venv.

The goal ratio is zynqnet against the fastest onnxruntime graph that is bit-exact in this run
(u8s8 where the CPU has VNNI, whose vpdpbusd does not saturate; else u8u8). Every row names
the CPU (model, the flags that pick kernels) and the 1-minute load average of its best round;
zynqnet's row names the kernel it used. The int8 multiply-accumulate peak is
cores x GHz x MACs/cycle (--ghz, default /proc/cpuinfo's "cpu MHz"; --macs-per-cycle, default
64 with AVX-512 VNNI or AVX-VNNI: one 512-bit or two 256-bit vpdpbusd per cycle, as on Zen 4,
else 32: two 256-bit vpmaddwd per cycle), and each row shows its images/s against it.

--cpuid-mask avx2 (given to bench/sim_bench.sh, which preloads bench/cpuid_mask.c) hides
AVX-512, AVX-VNNI and AMX from every backend through Linux's CPUID faulting, so zynqnet,
onnxruntime and NumPy each choose the kernels they would choose on an AVX2-only CPU; the CPU
column then says so. It reproduces the other machine's instruction set, not its timing.
"""

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import reference as ref  # noqa: E402

FMNIST = "/usr/share/datasets/fashion-mnist"


def make_images(path):
    """The t10k IDX files -> npz with `images` uint8 (10000, 28, 28) and `labels` int64."""
    if os.path.exists(path):
        return
    with gzip.open(os.path.join(FMNIST, "t10k-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(os.path.join(FMNIST, "t10k-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    ref.save_npz(path, {"images": images, "labels": labels})


# ------------------------------------------------------------------------ NumPy

def numpy_prepare(model):
    layers = []
    zx, signed = model["input_zero"], model["input_signed"]
    for L in model["layers"]:
        w = L["weight"]  # int64 (out, in)
        lo, hi = (-128, 127) if signed else (0, 255)
        span = max(abs(lo - zx), abs(hi - zx))
        acc_bound = np.abs(w).sum(axis=1) * span + np.abs(np.array(L["bias"]))
        M = np.array(L["M"], dtype=np.int64)
        s = np.array(L["s"], dtype=np.int64)
        r = np.where((s >= 1) & (L["rounding"] == "half_up"), np.left_shift(1, np.maximum(s - 1, 0)), 0)
        assert (acc_bound * M + r < 2**62).all(), "int64 requantization not provably exact"
        olo, ohi = (-128, 127) if L["out_signed"] else (0, 255)
        if L["relu"]:
            olo = max(olo, L["out_zero"])
        layers.append(dict(wt=np.ascontiguousarray(w.T), zx=zx, bias=np.array(L["bias"], np.int64), M=M, s=s, r=r,
                           zy=L["out_zero"], lo=olo, hi=ohi))
        zx, signed = L["out_zero"], L["out_signed"]
    return layers


def numpy_run(model, layers, images):
    x = ref.quantize_images(model, images)  # int64 (N, 784)
    for L in layers:
        acc = (x - L["zx"]) @ L["wt"] + L["bias"]
        x = np.clip(L["zy"] + ((acc * L["M"] + L["r"]) >> L["s"]), L["lo"], L["hi"])
    return x, np.argmax(x, axis=1)


# ------------------------------------------------------------------ onnxruntime

def graph_requant(L, zx, signed):
    """M, s, the rounding constant r and the output range [olo, ohi] of a floor/half_up layer
    run as int64/uint64 ONNX ops, after proving that it is exact: the int32 MatMulInteger /
    ConvInteger sums cannot overflow and |p + r| < 2^62, so p + r + 2^62 is in [0, 2^63) and
    floor((p + r) / 2^s) = ((p + r + 2^62) >> s) - 2^(62 - s)."""
    w = L["weight"].reshape(L["weight"].shape[0], -1)
    s = np.array(L["s"], dtype=np.int64)
    M = np.array(L["M"], dtype=np.int64)
    assert L["rounding"] in ("floor", "half_up") and (s <= 62).all()
    lo_in, hi_in = (-128, 127) if signed else (0, 255)
    span = max(abs(lo_in - zx), abs(hi_in - zx))
    mm_bound = np.abs(w).sum(axis=1) * span
    assert (mm_bound < 2**31).all()
    r = np.where((s >= 1) & (L["rounding"] == "half_up"), np.left_shift(1, np.maximum(s - 1, 0)), 0)
    assert ((mm_bound + np.abs(np.array(L["bias"]))) * M + r < 2**62).all()
    olo, ohi = (-128, 127) if L["out_signed"] else (0, 255)
    if L["relu"]:
        olo = max(olo, L["out_zero"])
    return M, s, r, olo, ohi


def onnx_model(model, weights="u8"):
    """The spec's network as an ONNX graph of integer ops, bit-exact for this model.

    weights="u8": B = uint8(w + 128) with b_zero_point 128 (MLAS U8U8: exact);
    weights="s8": B = int8 w (MLAS U8S8: on AVX2 without VNNI its vpmaddubsw kernel
    saturates pairs of products to int16, so it is NOT exact there)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []

    def const(name, arr):
        inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    x_name = "images"  # uint8 pixels, (N, in)
    # A layer input value x with zero point zx is fed as uint8 u = x + off (off = 128 for int8,
    # 0 for uint8) with a_zero_point zx + off, so u - a_zp = x - zx exactly.
    # uint8 images into an int8 input are pixel - 128, i.e. u = pixel: no conversion.
    zx, signed = model["input_zero"], model["input_signed"]
    n = len(model["layers"])
    for i, L in enumerate(model["layers"]):
        off = 128 if signed else 0
        w = L["weight"]
        M, s, r, olo, ohi = graph_requant(L, zx, signed)
        last = i == n - 1
        out_off = 0 if last else (128 if L["out_signed"] else 0)
        p = f"l{i}_"
        nodes += [
            helper.make_node("MatMulInteger", [x_name] + (
                [const(p + "w", (w.T + 128).astype(np.uint8)), const(p + "azp", np.uint8(zx + off)),
                 const(p + "wzp", np.uint8(128))] if weights == "u8" else
                [const(p + "w", w.T.astype(np.int8)), const(p + "azp", np.uint8(zx + off))]), [p + "acc32"]),
            helper.make_node("Cast", [p + "acc32"], [p + "acc"], to=TensorProto.INT64),
            helper.make_node("Add", [p + "acc", const(p + "bias", np.array(L["bias"], np.int64))], [p + "accb"]),
            helper.make_node("Mul", [p + "accb", const(p + "M", M)], [p + "prod"]),
            helper.make_node("Add", [p + "prod", const(p + "rnd", r + 2**62)], [p + "prod_off"]),
            helper.make_node("Cast", [p + "prod_off"], [p + "prod_u"], to=TensorProto.UINT64),
            helper.make_node("BitShift", [p + "prod_u", const(p + "s", s.astype(np.uint64))], [p + "q_u"],
                             direction="RIGHT"),
            helper.make_node("Cast", [p + "q_u"], [p + "q_off"], to=TensorProto.INT64),
            helper.make_node("Add", [p + "q_off", const(p + "zy", L["out_zero"] + out_off - np.left_shift(1, 62 - s))],
                             [p + "y_unclamped"]),
            helper.make_node("Max", [p + "y_unclamped", const(p + "lo", np.int64(olo + out_off))], [p + "y_lo"]),
            helper.make_node("Min", [p + "y_lo", const(p + "hi", np.int64(ohi + out_off))],
                             ["outputs" if last else p + "y"]),
        ]
        if not last:
            nodes.append(helper.make_node("Cast", [p + "y"], [p + "u8"], to=TensorProto.UINT8))
            x_name = p + "u8"
        zx, signed = L["out_zero"], L["out_signed"]
    n_in = model["layers"][0]["weight"].shape[1]
    n_out = model["layers"][-1]["weight"].shape[0]
    graph = helper.make_graph(
        nodes, "zynqnet_spec",
        [helper.make_tensor_value_info("images", TensorProto.UINT8, ["N", n_in])],
        [helper.make_tensor_value_info("outputs", TensorProto.INT64, ["N", n_out])], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="zynqnet-bench")
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m.SerializeToString()


# ------------------------------------------------------------------- runners
# Each runner does one timed run and returns (seconds, outputs, predictions).

def zynqnet_runner(zynqnet, images, model, tmpdir, notes):
    """`zynqnet infer IMAGES --model MODEL --json --output`; seconds are its JSON's (inference only)."""
    out_path = os.path.join(tmpdir, "out.npz")

    def run_zynqnet():
        cp = subprocess.run([zynqnet, "infer", images, "--model", model, "--json", "--output", out_path],
                            capture_output=True, text=True)
        if cp.returncode != 0:
            raise RuntimeError(f"zynqnet failed ({cp.returncode}): {cp.stderr.strip()}")
        info = json.loads(cp.stdout)
        notes["zynqnet"] = f"{info.get('backend', 'sim')}, kernel {info.get('kernel', '?')}, all cores (its JSON seconds)"
        with np.load(out_path) as z:
            return info["seconds"], z["outputs"].astype(np.int64), z["predictions"].astype(np.int64)
    return run_zynqnet


def ort_runner(sess, feed):
    """One onnxruntime session run on `feed` (after a warm-up run)."""
    sess.run(None, feed)

    def run_ort():
        t0 = time.perf_counter()
        out = sess.run(None, feed)[0]
        dt = time.perf_counter() - t0
        out = out.astype(np.int64)
        return dt, out, np.argmax(out, axis=1)
    return run_ort


def best_rounds(runners, repeat, n, notes, must_be_exact):
    """`repeat` interleaved rounds (one run of every runner per round, so a busy machine hurts
    all alike); each runner keeps its best round. A runner that fails is reported and dropped."""
    results = {}
    for _ in range(repeat):
        for name, fn in list(runners.items()):
            try:
                sec, out, pred = fn()
            except RuntimeError as e:
                print(e)
                del runners[name]
                results.pop(name, None)
                continue
            if name not in results or sec < results[name]["seconds"]:
                results[name] = dict(seconds=sec, ips=n / sec, out=out, pred=pred, note=notes[name],
                                     must_be_exact=must_be_exact.get(name, True), load=os.getloadavg()[0])
    return results


def load_bench_inputs(a, cpu_model, cpu_flags):
    """The images (made from the IDX files on first use), labels and model of the run, and its
    header lines (model, images, cores, CPU, load)."""
    make_images(a.images)
    with np.load(a.images) as z:
        images, labels = z["images"], z["labels"]
    model = ref.load_model(a.model)
    n = len(images)
    print(f"model {os.path.relpath(a.model, ROOT)}, {n} images {os.path.relpath(a.images, ROOT)}, "
          f"{os.cpu_count()} cores, best of {a.repeat}")
    print(f"CPU: {cpu_model}; flags: {' '.join(cpu_flags)}; load average at start {os.getloadavg()[0]:.2f}")
    return images, labels, model, n


# ----------------------------------------------------------------------- main

def cpu_info():
    """(model name, kernel-relevant flags, MHz) from /proc/cpuinfo (Linux), else from platform."""
    model, flags, mhz, ids = "unknown CPU", set(), None, {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key, value = key.strip(), value.strip()
                if key == "model name" and model == "unknown CPU":
                    model = value
                elif key in ("cpu family", "model") and key not in ids:
                    ids[key] = value
                elif key in ("flags", "Features") and not flags:
                    flags = set(value.split())
                elif key == "cpu MHz" and mhz is None:
                    mhz = float(value)
        if ids:
            model += f" (family {ids.get('cpu family', '?')} model {ids.get('model', '?')})"
    except OSError:
        import platform
        model = platform.processor() or platform.machine()
    wanted = ["sse2", "avx2", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni", "amx_tile", "amx_int8",
              "asimd", "asimddp"]
    return model, [f for f in wanted if f in flags], mhz


def add_cpuid_mask_option(ap):
    ap.add_argument("--cpuid-mask", choices=["avx2"], default=None,
                    help="hide AVX-512, AVX-VNNI and AMX from every backend (set up by the bench's .sh script)")


def apply_cpuid_mask(a, cpu_model, cpu_flags, mhz):
    """With --cpuid-mask: checks that bench/cpuid_mask.c is preloaded and in effect (NumPy's own
    CPU detection must no longer see AVX-512F), and returns the CPU as the backends see it."""
    if not a.cpuid_mask:
        return cpu_model, cpu_flags, mhz
    if os.environ.get("ZN_CPUID_MASK") != a.cpuid_mask or "cpuid_mask.so" not in os.environ.get("LD_PRELOAD", ""):
        sys.exit("error: '--cpuid-mask': run the bench through its .sh script, which preloads bench/cpuid_mask.c")
    from numpy._core._multiarray_umath import __cpu_features__ as npf
    if npf.get("AVX512F") or not npf.get("AVX2"):
        sys.exit("error: '--cpuid-mask': the mask did not take effect (NumPy still sees AVX-512F, or no AVX2)")
    cpu_flags = [f for f in cpu_flags if not f.startswith(("avx512", "avx_vnni", "amx"))]
    return cpu_model + f" with CPUID masked to {a.cpuid_mask} (bench/cpuid_mask.c)", cpu_flags, mhz


def agreement(a_out, a_pred, b_out, b_pred):
    return float(np.mean(a_pred == b_pred)), float(np.mean((a_out == b_out).all(axis=1)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=os.path.join(ROOT, "bench", "models", "fmnist_784_128_10.npz"))
    ap.add_argument("--images", default=os.path.join(ROOT, "bench", "out", "fmnist_t10k.npz"))
    ap.add_argument("--zynqnet", default=os.environ.get("ZYNQNET", os.path.join(ROOT, ".build", "release", "zynqnet")))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--ghz", type=float, default=None, help="core clock for the peak (default: /proc/cpuinfo cpu MHz)")
    ap.add_argument("--macs-per-cycle", type=int, default=None, help="int8 MACs per core per cycle for the peak")
    add_cpuid_mask_option(ap)
    a = ap.parse_args()
    cpu_model, cpu_flags, mhz = apply_cpuid_mask(a, *cpu_info())
    ghz = a.ghz or (mhz / 1000 if mhz else None)
    vnni = "avx512_vnni" in cpu_flags or "avx_vnni" in cpu_flags
    macs_per_cycle = a.macs_per_cycle or (64 if vnni else 32)

    images, labels, model, n = load_bench_inputs(a, cpu_model, cpu_flags)
    macs_per_image = sum(int(L["weight"].shape[0]) * int(L["weight"].shape[1]) for L in model["layers"])
    peak_ips = None
    if ghz:
        peak = os.cpu_count() * ghz * 1e9 * macs_per_cycle
        peak_ips = peak / macs_per_image
        print(f"int8 MAC peak: {os.cpu_count()} cores x {ghz:.3f} GHz x {macs_per_cycle} MACs/cycle = {peak / 1e9:.0f} G MAC/s; "
              f"{macs_per_image} MACs/image -> {peak_ips:,.0f} images/s")

    t0 = time.perf_counter()
    ref_outs, ref_pred = ref.run(model, ref.quantize_images(model, images))
    ref_out = ref_outs[-1]
    print(f"tools/reference.py (exact ints) took {time.perf_counter() - t0:.2f} s; accuracy {np.mean(ref_pred == labels):.4f}")

    runners, notes, must_be_exact = {}, {}, {}
    tmpdir = tempfile.TemporaryDirectory()

    if os.access(a.zynqnet, os.X_OK):
        runners["zynqnet"] = zynqnet_runner(a.zynqnet, a.images, a.model, tmpdir.name, notes)
    else:
        print(f"zynqnet not found at {a.zynqnet} (set ZYNQNET or build it): skipped")

    layers = numpy_prepare(model)

    def run_numpy():
        t0 = time.perf_counter()
        out, pred = numpy_run(model, layers, images)
        return time.perf_counter() - t0, out, pred
    runners["numpy"] = run_numpy
    notes["numpy"] = f"numpy {np.__version__}, int64, 1 thread"

    # onnxruntime: U8U8 (exact) and U8S8 (the usual choice; inexact on AVX2 without VNNI)
    try:
        import onnxruntime as ort
        feed = {"images": np.ascontiguousarray(images.reshape(n, -1))}
        for name, wt in (("onnxruntime", "u8"), ("ort-u8s8", "s8")):
            so = ort.SessionOptions()
            so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            sess = ort.InferenceSession(onnx_model(model, wt), so, providers=["CPUExecutionProvider"])
            runners[name] = ort_runner(sess, feed)
            must_be_exact[name] = wt == "u8"
            notes[name] = (f"onnxruntime {ort.__version__}, MatMulInteger {'u8u8' if wt == 'u8' else 'u8s8 (exact only with VNNI)'}, "
                           f"default threads")
    except ImportError as e:
        print(f"onnxruntime not available ({e}): skipped (run bench/sim_bench.sh)")

    results = best_rounds(runners, a.repeat, n, notes, must_be_exact)
    tmpdir.cleanup()

    base = results.get("zynqnet")
    print()
    print(f"{'backend':12s} {'images/s':>12s} {'% peak':>7s} {'seconds':>9s} {'accuracy':>9s}  {'vs zynqnet: pred / outputs':>27s}  "
          f"{'vs reference: pred / outputs':>29s}  {'load':>5s}  notes")
    for name, r in results.items():
        vz = "n/a" if base is None else "{:.4%} / {:.4%}".format(*agreement(r["out"], r["pred"], base["out"], base["pred"]))
        vr = "{:.4%} / {:.4%}".format(*agreement(r["out"], r["pred"], ref_out, ref_pred))
        pk = f"{100 * r['ips'] / peak_ips:6.2f}%" if peak_ips else "    n/a"
        print(f"{name:12s} {r['ips']:12.0f} {pk} {r['seconds']:9.4f} {np.mean(r['pred'] == labels):9.4f}  {vz:>27s}  {vr:>29s}  "
              f"{r['load']:5.2f}  {r['note']}; {cpu_model} [{' '.join(cpu_flags)}]")
    exact_ort = [k for k in ("onnxruntime", "ort-u8s8") if k in results and np.array_equal(results[k]["out"], ref_out)]
    if base is not None and exact_ort:
        fastest = max(exact_ort, key=lambda k: results[k]["ips"])
        print(f"\nzynqnet / onnxruntime (fastest exact path here: {fastest}) throughput ratio: "
              f"{base['ips'] / results[fastest]['ips']:.3f}")
    if base is not None:
        print(f"zynqnet / numpy throughput ratio: {base['ips'] / results['numpy']['ips']:.3f}")
    required = [k for k, r in results.items() if r.get("must_be_exact", True)]
    inexact = [k for k in required if not np.array_equal(results[k]["out"], ref_out)]
    print(f"bit-exact to tools/reference.py: {', '.join(k for k in required if k not in inexact)}"
          + (f"; NOT bit-exact: {', '.join(inexact)}" if inexact else ""))
    exact = not inexact
    if "ort-u8s8" in results and not np.array_equal(results["ort-u8s8"]["out"], ref_out):
        print("ort-u8s8 is not exact here: MLAS's U8S8 kernel sums pairs of u8*s8 products in int16 with "
              "saturation (vpmaddubsw) on CPUs without AVX-VNNI; it is shown for speed only")
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
