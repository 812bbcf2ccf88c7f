#!/usr/bin/env bash
# The main job on an embedded default: builds zynqnet (release) and runs `zynqnet demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --product zynqnet
exec .build/release/zynqnet demo "$@"
