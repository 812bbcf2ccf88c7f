import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetHW
@testable import ZynqNetVivado

/// Realistic bugs, made by editing a generated script; the stand-in must reject each one,
/// for the right reason.
struct Mutation: CustomTestStringConvertible, Sendable {
    var name: String
    var script: String
    var find: String
    var replace: String
    var error: String
    /// Stand-in options the mutant runs with (e.g. a failing WNS).
    var extra: [String] = []
    var fclk: Double = 100
    var testDescription: String { name }
}

let mutations: [Mutation] = [
    Mutation(name: "misspelled option", script: "build.tcl",
             find: "-target_address_space [get_bd_addr_spaces $space]", replace: "-target_adress_space [get_bd_addr_spaces $space]",
             error: "assign_bd_address: unknown option '-target_adress_space'"),
    Mutation(name: "misspelled create_project option", script: "build.tcl",
             find: "-part $cfg(part) -force", replace: "-parts $cfg(part) -force",
             error: "create_project: unknown option '-parts'"),
    Mutation(name: "pin that does not exist", script: "build.tcl",
             find: "[get_bd_intf_pins acc/m_axis]", replace: "[get_bd_intf_pins acc/M_AXIS]",
             error: "get_bd_intf_pins: no interface pin 'acc/M_AXIS'"),
    Mutation(name: "s_axis not connected", script: "build.tcl",
             find: "connect_bd_intf_net [get_bd_intf_pins dma/M_AXIS_MM2S] [get_bd_intf_pins acc/s_axis]\n", replace: "",
             error: "/acc/s_axis is not connected"),
    Mutation(name: "m_axis not connected", script: "build.tcl",
             find: "connect_bd_intf_net [get_bd_intf_pins acc/m_axis] [get_bd_intf_pins dma/S_AXIS_S2MM]\n", replace: "",
             error: "/acc/m_axis is not connected"),
    Mutation(name: "s_axil not connected", script: "build.tcl",
             find: "connect_bd_intf_net [get_bd_intf_pins gp0_interconnect/M01_AXI] [get_bd_intf_pins acc/s_axil]\n", replace: "",
             error: "/acc/s_axil/reg0 is not reachable from /ps7/Data"),
    Mutation(name: "aclk not connected", script: "build.tcl",
             find: "    acc/aclk\n", replace: "\n",
             error: "/acc/aclk is not connected"),
    Mutation(name: "aresetn not connected", script: "build.tcl",
             find: "    acc/aresetn\n", replace: "\n",
             error: "/acc/aresetn is not connected"),
    Mutation(name: "reset of the wrong polarity", script: "build.tcl",
             find: "[get_bd_pins fclk0_reset/peripheral_aresetn]", replace: "[get_bd_pins fclk0_reset/peripheral_reset]",
             error: "/acc/aresetn (active-low reset) is driven by /fclk0_reset/peripheral_reset (active-high)"),
    Mutation(name: "address outside GP0", script: "build.tcl",
             find: "set cfg(acc_base)                {0x43C00000}", replace: "set cfg(acc_base)                {0x83C00000}",
             error: "is outside the M_AXI_GP0 window 0x40000000-0x7FFFFFFF"),
    Mutation(name: "address not aligned to its range", script: "build.tcl",
             find: "set cfg(acc_base)                {0x43C00000}", replace: "set cfg(acc_base)                {0x43C00800}",
             error: "offset 0x43C00800 of /acc/s_axil/reg0 is not aligned to its range 0x1000"),
    Mutation(name: "overlapping addresses", script: "build.tcl",
             find: "set cfg(acc_base)                {0x43C00000}", replace: "set cfg(acc_base)                {0x40408000}",
             error: "/acc/s_axil/reg0 0x40408000 overlaps /dma/S_AXI_LITE/Reg 0x40400000"),
    Mutation(name: "DMA in scatter-gather mode", script: "build.tcl",
             find: "CONFIG.c_include_sg 0", replace: "CONFIG.c_include_sg 1",
             error: "/dma/M_AXI_SG is not connected"),
    Mutation(name: "stream width mismatch", script: "build.tcl",
             find: "CONFIG.c_s_axis_s2mm_tdata_width $cfg(stream_width)] $dma", replace: "CONFIG.c_s_axis_s2mm_tdata_width 32] $dma",
             error: "AXI-Stream width mismatch: /acc/m_axis is 64 bits, /dma/S_AXIS_S2MM is 32 bits"),
    Mutation(name: "DMA stream wider than its memory side", script: "build.tcl",
             find: "CONFIG.c_m_axi_mm2s_data_width $cfg(hp_width)", replace: "CONFIG.c_m_axi_mm2s_data_width 32",
             error: "/dma: c_m_axis_mm2s_tdata_width 64 is wider than c_m_axi_mm2s_data_width 32"),
    Mutation(name: "HP0 not enabled", script: "build.tcl",
             find: "CONFIG.PCW_USE_S_AXI_HP0 1", replace: "CONFIG.PCW_USE_S_AXI_HP0 0",
             error: "get_bd_intf_pins: no interface pin 'ps7/S_AXI_HP0' (ps7 has: DDR FIXED_IO M_AXI_GP0)"),
    Mutation(name: "misspelled CONFIG name", script: "build.tcl",
             find: "CONFIG.c_sg_length_width $cfg(dma_length_width)", replace: "CONFIG.c_sg_length_widht $cfg(dma_length_width)",
             error: "CONFIG.c_sg_length_widht is not a parameter of dma"),
    Mutation(name: "DMA length width out of range", script: "build.tcl",
             find: "set cfg(dma_length_width)        {26}", replace: "set cfg(dma_length_width)        {27}",
             error: "CONFIG.c_sg_length_width = '27' is not legal"),
    Mutation(name: "IP VLNV differs from the packaged one", script: "build.tcl",
             find: "set cfg(ip_vlnv)                 {zynqnet.dev:zynqnet:zynqnet_accel:1.0}",
             replace: "set cfg(ip_vlnv)                 {zynqnet.dev:zynqnet:zynqnet_accel:1.1}",
             error: "packaged IP zynqnet.dev:zynqnet:zynqnet_accel:1.1 not found"),
    Mutation(name: "no validate before the wrapper", script: "build.tcl",
             find: "validate_bd_design\n", replace: "\n",
             error: "make_wrapper: the block design was changed after validate_bd_design (or never validated)"),
    Mutation(name: "unknown command", script: "build.tcl",
             find: "save_bd_design\n", replace: "save_bd_designs\n",
             error: "invalid command name \"save_bd_designs\""),
    Mutation(name: "bitstream step missing", script: "build.tcl",
             find: "launch_runs impl_1 -to_step write_bitstream", replace: "launch_runs impl_1",
             error: "launch_runs: -to_step write_bitstream missing"),
    Mutation(name: "address block range not set", script: "package_ip.tcl",
             find: "set_property range $pkg(axil_range) $block\n", replace: "\n",
             error: "ipx::check_integrity: address block of 's_axil' has no range set"),
    Mutation(name: "address block range not 2^AW", script: "package_ip.tcl",
             find: "set pkg(axil_range)              {0x00001000}", replace: "set pkg(axil_range)              {0x00002000}",
             error: "address block range 8192 is not 2^12"),
    Mutation(name: "bus interface not associated with the clock", script: "package_ip.tcl",
             find: "foreach busif {s_axis m_axis s_axil} {", replace: "foreach busif {s_axis m_axis} {",
             error: "bus interface 's_axil' is not associated with clock 'aclk'"),
    Mutation(name: "FREQ_HZ immediate at another clock", script: "package_ip.tcl",
             find: "set_property value_resolve_type user $freq", replace: "set_property value_resolve_type immediate $freq\nset_property value 50000000 $freq",
             error: "[BD 41-238] FREQ_HZ of /acc/aclk (50000000) does not match FCLK_CLK0 (100000000)"),
    // FREQ_HZ as the old codegen wrote it into the RTL attributes: Vivado's FCLK0 for 142.857 MHz
    // is 142.857132 MHz (single precision), not 142857000 Hz.
    Mutation(name: "FREQ_HZ fixed in the RTL attributes", script: "rtl/zynqnet_accel.v",
             find: "    input  wire [63:0]   s_axis_tdata,",
             replace: "    (* X_INTERFACE_PARAMETER = \"XIL_INTERFACENAME s_axis, TDATA_NUM_BYTES 8, FREQ_HZ 142857000\" *)\n    input  wire [63:0]   s_axis_tdata,",
             error: "[BD 41-237] Bus Interface property FREQ_HZ does not match between /acc/s_axis (142857000) and /ps7/FCLK_CLK0 (142857132)",
             fclk: 142.857),
    Mutation(name: "FCLK0 not enabled in the PS7", script: "build.tcl",
             find: "    CONFIG.PCW_FPGA_FCLK0_ENABLE 1 \\\n", replace: "",
             error: "/ps7: FCLK_CLK0 clocks the design but CONFIG.PCW_FPGA_FCLK0_ENABLE is 0"),
    Mutation(name: "no timing report", script: "build.tcl",
             find: "report_timing_summary -max_paths 10 -file [file join $here timing_summary.rpt]\n", replace: "",
             error: "the build never checked timing: no report_timing_summary -file after implementation"),
    Mutation(name: "no utilization report", script: "build.tcl",
             find: "report_utilization -file [file join $here utilization.rpt]\n", replace: "",
             error: "the build never checked timing: no report_utilization -file after implementation"),
    Mutation(name: "negative WNS ignored", script: "build.tcl",
             find: "set met [expr {$wns >= 0 && $whs >= 0}]", replace: "set met [expr {$whs >= 0}]",
             error: "the build went on after timing failed (WNS -0.412 ns, WHS 0.050 ns) without allow_timing_failure", extra: ["-wns", "-0.412"]),
    Mutation(name: "negative WHS ignored", script: "build.tcl",
             find: "set met [expr {$wns >= 0 && $whs >= 0}]", replace: "set met [expr {$wns >= 0}]",
             error: "the build went on after timing failed (WNS 0.250 ns, WHS -0.02 ns) without allow_timing_failure", extra: ["-whs", "-0.02"]),
    Mutation(name: "unbootable XSA written without the board files", script: "build.tcl",
             find: "    if {!$use_board_preset} {\n        # The fallback", replace: "    if {0} {\n        # The fallback",
             error: "write_hw_platform: an XSA from a PS7 without its board preset may not boot", extra: ["-board-parts", "", "-env", "ZYNQNET_WRITE_XSA=1"]),
    Mutation(name: "timing not recorded in the manifest", script: "build.tcl",
             find: "zn_record_timing [file join $here manifest.json]", replace: "list [file join $here manifest.json]",
             error: "manifest.json does not record the timing result"),
    Mutation(name: "checksums before xgui", script: "package_ip.tcl",
             find: "ipx::create_xgui_files $core\nipx::update_checksums $core", replace: "ipx::update_checksums $core\nipx::create_xgui_files $core",
             error: "ipx::update_checksums: run ipx::create_xgui_files first"),
]

