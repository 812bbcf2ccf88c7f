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

# cpuid_mask_setup ARGS...: when ARGS hold `--cpuid-mask NAME` (or --cpuid-mask=NAME), builds
# bench/cpuid_mask.c into bench/out and exports LD_PRELOAD and ZN_CPUID_MASK, so the bench and
# every program it starts see a CPU without the masked instruction sets (glibc's own string
# functions too, through GLIBC_TUNABLES).
cpuid_mask_setup() {
    local mask= want= arg
    for arg in "$@"; do
        if [ -n "$want" ]; then mask=$arg; want=; continue; fi
        case $arg in
        --cpuid-mask) want=1 ;;
        --cpuid-mask=*) mask=${arg#--cpuid-mask=} ;;
        esac
    done
    if [ -n "$want" ]; then
        echo "error: '--cpuid-mask': needs a value (valid: avx2)" >&2
        exit 2
    fi
    [ -n "$mask" ] || return 0
    mkdir -p bench/out
    cc -O2 -shared -fPIC -o bench/out/cpuid_mask.so bench/cpuid_mask.c
    export LD_PRELOAD="$PWD/bench/out/cpuid_mask.so" ZN_CPUID_MASK="$mask"
    export GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX512F,-AVX512DQ,-AVX512CD,-AVX512BW,-AVX512VL,-AVX512_ER,-AVX512_PF
}
