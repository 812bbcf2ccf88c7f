import Foundation
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel

/// What codegen knows about the generated design that the Vivado scripts and the runtime need.
public struct VivadoDesignInfo: Equatable, Sendable {
    /// Top module name (the hardware contract: `zynqnet_accel`).
    public var topModule: String
    /// RTL files relative to the output directory, top's file included (library + top).
    public var rtlFiles: [String]
    /// AXI-Lite address width AW of `s_axil_awaddr`; the window is max(4 KiB, 2^AW).
    public var axilAddrWidth: Int
    /// The topology hash the RTL reports (RegisterMap.swift on branch `rtl`).
    public var topologyHash: UInt64
    /// Bytes of one image on s_axis: ceil(N/8) beats of 8 bytes.
    public var inputRecordBytes: UInt64
    /// Bytes of one result on m_axis: (1 + ceil(C/8)) beats of 8 bytes.
    public var outputRecordBytes: UInt64
    /// Initiation interval and latency in cycles, if codegen knows them (used by `report`).
    public var iiCycles: UInt64?
    public var latencyCycles: UInt64?
    /// "dataflow" or "sequential" (FLAGS.SEQUENTIAL of the RTL), if codegen knows it.
    public var engine: String?
    /// Per layer, the rounding modes its requantizer builds (L_WIDTHS.ROUNDINGS masks), if codegen knows them.
    public var layerRoundings: [Int]?

    public init(topModule: String = "zynqnet_accel", rtlFiles: [String], axilAddrWidth: Int, topologyHash: UInt64,
                inputRecordBytes: UInt64, outputRecordBytes: UInt64, iiCycles: UInt64? = nil, latencyCycles: UInt64? = nil,
                engine: String? = nil, layerRoundings: [Int]? = nil) {
        self.engine = engine
        self.layerRoundings = layerRoundings
        self.topModule = topModule
        self.rtlFiles = rtlFiles
        self.axilAddrWidth = axilAddrWidth
        self.topologyHash = topologyHash
        self.inputRecordBytes = inputRecordBytes
        self.outputRecordBytes = outputRecordBytes
        self.iiCycles = iiCycles
        self.latencyCycles = latencyCycles
    }
}

/// Writes package_ip.tcl, build.tcl and manifest.json for a generated design.
public enum VivadoProject {
    public static let zynqnetVersion = "0.1.0"
    /// Both AXI-Stream sides (the DMA and the accelerator): 64 bits.
    public static var streamWidth: Int { OutputRecord.beatBits }
    public static let fclkRange: ClosedRange<Double> = Board.fclkRange
    public static var dmaLengthWidthRange: ClosedRange<Int> { AxiDmaFacts.lengthWidthRange }
    public static var defaultDMALengthWidth: Int { AxiDmaFacts.defaultLengthWidth }
    public static let dmaBurstSize = 64
    public static let ipVendor = "zynqnet.dev"
    public static let ipLibrary = "zynqnet"
    public static let ipVersion = "1.0"
    public static let blockDesignName = "zynqnet_bd"
    public static let bitstreamName = "zynqnet.bit"
    public static let hwhName = "zynqnet.hwh"
    public static let vivadoMin = "2022.2"
    public static let vivadoMax = "2025.2"

    /// Writes `package_ip.tcl`, `build.tcl` and `manifest.json` into `dir` (each file via a
    /// temporary file and rename). Nothing is written if any input is bad.
    public static func write(design: VivadoDesignInfo, board: Board, fclkMHz: Double, dmaLengthWidth: Int,
                             allowTimingFailure: Bool = false, to dir: String) throws {
        let m = try manifest(design: design, board: board, fclkMHz: fclkMHz, dmaLengthWidth: dmaLengthWidth)
        let pkg = try packageIPScript(design: design, board: board, fclkMHz: fclkMHz)
        let build = try buildScript(manifest: m, board: board, allowTimingFailure: allowTimingFailure)
        let json = Data(m.fileBytes)
        for f in design.rtlFiles where !FileManager.default.fileExists(atPath: dir + "/" + f) {
            throw ZynqError(file: dir + "/" + f, "RTL file listed for the Vivado scripts does not exist")
        }
        try AtomicFile.write(Data(pkg.utf8), to: dir + "/package_ip.tcl")
        try AtomicFile.write(Data(build.utf8), to: dir + "/build.tcl")
        try AtomicFile.write(json, to: dir + "/manifest.json")
    }

