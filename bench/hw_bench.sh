#!/bin/sh
# Bench (issue 4): the generated hardware for the 784-128-10 Fashion-MNIST models.
#
#   bench/hw_bench.sh [--images N] [--synth N] [--models "A.npz B.npz"] [--fold-args "…"]
#   (ZYNQNET=path/to/zynqnet picks the binary; default .build/release/zynqnet, built if missing)
#
# For each model (default bench/models/fmnist_784_128_10.npz and examples/fashion-mnist/model.npz):
#   1. end to end, timed: `zynqnet codegen` (default fold: --target-fps 200000, the goal's) +
#      `verilator --lint-only -Wall` on the generated RTL (top zynqnet_accel) +
#      `zynqnet report` (yosys synth_xilinx, hierarchical, one process per core): wall seconds of
#      each step and the yosys share (bench/g1_bench.sh runs this step alone, --repeat N);
#   2. `zynqnet verify` on N real Fashion-MNIST test images (default 200, from
#      examples/fashion-mnist/test-200.npz): mismatches, II, latency, RTL cycles/s
#      (optimized Verilator build, cached in bench/out/hw/verilator; the build time is shown);
#   3. the goal table: images/s at 100 MHz (>= 200,000, II <= 500), DSP48E1 (<= 220),
#      LUT % of the xc7z020 (<= 60 %), bit-exact.
# Then the trade-off curve of the first model (`zynqnet report --model`, with --synth N yosys
# runs when N > 0, default 0). Writes only under bench/out/hw (git-ignored).
set -eu
cd "$(dirname "$0")/.."

IMAGES=200
SYNTH=0
MODELS="bench/models/fmnist_784_128_10.npz examples/fashion-mnist/model.npz"
FOLD_ARGS="--target-fps 200000"
while [ $# -gt 0 ]; do
    case "$1" in
        --images) IMAGES="$2"; shift 2 ;;
        --synth) SYNTH="$2"; shift 2 ;;
        --models) MODELS="$2"; shift 2 ;;
        --fold-args) FOLD_ARGS="$2"; shift 2 ;;
        *) echo "usage: bench/hw_bench.sh [--images N] [--synth N] [--models \"A.npz ...\"] [--fold-args \"...\"]" >&2; exit 2 ;;
    esac
done

for tool in verilator yosys python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "hw_bench: $tool is not installed (scripts/install-deps.sh)" >&2; exit 1; }
done
if [ -z "${ZYNQNET:-}" ]; then
    ZYNQNET=.build/release/zynqnet
    if [ ! -x "$ZYNQNET" ]; then
        echo "building $ZYNQNET (swift build -c release --product zynqnet)" >&2
        swift build -c release --product zynqnet >&2
    fi
fi
IMAGESET=examples/fashion-mnist/test-200.npz
OUT=bench/out/hw
mkdir -p "$OUT"

now() { python3 -c 'import time; print(f"{time.monotonic():.3f}")'; }
secs() { python3 -c "print(f'{$2 - $1:.1f}')"; }
jget() { python3 -c "import json,sys; d=json.load(open('$1')); print(eval('d' + sys.argv[1]))" "$2"; }

echo "zynqnet hw bench: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(verilator --version | head -1), $(yosys -V | cut -d' ' -f1-2)"
echo "binary: $ZYNQNET; fold: $FOLD_ARGS; images: $IMAGES from $IMAGESET"

