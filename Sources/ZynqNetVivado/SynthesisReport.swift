import Foundation
import ZynqNetModel

/// Cell counts from yosys `stat` after `synth_xilinx -family xc7`.
public enum YosysStat {
    /// Parses the cell list of the last module section of a `stat` printout
    /// (yosys 0.23: "     FDRE     72"; later versions print the count first).
    /// Never traps: unknown lines are skipped, counts that do not fit 64 bits are an error.
    public static func parseCells(_ text: String, file: String = "yosys stat") throws -> [String: UInt64] {
        var sections: [[String: UInt64]] = []
        var current: [String: UInt64]? = nil
        var inCells = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("===") && line.hasSuffix("===") {
                if let c = current { sections.append(c) }
                current = [:]
                inCells = false
                continue
            }
            guard current != nil else { continue }
            if line.hasPrefix("Number of cells:") || line.hasSuffix(" cells") {
                inCells = true
                continue
            }
            if line.isEmpty { inCells = false; continue }
            guard inCells else { continue }
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count == 2 else { continue }
            let (name, count): (Substring, Substring)
            if parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) {
                (name, count) = (parts[0], parts[1])
            } else if parts[0].allSatisfy({ $0.isASCII && $0.isNumber }) {
                (name, count) = (parts[1], parts[0])
            } else {
                continue
            }
            guard let n = UInt64(count) else {
                throw ZynqError(file: file, key: String(name), "cell count '\(count)' does not fit 64 bits")
            }
            let (sum, overflow) = (current![String(name)] ?? 0).addingReportingOverflow(n)
            guard !overflow else { throw ZynqError(file: file, key: String(name), "cell count overflows") }
            current![String(name)] = sum
        }
        if let c = current { sections.append(c) }
        guard let last = sections.last(where: { !$0.isEmpty }) else {
            throw ZynqError(file: file, "no cell list found (not the output of yosys 'stat'?)")
        }
        return last
    }
}

/// xc7z020 resources and what a design uses of them.
public struct Resources: Equatable, Sendable {
    /// Budget of the xc7z020 (DS190): LUTs, flip-flops, DSP48E1, 36 Kb block RAMs.
    public static let xc7z020 = (lut: UInt64(53_200), ff: UInt64(106_400), dsp: UInt64(220), bram36: 140.0)

    /// All LUTs: logic + LUTs used as distributed RAM + LUTs used as shift registers.
    public var lut: UInt64
    public var lutLogic: UInt64
    public var lutram: UInt64
    public var srl: UInt64
    public var ff: UInt64
    public var dsp: UInt64
    public var ramb36: UInt64
    public var ramb18: UInt64
    public var carry4: UInt64

    /// RAMB36 equivalents: RAMB36 + RAMB18 / 2.
    public var bram36: Double { Double(ramb36) + Double(ramb18) / 2 }

    /// LUTs each distributed-RAM primitive occupies (7-series CLB: one LUT6 holds 64 x 1 or 32 x 2).
    static let lutramLUTs: [String: UInt64] = [
        "RAM32X1S": 1, "RAM64X1S": 1, "RAM128X1S": 2, "RAM256X1S": 4,
        "RAM32X1D": 2, "RAM64X1D": 2, "RAM128X1D": 4, "RAM32M": 4, "RAM64M": 4,
    ]
    static let srlCells: Set<String> = ["SRL16E", "SRLC16E", "SRLC32E"]
    static let ffCells: Set<String> = ["FDRE", "FDSE", "FDCE", "FDPE", "LDCE", "LDPE"]
    /// INV is a LUT1 in the fabric (Vivado may fold some into neighbours: an upper bound).
    static let lutCells: Set<String> = ["LUT1", "LUT2", "LUT3", "LUT4", "LUT5", "LUT6", "INV"]

