#!/bin/sh
# Bench (issue 18 item 2): conv2d/maxpool2d in hardware.
#
#   bench/conv_hw_bench.sh [--images N]
#   (ZYNQNET=path/to/zynqnet picks the binary; default .build/release/zynqnet, built if missing)
#
# 1. The Fashion CNN (Tests/Fixtures/golden/cnn_fmnist.model.npz: conv 3x3 x8, relu, pool 2,
#    conv 3x3 x16, relu, pool 2, dense 400 -> 10) at the smallest fold (PE = SIMD = 1, serial
#    requantizers in the conv layers: the trade-off curve's smallest dataflow point) and at the
#    fastest fold that fits (codegen's default): `zynqnet codegen` + `verilator --lint-only -Wall`
#    + `zynqnet report` (yosys synth_xilinx, hierarchical; cold: an empty yosys cache, then warm:
#    the same report again, from the cache), each timed; images/s at 100 MHz,
#    LUT/FF/DSP/BRAM and the datapath's LUTs from yosys.
# 2. `zynqnet verify` of the fastest fold on N random images (default 200; 30 % TVALID gaps and
#    TREADY stalls).
# 3. A 32x32x3 CNN with random int8 weights (bench/make_cnn32_model.py: three conv layers of 16,
#    32, 64 channels, two pools): codegen, report and verify at its fastest fold.
# 4. The Fashion CNN's trade-off curve (`zynqnet report --model`).
# Writes only under bench/out/conv (git-ignored).
set -eu
cd "$(dirname "$0")/.."

IMAGES=200
while [ $# -gt 0 ]; do
    case "$1" in
        --images) IMAGES="$2"; shift 2 ;;
        *) echo "usage: bench/conv_hw_bench.sh [--images N]" >&2; exit 2 ;;
    esac
done
for tool in verilator yosys python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "conv_hw_bench: $tool is not installed (scripts/install-deps.sh)" >&2; exit 1; }
done
if [ -z "${ZYNQNET:-}" ]; then
    ZYNQNET=.build/release/zynqnet
    [ -x "$ZYNQNET" ] || swift build -c release --product zynqnet >&2
fi
OUT=bench/out/conv
mkdir -p "$OUT"
export ZYNQNET_YOSYS_CACHE="$OUT/yosys-cache"
lscpu | grep -E "Model name|^CPU\(s\)" || true

now() { date +%s.%N; }
design() {  # NAME MODEL [codegen args…]
    name=$1; model=$2; shift 2
    rm -rf "$OUT/$name"
    t0=$(now)
    "$ZYNQNET" codegen "$model" --board pynq-z2 -o "$OUT/$name" "$@" > "$OUT/$name.codegen.txt" 2>&1
    t1=$(now)
    verilator --lint-only -Wall -I"$OUT/$name/rtl" --top-module zynqnet_accel "$OUT/$name"/rtl/*.v
    t2=$(now)
    rm -rf "$ZYNQNET_YOSYS_CACHE"   # cold: an empty yosys cache (the bench's own, under $OUT)
    "$ZYNQNET" report "$OUT/$name" > "$OUT/$name.report.txt" 2> "$OUT/$name.report.log"
    t3=$(now)
    "$ZYNQNET" report "$OUT/$name" > "$OUT/$name.report-warm.txt" 2>> "$OUT/$name.report.log"
    t4=$(now)
    echo "== $name: codegen $(echo "$t1 - $t0" | bc) s, lint $(echo "$t2 - $t1" | bc) s, yosys report $(echo "$t3 - $t2" | bc) s cold, $(echo "$t4 - $t3" | bc) s warm (zynqnet's yosys cache)"
    uptime
    head -3 "$OUT/$name.codegen.txt"
    grep -E "^(LUT|FF|DSP48E1|BRAM36|II|images/s) " "$OUT/$name.report.txt"
    python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('datapath LUT', r.get('lut_datapath'), 'shell LUT', r.get('lut_shell'))" "$OUT/$name/report.json"
}

FM=Tests/Fixtures/golden/cnn_fmnist.model.npz
printf '{"layers": [%s]}\n' '{"pe": 1, "simd": 1, "requant": "serial"}, {"pe": 1, "simd": 1}, {"pe": 1, "simd": 1, "requant": "serial"}, {"pe": 1, "simd": 1}, {"pe": 1, "simd": 1}' > "$OUT/smallest.json"
design fmnist_smallest "$FM" --fold "$OUT/smallest.json"
design fmnist_fastest "$FM"
"$ZYNQNET" verify "$FM" --images "$IMAGES" --build-dir "$OUT/verilator"

python3 bench/make_cnn32_model.py "$OUT/cnn32.npz"
design cnn32_fastest "$OUT/cnn32.npz"
"$ZYNQNET" verify "$OUT/cnn32.npz" --images 16 --build-dir "$OUT/verilator"

"$ZYNQNET" report --model "$FM"
