#!/usr/bin/env bash
# Fuzz the strict JSON reader (JSONText.parse and the JSONField typed reads) with libFuzzer +
# AddressSanitizer for a bounded time.
#
#   scripts/fuzz-json.sh [SECONDS]      (default 60)
#
# Builds .fuzz/json/fuzz-json from Fuzz/FuzzJSON.swift, JSONText.swift, HexU64.swift and ZynqError.swift (one
# module, found by name under Sources/ so the files may change module), seeds the corpus with the
# board files, the JSON test fixtures and Fuzz/json-seeds/ (generated manifest.json and
# runtime.json files, hand-made hostile inputs and kept regressions), and runs it. A crash leaves
# its input in .fuzz/crashes-json/ and makes this script exit 1: fix the bug and copy the input
# into Fuzz/json-seeds/ (JSONFuzzSeedTests replays every file there).
set -euo pipefail
SECONDS_TOTAL="${1:-60}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/.fuzz/json"
mkdir -p "$OUT/corpus" "$ROOT/.fuzz/crashes-json"

one() {  # the one file called $1 under Sources/
    local found
    found=$(find "$ROOT/Sources" -name "$1" -type f)
    [[ $(printf '%s\n' "$found" | wc -l) -eq 1 && -n "$found" ]] || { echo "fuzz-json: need exactly one Sources/**/$1" >&2; exit 1; }
    printf '%s\n' "$found"
}
SOURCES=("$ROOT/Fuzz/FuzzJSON.swift" "$(one JSONText.swift)" "$(one HexU64.swift)" "$(one ZynqError.swift)")
BIN="$OUT/fuzz-json"
NEWEST="$(ls -t "${SOURCES[@]}" "$0" | head -1)"
if [[ ! -x "$BIN" || "$NEWEST" -nt "$BIN" ]]; then
    echo "fuzz-json: building $BIN" >&2
    swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name ZynqNetBase \
        "${SOURCES[@]}" -o "$BIN.tmp" 2> >(grep -v "warning: Cannot export local symbol" >&2)
    mv "$BIN.tmp" "$BIN"
fi

SEEDS="$OUT/seeds"
rm -rf "$SEEDS"
mkdir -p "$SEEDS"
n=0
while IFS= read -r f; do
    n=$((n + 1))
    cp "$f" "$SEEDS/$n-$(basename "$f")"
done < <(find "$ROOT/fpga/boards" "$ROOT/Tests/Fixtures" "$ROOT/Fuzz/json-seeds" -type f -size -64k \( -name '*.json' -o -path '*/json-seeds/*' \))

source "$ROOT/scripts/fuzz-run.sh"
fuzz_run fuzz-json "$BIN" "$SECONDS_TOTAL" 16384 "$ROOT/.fuzz/crashes-json" "$OUT/corpus" "$SEEDS"
