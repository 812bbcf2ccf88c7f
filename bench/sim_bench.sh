#!/bin/sh
# Bench (issue 2, item 7): images/s of zynqnet's simulator, a plain NumPy integer
# implementation of the spec and onnxruntime on the same 10,000 Fashion-MNIST test images
# and the same 784-128-10 int8 model, with each one's agreement with zynqnet.
#
#   bench/sim_bench.sh [--repeat N]        (ZYNQNET=path/to/zynqnet to pick the binary)
#
# Makes bench/.venv (python3 -m venv) with numpy, onnx and onnxruntime from PyPI on first
# use, builds .build/release/zynqnet if it is missing and ZYNQNET is unset, and makes
# bench/models/fmnist_784_128_10.npz if it is missing. Prints a table; writes only under
# bench/.venv and bench/out (both git-ignored).
set -eu
cd "$(dirname "$0")/.."

. bench/bench_env.sh

if [ ! -f bench/models/fmnist_784_128_10.npz ]; then
    "$VENV/bin/python" bench/make_bench_model.py
fi
exec "$VENV/bin/python" bench/sim_bench.py "$@"
