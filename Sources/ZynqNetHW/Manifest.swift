import Foundation
import ZynqNetBase
import ZynqNetModel

/// `manifest.json`: everything the runtime needs to drive a generated design
/// (schema in docs/manifest.md). Addresses and sizes are "0x..." strings (numbers are
/// accepted when reading).
public struct Manifest: Codable, Equatable, Sendable {
    public static let currentSchemaVersion = 1

    public struct BlockDesign: Codable, Equatable, Sendable {
        public var name: String
        public var dmaCell: String
        public var acceleratorCell: String
        public init(name: String, dmaCell: String, acceleratorCell: String) {
            self.name = name; self.dmaCell = dmaCell; self.acceleratorCell = acceleratorCell
        }
        enum CodingKeys: String, CodingKey {
            case name, dmaCell = "dma_cell", acceleratorCell = "accelerator_cell"
        }
    }
    public struct Accelerator: Codable, Equatable, Sendable {
        public var baseAddress: HexU64
        public var range: HexU64
        public var axilAddrWidth: Int
        public init(baseAddress: HexU64, range: HexU64, axilAddrWidth: Int) {
            self.baseAddress = baseAddress; self.range = range; self.axilAddrWidth = axilAddrWidth
        }
        enum CodingKeys: String, CodingKey {
            case baseAddress = "base_address", range, axilAddrWidth = "axil_addr_width"
        }
    }
    public struct DMA: Codable, Equatable, Sendable {
        public var baseAddress: HexU64
        public var range: HexU64
        /// "direct": AXI DMA 7.1 direct-register (simple) mode, c_include_sg = 0.
        public var mode: String
        /// c_sg_length_width: the LENGTH registers hold lengthWidth bits.
        public var lengthWidth: Int
        /// 2^lengthWidth - 1 bytes per transfer.
        public var maxTransferBytes: UInt64
        public var mmDataWidth: Int
        public var mm2sStreamWidth: Int
        public var s2mmStreamWidth: Int
        public var burstSize: Int
        public init(baseAddress: HexU64, range: HexU64, mode: String, lengthWidth: Int, maxTransferBytes: UInt64, mmDataWidth: Int, mm2sStreamWidth: Int, s2mmStreamWidth: Int, burstSize: Int) {
            self.baseAddress = baseAddress; self.range = range; self.mode = mode; self.lengthWidth = lengthWidth; self.maxTransferBytes = maxTransferBytes; self.mmDataWidth = mmDataWidth; self.mm2sStreamWidth = mm2sStreamWidth; self.s2mmStreamWidth = s2mmStreamWidth; self.burstSize = burstSize
        }
        enum CodingKeys: String, CodingKey {
            case baseAddress = "base_address", range, mode, lengthWidth = "length_width"
            case maxTransferBytes = "max_transfer_bytes", mmDataWidth = "mm_data_width"
            case mm2sStreamWidth = "mm2s_stream_width", s2mmStreamWidth = "s2mm_stream_width"
            case burstSize = "burst_size"
        }
    }
    public struct Stream: Codable, Equatable, Sendable {
        public var sAxisTdataWidth: Int
        public var mAxisTdataWidth: Int
        public init(sAxisTdataWidth: Int, mAxisTdataWidth: Int) {
            self.sAxisTdataWidth = sAxisTdataWidth; self.mAxisTdataWidth = mAxisTdataWidth
        }
        enum CodingKeys: String, CodingKey {
            case sAxisTdataWidth = "s_axis_tdata_width", mAxisTdataWidth = "m_axis_tdata_width"
        }
    }
    public struct Records: Codable, Equatable, Sendable {
        /// Bytes of one image on s_axis (whole 64-bit beats).
        public var inputBytes: UInt64
        /// Bytes of one result on m_axis (whole 64-bit beats).
        public var outputBytes: UInt64
        /// The most images one DMA transfer (each direction) can carry.
        public var maxBatchImages: UInt64
        public init(inputBytes: UInt64, outputBytes: UInt64, maxBatchImages: UInt64) {
            self.inputBytes = inputBytes; self.outputBytes = outputBytes; self.maxBatchImages = maxBatchImages
        }
        enum CodingKeys: String, CodingKey {
            case inputBytes = "input_bytes", outputBytes = "output_bytes", maxBatchImages = "max_batch_images"
        }
    }
    public struct Files: Codable, Equatable, Sendable {
        public var bitstream: String
        public var hwh: String
        public var packageTcl: String
        public var buildTcl: String
        /// RTL sources, relative to the manifest's directory, top module's file included.
        public var rtl: [String]
        public init(bitstream: String, hwh: String, packageTcl: String, buildTcl: String, rtl: [String]) {
            self.bitstream = bitstream; self.hwh = hwh; self.packageTcl = packageTcl; self.buildTcl = buildTcl; self.rtl = rtl
        }
        enum CodingKeys: String, CodingKey {
            case bitstream, hwh, rtl, packageTcl = "package_tcl", buildTcl = "build_tcl"
        }
    }
    /// What build.tcl found after implementation (absent until Vivado ran it).
    public struct Timing: Codable, Equatable, Sendable {
        public var wnsNS: Double
        public var whsNS: Double
        /// FCLK0 the block design really has (PCW_ACT_FPGA0_PERIPHERAL_FREQMHZ).
        public var fclkMHz: Double
        /// 1000 / (FCLK0 period - WNS): the clock the routed design would still meet.
        public var fclkAchievedMHz: Double
        public var met: Bool
        /// build.tcl kept a failing design (codegen --allow-timing-failure).
        public var allowedFailure: Bool?
        public init(wnsNS: Double, whsNS: Double, fclkMHz: Double, fclkAchievedMHz: Double, met: Bool, allowedFailure: Bool? = nil) {
            self.wnsNS = wnsNS; self.whsNS = whsNS; self.fclkMHz = fclkMHz; self.fclkAchievedMHz = fclkAchievedMHz; self.met = met; self.allowedFailure = allowedFailure
        }
        enum CodingKeys: String, CodingKey {
            case met, wnsNS = "wns_ns", whsNS = "whs_ns", fclkMHz = "fclk_mhz", fclkAchievedMHz = "fclk_achieved_mhz", allowedFailure = "allowed_failure"
        }
    }
    public struct Performance: Codable, Equatable, Sendable {
        public var iiCycles: UInt64
        public var latencyCycles: UInt64
        public init(iiCycles: UInt64, latencyCycles: UInt64) {
            self.iiCycles = iiCycles; self.latencyCycles = latencyCycles
        }
        enum CodingKeys: String, CodingKey {
            case iiCycles = "ii_cycles", latencyCycles = "latency_cycles"
        }
    }

