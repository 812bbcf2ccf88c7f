import Foundation
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel

/// Cell counts from yosys `stat` after `synth_xilinx -family xc7`.
public enum YosysStat {
    /// One `=== name ===` section of a `stat` printout: its cell list as printed (primitive cells
    /// and, for a hierarchical design, the instances of other modules by module name).
    public struct Section: Equatable, Sendable {
        public var name: String
        public var cells: [String: UInt64]
    }

    /// Every section of a `stat` printout, in order (the "design hierarchy" section, if any, last
    /// under the name "design hierarchy"). yosys 0.23 prints "     FDRE     72" under
    /// "Number of cells:"; later versions print the count first ("72   FDRE" under "N cells") and
    /// list a module's instances under "N submodules" (read into the same table).
    /// Never traps: unknown lines are skipped, counts that do not fit 64 bits are an error.
    public static func parseSections(_ text: String, file: String = "yosys stat") throws -> [Section] {
        var sections: [Section] = []
        var current: Section? = nil
        var inCells = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("===") && line.hasSuffix("===") && line.count >= 6 {
                if let c = current { sections.append(c) }
                let name = line.dropFirst(3).dropLast(3).trimmingCharacters(in: .whitespaces)
                current = Section(name: name, cells: [:])
                inCells = false
                continue
            }
            guard current != nil else { continue }
            if line.hasPrefix("Number of cells:") || line.hasSuffix(" cells") || line.hasSuffix(" submodules") {
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
            let (sum, overflow) = (current!.cells[String(name)] ?? 0).addingReportingOverflow(n)
            guard !overflow else { throw ZynqError(file: file, key: String(name), "cell count overflows") }
            current!.cells[String(name)] = sum
        }
        if let c = current { sections.append(c) }
        return sections
    }

    /// The whole design's cells: the "design hierarchy" section's totals (instances multiplied
    /// out by yosys) when the design has submodules, else the one module's list. Instances of
    /// modules the printout defines are never counted as cells.
    public static func parseCells(_ text: String, file: String = "yosys stat") throws -> [String: UInt64] {
        try cells(of: parseSections(text, file: file), file: file)
    }

    /// `parseCells` on sections already parsed.
    static func cells(of sections: [Section], file: String) throws -> [String: UInt64] {
        let modules = Set(sections.map(\.name)).subtracting(["design hierarchy"])
        if let h = sections.last(where: { $0.name == "design hierarchy" }), !h.cells.isEmpty {
            return h.cells.filter { !modules.contains($0.key) }
        }
        guard let last = sections.last(where: { !$0.cells.isEmpty }) else {
            throw ZynqError(file: file, "no cell list found (not the output of yosys 'stat'?)")
        }
        return last.cells.filter { !modules.contains($0.key) }
    }

