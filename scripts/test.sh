#!/usr/bin/env bash
# Runs every test of zynqnet: installs the tools the tests use, builds, runs the Swift test
# suite (which drives verilator, iverilog, yosys and tclsh for real), then a bounded fuzz run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --build-tests
swift test --skip-build
if [ -x scripts/fuzz.sh ]; then
  bash scripts/fuzz.sh "${ZYNQNET_FUZZ_SECONDS:-60}"
fi
