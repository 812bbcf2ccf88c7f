#!/usr/bin/env bash
# Runs every test of zynqnet: installs the tools the tests use, builds (the host tool and the
# board binary build/board/zynqnet-board), runs bounded fuzzing of
# the parsers of outside files, then the Swift test suite (which drives verilator, iverilog,
# yosys and tclsh for real). The test suite's summary is the last thing printed.
#
# scripts/test.sh --fast: a developer's quick run: builds and runs the tests that need none of
# the outside tools (no install, no fuzzing). It leaves out every test or suite tagged .verilator,
# .iverilog, .yosys, .tclsh or .qemu (Tests/ZynqNetTestSupport/Tags.swift): `swift test` has no
# tag option, so the tagged tests are listed from the test bundle's event stream and skipped by
# name (`swift test --skip`). It still fetches the ONNX node tests' data once (test data, not a
# tool). Extra arguments go to `swift test` (e.g. --filter ZynqNetSimTests).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--fast" ]; then
  shift
  bash scripts/fetch-onnx-node-tests.sh
  swift build --build-tests
  bundle="$(swift build --show-bin-path)/zynqnetPackageTests.xctest"
  list="$(mktemp)"
  trap 'rm -f "$list"' EXIT
  SWT_EXPERIMENTAL_EVENT_STREAM_FIELDS_ENABLED=1 "$bundle" --testing-library swift-testing --list-tests \
    --event-stream-output-path "$list" --event-stream-version 0 > /dev/null
  skip="$(python3 - "$list" <<'PY'
import json, re, sys
tools = {".verilator", ".iverilog", ".yosys", ".tclsh", ".qemu"}
ids, tagged = [], 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("kind") != "test":
        continue
    p = e["payload"]
    if "_tags" in p:
        tagged += 1
    if tools & set(p.get("_tags", [])):
        # "Module.Suite/test(a:)/File.swift:12:6" -> "Module.Suite/test(a:)"
        i = re.sub(r"/[^/]+\.swift:\d+:\d+$", "", p["id"])
        ids.append(re.escape(i) + ("(/|$)" if p["kind"] == "suite" else ""))
if not tagged:
    sys.exit("test.sh --fast: this Swift Testing reports no tags in its event stream; run scripts/test.sh")
print("^(" + "|".join(ids) + ")")
PY
)"
  exec swift test --skip-build --skip "$skip" "$@"
fi
bash scripts/install-deps.sh
# The armhf board binary (Embedded Swift, static); Tests/ZynqNetBoardTests run it under qemu-arm.
bash scripts/build-board.sh
swift build --build-tests
for fuzz in scripts/fuzz.sh scripts/fuzz-bit.sh scripts/fuzz-tflite.sh scripts/fuzz-json.sh scripts/fuzz-onnx.sh; do
  if [ -x "$fuzz" ]; then
    bash "$fuzz" "${ZYNQNET_FUZZ_SECONDS:-45}"
  fi
done
swift test --skip-build
