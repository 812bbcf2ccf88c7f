#!/bin/sh
# G1 timing (issue 4): `zynqnet codegen` + `verilator --lint-only -Wall` + `zynqnet report` for
# the 784-128-10 goal design, end to end, wall seconds of each step (goal: < 30 s in all).
#
#   bench/g1_bench.sh [--repeat N] [--model M.npz] [--fold-args "…"] [--report-args "…"]
#   (ZYNQNET=path/to/zynqnet picks the binary; default .build/release/zynqnet, built if missing)
#
# --report-args passes report options, e.g. "--flatten" (the former flow) or "--jobs 1".
# Prints the machine's load average first: other processes on the cores change wall times
# (yosys_cpu_seconds in the report is each yosys process's own CPU time). Writes only under
# bench/out/g1 (git-ignored).
set -eu
cd "$(dirname "$0")/.."

REPEAT=1
MODEL=bench/models/fmnist_784_128_10.npz
FOLD_ARGS="--target-fps 200000"
REPORT_ARGS=""
while [ $# -gt 0 ]; do
    case "$1" in
        --repeat) REPEAT="$2"; shift 2 ;;
        --model) MODEL="$2"; shift 2 ;;
        --fold-args) FOLD_ARGS="$2"; shift 2 ;;
        --report-args) REPORT_ARGS="$2"; shift 2 ;;
        *) echo "usage: bench/g1_bench.sh [--repeat N] [--model M.npz] [--fold-args \"...\"] [--report-args \"...\"]" >&2; exit 2 ;;
    esac
done
for tool in verilator yosys python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "g1_bench: $tool is not installed (scripts/install-deps.sh)" >&2; exit 1; }
done
if [ -z "${ZYNQNET:-}" ]; then
    ZYNQNET=.build/release/zynqnet
    if [ ! -x "$ZYNQNET" ]; then
        echo "building $ZYNQNET (swift build -c release --product zynqnet)" >&2
        swift build -c release --product zynqnet >&2
    fi
fi
OUT=bench/out/g1
mkdir -p "$OUT"
now() { python3 -c 'import time; print(f"{time.monotonic():.3f}")'; }

echo "g1 bench: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(verilator --version | head -1), $(yosys -V | cut -d' ' -f1-2)"
echo "binary: $ZYNQNET; model: $MODEL; fold: $FOLD_ARGS; report: ${REPORT_ARGS:-(default flow)}"
i=1
while [ "$i" -le "$REPEAT" ]; do
    DIR="$OUT/design"
    rm -rf "$DIR"
    t0=$(now)
    # shellcheck disable=SC2086
    "$ZYNQNET" codegen "$MODEL" --board pynq-z2 --fclk 100 $FOLD_ARGS -o "$DIR" > /dev/null
    t1=$(now)
    (cd "$DIR" && verilator --lint-only -Wall -Irtl --top-module zynqnet_accel rtl/*.v) > "$OUT/lint.txt" 2>&1 \
        || { echo "verilator lint FAILED:"; cat "$OUT/lint.txt"; exit 1; }
    t2=$(now)
    # shellcheck disable=SC2086
    "$ZYNQNET" report "$DIR" --json $REPORT_ARGS > "$OUT/report.json" 2> "$OUT/report.log"
    t3=$(now)
    python3 - "$OUT/report.json" "$t0" "$t1" "$t2" "$t3" "$i" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); t0, t1, t2, t3 = map(float, sys.argv[2:6])
cpu = d.get("yosys_cpu_seconds", [])
print(f"run {sys.argv[6]}: codegen {t1-t0:.1f} s, lint {t2-t1:.1f} s, report {t3-t2:.1f} s (yosys {d['yosys_seconds']:.1f} s, "
      f"{d.get('synth_flow', '?')}, {d.get('yosys_jobs', 1)} process(es), CPU {' + '.join(f'{c:.1f}' for c in cpu)} s): "
      f"total {t3-t0:.1f} s (goal < 30 s: {'met' if t3-t0 < 30 else 'NOT MET'})")
print(f"  LUT {d['lut']:,}  FF {d['ff']:,}  DSP48E1 {d['dsp']}  BRAM36 {d['bram36']}  II {d['ii_cycles']}  latency {d['latency_cycles']}")
PY
    i=$((i + 1))
done
