#!/usr/bin/env bash
# Make (or update) the venv the real-model scripts run in: .cache/real-venv (or $ZYNQNET_REAL_VENV), with the packages
# pinned in Tests/Fixtures/scripts/requirements-real.txt, from PyPI only. Prints the venv's python.
# Not needed by CI or the tests: the models and reference outputs these scripts make are committed.
#
#   PY=$(scripts/real-venv.sh) && "$PY" Tests/Fixtures/scripts/make_real_models.py
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${ZYNQNET_REAL_VENV:-$ROOT/.cache/real-venv}"
REQ="$ROOT/Tests/Fixtures/scripts/requirements-real.txt"
STAMP="$VENV/.requirements"
if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV" >&2
fi
if ! cmp -s "$REQ" "$STAMP"; then
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ" >&2
    cp "$REQ" "$STAMP"
fi
printf '%s\n' "$VENV/bin/python"
