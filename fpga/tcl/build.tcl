# build.tcl -- from the generated RTL to a bitstream and .hwh for a Zynq-7000 board.
#
# Template: `zynqnet codegen` copies this file into its output directory and replaces the
# parameter marker line below with `set cfg(...)` lines (see docs/vivado.md). Nothing else
# is substituted: what you read here is what runs.
#
#   vivado -mode batch -source build.tcl
#
# Steps: package the accelerator (package_ip.tcl), create the project for the board, build
# the block design (PS7 + AXI DMA in direct-register mode + interconnects + accelerator),
# assign the fixed addresses that manifest.json records, build the bitstream, and copy the
# .bit and .hwh next to this script under the names manifest.json gives.
#
# Environment (optional):
#   ZYNQNET_JOBS              parallel jobs for launch_runs (default $cfg(jobs))
#   ZYNQNET_BOARD_REPO_PATHS  directory list for board.repoPaths (installed board files)
#   ZYNQNET_WRITE_XSA=1       also write_hw_platform (.xsa) for Vitis/PetaLinux (refused without
#                             the board files: the fallback PS7 settings are not known to boot)
#   ZYNQNET_FORCE_XSA=1       write that XSA anyway, with a warning
#
# Timing: after implementation the script writes timing_summary.rpt and utilization.rpt next
# to itself, records WNS, WHS and the clock the routed design reaches under "timing" in
# manifest.json, and fails on a negative WNS or WHS unless cfg(allow_timing_failure) is 1
# (codegen --allow-timing-failure); `zynqnet bitstreams add` refuses such a design.
# Targets Vivado 2022.2 .. 2025.2.

#@ZYNQNET_PARAMETERS@

set here [file normalize [file dirname [info script]]]

proc zn_fail {msg} {
    puts stderr "ERROR: zynqnet build.tcl: $msg"
    error "zynqnet build.tcl: $msg"
}

# ---------------------------------------------------------------- Vivado version
set zn_version [version -short]
if {[package vcompare [lindex [split $zn_version _] 0] $cfg(vivado_min)] < 0 ||
    [package vcompare [lindex [split $zn_version _] 0] $cfg(vivado_max)] > 0} {
    puts "WARNING: zynqnet build.tcl: written for Vivado $cfg(vivado_min) .. $cfg(vivado_max), running $zn_version"
}

# ---------------------------------------------------------------- the accelerator IP
source [file join $here package_ip.tcl]

# IP VLNV lookup that survives version bumps: the version the script was written for if
# the catalog has it, else the newest one of that name (with a warning).
proc zn_vlnv {base preferred} {
    set exact [get_ipdefs -quiet $base:$preferred]
    if {[llength $exact] == 1} { return [get_property VLNV $exact] }
    set found {}
    foreach def [get_ipdefs -quiet -all $base:*] { lappend found [get_property VLNV $def] }
    if {[llength $found] == 0} { zn_fail "IP $base not found in the IP catalog" }
    set newest [lindex [lsort -dictionary $found] end]
    puts "WARNING: zynqnet build.tcl: $base:$preferred not in the catalog, using $newest"
    return $newest
}

# ---------------------------------------------------------------- project
if {[info exists ::env(ZYNQNET_BOARD_REPO_PATHS)]} {
    set_param board.repoPaths $::env(ZYNQNET_BOARD_REPO_PATHS)
}
set proj_dir [file join $here $cfg(project_dir)]
create_project $cfg(project_name) $proj_dir -part $cfg(part) -force

