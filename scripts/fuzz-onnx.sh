#!/usr/bin/env bash
# Fuzz the ONNX importer (swift-protobuf decoding + ONNXImporter) with libFuzzer + AddressSanitizer
# for a bounded time.
#
#   scripts/fuzz-onnx.sh [SECONDS]      (default 60)
#
# Builds, with swiftc -sanitize=fuzzer,address: SwiftProtobuf (from the package checkout of
# `swift build`), ZynqNetModel (without the npz writer: Fuzz/FuzzONNXShims.swift stands in) and
# the ONNX sources of ZynqNetImport with Fuzz/FuzzONNX.swift. Seeds: Tests/Fixtures/real/*.onnx,
# the kept regressions in Tests/Fixtures/fuzz/import/ and the node tests' models if
# fetched (scripts/install-deps.sh fetches them). scripts/test.sh runs it for 45 s, like the other
# fuzzers. A crash leaves its input in .fuzz/onnx/crashes/ and makes this script exit 1: fix the
# bug and copy the input into Tests/Fixtures/fuzz/import/ (ONNXFuzzRegressionTests replays it).
set -euo pipefail
SECONDS_TOTAL="${1:-60}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/.fuzz/onnx"
mkdir -p "$OUT/corpus" "$OUT/crashes" "$OUT/lib"
PB="$ROOT/.build/checkouts/swift-protobuf/Sources/SwiftProtobuf"
if [[ ! -d "$PB" ]]; then (cd "$ROOT" && swift package resolve); fi

MODEL_SOURCES=(
    "$ROOT/Sources/ZynqNetModel/NDArray.swift"
    "$ROOT/Sources/ZynqNetModel/Model.swift" "$ROOT/Sources/ZynqNetModel/ModelFile.swift"
    "$ROOT/Sources/ZynqNetModel/Importers.swift" "$ROOT/Sources/ZynqNetModel/MemoryLimit.swift" "$ROOT/Fuzz/FuzzONNXShims.swift"
)
for f in "$ROOT"/Sources/ZynqNetModel/IO/*.swift; do
    [[ "$(basename "$f")" == NPZWriter.swift ]] || MODEL_SOURCES+=("$f")
done
IMPORT_SOURCES=("$ROOT"/Sources/ZynqNetImport/ONNX/*.swift "$ROOT/Fuzz/FuzzONNX.swift")
FLAGS=(-sanitize=fuzzer,address -parse-as-library -O -g)

BIN="$OUT/fuzz-onnx"
NEWEST="$(ls -t "${MODEL_SOURCES[@]}" "${IMPORT_SOURCES[@]}" "$ROOT"/Sources/ZynqNetBase/*.swift "$ROOT"/Sources/ZynqNetBase/Process/*.swift \
    "$ROOT"/Sources/CZynqNetSys/*.c "$ROOT"/Sources/CZynqNetSys/include/*.h "$ROOT/scripts/fuzz-run.sh" "$0" | head -1)"
# SwiftProtobuf is built once (about 3 minutes), again when its checkout changes.
if [[ ! -f "$OUT/lib/libSwiftProtobuf.a" || "$(ls -t "$PB"/*.swift | head -1)" -nt "$OUT/lib/libSwiftProtobuf.a" ]]; then
    echo "fuzz-onnx: building SwiftProtobuf (once)" >&2
    (cd "$OUT/lib" && swiftc "${FLAGS[@]}" -package-name swift_protobuf -module-name SwiftProtobuf -emit-module -emit-library -static \
        "$PB"/*.swift -o libSwiftProtobuf.a 2> >(grep -v "warning:" >&2))
fi
if [[ ! -x "$BIN" || "$NEWEST" -nt "$BIN" || "$OUT/lib/libSwiftProtobuf.a" -nt "$BIN" ]]; then
    echo "fuzz-onnx: building $BIN" >&2
    source "$ROOT/scripts/fuzz-run.sh"
    fuzz_base_module "$ROOT" "$OUT/lib"
    (cd "$OUT/lib" && swiftc "${FLAGS[@]}" -module-name ZynqNetModel -emit-module -emit-library -static \
        -I "$ROOT/Sources/CZlibIO" -I "$OUT/lib" "${MODEL_SOURCES[@]}" -o libZynqNetModel.a 2> >(grep -v "warning:" >&2))
    swiftc "${FLAGS[@]}" -module-name ZynqNetImport -I "$OUT/lib" -I "$ROOT/Sources/CZlibIO" \
        "${IMPORT_SOURCES[@]}" "$OUT/lib/libZynqNetModel.a" -L "$OUT/lib" -lZynqNetBase "$OUT/lib/libSwiftProtobuf.a" -lz \
        -o "$BIN.tmp" 2> >(grep -v "warning: Cannot export local symbol" >&2)
    mv "$BIN.tmp" "$BIN"
fi

SEEDS="$OUT/seeds"
rm -rf "$SEEDS"
mkdir -p "$SEEDS"
cp "$ROOT"/Tests/Fixtures/real/*.onnx "$SEEDS/"
if compgen -G "$ROOT/Tests/Fixtures/fuzz/import/*" > /dev/null; then
    cp "$ROOT"/Tests/Fixtures/fuzz/import/* "$SEEDS/"
fi
NODE="$ROOT/.cache/onnx-node-tests/node"
for t in test_matmulinteger test_qlinearmatmul_2D_uint8_float32 test_quantizelinear test_dequantizelinear_axis \
         test_qlinearconv test_convinteger_with_padding test_maxpool_2d_uint8; do
    if [[ -f "$NODE/$t/model.onnx" ]]; then cp "$NODE/$t/model.onnx" "$SEEDS/$t.onnx"; fi
done

source "$ROOT/scripts/fuzz-run.sh"
fuzz_run fuzz-onnx "$BIN" "$SECONDS_TOTAL" 262144 "$OUT/crashes" "$OUT/corpus" "$SEEDS"
