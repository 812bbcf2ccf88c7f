#!/usr/bin/env bash
# Host-side cost of the runtime per image on the loopback device (release build).
# Usage: bench/runtime_bench.sh [BATCHES]   (default 200; batch sizes 1, 7, 256, 4096)
# Writes bench/out/runtime.json (one JSON object per line) and prints a table.
set -euo pipefail
cd "$(dirname "$0")/.."
batches="${1:-200}"
swift build -c release --product zynqnet >/dev/null 2>&1
mkdir -p bench/out
: > bench/out/runtime.json
printf "%-6s %-9s %-10s %-8s %-8s %-8s %-8s %-12s\n" batch transfers host_ns pack unpack sync driver device_ns
for b in 1 7 256 4096; do
  n=$batches
  if [ "$b" -ge 4096 ]; then n=$(( batches / 10 > 0 ? batches / 10 : 1 )); fi
  line=$(.build/release/zynqnet bench-runtime --batch "$b" --batches "$n" --json)
  echo "$line" >> bench/out/runtime.json
  python3 - "$line" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
print("%-6d %-9d %-10.1f %-8.1f %-8.1f %-8.1f %-8.1f %-12.1f" % (r["batch_size"], r["transfers_per_batch"], r["host_ns_per_image"],
      r["pack_ns_per_image"], r["unpack_ns_per_image"], r["sync_ns_per_image"], r["driver_ns_per_image"], r["device_ns_per_image"]))
PY
done