    public var schemaVersion: Int
    public var zynqnetVersion: String
    public var board: String
    public var part: String
    public var boardPart: String
    /// FCLK0 as requested (--fclk).
    public var fclkMHz: Double
    /// What the PS7 can make of it: 1000 MHz IO PLL / (d0 * d1), d0, d1 in 1...63.
    public var fclkExpectedMHz: Double
    /// The topology hash the RTL reports over AXI-Lite ("0x" + hex).
    public var topologyHash: HexU64
    public var topModule: String
    public var ipVLNV: String
    public var blockDesign: BlockDesign
    public var accelerator: Accelerator
    public var dma: DMA
    public var stream: Stream
    public var records: Records
    public var ddr: Board.Region
    public var files: Files
    public var performance: Performance?
    /// "dataflow" or "sequential": the engine the RTL's FLAGS.SEQUENTIAL reports (absent: dataflow).
    public var engine: String?
    /// Written by build.tcl after implementation.
    public var timing: Timing?

    public init(schemaVersion: Int, zynqnetVersion: String, board: String, part: String, boardPart: String, fclkMHz: Double, fclkExpectedMHz: Double, topologyHash: HexU64, topModule: String, ipVLNV: String, blockDesign: BlockDesign, accelerator: Accelerator, dma: DMA, stream: Stream, records: Records, ddr: Board.Region, files: Files, performance: Performance? = nil, engine: String? = nil, timing: Timing? = nil) {
        self.schemaVersion = schemaVersion; self.zynqnetVersion = zynqnetVersion; self.board = board; self.part = part; self.boardPart = boardPart; self.fclkMHz = fclkMHz; self.fclkExpectedMHz = fclkExpectedMHz; self.topologyHash = topologyHash; self.topModule = topModule; self.ipVLNV = ipVLNV; self.blockDesign = blockDesign; self.accelerator = accelerator; self.dma = dma; self.stream = stream; self.records = records; self.ddr = ddr; self.files = files; self.performance = performance; self.engine = engine; self.timing = timing
    }
    enum CodingKeys: String, CodingKey {
        case board, part, accelerator, dma, stream, records, ddr, files, performance, engine, timing
        case schemaVersion = "schema_version", zynqnetVersion = "zynqnet_version"
        case boardPart = "board_part", fclkMHz = "fclk_mhz", fclkExpectedMHz = "fclk_expected_mhz"
        case topologyHash = "topology_hash", topModule = "top_module", ipVLNV = "ip_vlnv"
        case blockDesign = "block_design"
    }

