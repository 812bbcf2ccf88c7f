#!/usr/bin/env bash
# bench/requant_cost.sh: yosys cost of one requantizer in every set of rounding modes.
#
# For zn_requant (pipelined) and zn_requant_serial, each ROUNDINGS in $ROUNDINGS (default
# 3 7 11 19 31: floor+half_up, + half_even, + gemmlowp, + float32, all), the module alone with
# its parameter memory and skid buffer: `yosys synth_xilinx -family xc7 -noiopad -noclkbuf`, cells
# counted over the hierarchy (`stat -top`). Parameters: LANES 1, OUT 128, SUM_W 25, BIAS_W 33,
# MULT_W 32 (the goal design's layer 0); override with PARAMS="LANES 1 OUT 128 ...".
# Prints one line a module and mode: LUT, FF, DSP48E1, CARRY4, LUTRAM/BRAM cells. Writes nothing.
set -eu
cd "$(dirname "$0")/.."
ROUNDINGS=${ROUNDINGS:-"3 7 11 19 31"}
PARAMS=${PARAMS:-"LANES 1 OUT 128 SUM_W 25 BIAS_W 33 MULT_W 32"}
MODULES=${MODULES:-"zn_requant zn_requant_serial"}
chp=""
set -- $PARAMS
while [ $# -ge 2 ]; do chp="$chp -set $1 $2"; shift 2; done
srcs=$(ls fpga/rtl/*.v | tr '\n' ' ')
printf '%-18s %-9s %6s %6s %4s %6s %s\n' module ROUNDINGS LUT FF DSP CARRY4 memory
for m in $MODULES; do
  for r in $ROUNDINGS; do
    out=$(yosys -q -p "read_verilog -Ifpga/rtl $srcs; chparam $chp -set ROUNDINGS $r $m; synth_xilinx -family xc7 -noiopad -noclkbuf -top $m; tee -o /dev/stdout stat -top $m" 2>&1)
    # The top's totals: the last stat block (the hierarchy's sum).
    tot=$(printf '%s\n' "$out" | awk '/design hierarchy/{h=1} h')
    [ -n "$tot" ] || tot=$out
    cnt() { printf '%s\n' "$tot" | awk -v pat="$1" '$1 ~ pat && $2 ~ /^[0-9]+$/ {s += $2} END {print s + 0}'; }
    lut=$(cnt '^LUT[1-6]$'); ff=$(cnt '^FD[RSCP]E$'); dsp=$(cnt '^DSP48E1$'); c4=$(cnt '^CARRY4$')
    mem="RAM32M $(cnt '^RAM32M$') RAM64M $(cnt '^RAM64M$') RAMB18 $(cnt '^RAMB18E1$') RAMB36 $(cnt '^RAMB36E1$')"
    printf '%-18s %-9s %6s %6s %4s %6s %s\n' "$m" "$r" "$lut" "$ff" "$dsp" "$c4" "$mem"
  done
done