    /// The FCLK0 the PS7 makes of a request: IO PLL 1000 MHz divided by d0 * d1 (6-bit dividers).
    public static func expectedFclkMHz(_ requested: Double) -> Double {
        var best = 0.0
        for d0 in 1...63 {
            for d1 in 1...63 {
                let f = 1000.0 / Double(d0 * d1)
                if best == 0 || abs(f - requested) < abs(best - requested) { best = f }
            }
        }
        return (best * 1e6).rounded() / 1e6
    }

    public static func manifest(design: VivadoDesignInfo, board: Board, fclkMHz: Double, dmaLengthWidth: Int) throws -> Manifest {
        try check(design: design)
        guard fclkMHz.isFinite, fclkRange.contains(fclkMHz) else {
            throw ZynqError(key: "--fclk", "\(fclkMHz) MHz is outside \(Int(fclkRange.lowerBound))...\(Int(fclkRange.upperBound)) MHz")
        }
        guard dmaLengthWidthRange.contains(dmaLengthWidth) else {
            throw ZynqError(key: "dma_length_width", "\(dmaLengthWidth) is outside \(dmaLengthWidthRange) (AXI DMA c_sg_length_width)")
        }
        let maxBytes = (UInt64(1) << UInt64(dmaLengthWidth)) - 1
        let biggest = max(design.inputRecordBytes, design.outputRecordBytes)
        guard biggest <= maxBytes else {
            throw ZynqError(key: "dma_length_width", "a \(dmaLengthWidth)-bit DMA length (max \(maxBytes) bytes) cannot carry one \(biggest)-byte record")
        }
        let accRange = max(UInt64(4096), UInt64(1) << UInt64(design.axilAddrWidth))
        let accBase = board.accelerator.base.value
        try Manifest.checkWindow(base: accBase, range: accRange, file: nil, key: "accelerator")
        let dmaBase = board.dma.base.value, dmaRange = board.dma.range.value
        guard accBase >= dmaBase + dmaRange || dmaBase >= accBase + accRange else {
            throw ZynqError(key: "accelerator.base", "accelerator window \(HexU64.format(accBase))+\(HexU64.format(accRange)) overlaps the DMA's \(HexU64.format(dmaBase))+\(HexU64.format(dmaRange))")
        }
        let perf: Manifest.Performance?
        if let ii = design.iiCycles, let lat = design.latencyCycles {
            perf = Manifest.Performance(iiCycles: ii, latencyCycles: lat)
        } else {
            perf = nil
        }
        let engine = design.engine ?? Engine.dataflow.rawValue
        guard let engineValue = Engine(rawValue: engine) else {
            throw ZynqError(key: "engine", "'\(engine)' is not \"dataflow\" or \"sequential\"")
        }
        let m = Manifest(
            zynqnetVersion: zynqnetVersion,
            board: board.name, part: board.part, boardPart: board.boardPart, psRefClockMHz: board.psRefClockMHz,
            fclkMHz: fclkMHz, fclkExpectedMHz: expectedFclkMHz(fclkMHz),
            topologyHash: HexU64(design.topologyHash),
            topModule: design.topModule,
            ipVLNV: "\(ipVendor):\(ipLibrary):\(design.topModule):\(ipVersion)",
            blockDesign: .init(name: blockDesignName, dmaCell: "dma", acceleratorCell: "acc"),
            accelerator: .init(baseAddress: HexU64(accBase), range: HexU64(accRange), axilAddrWidth: design.axilAddrWidth),
            dma: .init(baseAddress: HexU64(dmaBase), range: HexU64(dmaRange), mode: "direct", lengthWidth: dmaLengthWidth,
                       maxTransferBytes: maxBytes, mmDataWidth: board.hpDataWidth, mm2sStreamWidth: streamWidth,
                       s2mmStreamWidth: streamWidth, burstSize: dmaBurstSize),
            stream: .init(sAxisTdataWidth: streamWidth, mAxisTdataWidth: streamWidth),
            records: .init(inputBytes: design.inputRecordBytes, outputBytes: design.outputRecordBytes,
                           maxBatchImages: maxBytes / biggest),
            ddr: .init(base: board.ddr.base, size: board.ddr.size),
            files: .init(bitstream: bitstreamName, hwh: hwhName, packageTcl: "package_ip.tcl", buildTcl: "build.tcl",
                         rtl: design.rtlFiles),
            performance: perf, engine: engineValue, layerRoundings: design.layerRoundings)
        try m.check(file: nil)
        return m
    }