set board_part [get_board_parts -quiet $cfg(board_part)]
if {[llength $board_part] == 0} {
    set board_part [get_board_parts -quiet -latest_file_version $cfg(board_part_pattern)]
    if {[llength $board_part] > 0} {
        puts "WARNING: zynqnet build.tcl: board part $cfg(board_part) not installed, using [lindex $board_part 0]"
    }
}
if {[llength $board_part] > 0} {
    set use_board_preset 1
    set_property board_part [lindex $board_part 0] [current_project]
} else {
    set use_board_preset 0
    puts "WARNING: zynqnet build.tcl: no board files for $cfg(board_part) (\[Board 49-71\]);\
          building for part $cfg(part) with explicit PS7 settings from the board data instead.\
          To use the board preset, install the board files (Vivado: Tools > Vivado Store > Boards,\
          or xhub::install) or point ZYNQNET_BOARD_REPO_PATHS at them."
}

set_property ip_repo_paths [list [file join $here $cfg(ip_repo_dir)]] [current_project]
update_ip_catalog -rebuild
if {[llength [get_ipdefs -quiet $cfg(ip_vlnv)]] != 1} {
    zn_fail "packaged IP $cfg(ip_vlnv) not found in [file join $here $cfg(ip_repo_dir)]"
}

# ---------------------------------------------------------------- block design
create_bd_design $cfg(bd_name)

# Zynq PS: board preset (or the board data's explicit settings), GP0 master for the
# registers, HP0 slave (64-bit) for the DMA, FCLK0 as the one fabric clock.
set ps7 [create_bd_cell -type ip -vlnv [zn_vlnv xilinx.com:ip:processing_system7 5.5] ps7]
apply_bd_automation -rule xilinx.com:bd_rule:processing_system7 \
    -config [list make_external {FIXED_IO, DDR} apply_board_preset $use_board_preset \
                  Master Disable Slave Disable] $ps7
if {!$use_board_preset} {
    set fallback {}
    foreach {name value} $cfg(ps7_fallback) { lappend fallback CONFIG.$name $value }
    if {[llength $fallback] > 0} { set_property -dict $fallback $ps7 }
}
set_property -dict [list \
    CONFIG.PCW_USE_M_AXI_GP0 1 \
    CONFIG.PCW_USE_S_AXI_HP0 1 \
    CONFIG.PCW_S_AXI_HP0_DATA_WIDTH $cfg(hp_width) \
    CONFIG.PCW_EN_CLK0_PORT 1 \
    CONFIG.PCW_FPGA_FCLK0_ENABLE 1 \
    CONFIG.PCW_EN_RST0_PORT 1 \
    CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ $cfg(fclk_mhz)] $ps7

# AXI DMA in direct-register (simple) mode, both channels, 64-bit memory and stream sides.
set dma [create_bd_cell -type ip -vlnv [zn_vlnv xilinx.com:ip:axi_dma 7.1] dma]
set_property -dict [list \
    CONFIG.c_include_sg 0 \
    CONFIG.c_sg_length_width $cfg(dma_length_width) \
    CONFIG.c_include_mm2s 1 \
    CONFIG.c_include_s2mm 1 \
    CONFIG.c_m_axi_mm2s_data_width $cfg(hp_width) \
    CONFIG.c_m_axi_s2mm_data_width $cfg(hp_width) \
    CONFIG.c_mm2s_burst_size $cfg(dma_burst) \
    CONFIG.c_s2mm_burst_size $cfg(dma_burst)] $dma
# Stream widths as USER values so parameter propagation cannot change them.
set_property CONFIG.c_m_axis_mm2s_tdata_width.VALUE_SRC USER $dma
set_property CONFIG.c_s_axis_s2mm_tdata_width.VALUE_SRC USER $dma
set_property -dict [list \
    CONFIG.c_m_axis_mm2s_tdata_width $cfg(stream_width) \
    CONFIG.c_s_axis_s2mm_tdata_width $cfg(stream_width)] $dma

set acc [create_bd_cell -type ip -vlnv $cfg(ip_vlnv) acc]

