#!/usr/bin/env bash
# Fuzz the TFLite importer (FlatBuffer reader + mapping onto format 2) with libFuzzer +
# AddressSanitizer for a bounded time.
#
#   scripts/fuzz-tflite.sh [SECONDS]      (default 60)
#
# Builds .fuzz/tflite/fuzz-tflite from Fuzz/FuzzTFLite.swift and Sources/ZynqNetImport/TFLite/*.swift
# (swiftc -sanitize=fuzzer,address), with ZynqNetModel compiled from its sources into a static
# library (the npz writer, which needs ZIPFoundation, replaced by Fuzz/NPZWriteStub.swift). Seeds:
# the real model in Tests/Fixtures/real/tflite and the kept regressions. A crash leaves its input in
# .fuzz/crashes-tflite/ and makes this script exit 1: fix the bug and copy the input into
# Tests/Fixtures/fuzz/import/ (TFLiteFuzzRegressionTests replays it).
set -euo pipefail
SECONDS_TOTAL="${1:-60}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/.fuzz/tflite"
mkdir -p "$OUT/corpus" "$ROOT/.fuzz/crashes-tflite"

SOURCES=("$ROOT/Fuzz/FuzzTFLite.swift" "$ROOT"/Sources/ZynqNetImport/TFLite/*.swift)
MODEL_SRC=("$ROOT/Fuzz/NPZWriteStub.swift")
for f in "$ROOT"/Sources/ZynqNetModel/*.swift "$ROOT"/Sources/ZynqNetModel/IO/*.swift; do
    case "$(basename "$f")" in
        NPZWriter.swift) ;;
        OutputPlan.swift) ;;  # the writers' output plan (needs Termination); the stub stands in
        *) MODEL_SRC+=("$f") ;;
    esac
done
BIN="$OUT/fuzz-tflite"
NEWEST="$(ls -t "${SOURCES[@]}" "${MODEL_SRC[@]}" "$ROOT"/Sources/ZynqNetBase/*.swift "$0" | head -1)"
if [[ ! -x "$BIN" || "$NEWEST" -nt "$BIN" ]]; then
    echo "fuzz-tflite: building $BIN" >&2
    rm -rf "$OUT/mod"
    mkdir -p "$OUT/mod"
    source "$ROOT/scripts/fuzz-run.sh"
    fuzz_base_module "$ROOT" "$OUT/mod"
    (cd "$OUT/mod" &&
        swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name ZynqNetModel \
            -I "$ROOT/Sources/CZlibIO" -I "$OUT/mod" -emit-module -emit-library -static "${MODEL_SRC[@]}" -o libZynqNetModel.a \
            2> >(grep -v "warning: Cannot export local symbol" >&2))
    swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name ZynqNetImport \
        -I "$OUT/mod" -I "$ROOT/Sources/CZlibIO" -L "$OUT/mod" -lZynqNetModel -L "$OUT/mod" -lZynqNetBase -lz \
        "${SOURCES[@]}" -o "$BIN" 2> >(grep -v "warning: Cannot export local symbol" >&2)
fi

SEEDS="$OUT/seeds"
rm -rf "$SEEDS"
mkdir -p "$SEEDS"
cp "$ROOT"/Tests/Fixtures/real/tflite/*.tflite "$SEEDS/"
if compgen -G "$ROOT/Tests/Fixtures/fuzz/import/*" > /dev/null; then
    cp "$ROOT"/Tests/Fixtures/fuzz/import/* "$SEEDS/"
fi

source "$ROOT/scripts/fuzz-run.sh"
fuzz_run fuzz-tflite "$BIN" "$SECONDS_TOTAL" 131072 "$ROOT/.fuzz/crashes-tflite" "$OUT/corpus" "$SEEDS"
