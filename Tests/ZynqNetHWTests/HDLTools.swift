import Foundation
import Testing
import ZynqNetTestSupport
import ZynqNetCodegen
import ZynqNetRTLSim

let rtlDir = repoRoot.appendingPathComponent("fpga/rtl")
let simDir = repoRoot.appendingPathComponent("fpga/sim")

func rtlSources() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: rtlDir.path)) ?? []).filter { $0.hasSuffix(".v") }.sorted()
        .map { rtlDir.appendingPathComponent($0).path }
}

func tbSources() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: simDir.path)) ?? []).filter { $0.hasSuffix(".v") }.sorted()
        .map { simDir.appendingPathComponent($0).path }
}

/// A generated design's files written out and checked with the real tools: `verilator
/// --lint-only -Wall` (no line), iverilog and yosys elaborate the top.
func checkGeneratedTop(_ d: GeneratedDesign, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let dir = try makeTemporaryDirectory("top")
    defer { try? FileManager.default.removeItem(at: dir) }
    try d.writeFiles(into: dir)
    let rtl = dir.appendingPathComponent("rtl")
    let files = d.rtlFiles.filter { $0.hasSuffix(".v") }.map { dir.appendingPathComponent($0).path }
    let r = try runTool("verilator", ["--lint-only", "-Wall", "-I" + rtl.path, "--top-module", "zynqnet_accel"] + files)
    let lines = r.output.split(separator: "\n").filter { $0.hasPrefix("%") }
    #expect(r.status == 0 && lines.isEmpty, "\(lines.prefix(5).joined(separator: "\n"))", sourceLocation: sourceLocation)
    let iv = try runTool("iverilog", ["-g2005", "-I" + rtl.path, "-o", dir.appendingPathComponent("a.out").path, "-s", "zynqnet_accel"] + files)
    #expect(iv.status == 0, "\(iv.output.prefix(300))", sourceLocation: sourceLocation)
    let ys = try runTool("yosys", ["-q", "-p", "read_verilog -I\(rtl.path) " + files.joined(separator: " ") + "; hierarchy -check -top zynqnet_accel"])
    #expect(ys.status == 0, "\(ys.output.prefix(300))", sourceLocation: sourceLocation)
}

/// Verilator lint of one module with parameter overrides; returns the warning/error lines.
func verilatorLint(top: String, params: [String: Int] = [:], extra: [String] = []) throws -> [String] {
    let args = ["--lint-only", "-Wall", "-I" + rtlDir.path, "--top-module", top] +
        params.sorted(by: { $0.key < $1.key }).map { "-G\($0.key)=\($0.value)" } + extra + rtlSources()
    let r = try runTool("verilator", args)
    let lines = r.output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("%") }
    if r.status != 0 && lines.isEmpty { return ["verilator exit \(r.status): \(r.output.prefix(300))"] }
    return lines
}

/// Elaborates `top` with parameters in iverilog; returns (ok, output).
func iverilogElaborate(top: String, params: [String: Int] = [:], sources: [String]? = nil) throws -> (Bool, String) {
    let out = try makeTemporaryDirectory("iv").appendingPathComponent("a.out")
    defer { try? FileManager.default.removeItem(at: out.deletingLastPathComponent()) }
    let args = ["-g2005", "-I" + rtlDir.path, "-o", out.path, "-s", top] +
        params.sorted(by: { $0.key < $1.key }).flatMap { ["-P", "\(top).\($0.key)=\($0.value)"] } + (sources ?? rtlSources())
    let r = try runTool("iverilog", args)
    return (r.status == 0, r.output)
}

/// Reads and elaborates `top` in yosys (read_verilog, chparam, hierarchy -check); returns (ok, output).
func yosysElaborate(top: String, params: [String: Int] = [:], sources: [String]? = nil) throws -> (Bool, String) {
    let chp = params.isEmpty ? "" : "chparam " + params.sorted(by: { $0.key < $1.key }).map { "-set \($0.key) \($0.value)" }.joined(separator: " ") + " \(top); "
    let script = "read_verilog -I\(rtlDir.path) " + (sources ?? rtlSources()).joined(separator: " ") + "; " + chp +
        "hierarchy -check -top \(top); proc"
    let r = try runTool("yosys", ["-q", "-p", script])
    return (r.status == 0, r.output)
}

/// Writes a testbench's input files into `dir`; the plusargs naming them and its output files.
private func testbenchPlusargs(dir: URL, inputs: [String: String], outputs: [String]) throws -> [String] {
    var plus: [String] = []
    for (k, v) in inputs {
        let f = dir.appendingPathComponent(k + ".hex")
        try v.write(to: f, atomically: false, encoding: .utf8)
        plus.append("+\(k)=\(f.path)")
    }
    for k in outputs { plus.append("+\(k)=\(dir.appendingPathComponent(k + ".out").path)") }
    return plus
}