# GP0 -> {DMA registers, accelerator registers}; {MM2S, S2MM} -> HP0.
set gp0_ic [create_bd_cell -type ip -vlnv [zn_vlnv xilinx.com:ip:axi_interconnect 2.1] gp0_interconnect]
set_property -dict [list CONFIG.NUM_SI 1 CONFIG.NUM_MI 2] $gp0_ic
set hp0_sc [create_bd_cell -type ip -vlnv [zn_vlnv xilinx.com:ip:smartconnect 1.0] hp0_smartconnect]
set_property -dict [list CONFIG.NUM_SI 2 CONFIG.NUM_MI 1] $hp0_sc
set rst [create_bd_cell -type ip -vlnv [zn_vlnv xilinx.com:ip:proc_sys_reset 5.0] fclk0_reset]

connect_bd_intf_net [get_bd_intf_pins ps7/M_AXI_GP0] [get_bd_intf_pins gp0_interconnect/S00_AXI]
connect_bd_intf_net [get_bd_intf_pins gp0_interconnect/M00_AXI] [get_bd_intf_pins dma/S_AXI_LITE]
connect_bd_intf_net [get_bd_intf_pins gp0_interconnect/M01_AXI] [get_bd_intf_pins acc/s_axil]
connect_bd_intf_net [get_bd_intf_pins dma/M_AXI_MM2S] [get_bd_intf_pins hp0_smartconnect/S00_AXI]
connect_bd_intf_net [get_bd_intf_pins dma/M_AXI_S2MM] [get_bd_intf_pins hp0_smartconnect/S01_AXI]
connect_bd_intf_net [get_bd_intf_pins hp0_smartconnect/M00_AXI] [get_bd_intf_pins ps7/S_AXI_HP0]
# The data path: DDR -> MM2S -> accelerator -> S2MM -> DDR.
connect_bd_intf_net [get_bd_intf_pins dma/M_AXIS_MM2S] [get_bd_intf_pins acc/s_axis]
connect_bd_intf_net [get_bd_intf_pins acc/m_axis] [get_bd_intf_pins dma/S_AXIS_S2MM]

# One clock (FCLK0) and one reset domain.
set clock_sinks {
    ps7/M_AXI_GP0_ACLK ps7/S_AXI_HP0_ACLK
    gp0_interconnect/ACLK gp0_interconnect/S00_ACLK gp0_interconnect/M00_ACLK gp0_interconnect/M01_ACLK
    hp0_smartconnect/aclk
    dma/s_axi_lite_aclk dma/m_axi_mm2s_aclk dma/m_axi_s2mm_aclk
    acc/aclk
    fclk0_reset/slowest_sync_clk
}
set resetn_sinks {
    gp0_interconnect/S00_ARESETN gp0_interconnect/M00_ARESETN gp0_interconnect/M01_ARESETN
    hp0_smartconnect/aresetn
    dma/axi_resetn
    acc/aresetn
}
set pins {}
foreach p $clock_sinks { lappend pins [get_bd_pins $p] }
connect_bd_net [get_bd_pins ps7/FCLK_CLK0] {*}$pins
connect_bd_net [get_bd_pins ps7/FCLK_RESET0_N] [get_bd_pins fclk0_reset/ext_reset_in]
connect_bd_net [get_bd_pins fclk0_reset/interconnect_aresetn] [get_bd_pins gp0_interconnect/ARESETN]
set pins {}
foreach p $resetn_sinks { lappend pins [get_bd_pins $p] }
connect_bd_net [get_bd_pins fclk0_reset/peripheral_aresetn] {*}$pins

