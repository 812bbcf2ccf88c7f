#!/usr/bin/env bash
# Runs every test of zynqnet: installs the tools the tests use, builds (the host tool and the
# board binary build/board/zynqnet-board), runs bounded fuzzing of
# the parsers of outside files, then the Swift test suite (which drives verilator, iverilog,
# yosys and tclsh for real). The test suite's summary is the last thing printed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# The armhf board binary (Embedded Swift, static); Tests/ZynqNetBoardTests run it under qemu-arm.
bash scripts/build-board.sh
swift build --build-tests
for fuzz in scripts/fuzz.sh scripts/fuzz-bit.sh scripts/fuzz-tflite.sh; do
  if [ -x "$fuzz" ]; then
    bash "$fuzz" "${ZYNQNET_FUZZ_SECONDS:-45}"
  fi
done
swift test --skip-build
