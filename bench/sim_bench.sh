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
MASK=
for arg in "$@"; do
    if [ "${want_mask:-}" = 1 ]; then MASK=$arg; want_mask=; continue; fi
    case $arg in
    --cpuid-mask) want_mask=1 ;;
    --cpuid-mask=*) MASK=${arg#--cpuid-mask=} ;;
    esac
done
if [ "${want_mask:-}" = 1 ]; then
    echo "error: '--cpuid-mask': needs a value (valid: avx2)" >&2
    exit 2
fi
if [ -n "$MASK" ]; then
    mkdir -p bench/out
    cc -O2 -shared -fPIC -o bench/out/cpuid_mask.so bench/cpuid_mask.c
    # glibc read CPUID before the preload: keep its string functions off AVX-512 too
    LD_PRELOAD="$PWD/bench/out/cpuid_mask.so" ZN_CPUID_MASK=$MASK \
        GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX512F,-AVX512DQ,-AVX512CD,-AVX512BW,-AVX512VL,-AVX512_ER,-AVX512_PF \
        exec "$VENV/bin/python" bench/sim_bench.py "$@"
fi
exec "$VENV/bin/python" bench/sim_bench.py "$@"