# ---------------------------------------------------------------- fixed addresses
# The runtime reads these from manifest.json; assign them explicitly and read them back.
# A size as a number: decimal, 0x hex, or with a K/M/G suffix (as Vivado may print it).
proc zn_bytes {v} {
    if {[regexp {^([0-9]+)([KMG])$} $v -> n unit]} {
        return [expr {wide($n) << [dict get {K 10 M 20 G 30} $unit]}]
    }
    return [expr {wide($v)}]
}
proc zn_assign {space segment offset range} {
    set seg [assign_bd_address -offset $offset -range $range \
                 -target_address_space [get_bd_addr_spaces $space] [get_bd_addr_segs $segment] -force]
    if {[llength $seg] != 1} { zn_fail "could not assign $segment in $space" }
    set got_offset [get_property OFFSET $seg]
    set got_range [get_property RANGE $seg]
    if {[zn_bytes $got_offset] != [zn_bytes $offset] || [zn_bytes $got_range] != [zn_bytes $range]} {
        zn_fail "$segment in $space is at $got_offset (range $got_range), expected $offset (range $range)"
    }
    puts [format "zynqnet: %-28s %-24s offset 0x%08X range 0x%08X" $space $segment $offset $range]
}
zn_assign ps7/Data dma/S_AXI_LITE/Reg $cfg(dma_base) $cfg(dma_range)
zn_assign ps7/Data acc/s_axil/reg0    $cfg(acc_base) $cfg(acc_range)
zn_assign dma/Data_MM2S ps7/S_AXI_HP0/HP0_DDR_LOWOCM $cfg(ddr_base) $cfg(ddr_size)
zn_assign dma/Data_S2MM ps7/S_AXI_HP0/HP0_DDR_LOWOCM $cfg(ddr_base) $cfg(ddr_size)

validate_bd_design
save_bd_design
set act_fclk [get_property CONFIG.PCW_ACT_FPGA0_PERIPHERAL_FREQMHZ $ps7]
puts "zynqnet: FCLK0 requested $cfg(fclk_mhz) MHz, PS7 reports $act_fclk MHz"
if {abs($act_fclk - $cfg(fclk_mhz)) > 0.01 * $cfg(fclk_mhz)} {
    puts "WARNING: zynqnet build.tcl: FCLK0 is $act_fclk MHz, not $cfg(fclk_mhz) MHz; images/s in report.json assume $cfg(fclk_mhz)"
}

# ---------------------------------------------------------------- wrapper and bitstream
set wrapper [make_wrapper -files [get_files $cfg(bd_name).bd] -top]
add_files -norecurse $wrapper
set_property top $cfg(bd_name)_wrapper [current_fileset]
update_compile_order -fileset sources_1

set jobs $cfg(jobs)
if {[info exists ::env(ZYNQNET_JOBS)]} { set jobs $::env(ZYNQNET_JOBS) }
launch_runs impl_1 -to_step write_bitstream -jobs $jobs
wait_on_run impl_1
# wait_on_run does not fail when a run fails: check every run ourselves.
foreach run {synth_1 impl_1} {
    set progress [get_property PROGRESS [get_runs $run]]
    set status [get_property STATUS [get_runs $run]]
    if {$progress ne "100%" || [string match -nocase "*error*" $status] || [string match -nocase "*fail*" $status]} {
        zn_fail "run $run did not complete: PROGRESS $progress, STATUS '$status'; see [get_property DIRECTORY [get_runs $run]]/runme.log"
    }
}

# ---------------------------------------------------------------- timing
# Records "timing" in manifest.json (replacing an earlier record): one line after the "{".
proc zn_record_timing {path entry} {
    set fh [open $path r]; set text [read $fh]; close $fh
    regsub {\n  "timing": [^\n]*,} $text "" text
    set i [string first "\{" $text]
    if {$i < 0} { zn_fail "$path is not a JSON object" }
    set text "[string range $text 0 $i]\n  \"timing\": $entry,[string range $text [expr {$i + 1}] end]"
    set tmp $path.tmp
    set fh [open $tmp w]; puts -nonewline $fh $text; close $fh
    file rename -force $tmp $path
}
open_run impl_1
report_timing_summary -max_paths 10 -file [file join $here timing_summary.rpt]
report_utilization -file [file join $here utilization.rpt]
set wns [get_property STATS.WNS [get_runs impl_1]]
set whs [get_property STATS.WHS [get_runs impl_1]]
if {![string is double -strict $wns] || ![string is double -strict $whs]} {
    zn_fail "impl_1 reports no timing (STATS.WNS '$wns', STATS.WHS '$whs'); see timing_summary.rpt"
}
# The routed design closes timing at a period of (FCLK0 period - WNS).
set period_ns [expr {1000.0 / $act_fclk}]
set achieved_mhz [expr {$period_ns - $wns > 0 ? 1000.0 / ($period_ns - $wns) : 0}]
set met [expr {$wns >= 0 && $whs >= 0}]
zn_record_timing [file join $here manifest.json] [format {{"wns_ns": %.3f, "whs_ns": %.3f, "fclk_mhz": %.6f, "fclk_achieved_mhz": %.3f, "met": %s, "allowed_failure": %s}} \
    $wns $whs $act_fclk $achieved_mhz [expr {$met ? "true" : "false"}] [expr {$cfg(allow_timing_failure) ? "true" : "false"}]]