/// A testbench run's verdict (its RESULT / tb_ lines) and the output files it wrote.
private func testbenchResult(_ log: String, dir: URL, outputs: [String]) -> (passed: Bool, result: String, outputs: [String: [String]]) {
    let result = log.split(separator: "\n").map(String.init).filter { $0.hasPrefix("RESULT") || $0.hasPrefix("tb_") }.joined(separator: "\n")
    var outs: [String: [String]] = [:]
    for k in outputs {
        let text = (try? String(contentsOf: dir.appendingPathComponent(k + ".out"), encoding: .utf8)) ?? ""
        outs[k] = text.split(separator: "\n").map(String.init)
    }
    return (result.contains("RESULT PASS"), result, outs)
}

/// Runs a testbench of fpga/sim in iverilog. `inputs` maps plusarg names to file contents;
/// `outputs` lists plusarg names whose files are read back (hex lines).
func runTestbench(_ tb: String, params: [String: Int], inputs: [String: String], outputs: [String]) throws
    -> (passed: Bool, result: String, outputs: [String: [String]]) {
    let dir = try makeTemporaryDirectory(tb)
    defer { try? FileManager.default.removeItem(at: dir) }
    let exe = dir.appendingPathComponent("sim")
    let args = ["-g2005", "-I" + rtlDir.path, "-o", exe.path, "-s", tb] +
        params.sorted(by: { $0.key < $1.key }).flatMap { ["-P", "\(tb).\($0.key)=\($0.value)"] } + tbSources() + rtlSources()
    let c = try runTool("iverilog", args)
    guard c.status == 0 else { return (false, "compile: " + c.output, [:]) }
    let plus = try testbenchPlusargs(dir: dir, inputs: inputs, outputs: outputs)
    let r = try runTool("vvp", ["-n", exe.path] + plus)
    return testbenchResult(r.output, dir: dir, outputs: outputs)
}

/// Runs a testbench of fpga/sim built by Verilator (`--binary --timing`, unoptimized C++ so the
/// build stays short), same interface as `runTestbench`; `helpers` names the other fpga/sim
/// modules the testbench instantiates (e.g. "tb_src"). Verilator is two-state: registers start at 0.
func runTestbenchVerilator(_ tb: String, helpers: [String] = [], params: [String: Int], inputs: [String: String], outputs: [String]) throws
    -> (passed: Bool, result: String, outputs: [String: [String]]) {
    let dir = try makeTemporaryDirectory(tb + "-vl")
    defer { try? FileManager.default.removeItem(at: dir) }
    let files = ([tb] + helpers).map { simDir.appendingPathComponent($0 + ".v").path }
    let args = ["--binary", "--timing", "-Wno-fatal", "-Wno-lint", "-Wno-style", "-I" + rtlDir.path, "--top-module", tb,
                "-MAKEFLAGS", "OPT_FAST=-O0 OPT_SLOW=-O0 OPT_GLOBAL=-O0", "--Mdir", dir.appendingPathComponent("obj").path, "-o", "sim"] +
        params.sorted(by: { $0.key < $1.key }).map { "-G\($0.key)=\($0.value)" } + files + rtlSources()
    let c = try runTool("verilator", args)
    guard c.status == 0 else { return (false, "verilator build: " + String(c.output.suffix(1500)), [:]) }
    let plus = try testbenchPlusargs(dir: dir, inputs: inputs, outputs: outputs)
    let r = try runTool(dir.appendingPathComponent("obj/sim").path, plus)
    return testbenchResult(r.output, dir: dir, outputs: outputs)
}

/// A bit vector, LSB first, to build and take apart wide hex words.
struct Bits {
    var bits: [Bool]

    init(width: Int) { bits = [Bool](repeating: false, count: width) }

    /// From a hex string as $fwrite("%h") prints it; x/z digits become nil.
    init?(hex: String, width: Int) {
        bits = [Bool](repeating: false, count: width)
        var pos = 0
        for ch in hex.reversed() {
            guard let d = ch.hexDigitValue else { return nil }
            for b in 0..<4 where pos + b < width { bits[pos + b] = (d >> b) & 1 == 1 }
            pos += 4
        }
    }

    mutating func set(_ lo: Int, _ width: Int, _ value: Int64) {
        for b in 0..<width { bits[lo + b] = b < 64 ? (value >> Int64(b)) & 1 == 1 : value < 0 }
    }

    func unsigned(_ lo: Int, _ width: Int) -> UInt64 {
        var v: UInt64 = 0
        for b in 0..<width where bits[lo + b] { v |= 1 << UInt64(b) }
        return v
    }

    func signed(_ lo: Int, _ width: Int) -> Int64 {
        let u = unsigned(lo, width)
        return bits[lo + width - 1] && width < 64 ? Int64(bitPattern: u) - (Int64(1) << Int64(width)) : Int64(bitPattern: u)
    }

    var hex: String {
        var s = ""
        var i = 0
        while i < bits.count {
            var d = 0
            for b in 0..<4 where i + b < bits.count && bits[i + b] { d |= 1 << b }
            s = String(d, radix: 16) + s
            i += 4
        }
        return s.isEmpty ? "0" : s
    }
}
