# package_ip.tcl -- package the zynqnet accelerator RTL as an IP-XACT core.
#
# Template: `zynqnet codegen` copies this file into its output directory and replaces the
# parameter marker line below with `set pkg(...)` lines (see docs/vivado.md). Nothing else
# is substituted: what you read here is what runs.
#
#   vivado -mode batch -source package_ip.tcl      (build.tcl sources it for you)
#
# Targets Vivado 2022.2 .. 2025.2. Paths are relative to this script's directory.
# Result: the core in $pkg(ip_repo_dir)/component.xml, VLNV
# $pkg(vendor):$pkg(library):$pkg(name):$pkg(version).

#@ZYNQNET_PARAMETERS@

set pkg_here     [file normalize [file dirname [info script]]]
set pkg_proj_dir [file join $pkg_here $pkg(project_dir)]
set pkg_repo_dir [file join $pkg_here $pkg(ip_repo_dir)]

proc pkg_fail {msg} {
    puts stderr "ERROR: zynqnet package_ip.tcl: $msg"
    error "zynqnet package_ip.tcl: $msg"
}

# Start from scratch so a re-run never mixes old and new sources.
file delete -force $pkg_proj_dir $pkg_repo_dir
file mkdir $pkg_repo_dir

create_project $pkg(project_name) $pkg_proj_dir -part $pkg(part) -force

set pkg_sources {}
foreach f $pkg(rtl_files) {
    set path [file join $pkg_here $f]
    if {![file exists $path]} { pkg_fail "RTL file '$path' is missing" }
    lappend pkg_sources $path
}
add_files -norecurse $pkg_sources
set_property top $pkg(top) [current_fileset]
update_compile_order -fileset sources_1

# -import_files copies the sources into $pkg_repo_dir/src, so the repository is self-contained.
ipx::package_project -root_dir $pkg_repo_dir -vendor $pkg(vendor) -library $pkg(library) \
    -taxonomy /UserIP -import_files -set_current true
set core [ipx::current_core]

set_property name         $pkg(name)         $core
set_property version      $pkg(version)      $core
set_property display_name $pkg(display_name) $core
set_property description  $pkg(description)  $core
set_property core_revision 1 $core

# Bus interfaces. Vivado infers them from the port names (s_axis_*, m_axis_*, s_axil_*,
# aclk, aresetn) and the X_INTERFACE_INFO attributes; if one is missing, ask for inference
# once more, then fail loudly rather than package a core the block design cannot wire.
set pkg_interfaces [list \
    aclk    xilinx.com:signal:clock_rtl:1.0 \
    aresetn xilinx.com:signal:reset_rtl:1.0 \
    s_axis  xilinx.com:interface:axis_rtl:1.0 \
    m_axis  xilinx.com:interface:axis_rtl:1.0 \
    s_axil  xilinx.com:interface:aximm_rtl:1.0]
foreach {busif abstraction} $pkg_interfaces {
    if {[llength [ipx::get_bus_interfaces -quiet $busif -of_objects $core]] == 0} {
        puts "WARNING: zynqnet package_ip.tcl: bus interface '$busif' was not inferred; inferring $abstraction"
        ipx::infer_bus_interfaces $abstraction $core
    }
    if {[llength [ipx::get_bus_interfaces -quiet $busif -of_objects $core]] == 0} {
        pkg_fail "bus interface '$busif' ($abstraction) not found on top module '$pkg(top)'; check the port names"
    }
}

# One clock for everything; aresetn is its (active-low) reset.
foreach busif {s_axis m_axis s_axil} {
    ipx::associate_bus_interfaces -busif $busif -clock aclk $core
}
ipx::associate_bus_interfaces -clock aclk -reset aresetn $core

set clk_if [ipx::get_bus_interfaces aclk -of_objects $core]
set freq [ipx::get_bus_parameters -quiet FREQ_HZ -of_objects $clk_if]
if {[llength $freq] == 0} { set freq [ipx::add_bus_parameter FREQ_HZ $clk_if] }
set_property value $pkg(freq_hz) $freq
# "user": the block design may run the core at another FCLK without a FREQ_HZ mismatch.
set_property value_resolve_type user $freq

set rst_if [ipx::get_bus_interfaces aresetn -of_objects $core]
set polarity [ipx::get_bus_parameters -quiet POLARITY -of_objects $rst_if]
if {[llength $polarity] == 0} { set polarity [ipx::add_bus_parameter POLARITY $rst_if] }
set_property value ACTIVE_LOW $polarity

# The AXI-Lite register window: memory map s_axil, address block reg0 of 2^axil_addr_width bytes.
set axil_if [ipx::get_bus_interfaces s_axil -of_objects $core]
set mmap [ipx::get_memory_maps -quiet s_axil -of_objects $core]
if {[llength $mmap] == 0} { set mmap [ipx::add_memory_map s_axil $core] }
set_property slave_memory_map_ref s_axil $axil_if
set block [ipx::get_address_blocks -quiet reg0 -of_objects $mmap]
if {[llength $block] == 0} { set block [ipx::add_address_block reg0 $mmap] }
set_property base_address 0 $block
set_property range $pkg(axil_range) $block
set_property width 32 $block

ipx::create_xgui_files $core
ipx::update_checksums $core
ipx::check_integrity $core
ipx::save_core $core
puts "zynqnet: packaged $pkg(vendor):$pkg(library):$pkg(name):$pkg(version) into $pkg_repo_dir"
close_project