puts [format "zynqnet: timing WNS %.3f ns, WHS %.3f ns at FCLK0 %s MHz (the routed design reaches %.1f MHz)" $wns $whs $act_fclk $achieved_mhz]
if {!$met} {
    if {$cfg(allow_timing_failure)} {
        puts "WARNING: zynqnet build.tcl: TIMING FAILED (WNS $wns ns, WHS $whs ns) and was allowed (--allow-timing-failure): this bitstream may compute wrong results; zynqnet bitstreams add refuses it"
    } else {
        zn_fail "timing failed: WNS $wns ns, WHS $whs ns at FCLK0 $act_fclk MHz (see [file join $here timing_summary.rpt]); lower --fclk, or rerun codegen with --allow-timing-failure to keep the bitstream anyway"
    }
}

# ---------------------------------------------------------------- outputs
set bit [file join [get_property DIRECTORY [get_runs impl_1]] $cfg(bd_name)_wrapper.bit]
if {![file exists $bit]} { zn_fail "bitstream $bit was not written" }
set hwh ""
foreach tree {gen srcs} {
    set candidate [file join $proj_dir $cfg(project_name).$tree sources_1 bd $cfg(bd_name) hw_handoff $cfg(bd_name).hwh]
    if {[file exists $candidate]} { set hwh $candidate; break }
}
if {$hwh eq ""} { zn_fail "no $cfg(bd_name).hwh under $proj_dir/$cfg(project_name).gen or .srcs" }
file copy -force $bit [file join $here $cfg(bitstream)]
file copy -force $hwh [file join $here $cfg(hwh)]
puts "zynqnet: wrote [file join $here $cfg(bitstream)] and [file join $here $cfg(hwh)]"
if {[info exists ::env(ZYNQNET_WRITE_XSA)] && $::env(ZYNQNET_WRITE_XSA) eq "1"} {
    if {!$use_board_preset} {
        # The fallback PS7 settings (DDR part, MIO) come from board data marked unconfirmed: an
        # XSA from them may not boot (no DDR), and Vitis/PetaLinux would build on it silently.
        if {[info exists ::env(ZYNQNET_FORCE_XSA)] && $::env(ZYNQNET_FORCE_XSA) eq "1"} {
            puts "WARNING: zynqnet build.tcl: ************************************************************"
            puts "WARNING: zynqnet build.tcl: writing an XSA WITHOUT the board files (ZYNQNET_FORCE_XSA=1):"
            puts "WARNING: zynqnet build.tcl: its PS7 DDR/MIO settings are unconfirmed; it may not boot."
            puts "WARNING: zynqnet build.tcl: ************************************************************"
        } else {
            zn_fail "not writing [file join $here $cfg(xsa)]: without the board files for $cfg(board_part) the PS7 DDR/MIO settings are the unconfirmed fallback and the XSA may not boot; install the board files (ZYNQNET_BOARD_REPO_PATHS) or set ZYNQNET_FORCE_XSA=1"
        }
    }
    write_hw_platform -fixed -include_bit -force [file join $here $cfg(xsa)]
    puts "zynqnet: wrote [file join $here $cfg(xsa)]"
}
