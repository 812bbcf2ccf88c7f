#!/usr/bin/env bash
# The board binary under qemu-arm: size, start-up time and peak memory of `info` and of
# `infer` of the 10,000 Fashion-MNIST test images on the loopback device (and on the simulator).
# qemu is not a timer: the times are this host's emulation, not a Cortex-A9's; peak memory is
# qemu-arm's maximum resident set (the emulator's own included).
# Usage: bench/board_bench.sh [RUNS]   (default 5 runs of info). Needs scripts/build-board.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
bin=build/board/zynqnet-board
model=bench/models/fmnist_784_128_10.npz
images=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
labels=/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz
[ -x "$bin" ] || { echo "board_bench: $bin missing: run scripts/build-board.sh" >&2; exit 1; }
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')"
echo "size: $(stat -c %s "$bin") bytes ($(file -b "$bin" | cut -d, -f1-2))"
measure() {  # label, command...
  local label=$1; shift
  local t0 t1 rss
  t0=$(date +%s.%N)
  /usr/bin/time -o /tmp/board_bench.rss -f '%M' "$@" >/tmp/board_bench.out 2>/dev/null
  rss=$(tail -1 /tmp/board_bench.rss)
  t1=$(date +%s.%N)
  printf '%-28s %8.3f s  peak RSS %6d KB\n' "$label" "$(echo "$t1 - $t0" | bc)" "$rss"
}
for i in $(seq "$runs"); do
  measure "info (loopback)" qemu-arm "$bin" info --model "$model" --json
done
measure "infer 10k loopback b256" qemu-arm "$bin" infer "$images" --labels "$labels" --model "$model" --backend loopback --json
cat /tmp/board_bench.out
measure "infer 10k sim" qemu-arm "$bin" infer "$images" --labels "$labels" --model "$model" --backend sim --json
cat /tmp/board_bench.out
rm -f /tmp/board_bench.out /tmp/board_bench.rss
