import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetCodegen
import ZynqNetRTLSim

/// How the memories map in yosys `synth_xilinx` (the real tool, one module each): the shapes the
/// RTL asks for (bit-sliced deep banks, RAM_STYLE, zn_mvau's input buffer) are the ones synthesis
/// builds. Expected counts follow from the geometry, not from a previous run.
@Suite struct MemoryMappingTests {
    struct MappingError: Error { var message: String }

    struct Case: CustomStringConvertible, Sendable {
        var module: String, params: [String: Int]
        var check: @Sendable ([String: Int]) -> String?   // nil: fine; else what is wrong
        var note: String
        var description: String { "\(module) \(note)" }
    }

    /// Cell counts of module `top` after synth_xilinx (hierarchical; the top keeps its name): its
    /// own cells, or with `submodules` its instances' cells included (zn_param_ram's memories are
    /// in its zn_param_bank instances).
    static func synthCells(_ top: String, _ params: [String: Int], submodules: Bool = false) throws -> [String: Int] {
        let dir = try makeTemporaryDirectory("ys")
        defer { try? FileManager.default.removeItem(at: dir) }
        let stat = dir.appendingPathComponent("stat.txt")
        let chp = params.isEmpty ? "" : "chparam " + params.sorted(by: { $0.key < $1.key })
            .map { "-set \($0.key) \($0.value)" }.joined(separator: " ") + " \(top); "
        let script = "read_verilog -I\(rtlDir.path) " + rtlSources().joined(separator: " ") + "; " + chp +
            "synth_xilinx -family xc7 -top \(top) -noiopad -noclkbuf; tee -q -o \(stat.path) stat"
        let r = try runTool("yosys", ["-q", "-p", script])
        guard r.status == 0 else { throw MappingError(message: "yosys failed: \(r.output.prefix(400))") }
        let text = try String(contentsOf: stat, encoding: .utf8)
        // The top's own section, or with submodules the "design hierarchy" section (when the top
        // has instances), whose counts include every instance's cells.
        let section = submodules && text.contains("=== design hierarchy ===") ? "=== design hierarchy ===" : "=== \(top) ==="
        var cells: [String: Int] = [:]
        var inTop = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("=== ") { inTop = t == section; continue }
            guard inTop else { continue }
            let f = t.split(separator: " ", omittingEmptySubsequences: true)
            if f.count == 2, let n = Int(f[1]), f[0].first?.isUppercase == true { cells[String(f[0])] = n }
        }
        return cells
    }

    static func luts(_ c: [String: Int]) -> Int {
        (1...6).reduce(0) { $0 + (c["LUT\($1)"] ?? 0) } + (c["SRL16E"] ?? 0) + (c["SRLC32E"] ?? 0)
            + 4 * ((c["RAM32M"] ?? 0) + (c["RAM64M"] ?? 0))
    }
    static func lutram(_ c: [String: Int]) -> Int {
        c.filter { $0.key.hasPrefix("RAM") && !$0.key.hasPrefix("RAMB") }.values.reduce(0, +)
    }

    static let cases: [Case] = [
        // 100,352 x 8: three full 32K-word tiles bit-sliced = 3 x 8 RAMB36 (32K x 1), the 2,048-word
        // rest word-wide in one RAMB18 (2K x 9); no depth mux of 25 tiles (that was 260 LUT).
        Case(module: "zn_param_ram", params: ["DEPTH": 100352], check: { c in
            let l = luts(c)
            if c["RAMB36E1"] != 24 || c["RAMB18E1"] != 1 { return "BRAM \(c["RAMB36E1"] ?? 0) RAMB36 + \(c["RAMB18E1"] ?? 0) RAMB18" }
            if lutram(c) != 0 { return "LUTRAM \(lutram(c))" }
            return l <= 100 ? nil : "\(l) LUT"
        }, note: "DEPTH 100352 bit-sliced"),
        // 10 x 71, block: 71 bits a port over 36-bit true-dual-port ports = 2 RAMB36 (4 RAMB18).
        Case(module: "zn_param_ram", params: ["DEPTH": 10, "WORD_W": 71, "RAM_STYLE": 1], check: { c in
            let b18 = 2 * (c["RAMB36E1"] ?? 0) + (c["RAMB18E1"] ?? 0)
            if b18 != 4 || lutram(c) != 0 { return "\(b18) RAMB18 equivalents, LUTRAM \(lutram(c))" }
            return (c["SRL16E"] ?? 0) == 0 ? nil : "\(c["SRL16E"] ?? 0) SRL16E in the config pipeline"
        }, note: "RAM_STYLE 1"),
        Case(module: "zn_param_ram", params: ["DEPTH": 64, "WORD_W": 71, "RAM_STYLE": 2], check: { c in
            let b = (c["RAMB36E1"] ?? 0) + (c["RAMB18E1"] ?? 0)
            return b == 0 && lutram(c) > 0 ? nil : "\(b) block RAMs, LUTRAM \(lutram(c))"
        }, note: "RAM_STYLE 2"),
        // Input buffer 2 x 128 x 8 (~56 LUTs of RAM64M >= 48 x one RAMB18): block RAM.
        Case(module: "zn_mvau", params: ["IN": 128, "OUT": 10, "SUM_W": 23, "MUL_STYLE": 2], check: { c in
            c["RAMB18E1"] == 1 && lutram(c) == 0 ? nil : "RAMB18 \(c["RAMB18E1"] ?? 0), LUTRAM \(lutram(c))"
        }, note: "input buffer 256 x 8 in block RAM"),
        // 2 x 96 x 8 (~42 LUTs < 48): left to synthesis, which takes RAM64M.
        Case(module: "zn_mvau", params: ["IN": 96, "OUT": 4, "PE": 2, "SUM_W": 23, "MUL_STYLE": 2], check: { c in
            (c["RAMB18E1"] ?? 0) + (c["RAMB36E1"] ?? 0) == 0 && lutram(c) > 0 ? nil : "RAMB18 \(c["RAMB18E1"] ?? 0), LUTRAM \(lutram(c))"
        }, note: "input buffer 192 x 8 in LUTRAM"),
    ]

    /// zn_param_ram's own registers (its banks aside) grow from 8- to 32-bit words by exactly the
    /// 24 more bits of the staged last chunk (s1_wlast) and the 24 of cfg_rdata that an 8-bit word
    /// leaves zero: a zn_param_bank answers only WORD_W chunk bits, so those cfg_rdata bits stay
    /// constants synthesis removes, as with the banks inline.
    @Test(.tags(.yosys)) func oneChunkWordLeavesTheReadBackPaddingConstant() throws {
        let w8 = try MemoryMappingTests.synthCells("zn_param_ram", ["DEPTH": 72, "WORD_W": 8])
        let w32 = try MemoryMappingTests.synthCells("zn_param_ram", ["DEPTH": 72, "WORD_W": 32])
        #expect((w32["FDRE"] ?? 0) - (w8["FDRE"] ?? 0) == 48, "\(w8["FDRE"] ?? 0) FDRE at 8 bits, \(w32["FDRE"] ?? 0) at 32")
    }

    @Test(.tags(.yosys), arguments: cases)
    func mapping(_ c: Case) throws {
        // zn_param_ram's memories are in its banks; zn_mvau's input buffer is its own.
        let cells = try MemoryMappingTests.synthCells(c.module, c.params, submodules: c.module == "zn_param_ram")
        #expect(!cells.isEmpty, "no cells parsed for \(c.module)")
        let problem = c.check(cells)
        #expect(problem == nil, "\(c): \(problem ?? "")")
    }
}
