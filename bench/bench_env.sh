# Sourced by the bench scripts (from the repository root): makes bench/.venv (python3 -m venv)
# with numpy, onnx and onnxruntime from PyPI on first use, and sets VENV and ZYNQNET
# (building .build/release/zynqnet if it is missing and ZYNQNET is unset).
VENV=bench/.venv
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import numpy, onnx, onnxruntime" 2>/dev/null; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check numpy onnx onnxruntime
fi

if [ -z "${ZYNQNET:-}" ]; then
    ZYNQNET=.build/release/zynqnet
    if [ ! -x "$ZYNQNET" ] && command -v swift >/dev/null 2>&1; then
        echo "building $ZYNQNET (swift build -c release --product zynqnet)" >&2
        swift build -c release --product zynqnet >&2 || echo "build failed: zynqnet row skipped" >&2
    fi
fi
export ZYNQNET
