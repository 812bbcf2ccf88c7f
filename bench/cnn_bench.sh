#!/bin/sh
# Bench (issue 18): images/s of zynqnet's simulator and onnxruntime on the Fashion-MNIST CNN
# (conv 3x3x8, pool 2, conv 3x3x16, pool 2, dense 400 -> 10; Tests/Fixtures/golden/cnn_fmnist.model.npz)
# over the 10,000 Fashion-MNIST test images, each checked against tools/reference.py.
#
#   bench/cnn_bench.sh [--repeat N] [--cpuid-mask avx2]   (ZYNQNET=path/to/zynqnet to pick the binary)
#
# --cpuid-mask avx2: as in bench/sim_bench.sh, every backend sees an AVX2-only CPU.
#
# Makes bench/.venv (python3 -m venv) with numpy, onnx and onnxruntime from PyPI on first use and
# builds .build/release/zynqnet if it is missing and ZYNQNET is unset. Writes only under
# bench/.venv and bench/out (both git-ignored).
set -eu
cd "$(dirname "$0")/.."

. bench/bench_env.sh
cpuid_mask_setup "$@"
exec "$VENV/bin/python" bench/cnn_bench.py "$@"