    /// Cells of `top` with every instance of a module in `modules` replaced by that module's own
    /// total, recursively (what yosys's "design hierarchy" section prints). Errors on a missing
    /// top, an instance cycle or a count overflow.
    public static func totals(top: String, modules: [String: [String: UInt64]], file: String = "yosys stat") throws -> [String: UInt64] {
        var memo: [String: [String: UInt64]] = [:]
        func total(_ m: String, _ path: Set<String>) throws -> [String: UInt64] {
            if let t = memo[m] { return t }
            guard let cells = modules[m] else { throw ZynqError(file: file, key: m, "module has no stat section") }
            guard !path.contains(m) else { throw ZynqError(file: file, key: m, "module instantiates itself") }
            var out: [String: UInt64] = [:]
            func add(_ k: String, _ n: UInt64) throws {
                let (s, o) = (out[k] ?? 0).addingReportingOverflow(n)
                guard !o else { throw ZynqError(file: file, key: k, "cell count overflows") }
                out[k] = s
            }
            for (name, n) in cells {
                if modules[name] != nil {
                    for (k, v) in try total(name, path.union([m])) {
                        let (p, o) = v.multipliedReportingOverflow(by: n)
                        guard !o else { throw ZynqError(file: file, key: k, "cell count overflows") }
                        try add(k, p)
                    }
                } else {
                    try add(name, n)
                }
            }
            memo[m] = out
            return out
        }
        return try total(top, [])
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

/// One instance in the top module of a hierarchical synthesis, with everything below it.
public struct InstanceUse: Sendable, Equatable {
    /// Instance name in the top module (u_regs, u_mvau0, ...).
    public var instance: String
    /// Module name without yosys's parameter hash (zn_axil_regs, ...).
    public var module: String
    /// The instance's cells, its submodules included.
    public var cells: [String: UInt64]
    /// Part of the shell (design.json's `shell_instances`), or nil when the design does not say.
    public var shell: Bool?

    public var resources: Resources { Resources(cells: cells) }
}

/// `zynqnet report`: yosys resources, the design's throughput, and both against the xc7z020.
public struct ResourceReport: Encodable, Sendable {
    public var top: String
    public var rtlFiles: [String]
    public var cells: [String: UInt64]
    public var resources: Resources
    public var yosysSeconds: Double
    /// How yosys ran: "hierarchical" (one process), "hierarchical-parallel" (`yosysJobs`
    /// processes, each a share of the unique modules) or "flattened" (`--flatten`).
    public var synthFlow: String = "hierarchical"
    public var yosysJobs: Int = 1
    /// CPU seconds (user + system) of each yosys process as its log states them (ABC, a child
    /// process, not included): with several processes, how evenly the modules were shared.
    public var yosysCPUSeconds: [Double] = []
    /// What zynqnet's yosys cache gave (`YosysCache`): "off"; "design" (the whole result, no
    /// yosys ran); "modules" (`yosysModulesCached` of the unique modules were there, the
    /// hierarchical-parallel flow synthesized `yosysModulesSynthesized`); "miss".
    public var yosysCache: String = "off"
    public var yosysModulesCached: Int = 0
    public var yosysModulesSynthesized: Int = 0
    public var fclkMHz: Double?
    public var iiCycles: UInt64?
    public var latencyCycles: UInt64?
    public var inputRecordBytes: UInt64?
    public var outputRecordBytes: UInt64?
    /// The resource model's estimate codegen recorded in design.json (for comparison), if any.
    public var estimate: ResourceEstimateValues? = nil
    /// The top module's instances, by name (hierarchical flows only;
    /// empty when flattened).
    public var instances: [InstanceUse] = []
    /// The top module's own cells (glue logic outside every instance).
    public var topCells: [String: UInt64] = [:]
    /// design.json's `shell_instances`: the register file and output stream, the part every fold
    /// of a model shares. nil when the design does not say (no split is reported).
    public var shellInstances: [String]? = nil

    /// Cells of the shell (its instances) and of the datapath (every other instance: what folding
    /// changes, and the top's own glue: mostly the parameter bus's answer mux over the layers'
    /// memories); nil without instances or shell_instances.
    public var split: (shell: Resources, datapath: Resources)? {
        guard let names = shellInstances, !instances.isEmpty else { return nil }
        var shell: [String: UInt64] = [:], datapath = topCells
        for i in instances {
            if names.contains(i.instance) {
                shell.merge(i.cells, uniquingKeysWith: &+)
            } else {
                datapath.merge(i.cells, uniquingKeysWith: &+)
            }
        }
        return (Resources(cells: shell), Resources(cells: datapath))
    }

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
        case budget, utilization, yosys_seconds, synth_flow, yosys_jobs, yosys_cpu_seconds, yosys_cache, yosys_modules_cached
        case yosys_modules_synthesized, fclk_mhz, ii_cycles, latency_cycles, images_per_second
        case input_mb_per_s, output_mb_per_s, stream_cap_mb_per_s, input_record_bytes, output_record_bytes
        case instances, shell, datapath, lut_shell, lut_datapath
    }

    struct PartJSON: Encodable {
        var lut: UInt64, ff: UInt64, dsp: UInt64, bram36: Double
        init(_ r: Resources) { (lut, ff, dsp, bram36) = (r.lut, r.ff, r.dsp, r.bram36) }
    }

    struct InstanceJSON: Encodable {
        var instance: String, module: String, part: String?
        var lut: UInt64, ff: UInt64, dsp: UInt64, bram36: Double
        init(_ i: InstanceUse) {
            let r = i.resources
            (instance, module, part) = (i.instance, i.module, i.shell.map { $0 ? "shell" : "datapath" })
            (lut, ff, dsp, bram36) = (r.lut, r.ff, r.dsp, r.bram36)
        }
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
        try c.encode(synthFlow, forKey: .synth_flow)
        try c.encode(yosysJobs, forKey: .yosys_jobs)
        try c.encode(yosysCPUSeconds.map { ($0 * 10).rounded() / 10 }, forKey: .yosys_cpu_seconds)
        try c.encode(yosysCache, forKey: .yosys_cache)
        try c.encode(yosysModulesCached, forKey: .yosys_modules_cached)
        try c.encode(yosysModulesSynthesized, forKey: .yosys_modules_synthesized)
        try c.encode(fclkMHz, forKey: .fclk_mhz)
        try c.encode(iiCycles, forKey: .ii_cycles)
        try c.encode(latencyCycles, forKey: .latency_cycles)
        try c.encode(imagesPerSecond, forKey: .images_per_second)
        try c.encode(inputMBPerSecond, forKey: .input_mb_per_s)
        try c.encode(outputMBPerSecond, forKey: .output_mb_per_s)
        try c.encode(streamCapMBPerSecond, forKey: .stream_cap_mb_per_s)
        try c.encode(inputRecordBytes, forKey: .input_record_bytes)
        try c.encode(outputRecordBytes, forKey: .output_record_bytes)
        try c.encode(instances.map(InstanceJSON.init), forKey: .instances)
        if let (shell, datapath) = split {
            try c.encode(PartJSON(shell), forKey: .shell)
            try c.encode(PartJSON(datapath), forKey: .datapath)
            try c.encode(shell.lut, forKey: .lut_shell)
            try c.encode(datapath.lut, forKey: .lut_datapath)
        }
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

    /// The cache's part in the table's first line.
    var cacheNote: String {
        switch yosysCache {
        case "design": return ", from zynqnet's yosys cache"
        case "modules": return ", \(yosysModulesCached) of \(yosysModulesCached + yosysModulesSynthesized) modules from zynqnet's yosys cache"
        default: return ""
        }
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
            "zynqnet report: top \(top), \(rtlFiles.count) RTL file(s), yosys synth_xilinx -family xc7 (\(synthFlow)"
                + (yosysJobs > 1 ? ", \(yosysJobs) processes" : "") + ") in \(String(format: "%.1f", yosysSeconds)) s" + cacheNote,
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
        if !instances.isEmpty {
            lines.append("")
            lines.append("by instance of \(top) (each with its submodules)" + (shellInstances == nil ? "" :
                "; shell: the register file and output stream every fold of the model shares, datapath: what folding changes"))
            func irow(_ a: String, _ b: String, _ r: Resources, _ part: String) -> String {
                pad(a, 14, left: true) + pad(b, 20, left: true) + pad(n(r.lut), 8) + pad(n(r.ff), 8) + pad(n(r.dsp), 5)
                    + pad(String(format: "%.1f", r.bram36), 8) + (part.isEmpty ? "" : "  " + part)
            }
            lines.append(pad("instance", 14, left: true) + pad("module", 20, left: true) + pad("LUT", 8) + pad("FF", 8) + pad("DSP", 5) + pad("BRAM36", 8))
            for i in instances {
                lines.append(irow(i.instance, i.module, i.resources, i.shell.map { $0 ? "shell" : "datapath" } ?? ""))
            }
            let own = Resources(cells: topCells)
            if own.lut + own.ff + own.dsp > 0 || own.bram36 > 0 {
                lines.append(irow("(top glue)", top, own, shellInstances == nil ? "" : "datapath"))
            }
            if let (shell, datapath) = split {
                lines.append(irow("shell", "", shell, ""))
                lines.append(irow("datapath", "", datapath, ""))
            }
        }
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
        /// `synth_xilinx -flatten`: one netlist, optimized across module boundaries (slower).
        public var flatten: Bool = false
        /// yosys processes for the hierarchical flow (each synthesizes a share of the unique
        /// modules); 1 = one process. Default: the machine's cores.
        public var jobs: Int = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))
        /// Called every few seconds with the elapsed time and yosys's current step.
        public var progress: (@Sendable (Double, String) -> Void)? = nil
        /// Where results are kept between runs (`YosysCache`); nil: no cache.
        public var cache: YosysCache? = nil
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
        var shell_instances: [String]?
    }