    public init(cells: [String: UInt64]) {
        func sum(_ names: Set<String>) -> UInt64 {
            names.reduce(0) { $0 &+ (cells[$1] ?? 0) }
        }
        lutLogic = sum(Resources.lutCells)
        lutram = Resources.lutramLUTs.reduce(0) { $0 &+ (cells[$1.key] ?? 0) &* $1.value }
        srl = sum(Resources.srlCells)
        lut = lutLogic &+ lutram &+ srl
        ff = sum(Resources.ffCells)
        dsp = cells["DSP48E1"] ?? 0
        ramb36 = (cells["RAMB36E1"] ?? 0) &+ (cells["FIFO36E1"] ?? 0)
        ramb18 = (cells["RAMB18E1"] ?? 0) &+ (cells["FIFO18E1"] ?? 0)
        carry4 = cells["CARRY4"] ?? 0
    }
}

/// `zynqnet report`: yosys resources, the design's throughput, and both against the xc7z020.
public struct ResourceReport: Encodable, Sendable {
    public var top: String
    public var rtlFiles: [String]
    public var cells: [String: UInt64]
    public var resources: Resources
    public var yosysSeconds: Double
    public var fclkMHz: Double?
    public var iiCycles: UInt64?
    public var latencyCycles: UInt64?
    public var inputRecordBytes: UInt64?
    public var outputRecordBytes: UInt64?
    /// The resource model's estimate codegen recorded in design.json (for comparison), if any.
    public var estimate: ResourceEstimateValues? = nil

    public var imagesPerSecond: Double? {
        guard let f = fclkMHz, let ii = iiCycles, ii > 0 else { return nil }
        return f * 1e6 / Double(ii)
    }
    /// MB/s (10^6 bytes) the input stream needs at imagesPerSecond.
    public var inputMBPerSecond: Double? {
        guard let ips = imagesPerSecond, let b = inputRecordBytes else { return nil }
        return ips * Double(b) / 1e6
    }
    public var outputMBPerSecond: Double? {
        guard let ips = imagesPerSecond, let b = outputRecordBytes else { return nil }
        return ips * Double(b) / 1e6
    }
    /// A 64-bit stream at fclk moves 8 bytes a cycle.
    public var streamCapMBPerSecond: Double? { fclkMHz.map { $0 * 8 } }

    enum Keys: String, CodingKey {
        case source, estimate, top, rtl_files, cells, lut, lut_logic, lutram, srl, ff, dsp, bram36, ramb36, ramb18, carry4
        case budget, utilization, yosys_seconds, fclk_mhz, ii_cycles, latency_cycles, images_per_second
        case input_mb_per_s, output_mb_per_s, stream_cap_mb_per_s, input_record_bytes, output_record_bytes
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        let r = resources, b = Resources.xc7z020
        try c.encode("yosys", forKey: .source)
        try c.encodeIfPresent(estimate, forKey: .estimate)
        try c.encode(top, forKey: .top)
        try c.encode(rtlFiles, forKey: .rtl_files)
        try c.encode(cells, forKey: .cells)
        try c.encode(r.lut, forKey: .lut)
        try c.encode(r.lutLogic, forKey: .lut_logic)
        try c.encode(r.lutram, forKey: .lutram)
        try c.encode(r.srl, forKey: .srl)
        try c.encode(r.ff, forKey: .ff)
        try c.encode(r.dsp, forKey: .dsp)
        try c.encode(r.bram36, forKey: .bram36)
        try c.encode(r.ramb36, forKey: .ramb36)
        try c.encode(r.ramb18, forKey: .ramb18)
        try c.encode(r.carry4, forKey: .carry4)
        try c.encode(["lut": Double(b.lut), "ff": Double(b.ff), "dsp": Double(b.dsp), "bram36": b.bram36], forKey: .budget)
        try c.encode(utilization, forKey: .utilization)
        try c.encode((yosysSeconds * 1000).rounded() / 1000, forKey: .yosys_seconds)
        try c.encode(fclkMHz, forKey: .fclk_mhz)
        try c.encode(iiCycles, forKey: .ii_cycles)
        try c.encode(latencyCycles, forKey: .latency_cycles)
        try c.encode(imagesPerSecond, forKey: .images_per_second)
        try c.encode(inputMBPerSecond, forKey: .input_mb_per_s)
        try c.encode(outputMBPerSecond, forKey: .output_mb_per_s)
        try c.encode(streamCapMBPerSecond, forKey: .stream_cap_mb_per_s)
        try c.encode(inputRecordBytes, forKey: .input_record_bytes)
        try c.encode(outputRecordBytes, forKey: .output_record_bytes)
    }

