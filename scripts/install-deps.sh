#!/usr/bin/env bash
# Installs what zynqnet needs on a fresh Debian machine (idempotent).
# Swift itself is expected to be installed already (swift.org toolchain).
set -euo pipefail

packages=(
  verilator        # RTL lint + co-simulation (verify, rtlsim backend)
  ccache           # keeps Verilator objects between verify and rtlsim builds
  yosys            # synthesis reports (zynqnet report)
  iverilog         # second Verilog parser/simulator in the tests
  tcl              # tclsh for the Vivado stand-in checks
  libusb-1.0-0-dev # JTAG over the board's FTDI cable
  libudev-dev      # board discovery
  zlib1g-dev       # gzip IDX files; FST waveforms of infer --backend rtlsim --trace
  dataset-fashion-mnist # the demo's and the benchmarks' test set
  pkg-config
  gcc              # cc for bench/cpuid_mask.c (the bench's and the tests' CPUID mask)
  python3 python3-numpy # the independent NumPy reference used by some tests
  python3-venv     # bench/sim_bench.sh makes a venv for onnx + onnxruntime
  qemu-user        # runs the simulator's ARM NEON kernels (aarch64, armv7) in the tests
)

source "$(dirname "$0")/apt-ensure.sh"
apt_ensure install-deps "${packages[@]}"

# The ONNX backend node tests (onnx 1.22.0's wheel, from PyPI, into .cache/; idempotent).
bash "$(dirname "$0")/fetch-onnx-node-tests.sh"
