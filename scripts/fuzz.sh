#!/usr/bin/env bash
# Fuzz the .npy/.npz/IDX parsers with libFuzzer + AddressSanitizer for a bounded time.
#
#   scripts/fuzz.sh [SECONDS]      (default 60)
#
# Builds .fuzz/fuzz-parsers from Fuzz/FuzzParsers.swift and the reader sources of ZynqNetModel
# (compiled directly with swiftc -sanitize=fuzzer,address; the npz writer, which needs
# ZIPFoundation, is left out), seeds a corpus with Tests/Fixtures/io/ and the kept regressions, and
# runs it. A crash leaves its input in .fuzz/crashes/ and makes this script exit 1: fix the bug and
# copy the input into Tests/Fixtures/fuzz/model/ (the FuzzRegressions test replays it).
set -euo pipefail
SECONDS_TOTAL="${1:-60}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/.fuzz"
mkdir -p "$OUT/corpus" "$OUT/crashes"

SOURCES=(
    "$ROOT/Fuzz/FuzzParsers.swift"
    "$ROOT/Sources/ZynqNetModel/NDArray.swift"
)
for f in "$ROOT"/Sources/ZynqNetModel/IO/*.swift; do
    case "$(basename "$f")" in
        NPZWriter.swift) ;;  # needs ZIPFoundation/Foundation; not a parser
        OutputPlan.swift) ;;  # the writers' output plan (needs Termination); not a parser
        NPZHeaders.swift) ;;  # the model's shape check over parsed headers (needs ModelFile); not a parser
        *) SOURCES+=("$f") ;;
    esac
done

BIN="$OUT/fuzz-parsers"
STAMP="$OUT/.build-stamp"
NEWEST="$(ls -t "${SOURCES[@]}" "$ROOT"/Sources/ZynqNetBase/*.swift "$0" | head -1)"
source "$ROOT/scripts/fuzz-run.sh"
if [[ ! -x "$BIN" || "$NEWEST" -nt "$BIN" ]]; then
    echo "fuzz: building $BIN" >&2
    # (gold warns about every ASan helper symbol it cannot export; those lines are noise)
    fuzz_base_module "$ROOT" "$OUT/base"
    swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
        -module-name ZynqNetModel \
        -I "$ROOT/Sources/CZlibIO" -I "$OUT/base" \
        "${SOURCES[@]}" -L "$OUT/base" -lZynqNetBase -o "$BIN.tmp" 2> >(grep -v "warning: Cannot export local symbol" >&2)
    mv "$BIN.tmp" "$BIN"
fi

# Seeds: every fixture and every kept regression input.
SEEDS="$OUT/seeds"
rm -rf "$SEEDS"
mkdir -p "$SEEDS"
find "$ROOT/Tests/Fixtures/io" -type f \( -name '*.npy' -o -name '*.npz' -o -name '*.idx' -o -name '*.gz' \) \
    -exec cp {} "$SEEDS/" \;
if compgen -G "$ROOT/Tests/Fixtures/fuzz/model/*" > /dev/null; then
    cp "$ROOT"/Tests/Fixtures/fuzz/model/* "$SEEDS/"
fi

fuzz_run fuzz "$BIN" "$SECONDS_TOTAL" 16384 "$OUT/crashes" "$OUT/corpus" "$SEEDS"