    static func check(design: VivadoDesignInfo) throws {
        guard design.topModule.range(of: #"^[A-Za-z_][A-Za-z0-9_]*$"#, options: .regularExpression) != nil else {
            throw ZynqError(key: "top_module", "'\(design.topModule)' is not a Verilog identifier")
        }
        guard !design.rtlFiles.isEmpty else { throw ZynqError(key: "rtl_files", "no RTL files") }
        for f in design.rtlFiles {
            guard f.range(of: #"^[A-Za-z0-9_.+-]+(/[A-Za-z0-9_.+-]+)*$"#, options: .regularExpression) != nil,
                  !f.split(separator: "/").contains(".."), f.hasSuffix(".v") || f.hasSuffix(".sv") || f.hasSuffix(".vh") else {
                throw ZynqError(key: "rtl_files", "'\(f)' must be a relative .v/.vh path of letters, digits, '_', '.', '+', '-'")
            }
        }
        guard (2...30).contains(design.axilAddrWidth) else {
            throw ZynqError(key: "axil_addr_width", "\(design.axilAddrWidth) is outside 2...30")
        }
        guard design.inputRecordBytes > 0, design.inputRecordBytes % 8 == 0 else {
            throw ZynqError(key: "input_record_bytes", "\(design.inputRecordBytes) is not a positive multiple of 8 (64-bit beats)")
        }
        guard design.outputRecordBytes >= 8, design.outputRecordBytes % 8 == 0 else {
            throw ZynqError(key: "output_record_bytes", "\(design.outputRecordBytes) is not a positive multiple of 8 (64-bit beats)")
        }
    }

    /// package_ip.tcl: the template with its parameters.
    public static func packageIPScript(design: VivadoDesignInfo, board: Board, fclkMHz: Double) throws -> String {
        try check(design: design)
        let range = max(UInt64(4096), UInt64(1) << UInt64(design.axilAddrWidth))
        var w = TclWriter(array: "pkg")
        try w.set("part", board.part)
        try w.set("top", design.topModule)
        try w.setList("rtl_files", design.rtlFiles)
        try w.set("project_name", "zynqnet_ip")
        try w.set("project_dir", "vivado_ip")
        try w.set("ip_repo_dir", "ip_repo")
        try w.set("vendor", ipVendor)
        try w.set("library", ipLibrary)
        try w.set("name", design.topModule)
        try w.set("version", ipVersion)
        try w.set("display_name", "zynqnet accelerator")
        try w.set("description", "zynqnet generated dataflow accelerator (AXI4-Stream in/out, AXI4-Lite registers)")
        try w.set("freq_hz", String(Int64((fclkMHz * 1e6).rounded())))
        try w.set("axil_range", HexU64.format(range))
        return try TclWriter.fill(template: EmbeddedFiles.packageIPTemplate, name: "package_ip.tcl", parameters: w.text)
    }

    /// build.tcl: the template with its parameters, all taken from the manifest and board.
    public static func buildScript(manifest m: Manifest, board: Board, allowTimingFailure: Bool = false) throws -> String {
        var w = TclWriter(array: "cfg")
        try w.set("board", board.name)
        try w.set("part", m.part)
        try w.set("board_part", m.boardPart)
        try w.set("board_part_pattern", board.boardPartPattern)
        try w.set("vivado_min", vivadoMin)
        try w.set("vivado_max", vivadoMax)
        try w.set("project_name", "zynqnet")
        try w.set("project_dir", "vivado")
        try w.set("ip_repo_dir", "ip_repo")
        try w.set("ip_vlnv", m.ipVLNV)
        try w.set("bd_name", m.blockDesign.name)
        try w.set("fclk_mhz", formatMHz(m.fclkMHz))
        try w.set("hp_width", String(m.dma.mmDataWidth))
        try w.set("stream_width", String(m.dma.mm2sStreamWidth))
        try w.set("dma_length_width", String(m.dma.lengthWidth))
        try w.set("dma_burst", String(m.dma.burstSize))
        try w.set("dma_base", m.dma.baseAddress.description)
        try w.set("dma_range", m.dma.range.description)
        try w.set("acc_base", m.accelerator.baseAddress.description)
        try w.set("acc_range", m.accelerator.range.description)
        try w.set("ddr_base", m.ddr.base.description)
        try w.set("ddr_size", m.ddr.size.description)
        try w.setList("ps7_fallback", board.ps7FallbackConfig.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] })
        try w.set("jobs", "2")
        try w.set("bitstream", m.files.bitstream)
        try w.set("hwh", m.files.hwh)
        try w.set("xsa", "zynqnet.xsa")
        try w.set("allow_timing_failure", allowTimingFailure ? "1" : "0")
        return try TclWriter.fill(template: EmbeddedFiles.buildTemplate, name: "build.tcl", parameters: w.text)
    }

    /// "100" for 100.0, "142.857" otherwise (no exponent, at most 6 decimals).
    static func formatMHz(_ v: Double) -> String {
        if v == v.rounded() { return String(Int64(v)) }
        var s = String(format: "%.6f", v)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
}