SUMMARY="$OUT/summary.txt"
: > "$SUMMARY"
first_model=""
for MODEL in $MODELS; do
    [ -n "$first_model" ] || first_model="$MODEL"
    name=$(basename "$(dirname "$MODEL")")_$(basename "$MODEL" .npz)
    DIR="$OUT/$name"
    echo
    echo "=== $MODEL ==="
    # 1. codegen + lint + report, end to end.
    t0=$(now)
    # shellcheck disable=SC2086
    "$ZYNQNET" codegen "$MODEL" --board pynq-z2 --fclk 100 $FOLD_ARGS -o "$DIR" --json > "$OUT/$name.codegen.json"
    t1=$(now)
    (cd "$DIR" && verilator --lint-only -Wall -Irtl --top-module zynqnet_accel rtl/*.v) > "$OUT/$name.lint.txt" 2>&1 \
        || { echo "verilator lint FAILED:"; cat "$OUT/$name.lint.txt"; exit 1; }
    lint_warnings=$(grep -c '^%' "$OUT/$name.lint.txt" || true)
    t2=$(now)
    "$ZYNQNET" report "$DIR" --json > "$OUT/$name.report.json" 2> "$OUT/$name.report.log"
    t3=$(now)
    echo "codegen $(secs "$t0" "$t1") s, verilator lint $(secs "$t1" "$t2") s ($lint_warnings warnings), report (yosys) $(secs "$t2" "$t3") s:" \
         "end to end $(secs "$t0" "$t3") s (goal < 30 s), yosys $(python3 -c "print(f'{100*($t3-$t2)/($t3-$t0):.0f}')") % of it"
    echo "  yosys alone: $(jget "$OUT/$name.report.json" "['yosys_seconds']") s ($(jget "$OUT/$name.report.json" "['synth_flow']"), $(jget "$OUT/$name.report.json" "['yosys_jobs']") process(es), CPU $(jget "$OUT/$name.report.json" "['yosys_cpu_seconds']") s)"
    python3 - "$OUT/$name.codegen.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for i, l in enumerate(d["layers"]):
    print(f"  layer {i}: {l['in']}x{l['out']}  PE {l['pe']}  SIMD {l['simd']}  lanes {l['lanes']}  {l['mul_style']}  {l['cycles']} cycles")
e = d["estimate"]
print(f"  estimate: {e['lut']} LUT, {e['ff']} FF, {e['dsp']} DSP48E1, {e['bram36']} BRAM36; II {d['ii_cycles']}, latency {d['latency_cycles']}")
EOF

    # 2. co-simulation on real images.
    t4=$(now)
    # shellcheck disable=SC2086
    "$ZYNQNET" verify "$MODEL" "$IMAGESET" --images "$IMAGES" $FOLD_ARGS --build-dir "$OUT/verilator" --json \
        > "$OUT/$name.verify.json" || true
    t5=$(now)
    echo "verify: $(secs "$t4" "$t5") s (Verilator build included unless cached)"

    # 3. goal table.
    python3 - "$MODEL" "$OUT/$name.codegen.json" "$OUT/$name.report.json" "$OUT/$name.verify.json" "$(secs "$t0" "$t3")" <<'EOF' | tee -a "$SUMMARY"
import json, sys
model, cg, rep, ver, e2e = sys.argv[1], *[json.load(open(p)) for p in sys.argv[2:5]], float(sys.argv[5])
ips = 100e6 / rep["ii_cycles"]
lut_pct = rep["utilization"]["lut"]
rows = [
    ("images/s at 100 MHz", f"{ips:,.0f} (II {rep['ii_cycles']})", ">= 200,000 (II <= 500)", ips >= 200000 and rep["ii_cycles"] <= 500),
    ("measured II / latency", f"{ver['ii_cycles']} / {ver['latency_cycles']} cycles (design {ver['design_ii_cycles']} / {ver['design_latency_cycles']})",
     "= design", ver["ii_cycles"] == ver["design_ii_cycles"] and ver["latency_cycles"] == ver["design_latency_cycles"]),
    ("DSP48E1 (yosys)", f"{rep['dsp']} ({rep['utilization']['dsp']:.1f} %)", "<= 220", rep["dsp"] <= 220),
    ("LUT (yosys)", f"{rep['lut']:,} ({lut_pct:.1f} %)", "<= 60 %", lut_pct <= 60),
    ("FF / BRAM36 (yosys)", f"{rep['ff']:,} / {rep['bram36']}", "", True),
    ("bit-exact", f"{ver['images']} outputs (incl. 6 timing re-sends), {ver['mismatches']} mismatches, {ver['readback_mismatches']} read-back mismatches", "0 mismatches",
     ver["passed"] and ver["mismatches"] == 0),
    ("RTL simulation", f"{ver['rtl_cycles_per_second']:,.0f} cycles/s", "", True),
    ("codegen + lint + report", f"{e2e:.1f} s (yosys {rep['yosys_seconds']:.1f} s)", "< 30 s", e2e < 30),
]
print(f"goal table: {model}")
w = max(len(r[0]) for r in rows)
for name, val, goal, ok in rows:
    print(f"  {name:<{w}}  {val:<72} {goal:<24} {'' if not goal else ('met' if ok else 'NOT MET')}".rstrip())
EOF
done

# The trade-off curve of the first model.
echo
echo "=== trade-off curve: $first_model ==="
"$ZYNQNET" report --model "$first_model" --board pynq-z2 --fclk 100 --synth "$SYNTH" | tee "$OUT/curve.txt"
echo
echo "wrote $OUT (summary.txt, per-model codegen/report/verify JSON, curve.txt)"