    /// Percent of the xc7z020 budget.
    public var utilization: [String: Double] {
        let r = resources, b = Resources.xc7z020
        func pct(_ used: Double, _ total: Double) -> Double { (used / total * 10000).rounded() / 100 }
        return ["lut": pct(Double(r.lut), Double(b.lut)), "ff": pct(Double(r.ff), Double(b.ff)),
                "dsp": pct(Double(r.dsp), Double(b.dsp)), "bram36": pct(r.bram36, b.bram36)]
    }

    public func json() throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var d = try enc.encode(self)
        d.append(0x0A)
        return d
    }

    /// The human-readable table.
    public func table() -> String {
        let r = resources, b = Resources.xc7z020
        func n(_ v: UInt64) -> String {
            let s = String(v)
            var out = ""
            for (i, ch) in s.enumerated() {
                if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
                out.append(ch)
            }
            return out
        }
        func pad(_ s: String, _ w: Int, left: Bool = false) -> String {
            s.count >= w ? s : (left ? s + String(repeating: " ", count: w - s.count) : String(repeating: " ", count: w - s.count) + s)
        }
        func row(_ name: String, _ used: String, _ total: String, _ pct: Double?, _ note: String = "") -> String {
            pad(name, 12, left: true) + pad(used, 10) + pad(total, 10) + pad(pct.map { String(format: "%.1f%%", $0) } ?? "", 9)
                + (note.isEmpty ? "" : "   " + note)
        }
        let u = utilization
        // The resource model's number beside yosys's, when design.json carries one.
        func est(_ v: String?, after note: String = "") -> String {
            guard let v else { return note }
            return note.isEmpty ? "estimate \(v)" : note + "; estimate \(v)"
        }
        var lines = [
            "zynqnet report: top \(top), \(rtlFiles.count) RTL file(s), yosys synth_xilinx -family xc7 in \(String(format: "%.1f", yosysSeconds)) s",
            "",
            pad("resource", 12, left: true) + pad("used", 10) + pad("xc7z020", 10) + pad("use", 9),
            row("LUT", n(r.lut), n(b.lut), u["lut"], est(estimate.map { n($0.lut) }, after: "logic \(n(r.lutLogic)), LUTRAM \(n(r.lutram)), SRL \(n(r.srl))")),
            row("FF", n(r.ff), n(b.ff), u["ff"], est(estimate.map { n($0.ff) })),
            row("DSP48E1", n(r.dsp), n(b.dsp), u["dsp"], est(estimate.map { n($0.dsp) })),
            row("BRAM36", String(format: "%.1f", r.bram36), String(format: "%.0f", b.bram36), u["bram36"],
                est(estimate.map { String(format: "%.1f", $0.bram36) }, after: "RAMB36E1 \(r.ramb36), RAMB18E1 \(r.ramb18)")),
            row("CARRY4", n(r.carry4), "", nil),
            "",
        ]
        func opt(_ v: Double?, _ fmt: String) -> String { v.map { String(format: fmt, $0) } ?? "n/a" }
        lines.append("II          " + (iiCycles.map { "\(n($0)) cycles" } ?? "n/a (no ii_cycles in manifest.json or design.json)"))
        lines.append("latency     " + (latencyCycles.map { "\(n($0)) cycles" } ?? "n/a"))
        lines.append("fclk        " + opt(fclkMHz, "%.3f MHz"))
        lines.append("images/s    " + (imagesPerSecond.map { n(UInt64($0.rounded())) } ?? "n/a"))
        var bw = "input BW    " + opt(inputMBPerSecond, "%.1f MB/s")
        if let cap = streamCapMBPerSecond, inputMBPerSecond != nil {
            bw += String(format: " (64-bit stream at fclk: %.0f MB/s)", cap)
        }
        lines.append(bw)
        lines.append("output BW   " + opt(outputMBPerSecond, "%.1f MB/s"))
        return lines.joined(separator: "\n")
    }
}

