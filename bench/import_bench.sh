#!/usr/bin/env bash
# Bench (issue 17 goal "import time for a 784-128-10 model under 1 s"): `zynqnet import` of the
# real 784-128-10 models in Tests/Fixtures/real (made by the runtimes' own tools), REPEAT runs
# each. Prints, per model, the best and the median of the import time zynqnet reports itself
# (`import --json`'s "seconds": read, decode, graph walk, validate) and of the whole process
# (wall clock, start to exit, including writing the .npz).
#
#   bench/import_bench.sh [REPEAT]        (ZYNQNET=path/to/zynqnet; default .build/release/zynqnet,
#                                          else .build/debug/zynqnet; says which)
#
# Writes only under a temporary directory it removes.
set -euo pipefail
cd "$(dirname "$0")/.."
REPEAT="${1:-5}"
if [[ -z "${ZYNQNET:-}" ]]; then
    ZYNQNET=.build/release/zynqnet
    [[ -x "$ZYNQNET" ]] || ZYNQNET=.build/debug/zynqnet
fi
[[ -x "$ZYNQNET" ]] || { echo "error: $ZYNQNET: no zynqnet binary (swift build --product zynqnet)" >&2; exit 1; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
echo "binary: $ZYNQNET; CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs; $REPEAT runs each"
printf '%-44s %-22s %-22s\n' "model" "import best / median" "process best / median"
for m in Tests/Fixtures/real/mlp784_*.onnx; do
    imp=() proc=()
    for ((i = 0; i < REPEAT; i++)); do
        t0=$(date +%s.%N)
        out=$("$ZYNQNET" import "$m" -o "$TMP/m.npz" --json)
        t1=$(date +%s.%N)
        imp+=("$(printf '%s' "$out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["seconds"])')")
        proc+=("$(python3 -c "print($t1 - $t0)")")
    done
    stats() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {printf "%.3f s / %.3f s", a[1], a[int((NR+1)/2)]}'; }
    printf '%-44s %-22s %-22s\n' "$(basename "$m")" "$(stats "${imp[@]}")" "$(stats "${proc[@]}")"
done