/// Builds the `set <array>(key) {value}` block that replaces a template's marker line.
/// Values are Tcl words in braces; a value that braces cannot quote safely is rejected.
struct TclWriter {
    static let marker = "#@ZYNQNET_PARAMETERS@"
    let array: String
    private(set) var lines: [String] = []

    init(array: String) { self.array = array }

    var text: String {
        (["# ---- parameters written by zynqnet codegen (do not edit by hand: regenerate) ----"] + lines
         + ["# ---- end of parameters ----"]).joined(separator: "\n")
    }

    /// A value is safe inside braces if it has no braces, backslashes, line breaks or NULs.
    static func isSafeWord(_ s: String) -> Bool {
        !s.contains { "{}\\\n\r\0".contains($0) }
    }

    static func word(_ s: String, key: String) throws -> String {
        guard isSafeWord(s) else { throw ZynqError(key: key, "value '\(s)' cannot be quoted for Tcl") }
        return "{" + s + "}"
    }

    mutating func set(_ key: String, _ value: String) throws {
        lines.append("set \(array)(\(key))".padding(toLength: 32, withPad: " ", startingAt: 0) + " " + (try TclWriter.word(value, key: key)))
    }

    mutating func setList(_ key: String, _ values: [String]) throws {
        let words = try values.map { try TclWriter.word($0, key: key) }
        lines.append("set \(array)(\(key))".padding(toLength: 32, withPad: " ", startingAt: 0) + " [list " + words.joined(separator: " ") + "]")
    }

    /// Replaces the one marker line of `template` with `parameters`.
    static func fill(template: String, name: String, parameters: String) throws -> String {
        let parts = template.components(separatedBy: "\n" + marker + "\n")
        guard parts.count == 2 else {
            throw ZynqError(file: name, "template must contain the line \(marker) exactly once")
        }
        return parts[0] + "\n" + parameters + "\n" + parts[1]
    }
}

/// Writes a file by writing a temporary file in the same directory and renaming it.
enum AtomicFile {
    static func write(_ data: Data, to path: String) throws {
        let tmp = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        guard FileManager.default.createFile(atPath: tmp, contents: data) else {
            throw ZynqError(file: path, "cannot write")
        }
        if rename(tmp, path) != 0 {
            unlink(tmp)
            throw ZynqError(file: path, "cannot rename \(tmp) into place")
        }
    }
}