/// The resource model's numbers as design.json records them (`"estimate": {"lut": …}`).
public struct ResourceEstimateValues: Codable, Sendable, Equatable {
    public var lut: UInt64
    public var ff: UInt64
    public var dsp: UInt64
    public var bram36: Double

    public init(lut: UInt64, ff: UInt64, dsp: UInt64, bram36: Double) {
        self.lut = lut
        self.ff = ff
        self.dsp = dsp
        self.bram36 = bram36
    }
}

/// Runs yosys on a design directory and builds the report.
public enum SynthesisReport {
    public struct Options: Sendable {
        public var top: String?
        public var timeoutSeconds: Double = 900
        public var yosys: String = "yosys"
        /// Called every few seconds with the elapsed time and yosys's current step.
        public var progress: (@Sendable (Double, String) -> Void)? = nil
        public init(top: String? = nil) { self.top = top }
    }

    /// What codegen may leave in DIR besides manifest.json (see docs/manifest.md).
    struct DesignJSON: Decodable {
        var top: String?
        var rtl_files: [String]?
        var ii_cycles: UInt64?
        var latency_cycles: UInt64?
        var fclk_mhz: Double?
        var input_record_bytes: UInt64?
        var output_record_bytes: UInt64?
        var estimate: ResourceEstimateValues?
    }

    /// Reads DIR/manifest.json and DIR/design.json (both optional), finds the RTL, runs yosys.
    public static func run(dir: String, options: Options) throws -> ResourceReport {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw ZynqError(file: dir, "not a directory")
        }
        var manifest: Manifest? = nil
        if fm.fileExists(atPath: dir + "/manifest.json") {
            manifest = try Manifest.load(file: dir + "/manifest.json")
        }
        var design: DesignJSON? = nil
        if let data = fm.contents(atPath: dir + "/design.json") {
            do { design = try JSONDecoder().decode(DesignJSON.self, from: data) } catch {
                throw ZynqError.decoding(error, file: dir + "/design.json")
            }
        }
        let top = options.top ?? manifest?.topModule ?? design?.top ?? "zynqnet_accel"
        var files = manifest?.files.rtl ?? design?.rtl_files ?? []
        if files.isEmpty { files = findVerilog(dir) }
        guard !files.isEmpty else { throw ZynqError(file: dir, "no Verilog files (no manifest.json, design.json or *.v)") }
        for f in files {
            guard f.range(of: #"^[A-Za-z0-9_.+/-]+$"#, options: .regularExpression) != nil, !f.hasPrefix("/"),
                  !f.split(separator: "/").contains("..") else {
                throw ZynqError(file: dir, key: f, "RTL path must be relative, without spaces or '..'")
            }
            guard fm.fileExists(atPath: dir + "/" + f) else { throw ZynqError(file: dir + "/" + f, "RTL file missing") }
        }
        guard top.range(of: #"^[A-Za-z_][A-Za-z0-9_$]*$"#, options: .regularExpression) != nil else {
            throw ZynqError(key: "--top", "'\(top)' is not a Verilog identifier")
        }
        let (stat, seconds) = try synthesize(dir: dir, files: files, top: top, options: options)
        let cells = try YosysStat.parseCells(stat)
        return ResourceReport(
            top: top, rtlFiles: files, cells: cells, resources: Resources(cells: cells), yosysSeconds: seconds,
            fclkMHz: manifest?.fclkMHz ?? design?.fclk_mhz,
            iiCycles: manifest?.performance?.iiCycles ?? design?.ii_cycles,
            latencyCycles: manifest?.performance?.latencyCycles ?? design?.latency_cycles,
            inputRecordBytes: manifest?.records.inputBytes ?? design?.input_record_bytes,
            outputRecordBytes: manifest?.records.outputBytes ?? design?.output_record_bytes,
            estimate: design?.estimate)
    }

