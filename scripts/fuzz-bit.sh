#!/usr/bin/env bash
# Fuzz the .bit parser and the configuration packet walker with libFuzzer + AddressSanitizer
# for a bounded time.
#
#   scripts/fuzz-bit.sh [SECONDS]      (default 60)
#
# Builds .fuzz/fuzz-bit from Fuzz/FuzzBit.swift and Sources/ZynqNetBit/*.swift (swiftc
# -sanitize=fuzzer,address; ZynqNetBase is compiled as a static library by fuzz_base_module), seeds the
# corpus with Tests/Fixtures/bit/*.bit and the kept regressions, and runs it. A crash leaves its
# input in .fuzz/crashes-bit/ and makes this script exit 1: fix the bug and copy the input into
# Tests/Fixtures/fuzz/bit/ (the FuzzRegressions test replays it).
set -euo pipefail
SECONDS_TOTAL="${1:-60}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/.fuzz/bit"
mkdir -p "$OUT/corpus" "$ROOT/.fuzz/crashes-bit"

SOURCES=("$ROOT/Fuzz/FuzzBit.swift" "$ROOT"/Sources/ZynqNetBit/*.swift)
MODEL_SRC=("$ROOT"/Sources/ZynqNetBase/*.swift)
BIN="$OUT/fuzz-bit"
NEWEST="$(ls -t "${SOURCES[@]}" "${MODEL_SRC[@]}" "$0" | head -1)"
if [[ ! -x "$BIN" || "$NEWEST" -nt "$BIN" ]]; then
    echo "fuzz-bit: building $BIN" >&2
    rm -rf "$OUT/mod"
    source "$ROOT/scripts/fuzz-run.sh"
    fuzz_base_module "$ROOT" "$OUT/mod"
    swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name ZynqNetBit \
        -I "$OUT/mod" -L "$OUT/mod" -lZynqNetBase \
        "${SOURCES[@]}" -o "$BIN"
fi

SEEDS="$OUT/seeds"
rm -rf "$SEEDS"
mkdir -p "$SEEDS"
cp "$ROOT"/Tests/Fixtures/bit/*.bit "$SEEDS/"
if compgen -G "$ROOT/Tests/Fixtures/fuzz/bit/*" > /dev/null; then
    cp "$ROOT"/Tests/Fixtures/fuzz/bit/* "$SEEDS/"
fi

source "$ROOT/scripts/fuzz-run.sh"
fuzz_run fuzz-bit "$BIN" "$SECONDS_TOTAL" 4096 "$ROOT/.fuzz/crashes-bit" "$OUT/corpus" "$SEEDS"
