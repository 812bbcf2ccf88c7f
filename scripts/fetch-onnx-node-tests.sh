#!/usr/bin/env bash
# Fetches the ONNX backend node tests (onnx/backend/test/data/node/*) of the onnx 1.22.0 wheel,
# the last one that ships them, into .cache/onnx-node-tests/node (gitignored). Idempotent.
# Uses a venv the script makes (.cache/onnx-venv) for pip, from PyPI only; nothing is installed:
# the wheel is only downloaded and its test data unpacked. Tests/ZynqNetImportTests/ONNXNodeTests
# runs them.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/.cache/onnx-node-tests"
if [[ -f "$DEST/node/.complete-1.22.0" ]]; then exit 0; fi
mkdir -p "$DEST"
if [[ ! -x "$ROOT/.cache/onnx-venv/bin/pip" ]]; then
    python3 -m venv "$ROOT/.cache/onnx-venv"
fi
WHEELS="$DEST/wheel"
mkdir -p "$WHEELS"
if ! compgen -G "$WHEELS/onnx-1.22.0-*.whl" > /dev/null; then
    "$ROOT/.cache/onnx-venv/bin/pip" download --quiet --no-deps --only-binary=:all: onnx==1.22.0 -d "$WHEELS"
fi
rm -rf "$DEST/node.tmp"
python3 - "$WHEELS" "$DEST/node.tmp" <<'PY'
import glob, os, sys, zipfile
wheel = sorted(glob.glob(os.path.join(sys.argv[1], "onnx-1.22.0-*.whl")))[0]
prefix = "onnx/backend/test/data/node/"
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            rel = name[len(prefix):]
            if ".." in rel.split("/"):
                continue
            out = os.path.join(sys.argv[2], rel)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with z.open(name) as src, open(out, "wb") as dst:
                dst.write(src.read())
PY
rm -rf "$DEST/node"
mv "$DEST/node.tmp" "$DEST/node"
touch "$DEST/node/.complete-1.22.0"
echo "fetch-onnx-node-tests: $(ls "$DEST/node" | wc -l) node tests in $DEST/node" >&2
