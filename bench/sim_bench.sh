#!/bin/sh
# Bench (issue 2, item 7): images/s of zynqnet's simulator, a plain NumPy integer
# implementation of the spec and onnxruntime on the same 10,000 Fashion-MNIST test images
# and the same 784-128-10 int8 model, with each one's agreement with zynqnet.
#
#   bench/sim_bench.sh [--repeat N] [--cpuid-mask avx2]   (ZYNQNET=path/to/zynqnet to pick the binary)
#
# --cpuid-mask avx2 runs everything (zynqnet, onnxruntime, NumPy) on a CPU whose CPUID hides
# AVX-512, AVX-VNNI and AMX (bench/cpuid_mask.c, an LD_PRELOAD library using Linux's CPUID
# faulting), so each picks the kernels it would pick on an AVX2-only machine. The instruction
# set is the other machine's; the timing is still this CPU's.
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
cpuid_mask_setup "$@"
exec "$VENV/bin/python" bench/sim_bench.py "$@"