    /// Reads DIR/manifest.json and DIR/design.json (both optional), finds the RTL, runs yosys.
    public static func run(dir: String, options: Options) throws -> ResourceReport {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: dir, isDirectory: &isDir) else { throw ZynqError(file: dir, "no such directory") }
        guard isDir.boolValue else { throw ZynqError(file: dir, "not a directory") }
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
        let s = try synthesize(dir: dir, files: files, top: top, options: options)
        let (cells, hierarchy) = (s.cells, s.hierarchy)
        var report = ResourceReport(
            top: top, rtlFiles: files, cells: cells, resources: Resources(cells: cells), yosysSeconds: s.seconds,
            synthFlow: s.flow, yosysJobs: s.jobs, yosysCPUSeconds: s.cpu,
            yosysCache: s.cache, yosysModulesCached: s.modulesCached, yosysModulesSynthesized: s.modulesSynthesized,
            fclkMHz: manifest?.fclkMHz ?? design?.fclk_mhz,
            iiCycles: manifest?.performance?.iiCycles ?? design?.ii_cycles,
            latencyCycles: manifest?.performance?.latencyCycles ?? design?.latency_cycles,
            inputRecordBytes: manifest?.records.inputBytes ?? design?.input_record_bytes,
            outputRecordBytes: manifest?.records.outputBytes ?? design?.output_record_bytes,
            estimate: design?.estimate)
        if let h = hierarchy {
            let shell = design?.shell_instances
            report.instances = try h.instances.map { (name, module) in
                InstanceUse(instance: name, module: baseName(module), cells: try YosysStat.totals(top: module, modules: h.modules),
                            shell: shell.map { $0.contains(name) })
            }
            let instanceModules = Set(h.instances.map(\.module))
            report.topCells = (h.modules[top] ?? [:]).filter { !instanceModules.contains($0.key) && h.modules[$0.key] == nil }
            if let shell {
                for name in shell where !h.instances.contains(where: { $0.name == name }) {
                    throw ZynqError(file: dir + "/design.json", key: "shell_instances", "'\(name)' is not an instance of \(top)")
                }
                report.shellInstances = shell
            }
        }
        return report
    }

    /// "$paramod$0123…\\zn_seq" or "$paramod\\zn_fifo\\W=8" -> "zn_seq", "zn_fifo".
    static func baseName(_ module: String) -> String {
        guard module.hasPrefix("$paramod") else { return module }
        let parts = module.split(separator: "\\", omittingEmptySubsequences: true)
        return parts.count >= 2 ? String(parts[1]) : module
    }

    /// The top module's cells that instantiate other modules, in file order, from RTLIL text:
    /// (instance name, module name as `stat` prints it).
    static func topInstances(rtlil text: String, top: String, modules: Set<String>) -> [(name: String, module: String)] {
        var out: [(name: String, module: String)] = []
        var inTop = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if raw.hasPrefix("module ") {
                inTop = RTLILWeights.unescaped(String(raw.dropFirst(7)).trimmingCharacters(in: .whitespaces)) == top
                continue
            }
            if raw == "end" { inTop = false; continue }
            guard inTop, raw.hasPrefix("  cell ") else { continue }
            let parts = raw.split(separator: " ")
            guard parts.count == 3 else { continue }
            let module = RTLILWeights.unescaped(String(parts[1]))
            if modules.contains(module) { out.append((RTLILWeights.unescaped(String(parts[2])), module)) }
        }
        return out
    }

    /// *.v / *.sv under DIR (rtl/ first), skipping Vivado's output directories.
    static func findVerilog(_ dir: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: dir) else { return [] }
        var out: [String] = []
        while let p = e.nextObject() as? String {
            let first = p.split(separator: "/").first.map(String.init) ?? ""
            if ["vivado", "vivado_ip", "ip_repo"].contains(first) || first.hasPrefix(".yosys") { continue }
            if p.hasSuffix(".v") || p.hasSuffix(".sv") { out.append(p) }
        }
        return out.sorted()
    }

    /// The hierarchy of a hierarchical run: every module's own cells (instances of other modules
    /// by name) and the top's instances.
    struct Hierarchy {
        var modules: [String: [String: UInt64]]
        var instances: [(name: String, module: String)]
    }

    /// What `synthesize` found: the design's cells, the wall time, the flow's name, the number of
    /// yosys processes, their CPU seconds, the hierarchy (not when flattened) and the cache's part.
    struct Synthesized {
        var cells: [String: UInt64]
        var seconds: Double
        var flow: String
        var jobs: Int
        var cpu: [Double]
        var hierarchy: Hierarchy?
        var cache = "off"
        var modulesCached = 0
        var modulesSynthesized = 0
    }

    /// `yosys -V`: the version line, part of every cache key.
    static func yosysVersion(_ yosys: String) throws -> String {
        let r: (status: Int32, output: String)
        do { r = try Subprocess.run(yosys, ["-V"]) } catch let e as ZynqError {
            throw ZynqError(key: "yosys", "cannot run '\(yosys)': \(e.message)")
        }
        let line = r.output.split(separator: "\n").first.map(String.init) ?? ""
        guard r.status == 0, line.hasPrefix("Yosys") else { throw ZynqError(key: "yosys", "cannot run '\(yosys)': 'yosys -V' said '\(line)'") }
        return line
    }

    /// The yosys flow (with the cache, if any: a design whose files the cache has runs no yosys).
    ///
    /// Hierarchical (default): `synth_xilinx` without -flatten maps each unique module (module +
    /// parameters) once, however often it is instantiated; the totals are the "design hierarchy"
    /// counts (cells of a module times its instances). With jobs > 1: `synthesizeParallel`.
    static func synthesize(dir: String, files: [String], top: String, options: Options) throws -> Synthesized {
        let start = Date()
        // -noiopad/-noclkbuf: an IP core, not a chip top (no IBUF/OBUF/BUFG counted).
        let synth = "synth_xilinx -family xc7 -top %TOP%\(options.flatten ? " -flatten" : "") -noiopad -noclkbuf\n"
        let flowName = options.flatten ? "flattened" : options.jobs <= 1 ? "hierarchical" : "hierarchical-parallel"
        let includeDirs = Set(files.map { f -> String in
            let d = (f as NSString).deletingLastPathComponent
            return d.isEmpty ? "." : d
        }).sorted()
        // The cache: the whole design by its files' texts (a hit runs no yosys at all).
        var version = "", designKey = ""
        if let cache = options.cache {
            version = try yosysVersion(options.yosys)
            var parts = [version, flowName, flowScripts(flowName, synth: synth), top]
            var names = Set(files)
            for d in includeDirs {
                for f in (try? FileManager.default.contentsOfDirectory(atPath: dir + "/" + d)) ?? []
                where [".vh", ".svh", ".h"].contains(where: { f.hasSuffix($0) }) {
                    names.insert(d == "." ? f : d + "/" + f)
                }
            }
            for f in names.sorted() {
                guard let data = FileManager.default.contents(atPath: dir + "/" + f) else { throw ZynqError(file: dir + "/" + f, "cannot read") }
                parts += [f, String(decoding: data, as: UTF8.self)]
            }
            designKey = YosysCache.key(parts)
            if let hit = cache.design(designKey) {
                let h = options.flatten ? nil : Hierarchy(modules: hit.modules, instances: hit.instances)
                return Synthesized(cells: hit.totals, seconds: Date().timeIntervalSince(start), flow: flowName, jobs: 0, cpu: [],
                                   hierarchy: h, cache: "design", modulesCached: hit.modules.count)
            }
        }
        // A fresh scratch folder of this run (never one that exists: it may not be zynqnet's).
        let w = ".yosys-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let work = dir + "/" + w
        guard mkdir(work, 0o755) == 0 else {
            throw ZynqError(file: dir, "cannot create the scratch folder \(w): \(FileProblem.reason(errno: errno))")
        }
        Termination.removeOnExit(work)
        defer {
            try? FileManager.default.removeItem(atPath: work)
            Termination.forget(work)
        }
        let incl = includeDirs.map { "-I\($0)" }.joined(separator: " ")
        var read = ""
        for f in files {
            read += "read_verilog \(f.hasSuffix(".sv") ? "-sv " : "")\(incl) \(f)\n"
        }
        var result: Synthesized
        if options.flatten || options.jobs <= 1 {
            // Hierarchical: the elaborated top's instances first (names and module types).
            let script = oneProcessScript(read: read, top: top, w: w, synth: synth, flatten: options.flatten)
            let cpu = try runYosys(dir: dir, work: work, scripts: [script], options: options, start: start)
            let statPath = work + "/stat.txt"
            let sections = try YosysStat.parseSections(try readStat(statPath), file: statPath)
            let cells = try YosysStat.cells(of: sections, file: statPath)
            var hierarchy: Hierarchy? = nil
            if !options.flatten {
                var modules: [String: [String: UInt64]] = [:]
                for sec in sections where sec.name != "design hierarchy" { modules[sec.name] = sec.cells }
                if modules[top] == nil { modules[top] = cells }   // no submodules: one section
                let il = (try? String(contentsOfFile: work + "/top.il", encoding: .utf8)) ?? ""
                hierarchy = Hierarchy(modules: modules, instances: topInstances(rtlil: il, top: top, modules: Set(modules.keys)))
            }
            result = Synthesized(cells: cells, seconds: Date().timeIntervalSince(start), flow: flowName, jobs: 1, cpu: cpu, hierarchy: hierarchy)
        } else {
            result = try synthesizeParallel(dir: dir, work: work, w: w, read: read, synth: synth, top: top, options: options,
                                            start: start, version: version)
        }
        if let cache = options.cache {
            cache.storeDesign(modules: result.hierarchy?.modules ?? [:], instances: result.hierarchy?.instances ?? [],
                              totals: result.cells, key: designKey)
            if result.cache == "off" { result.cache = "miss" }
        }
        return result
    }

    /// The hierarchical-parallel flow. One quick yosys run elaborates the design (`hierarchy`,
    /// `proc`) and lists the unique modules; with a cache, the modules found there are not
    /// synthesized again (each is keyed by its elaborated RTLIL and that of the modules it
    /// instantiates, yosys's made-up names renumbered: `RTLILModules.canonical`). The others are
    /// split into `jobs` groups of about equal expected time (`RTLILWeights.cost`: the square root
    /// of the cells weighted by width in the elaborated RTLIL), and
    /// one yosys process per group synthesizes its modules with the
    /// others as blackboxes (a wrapper module instantiates the group). The per-module counts are
    /// summed over the instance tree exactly as yosys's own hierarchy totals.
    static func synthesizeParallel(dir: String, work: String, w: String, read: String, synth: String, top: String,
                                   options: Options, start: Date, version: String) throws -> Synthesized {
        // 1. Elaborate: the unique modules and the RTLIL after proc (for the group sizes). No
        // -check: primitives instantiated by hand are resolved by synth_xilinx in the groups.
        // Meanwhile (on a second core) a second process reads synth_xilinx's Xilinx cell library
        // (its `begin` step, about 0.85 s CPU of Verilog parsing) and writes it as RTLIL, which
        // every group then reads in about 0.15 s instead.
        let elabCPU = try runYosys(dir: dir, work: work, scripts: [elaborationScript(read: read, top: top, w: w), xilinxLibraryScript(w)],
                     options: options, start: start, concurrency: min(2, options.jobs))
        guard let procText = try? String(contentsOfFile: work + "/proc.il", encoding: .utf8) else {
            throw ZynqError(key: "yosys", "no elaborated design")
        }
        let weights = RTLILWeights.moduleWeights(procText)
        let modules = weights.keys.sorted()
        guard modules.contains(top) else { throw ZynqError(key: "yosys", "elaborated design has no module \(top)") }
        // 2. The cache's modules.
        var cellsOf: [String: [String: UInt64]] = [:]
        var keys: [String: String] = [:]
        let scripts = flowScripts("hierarchical-parallel", synth: synth)
        if let cache = options.cache {
            guard let elabText = try? String(contentsOfFile: work + "/elab.il", encoding: .utf8) else {
                throw ZynqError(key: "yosys", "no elaborated design")
            }
            let texts = RTLILModules.split(elabText)
            var canonical: [String: String] = [:]   // each module's once
            func canon(_ m: String) -> String {
                if let c = canonical[m] { return c }
                let c = RTLILModules.canonical(texts[m]!.text)
                canonical[m] = c
                return c
            }
            for m in modules {
                guard let t = texts[m] else { continue }
                var parts = [version, scripts, canon(m)]
                for c in t.children.sorted() { parts += [c, canon(c)] }
                keys[m] = YosysCache.key(parts)
                if let hit = cache.module(keys[m]!) { cellsOf[m] = hit }
            }
        }
        let missing = modules.filter { cellsOf[$0] == nil }
        let cached = modules.count - missing.count
        var cpu: [Double] = [elabCPU.reduce(0, +)]
        var jobsUsed = 0
        if !missing.isEmpty {
            // 3. Groups: one a process (each process pays synth_xilinx's fixed cost once).
            let jobs = min(options.jobs, missing.count)
            let groups = RTLILWeights.groups(missing, weights: weights, count: jobs)
            // 4. One yosys process a group, at most `jobs` at once.
            let wrapper = groupWrapper
            var groupScripts: [String] = []
            for (k, g) in groups.enumerated() {
                var il = "module \\\(wrapper)\n"
                for (i, m) in g.enumerated() {
                    il += "  attribute \\keep 1\n  cell \(RTLILWeights.escaped(m)) \\u\(i)\n  end\n"
                }
                il += "end\n"
                try AtomicFile.write(Data(il.utf8), to: work + "/group\(k).il")
                groupScripts.append(groupScript(w: w, group: "\(k)", blackboxes: modules.filter { !g.contains($0) }, synth: synth, top: wrapper))
            }
            cpu += try runYosys(dir: dir, work: work, scripts: groupScripts, options: options, start: start, concurrency: jobs)
            jobsUsed = min(jobs, groups.count)
            for k in groups.indices {
                let path = work + "/stat\(k).txt"
                var found: [String: [String: UInt64]] = [:]
                for sec in try YosysStat.parseSections(try readStat(path), file: path)
                where sec.name != wrapper && sec.name != "design hierarchy" && groups[k].contains(sec.name) {
                    found[sec.name] = sec.cells
                }
                for m in groups[k] {
                    let c = found[m] ?? [:]   // a module yosys left empty
                    cellsOf[m] = c
                    if let cache = options.cache, let key = keys[m] { cache.storeModule(m, cells: c, key: key) }
                }
            }
        }
        let cells = try YosysStat.totals(top: top, modules: cellsOf)
        let hierarchy = Hierarchy(modules: cellsOf, instances: topInstances(rtlil: procText, top: top, modules: Set(cellsOf.keys)))
        return Synthesized(cells: cells, seconds: Date().timeIntervalSince(start), flow: "hierarchical-parallel", jobs: jobsUsed,
                           cpu: cpu, hierarchy: hierarchy, cache: options.cache == nil ? "off" : cached > 0 ? "modules" : "miss",
                           modulesCached: cached, modulesSynthesized: missing.count)
    }

    /// The module that instantiates a group's modules (hierarchical-parallel).
    static let groupWrapper = "zn_synth_group"

    /// The exact yosys scripts a flow runs, with the run's own parts as placeholders (`%READ%` the
    /// read_verilog lines, `%TOP%`, `%W%` the scratch folder, `%K%` a group's number, `%OTHER%` a
    /// blackboxed module). Part of every cache key (`YosysCache`): an entry made under other
    /// scripts (another zynqnet's flow, e.g. session 8's groups running the whole synth_xilinx)
    /// is never reused, whatever the yosys version says.
    static func flowScripts(_ flowName: String, synth: String) -> String {
        let read = "%READ%\n", top = "%TOP%", w = "%W%"
        switch flowName {
        case "hierarchical-parallel":
            return elaborationScript(read: read, top: top, w: w) + xilinxLibraryScript(w)
                + groupScript(w: w, group: "%K%", blackboxes: ["%OTHER%"], synth: synth, top: groupWrapper)
        default:
            return oneProcessScript(read: read, top: top, w: w, synth: synth, flatten: flowName == "flattened")
        }
    }

    /// The one-process flows (hierarchical, flattened): read, the elaborated top's instances
    /// (names and module types; not when flattened), synth_xilinx, stat.
    static func oneProcessScript(read: String, top: String, w: String, synth: String, flatten: Bool) -> String {
        let topIL = flatten ? "" : "hierarchy -top \(top)\nselect \(top)\nwrite_rtlil -selected \(w)/top.il\nselect -clear\n"
        return read + topIL + synth.replacingOccurrences(of: "%TOP%", with: top) + "tee -q -o \(w)/stat.txt stat\n"
    }

    /// The hierarchical-parallel flow's elaboration: the RTLIL of every module before `proc`
    /// (the cache keys) and after it (the group weights).
    static func elaborationScript(read: String, top: String, w: String) -> String {
        read + "hierarchy -top \(top)\nwrite_rtlil \(w)/elab.il\nproc\nopt_clean\nwrite_rtlil \(w)/proc.il\n"
    }

    /// One group's process: the elaborated design with every other module a blackbox, the group's
    /// wrapper, `groupSynth`, stat.
    static func groupScript(w: String, group k: String, blackboxes: [String], synth: String, top: String) -> String {
        var script = "read_rtlil \(w)/elab.il\n"
        for m in blackboxes { script += "blackbox \(m)\n" }
        script += "read_rtlil \(w)/group\(k).il\n"
        script += groupSynth(synth, w: w, top: top)
        script += "tee -q -o \(w)/stat\(k).txt stat\n"
        return script
    }

    /// synth_xilinx's `begin` step reads these two (the library its later steps resolve cells
    /// against); written once as RTLIL for the groups (`groupSynth`).
    static func xilinxLibraryScript(_ w: String) -> String {
        "read_verilog -lib -specify +/xilinx/cells_sim.v\nread_verilog -lib +/xilinx/cells_xtra.v\nwrite_rtlil \(w)/xlib.il\n"
    }

    /// A group's synthesis: synth_xilinx's `begin` step by hand (the cell library from the RTLIL
    /// the elaboration run wrote, read after the design as `begin` reads it, then
    /// `hierarchy -check -top`), then synth_xilinx from its `prepare` step.
    static func groupSynth(_ synth: String, w: String, top: String) -> String {
        "read_rtlil \(w)/xlib.il\nhierarchy -check -top \(top)\n"
            + synth.replacingOccurrences(of: "%TOP%", with: top).trimmingCharacters(in: .newlines) + " -run prepare:\n"
    }

    static func readStat(_ path: String) throws -> String {
        guard let stat = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ZynqError(key: "yosys", "no stat output")
        }
        return stat
    }

    /// Runs one yosys process per script (in DIR), at most `concurrency` at once, in order;
    /// throws on the first failure. Returns the CPU seconds each log states (0 where none).
    @discardableResult
    static func runYosys(dir: String, work: String, scripts: [String], options: Options, start: Date, concurrency: Int = 1) throws -> [Double] {
        let workName = PathText.name(work)
        var procs: [(Subprocess, String)] = []
        defer {
            for (p, _) in procs where p.poll() == nil { p.terminate() }
        }
        func launch(_ k: Int) throws {
            let name = scripts.count == 1 ? "synth" : "synth\(k)"
            try AtomicFile.write(Data(scripts[k].utf8), to: work + "/\(name).ys")
            let logPath = work + "/\(name).log"
            let log = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard log >= 0 else { throw ZynqError(file: logPath, "cannot write: \(FileProblem.reason(errno: errno))") }
            defer { close(log) }
            let p: Subprocess
            do {
                p = try Subprocess(options.yosys, ["-s", workName + "/\(name).ys"], cwd: dir, outputFD: log)
            } catch let e as ZynqError {
                throw ZynqError(key: "yosys", "cannot run '\(options.yosys)': \(e.message)")
            }
            procs.append((p, logPath))
        }
        var lastProgress = Date()
        while procs.count < scripts.count || procs.contains(where: { $0.0.poll() == nil }) {
            while procs.count < scripts.count && procs.filter({ $0.0.poll() == nil }).count < max(1, concurrency) {
                try launch(procs.count)
            }
            usleep(50_000)
            let now = Date()
            let elapsed = now.timeIntervalSince(start)
            if let failed = procs.first(where: { ($0.0.poll() ?? 0) != 0 }) {
                throw failure(failed.0, failed.1)
            }
            if elapsed > options.timeoutSeconds {
                throw ZynqError(key: "yosys", "synthesis did not finish in \(Int(options.timeoutSeconds)) s (raise --timeout)")
            }
            if let cb = options.progress, now.timeIntervalSince(lastProgress) >= 5 {
                lastProgress = now
                cb(elapsed, procs.filter { $0.0.poll() == nil }.map { currentStep($0.1) }.joined(separator: " | "))
            }
        }
        for (p, logPath) in procs where p.wait() != 0 { throw failure(p, logPath) }
        return procs.map { cpuSeconds($0.1) }
    }

    /// "End of script. Logfile hash: …, CPU: user 61.65s system 0.48s, …" -> 62.13.
    static func cpuSeconds(_ logPath: String) -> Double {
        guard let h = FileHandle(forReadingAtPath: logPath) else { return 0 }
        defer { try? h.close() }
        let size = (try? h.seekToEnd()) ?? 0
        try? h.seek(toOffset: size > 4096 ? size - 4096 : 0)
        let text = String(decoding: h.readDataToEndOfFile(), as: UTF8.self)
        guard let line = text.split(separator: "\n").last(where: { $0.contains("CPU: user") }) else { return 0 }
        let words = line.split(whereSeparator: { $0 == " " || $0 == "," })
        var total = 0.0
        for (i, w) in words.enumerated() where (w == "user" || w == "system") && i + 1 < words.count {
            let v = words[i + 1]
            if v.hasSuffix("s"), let x = Double(v.dropLast()), x.isFinite, x >= 0 { total += x }
        }
        return total
    }

    static func failure(_ p: Subprocess, _ logPath: String) -> ZynqError {
        let tail = ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")
            .split(separator: "\n").filter { $0.contains("ERROR") }.last.map(String.init) ?? "exit status \(p.wait())"
        return ZynqError(key: "yosys", "synthesis failed: \(tail)")
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

/// Sizes of the modules of an elaborated RTLIL design (yosys `write_rtlil` after `proc`), to split
/// synthesis into groups of about equal work: the sum over a module's cells of their widest port
/// (a multiply: its two operand widths; a memory: WIDTH x SIZE / 16). A guide only: results do
/// not depend on it.
enum RTLILWeights {
    static func moduleWeights(_ text: String) -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        var module: String? = nil
        var cell: String? = nil
        var params: [String: UInt64] = [:]
        func flush() {
            guard let m = module, let t = cell else { return }
            let w = params["Y_WIDTH"] ?? params["WIDTH"] ?? params["Q_WIDTH"] ?? 1
            var v: UInt64
            if t == "$mul" {
                v = (params["A_WIDTH"] ?? 1) &+ (params["B_WIDTH"] ?? 1)
            } else if t == "$pmux" {
                v = w &* (params["S_WIDTH"] ?? 1)
            } else if t.hasPrefix("$mem") {
                v = w &* (params["SIZE"] ?? 1) / 16
            } else if t.hasPrefix("$") {
                v = max(w, params["A_WIDTH"] ?? 1)
            } else {
                v = 1
            }
            out[m, default: 0] &+= min(v, 1 << 32)
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if raw.hasPrefix("module ") {
                flush(); cell = nil
                module = unescaped(String(raw.dropFirst(7)).trimmingCharacters(in: .whitespaces))
                out[module!] = out[module!] ?? 0
                continue
            }
            let line = raw.drop { $0 == " " || $0 == "\t" }   // RTLIL indents with spaces
            if raw.hasPrefix("  cell ") {
                flush()
                cell = line.split(separator: " ").dropFirst().first.map(String.init)
                params = [:]
            } else if raw.hasPrefix("  end") || raw.hasPrefix("end") {
                flush(); cell = nil
            } else if cell != nil, line.hasPrefix("parameter ") {
                let parts = line.split(separator: " ")
                guard parts.count >= 3 else { continue }
                let key = String(parts[1].drop { $0 == "\\" })
                let val = parts[2]
                if let n = UInt64(val) {
                    params[key] = n
                } else if let q = val.firstIndex(of: "'"), let n = UInt64(val[val.index(after: q)...].prefix(63), radix: 2) {
                    params[key] = n
                }
            }
        }
        return out
    }

    /// A module's expected share of yosys's time from its weight: the square root. Measured on
    /// the Fashion CNN's default fold (58 modules, each synthesized alone), yosys's time beyond
    /// its fixed cost grows far more slowly than the weight: the register file (weight 17,214)
    /// 7.6 s, a requantizer lane (2,175) 4.7 s, a parameter bank (647) 1.4 s; with the weights
    /// themselves the two groups came out 28 and 43 s, with their square roots 36 and 35 s.
    static func cost(_ weight: UInt64) -> UInt64 {
        1 + UInt64(Double(weight).squareRoot() * 16)
    }

    /// MODULES split into at most COUNT groups of about equal cost (heaviest first onto the
    /// lightest group), heaviest group first, none empty.
    static func groups(_ modules: [String], weights: [String: UInt64], count: Int) -> [[String]] {
        let n = max(1, min(count, modules.count))
        var groups = Array(repeating: [String](), count: n)
        var load = Array(repeating: UInt64(0), count: n)
        let c = Dictionary(uniqueKeysWithValues: modules.map { ($0, cost(weights[$0] ?? 0)) })
        for m in modules.sorted(by: { (c[$0]!, $1) > (c[$1]!, $0) }) {
            let i = load.indices.min { (load[$0], $0) < (load[$1], $1) }!
            groups[i].append(m)
            load[i] &+= c[m]!
        }
        return groups.indices.sorted { (load[$0], $1) > (load[$1], $0) }.map { groups[$0] }.filter { !$0.isEmpty }
    }

    /// RTLIL id -> the name `ls` and `stat` print: "\\name" -> "name", "$paramod..." as is.
    static func unescaped(_ id: String) -> String { id.hasPrefix("\\") ? String(id.dropFirst()) : id }
    /// The name `stat` prints -> an RTLIL id.
    static func escaped(_ name: String) -> String { name.hasPrefix("$") || name.hasPrefix("\\") ? name : "\\" + name }
}
