#!/bin/sh
# Bench (issue 7, item 4): how fast the RTL simulation runs, in images per second of wall
# time, through `zynqnet infer --backend rtlsim` — the runtime's driver, the AXI DMA model and
# the Verilated generated design (codegen's default fold, no stream stalls).
#
#   bench/rtlsim_bench.sh [IMAGES]      (default 10000; ZYNQNET=path/to/zynqnet picks the binary)
#
# Rows:
#   784-128-10  bench/models/fmnist_784_128_10.npz on the Fashion-MNIST test images (the goal:
#               at least 1,000 images/s)
#   144-18-10   pyrtlnet's network (Tests/Fixtures/real/pyrtlnet_quantized.npz) on its 200
#               test images, repeated to IMAGES
#   pyrtlnet    the reference: pyrtlnet's own PyRTL gate-level simulation of its 144-18-10
#               network, about 0.1 s an image as issue 7 quotes it. pyrtlnet is not on PyPI
#               (only PyRTL is), so it is not run here; the figure is quoted, not measured.
#
# "images/s" is the inference alone (the JSON's `seconds`: batches through the driver); "end
# to end" adds design generation, the cached build lookup and the parameter load (the whole
# process). The first run builds each design with Verilator (cached in ~/.cache/zynqnet/rtlsim
# or $ZYNQNET_RTLSIM_CACHE); that build is run and timed separately. The machine's load
# average is printed: other processes share its 2 cores and slow every number down.
# Writes only bench/out (git-ignored).
set -eu
cd "$(dirname "$0")/.."
N="${1:-10000}"

if [ -z "${ZYNQNET:-}" ]; then
    ZYNQNET=.build/release/zynqnet
    if [ ! -x "$ZYNQNET" ]; then
        echo "building $ZYNQNET (swift build -c release --product zynqnet)" >&2
        swift build -c release --product zynqnet >&2
    fi
fi
FMNIST=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
if [ ! -f "$FMNIST" ]; then
    echo "missing $FMNIST (apt-get install dataset-fashion-mnist)" >&2
    exit 1
fi
MODEL=bench/models/fmnist_784_128_10.npz
if [ ! -f "$MODEL" ]; then
    python3 bench/make_bench_model.py >&2
fi
mkdir -p bench/out
PYRTLNET_MODEL=Tests/Fixtures/real/pyrtlnet_quantized.npz
PYRTLNET_IMAGES=bench/out/pyrtlnet_images_$N.npz
python3 - "$N" "$PYRTLNET_IMAGES" <<'PY'
import sys, numpy as np
n, out = int(sys.argv[1]), sys.argv[2]
d = np.load("Tests/Fixtures/real/pyrtlnet_test_data_u8.npz")
reps = -(-n // len(d["images"]))
np.savez(out, images=np.tile(d["images"], (reps, 1, 1))[:n])
PY

: > bench/out/rtlsim.json
run() {  # run NAME MODEL IMAGES
    name=$1 model=$2 images=$3
    # Build (or find) the design's simulation first, on a few images, so the timed run is warm.
    t0=$(date +%s.%N)
    "$ZYNQNET" infer "$images" --model "$model" --backend rtlsim --limit 8 --json > /dev/null 2>> bench/out/build.log
    t1=$(date +%s.%N)
    /usr/bin/time -f "%e %U %S" -o bench/out/time.txt \
        "$ZYNQNET" infer "$images" --model "$model" --backend rtlsim --limit "$N" --json > bench/out/run.json
    python3 - "$name" "$t0" "$t1" <<'PY'
import json, sys
name, t0, t1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
r = json.load(open("bench/out/run.json"))
wall, user, sys_ = (float(x) for x in open("bench/out/time.txt").read().split())
row = {"network": name, "images": r["images"], "seconds": r["seconds"], "images_per_second": r["images_per_second"],
       "end_to_end_seconds": wall, "end_to_end_images_per_second": r["images"] / wall, "cpu_seconds": user + sys_,
       "first_call_seconds": t1 - t0, "cycles": r["cycles"], "ii_cycles": r["ii_cycles"],
       "latency_cycles": r["latency_cycles"], "images_per_second_at_fclk": r["images_per_second_at_fclk"],
       "rtl_cycles_per_second": r["rtl_cycles_per_second"]}
open("bench/out/rtlsim.json", "a").write(json.dumps(row) + "\n")
print("%-11s %7d %9.3f %10.0f %10.0f %9.1f %6d %8d %12.0f %11.0f" % (
    name, row["images"], row["seconds"], row["images_per_second"], row["end_to_end_images_per_second"],
    row["first_call_seconds"], row["ii_cycles"], row["latency_cycles"], row["rtl_cycles_per_second"],
    row["images_per_second_at_fclk"]))
PY
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; zynqnet $(git rev-parse --short HEAD 2>/dev/null || echo "?")"
printf "%-11s %7s %9s %10s %10s %9s %6s %8s %12s %11s\n" network images seconds images/s end2end/s build_s II latency rtl_cycles/s hw_img/s
run 784-128-10 "$MODEL" "$FMNIST"
run 144-18-10 "$PYRTLNET_MODEL" "$PYRTLNET_IMAGES"
printf "%-11s %7s %9s %10s %10s %9s %6s %8s %12s %11s\n" pyrtlnet - "~0.1/img" "~10" - - - - - -
echo "(pyrtlnet: PyRTL simulation of the 144-18-10 network, quoted from issue 7; not on PyPI, not run here)"
echo "wrote bench/out/rtlsim.json"