    /// Reads and checks a manifest.json.
    public static func load(file path: String) throws -> Manifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ZynqError(file: path, "cannot read manifest")
        }
        let m: Manifest
        do {
            m = try JSONDecoder().decode(Manifest.self, from: data)
        } catch {
            throw ZynqError.decoding(error, file: path)
        }
        try m.check(file: path)
        return m
    }

    /// The checks the runtime relies on.
    public func check(file: String?) throws {
        func bad(_ key: String, _ msg: String) -> ZynqError { ZynqError(file: file, key: key, msg) }
        guard schemaVersion == Manifest.currentSchemaVersion else {
            throw bad("schema_version", "\(schemaVersion) is not supported (expected \(Manifest.currentSchemaVersion))")
        }
        try Board.checkWindow(base: dma.baseAddress.value, range: dma.range.value, file: file, key: "dma")
        try Board.checkWindow(base: accelerator.baseAddress.value, range: accelerator.range.value, file: file, key: "accelerator")
        let a = accelerator.baseAddress.value, ar = accelerator.range.value
        let d = dma.baseAddress.value, dr = dma.range.value
        guard a >= d + dr || d >= a + ar else {
            throw bad("accelerator.base_address", "window overlaps the DMA's")
        }
        guard (1...30).contains(accelerator.axilAddrWidth),
              accelerator.range.value == max(4096, UInt64(1) << UInt64(accelerator.axilAddrWidth)) else {
            throw bad("accelerator.range", "\(accelerator.range) is not max(4096, 2^axil_addr_width)")
        }
        guard dma.mode == "direct" else { throw bad("dma.mode", "'\(dma.mode)' is not \"direct\"") }
        guard (8...26).contains(dma.lengthWidth) else { throw bad("dma.length_width", "\(dma.lengthWidth) is outside 8...26") }
        guard dma.maxTransferBytes == (UInt64(1) << UInt64(dma.lengthWidth)) - 1 else {
            throw bad("dma.max_transfer_bytes", "\(dma.maxTransferBytes) is not 2^length_width - 1")
        }
        guard stream.sAxisTdataWidth == dma.mm2sStreamWidth, stream.mAxisTdataWidth == dma.s2mmStreamWidth else {
            throw bad("stream", "stream widths differ from the DMA's")
        }
        guard records.inputBytes > 0, records.outputBytes > 0,
              records.inputBytes % UInt64(stream.sAxisTdataWidth / 8) == 0,
              records.outputBytes % UInt64(stream.mAxisTdataWidth / 8) == 0 else {
            throw bad("records", "record sizes must be positive whole beats")
        }
        guard fclkMHz > 0, fclkExpectedMHz > 0 else { throw bad("fclk_mhz", "must be positive") }
        if let e = engine, e != "dataflow", e != "sequential" {
            throw bad("engine", "'\(e)' is not \"dataflow\" or \"sequential\"")
        }
        for f in [files.bitstream, files.hwh] + files.rtl {
            guard !f.isEmpty, !f.hasPrefix("/"), !f.split(separator: "/").contains("..") else {
                throw bad("files", "'\(f)' must be a relative path inside the manifest's directory")
            }
        }
    }
}