    /// *.v / *.sv under DIR (rtl/ first), skipping Vivado's output directories.
    static func findVerilog(_ dir: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: dir) else { return [] }
        var out: [String] = []
        while let p = e.nextObject() as? String {
            let first = p.split(separator: "/").first.map(String.init) ?? ""
            if ["vivado", "vivado_ip", "ip_repo", ".yosys"].contains(first) { continue }
            if p.hasSuffix(".v") || p.hasSuffix(".sv") { out.append(p) }
        }
        return out.sorted()
    }

    /// The yosys flow; returns the `stat` printout and the wall time.
    static func synthesize(dir: String, files: [String], top: String, options: Options) throws -> (String, Double) {
        let work = dir + "/.yosys"
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let includeDirs = Set(files.map { f -> String in
            let d = (f as NSString).deletingLastPathComponent
            return d.isEmpty ? "." : d
        }).sorted()
        let incl = includeDirs.map { "-I\($0)" }.joined(separator: " ")
        var script = ""
        for f in files {
            script += "read_verilog \(f.hasSuffix(".sv") ? "-sv " : "")\(incl) \(f)\n"
        }
        // -flatten: one cell table for the whole design; -noiopad/-noclkbuf: an IP core, not a
        // chip top (no IBUF/OBUF/BUFG counted).
        script += "synth_xilinx -family xc7 -top \(top) -flatten -noiopad -noclkbuf\n"
        script += "tee -q -o .yosys/stat.txt stat\n"
        try AtomicFile.write(Data(script.utf8), to: work + "/synth.ys")

        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [options.yosys, "-s", ".yosys/synth.ys"]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let logPath = work + "/yosys.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let log = FileHandle(forWritingAtPath: logPath) else { throw ZynqError(file: logPath, "cannot write") }
        p.standardOutput = log
        p.standardError = log
        let start = Date()
        do { try p.run() } catch {
            throw ZynqError(key: "yosys", "cannot run '\(options.yosys)': \(error.localizedDescription) (install yosys)")
        }
        var lastProgress = start
        while p.isRunning {
            usleep(100_000)
            let now = Date()
            let elapsed = now.timeIntervalSince(start)
            if elapsed > options.timeoutSeconds {
                p.terminate()
                p.waitUntilExit()
                throw ZynqError(key: "yosys", "synthesis did not finish in \(Int(options.timeoutSeconds)) s (raise --timeout)")
            }
            if let cb = options.progress, now.timeIntervalSince(lastProgress) >= 5 {
                lastProgress = now
                cb(elapsed, currentStep(logPath))
            }
        }
        p.waitUntilExit()
        try? log.close()
        let seconds = Date().timeIntervalSince(start)
        guard p.terminationStatus == 0 else {
            let tail = ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")
                .split(separator: "\n").filter { $0.contains("ERROR") }.last.map(String.init) ?? "exit status \(p.terminationStatus)"
            throw ZynqError(key: "yosys", "synthesis failed: \(tail)")
        }
        guard let stat = try? String(contentsOfFile: work + "/stat.txt", encoding: .utf8) else {
            throw ZynqError(key: "yosys", "no stat output")
        }
        return (stat, seconds)
    }

    /// The last "Executing ..." step of the yosys log.
    static func currentStep(_ logPath: String) -> String {
        guard let h = FileHandle(forReadingAtPath: logPath) else { return "" }
        defer { try? h.close() }
        let size = (try? h.seekToEnd()) ?? 0
        try? h.seek(toOffset: size > 8192 ? size - 8192 : 0)
        let text = String(decoding: h.readDataToEndOfFile(), as: UTF8.self)
        let step = text.split(separator: "\n").last { $0.contains("Executing") } ?? ""
        return step.trimmingCharacters(in: .whitespaces)
    }
}
