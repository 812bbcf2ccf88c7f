#!/usr/bin/env bash
# The board driver's cost per image at batch 256 on ARM, from instruction counts under qemu-arm
# (qemu is not a timer; it can count). Re-links build-board's objects unstripped with a link map,
# takes the address range of the driver's code (everything compiled from ZynqNetRuntime: pack,
# DMA start/wait, unpack and check, timing) and of glibc's memcpy/memset, and counts the
# instructions executed there (-singlestep: one instruction per block; -d exec,nochain with
# -dfilter logs each) for `infer --backend loopback --batch 256` of 256 and of 512 images; the
# difference / 256 is the marginal cost of one image, one batch's fixed work included.
# Usage: bench/board_driver_count.sh   (after scripts/build-board.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
obj=.build-board/obj
model=bench/models/fmnist_784_128_10.npz
images=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
[ -f "$obj/ZynqNetRuntime.o" ] || { echo "board_driver_count: $obj missing: run scripts/build-board.sh" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
objects=("$obj/Glibc.o")
for m in ZynqNetBase ZynqNetModel ZynqNetHW ZynqNetSim ZynqNetBit ZynqNetRuntime ZynqNetLinux ZynqNetLoopback zynqnet_board; do
  objects+=("$obj/$m.o")
done
arm-linux-gnueabihf-gcc -static -Wl,--gc-sections -Wl,-Map="$work/map" -o "$work/zb" "${objects[@]}" \
  "$obj/czynqnet_sys.o" "$obj/kernels.o" "$obj/support.o" "$obj/unicode-tables.a" -L /usr/lib/arm-linux-gnueabihf -lz -lm
# The address range of an object's kept .text sections (build-board links each module as one object).
driver=$(python3 - "$work/map" ZynqNetRuntime.o <<'PY'
import re, sys
lines, want, spans = open(sys.argv[1]).read().split("\n"), sys.argv[2], []
for i, l in enumerate(lines):
    m = re.match(r"^ \.text\S*(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+))?\s*$", l)
    if not m: continue
    if m.group(1) is None and i + 1 < len(lines):
        m = re.match(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)", lines[i + 1])
        if not m: continue
    a, s, o = int(m.group(1), 16), int(m.group(2), 16), m.group(3)
    if o.endswith("/" + want) and a >= 0x10000 and s > 0: spans.append((a, a + s))
print("0x%x..0x%x" % (min(a for a, _ in spans), max(b for _, b in spans) - 1))
PY
)
# glibc's copy routines (the ifunc picks one of the memcpy variants): one range per symbol.
copies=""
while read -r addr size _ name; do
  case "$name" in memcpy|__memcpy_neon|__memcpy_vfp|__memcpy_arm|memmove|memset)
    copies+="${copies:+,}$(printf '0x%x..0x%x' $((0x$addr)) $((0x$addr + 0x$size - 1)))" ;;
  esac
done < <(arm-linux-gnueabihf-nm -S "$work/zb")
count() {  # range images -> instructions executed in range
  mkfifo "$work/fifo"
  wc -l < "$work/fifo" > "$work/count" &
  qemu-arm -singlestep -d exec,nochain -dfilter "$1" -D "$work/fifo" "$work/zb" infer "$images" --model "$model" \
    --backend loopback --batch 256 --limit "$2" --json > /dev/null
  wait
  rm -f "$work/fifo"
  cat "$work/count"
}
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'); qemu: $(qemu-arm --version | head -1)"
echo "driver (ZynqNetRuntime) $driver; glibc memcpy/memmove/memset $copies"
for range in "$driver" "$copies"; do
  a=$(count "$range" 256); b=$(count "$range" 512)
  echo "$range: 256 images $a, 512 images $b instructions: $(( (b - a) / 256 )) per image at batch 256"
done