@Suite(.tags(.tclsh)) struct MutationTests {
    @Test func unmutatedScriptsPass() throws {
        let dir = try generateProject()
        let (r, rep) = try runStandin(dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(rep != nil)
    }

    @Test(arguments: mutations)
    func mutationIsRejected(_ mut: Mutation) throws {
        let dir = try generateProject(fclk: mut.fclk)
        let path = dir + "/" + mut.script
        let text = try readText(path)
        #expect(text.contains(mut.find), "mutation '\(mut.name)' does not apply")
        // The unmutated project passes with the same options unless the options alone must fail it.
        try writeText(text.replacingOccurrences(of: mut.find, with: mut.replace), path)
        let (r, _) = try runStandin(dir, extra: mut.extra)
        #expect(r.status != 0, "stand-in accepted '\(mut.name)'")
        #expect(r.stderr.contains(mut.error), "\(mut.name): \(r.stderr)")
    }

    @Test func renamedRTLPortBreaksPackaging() throws {
        let dir = try generateProject()
        let v = try readText(dir + "/rtl/zynqnet_accel.v")
        try writeText(v.replacingOccurrences(of: "s_axis_tdata", with: "s_axis_data"), dir + "/rtl/zynqnet_accel.v")
        let (r, _) = try runStandin(dir)
        #expect(r.status != 0)
        #expect(r.stderr.contains("bus interface 's_axis' (xilinx.com:interface:axis_rtl:1.0) not found on top module 'zynqnet_accel'"))
    }

    /// An address that is legal for Vivado but not the manifest's: the stand-in passes, the
    /// comparison with manifest.json catches it.
    @Test func addressDifferentFromTheManifestIsCaught() throws {
        let dir = try generateProject()
        let path = dir + "/build.tcl"
        let text = try readText(path)
        let find = "set cfg(acc_base)                {0x43C00000}"
        #expect(text.contains(find))
        try writeText(text.replacingOccurrences(of: find, with: "set cfg(acc_base)                {0x43C10000}"), path)
        let (r, rep) = try runStandin(dir)
        #expect(r.status == 0, "\(r.stderr)")
        let m = try Manifest.load(file: dir + "/manifest.json")
        let diffs = differences(try #require(rep), m)
        #expect(diffs.count == 1)
        #expect(diffs.first?.hasPrefix("addresses:") == true)
    }
}
