import Foundation
import ZynqNetTestSupport
import ZynqNetBase
import ZynqNetHW
@testable import ZynqNetVivado

let fixturesDir = fixturePath("vivado")
let standinRunner = repoPath("fpga/tcl/standin_run.tcl")

func readText(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
}

func writeText(_ text: String, _ path: String) throws {
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}

/// A design as codegen would describe it, with the contract-port fixture as its RTL:
/// 784 pixels → 98 beats = 784 bytes in; 10 classes → 1 + 2 beats = 24 bytes out.
func fixtureDesign(axilAddrWidth: Int = 12) -> VivadoDesignInfo {
    VivadoDesignInfo(topModule: "zynqnet_accel", rtlFiles: ["rtl/zynqnet_accel.v"], axilAddrWidth: axilAddrWidth,
                     topologyHash: 0x1234_5678_9ABC_DEF0, inputRecordBytes: 784, outputRecordBytes: 24,
                     iiCycles: 98, latencyCycles: 420)
}

/// Writes the fixture RTL and the Vivado files for `board` into a new directory.
func generateProject(board: String = "pynq-z2", fclk: Double = 100, lengthWidth: Int = 26,
                     design: VivadoDesignInfo = fixtureDesign()) throws -> String {
    let dir = try makeTemporaryDirectory("vivado").path
    try FileManager.default.createDirectory(atPath: dir + "/rtl", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: fixturesDir + "/zynqnet_accel.v", toPath: dir + "/rtl/zynqnet_accel.v")
    let b = try Board.load(file: repoPath("fpga/boards/\(board).json"))
    try VivadoProject.write(design: design, board: b, fclkMHz: fclk, dmaLengthWidth: lengthWidth, to: dir)
    return dir
}

/// What the stand-in saw (written by ::sv::write_report).
struct StandinReport: Decodable {
    struct Cell: Decodable {
        var vlnv: String
        var config: [String: String]
        var intf_widths: [String: Int]
    }
    struct Assignment: Decodable, Equatable {
        var space: String
        var segment: String
        var offset: UInt64
        var range: UInt64
    }
    var vivado_version: String
    var projects: [String]
    var part: String
    var board_part: String
    var board_preset: Int
    var ip_vlnv: String
    var ip_range: UInt64
    var cells: [String: Cell]
    var intf_nets: [[String]]
    var addresses: [Assignment]
    var validated: Bool
    var outputs: [String]
}

/// Runs build.tcl (which sources package_ip.tcl) in `dir` under tclsh + the stand-in.
func runStandin(_ dir: String, script: String = "build.tcl", extra: [String] = []) throws -> (ToolOutput, StandinReport?) {
    let reportPath = dir + "/standin-report.json"
    try? FileManager.default.removeItem(atPath: reportPath)
    let report = script == "build.tcl" ? ["-report", reportPath] : []
    let r = try runProcess("tclsh", [standinRunner] + extra + report + [script], cwd: URL(fileURLWithPath: dir))
    guard r.status == 0, let data = FileManager.default.contents(atPath: reportPath) else { return (r, nil) }
    return (r, try JSONDecoder().decode(StandinReport.self, from: data))
}

/// Every difference between what the scripts did under the stand-in and manifest.json.
func differences(_ rep: StandinReport, _ m: Manifest) -> [String] {
    var d: [String] = []
    func expect(_ what: String, _ got: String, _ want: String) { if got != want { d.append("\(what): \(got) != \(want)") } }
    expect("part", rep.part, m.part)
    expect("ip_vlnv", rep.ip_vlnv, m.ipVLNV)
    expect("ip_range", String(rep.ip_range), String(m.accelerator.range.value))
    guard let ps = rep.cells["ps7"], let dma = rep.cells[m.blockDesign.dmaCell], let acc = rep.cells[m.blockDesign.acceleratorCell] else {
        return d + ["ps7/dma/acc cells missing"]
    }
    expect("fclk", ps.config["PCW_FPGA0_PERIPHERAL_FREQMHZ"] ?? "?", VivadoProject.formatMHz(m.fclkMHz))
    expect("hp0 width", ps.config["PCW_S_AXI_HP0_DATA_WIDTH"] ?? "?", String(m.dma.mmDataWidth))
    expect("acc vlnv", acc.vlnv, m.ipVLNV)
    expect("dma sg", dma.config["c_include_sg"] ?? "?", m.dma.mode == "direct" ? "0" : "1")
    expect("dma length width", dma.config["c_sg_length_width"] ?? "?", String(m.dma.lengthWidth))
    expect("dma mm2s mm width", dma.config["c_m_axi_mm2s_data_width"] ?? "?", String(m.dma.mmDataWidth))
    expect("dma s2mm mm width", dma.config["c_m_axi_s2mm_data_width"] ?? "?", String(m.dma.mmDataWidth))
    expect("dma mm2s stream", dma.config["c_m_axis_mm2s_tdata_width"] ?? "?", String(m.dma.mm2sStreamWidth))
    expect("dma s2mm stream", dma.config["c_s_axis_s2mm_tdata_width"] ?? "?", String(m.dma.s2mmStreamWidth))
    expect("acc s_axis width", String(acc.intf_widths["s_axis"] ?? -1), String(m.stream.sAxisTdataWidth))
    expect("acc m_axis width", String(acc.intf_widths["m_axis"] ?? -1), String(m.stream.mAxisTdataWidth))
    expect("acc s_axil addr width", String(acc.intf_widths["s_axil"] ?? -1), String(m.accelerator.axilAddrWidth))
    let want: [StandinReport.Assignment] = [
        .init(space: "/ps7/Data", segment: "/dma/S_AXI_LITE/Reg", offset: m.dma.baseAddress.value, range: m.dma.range.value),
        .init(space: "/ps7/Data", segment: "/acc/s_axil/reg0", offset: m.accelerator.baseAddress.value, range: m.accelerator.range.value),
        .init(space: "/dma/Data_MM2S", segment: "/ps7/S_AXI_HP0/HP0_DDR_LOWOCM", offset: m.ddr.base.value, range: m.ddr.size.value),
        .init(space: "/dma/Data_S2MM", segment: "/ps7/S_AXI_HP0/HP0_DDR_LOWOCM", offset: m.ddr.base.value, range: m.ddr.size.value),
    ]
    let sorted = { (a: [StandinReport.Assignment]) in a.sorted { ($0.space, $0.segment) < ($1.space, $1.segment) } }
    if sorted(rep.addresses) != sorted(want) { d.append("addresses: \(rep.addresses) != \(want)") }
    let streams = rep.intf_nets.map { $0.joined(separator: "->") }
    for s in ["/dma/M_AXIS_MM2S->/acc/s_axis", "/acc/m_axis->/dma/S_AXIS_S2MM"] where !streams.contains(s) {
        d.append("stream connection \(s) missing")
    }
    if !rep.validated { d.append("block design not validated") }
    expect("outputs", rep.outputs.sorted().joined(separator: ","), [m.files.bitstream, m.files.hwh].sorted().joined(separator: ","))
    return d
}
