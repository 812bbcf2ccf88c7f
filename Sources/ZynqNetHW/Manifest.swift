import ZynqNetBase
import ZynqNetModel

/// `manifest.json`: everything the runtime needs to drive a generated design (schema in
/// docs/manifest.md). One type for the file: codegen writes it (`json`), the runtime, deploy,
/// the bitstream registry and report read it (`parse`/`load`), all through JSONText. One
/// spelling per key: a file with an unknown key or another schema version is refused with one
/// line naming the file, the key and the command that writes it anew.
public struct Manifest: Equatable, Sendable {
    public static let currentSchemaVersion = 2
    /// What to do with a manifest this zynqnet does not read.
    public static let regenerate = "regenerate the design with zynqnet codegen MODEL -o DIR"

    public struct BlockDesign: Equatable, Sendable {
        public var name: String
        public var dmaCell: String
        public var acceleratorCell: String
        public init(name: String, dmaCell: String, acceleratorCell: String) {
            self.name = name; self.dmaCell = dmaCell; self.acceleratorCell = acceleratorCell
        }
    }
    public struct Accelerator: Equatable, Sendable {
        public var baseAddress: HexU64
        public var range: HexU64
        public var axilAddrWidth: Int
        public init(baseAddress: HexU64, range: HexU64, axilAddrWidth: Int) {
            self.baseAddress = baseAddress; self.range = range; self.axilAddrWidth = axilAddrWidth
        }
    }
    public struct DMA: Equatable, Sendable {
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
        public init(baseAddress: HexU64, range: HexU64, mode: String, lengthWidth: Int, maxTransferBytes: UInt64,
                    mmDataWidth: Int, mm2sStreamWidth: Int, s2mmStreamWidth: Int, burstSize: Int) {
            self.baseAddress = baseAddress; self.range = range; self.mode = mode; self.lengthWidth = lengthWidth
            self.maxTransferBytes = maxTransferBytes; self.mmDataWidth = mmDataWidth
            self.mm2sStreamWidth = mm2sStreamWidth; self.s2mmStreamWidth = s2mmStreamWidth; self.burstSize = burstSize
        }
    }
    public struct Stream: Equatable, Sendable {
        public var sAxisTdataWidth: Int
        public var mAxisTdataWidth: Int
        public init(sAxisTdataWidth: Int, mAxisTdataWidth: Int) {
            self.sAxisTdataWidth = sAxisTdataWidth; self.mAxisTdataWidth = mAxisTdataWidth
        }
    }
    public struct Records: Equatable, Sendable {
        /// Bytes of one image on s_axis (whole 64-bit beats).
        public var inputBytes: UInt64
        /// Bytes of one result on m_axis (whole 64-bit beats).
        public var outputBytes: UInt64
        /// The most images one DMA transfer (each direction) can carry.
        public var maxBatchImages: UInt64
        public init(inputBytes: UInt64, outputBytes: UInt64, maxBatchImages: UInt64) {
            self.inputBytes = inputBytes; self.outputBytes = outputBytes; self.maxBatchImages = maxBatchImages
        }
    }
    /// DDR the DMA reaches through HP0.
    public struct Region: Equatable, Sendable {
        public var base: HexU64
        public var size: HexU64
        public init(base: HexU64, size: HexU64) { self.base = base; self.size = size }
    }
    public struct Files: Equatable, Sendable {
        public var bitstream: String
        public var hwh: String
        public var packageTcl: String
        public var buildTcl: String
        /// RTL sources, relative to the manifest's directory, top module's file included.
        public var rtl: [String]
        public init(bitstream: String, hwh: String, packageTcl: String, buildTcl: String, rtl: [String]) {
            self.bitstream = bitstream; self.hwh = hwh; self.packageTcl = packageTcl; self.buildTcl = buildTcl; self.rtl = rtl
        }
    }
    /// What build.tcl found after implementation (absent until Vivado ran it).
    public struct Timing: Equatable, Sendable {
        public var wnsNS: Double
        public var whsNS: Double
        /// FCLK0 the block design really has (PCW_ACT_FPGA0_PERIPHERAL_FREQMHZ).
        public var fclkMHz: Double
        /// 1000 / (FCLK0 period - WNS): the clock the routed design would still meet.
        public var fclkAchievedMHz: Double
        public var met: Bool
        /// build.tcl kept a failing design (codegen --allow-timing-failure).
        public var allowedFailure: Bool
        public init(wnsNS: Double, whsNS: Double, fclkMHz: Double, fclkAchievedMHz: Double, met: Bool, allowedFailure: Bool) {
            self.wnsNS = wnsNS; self.whsNS = whsNS; self.fclkMHz = fclkMHz; self.fclkAchievedMHz = fclkAchievedMHz
            self.met = met; self.allowedFailure = allowedFailure
        }
    }
    public struct Performance: Equatable, Sendable {
        public var iiCycles: UInt64
        public var latencyCycles: UInt64
        public init(iiCycles: UInt64, latencyCycles: UInt64) { self.iiCycles = iiCycles; self.latencyCycles = latencyCycles }
    }

    public var schemaVersion: Int
    public var zynqnetVersion: String
    public var board: String
    public var part: String
    public var boardPart: String
    /// The board's PS reference crystal (fpga/boards/<board>.json), for setting FCLK0.
    public var psRefClockMHz: Double
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
    public var ddr: Region
    public var files: Files
    public var performance: Performance?
    /// The engine the RTL's FLAGS.SEQUENTIAL reports.
    public var engine: Engine
    /// Written by build.tcl after implementation.
    public var timing: Timing?
    /// Per layer, the rounding modes its requantizer was built for (bit k = `RegisterMap.roundingCode`
    /// k, what its L_WIDTHS.ROUNDINGS reads; floor and half_up always): what the board's parameter
    /// load checks the model's rounding against, so deploy can check it first. nil in a manifest
    /// written before the key (`layer_roundings`); the board's load check is then the only one.
    public var layerRoundings: [Int]?

    public init(zynqnetVersion: String, board: String, part: String, boardPart: String, psRefClockMHz: Double,
                fclkMHz: Double, fclkExpectedMHz: Double, topologyHash: HexU64, topModule: String, ipVLNV: String,
                blockDesign: BlockDesign, accelerator: Accelerator, dma: DMA, stream: Stream, records: Records,
                ddr: Region, files: Files, performance: Performance?, engine: Engine, timing: Timing? = nil,
                layerRoundings: [Int]? = nil) {
        self.schemaVersion = Manifest.currentSchemaVersion
        self.zynqnetVersion = zynqnetVersion; self.board = board; self.part = part; self.boardPart = boardPart
        self.psRefClockMHz = psRefClockMHz; self.fclkMHz = fclkMHz; self.fclkExpectedMHz = fclkExpectedMHz
        self.topologyHash = topologyHash; self.topModule = topModule; self.ipVLNV = ipVLNV
        self.blockDesign = blockDesign; self.accelerator = accelerator; self.dma = dma; self.stream = stream
        self.records = records; self.ddr = ddr; self.files = files; self.performance = performance
        self.engine = engine; self.timing = timing; self.layerRoundings = layerRoundings
    }

    // MARK: writing

    /// The file's content: keys in this fixed order, addresses as "0x…" strings.
    public var json: JSONText {
        func hex(_ h: HexU64) -> JSONText { .string(h.description) }
        var top: [(String, JSONText)] = []
        if let t = timing {
            top.append(("timing", .object([("wns_ns", .double(t.wnsNS)), ("whs_ns", .double(t.whsNS)), ("fclk_mhz", .double(t.fclkMHz)),
                                           ("fclk_achieved_mhz", .double(t.fclkAchievedMHz)), ("met", .bool(t.met)),
                                           ("allowed_failure", .bool(t.allowedFailure))])))
        }
        top += [
            ("schema_version", .int(Int64(schemaVersion))),
            ("zynqnet_version", .string(zynqnetVersion)),
            ("board", .string(board)), ("part", .string(part)), ("board_part", .string(boardPart)),
            ("ps_ref_clock_mhz", .double(psRefClockMHz)),
            ("fclk_mhz", .double(fclkMHz)), ("fclk_expected_mhz", .double(fclkExpectedMHz)),
            ("topology_hash", hex(topologyHash)), ("top_module", .string(topModule)), ("ip_vlnv", .string(ipVLNV)),
            ("engine", .string(engine.rawValue)),
        ]
        if let masks = layerRoundings {
            top.append(("layer_roundings", .array(masks.map { m in .array(RegisterMap.roundings(mask: m).map { .string($0.rawValue) }) })))
        }
        top += [
            ("block_design", .object([("name", .string(blockDesign.name)), ("dma_cell", .string(blockDesign.dmaCell)),
                                      ("accelerator_cell", .string(blockDesign.acceleratorCell))])),
            ("accelerator", .object([("base_address", hex(accelerator.baseAddress)), ("range", hex(accelerator.range)),
                                     ("axil_addr_width", .int(Int64(accelerator.axilAddrWidth)))])),
            ("dma", .object([("base_address", hex(dma.baseAddress)), ("range", hex(dma.range)), ("mode", .string(dma.mode)),
                             ("length_width", .int(Int64(dma.lengthWidth))), ("max_transfer_bytes", .uint(dma.maxTransferBytes)),
                             ("mm_data_width", .int(Int64(dma.mmDataWidth))), ("mm2s_stream_width", .int(Int64(dma.mm2sStreamWidth))),
                             ("s2mm_stream_width", .int(Int64(dma.s2mmStreamWidth))), ("burst_size", .int(Int64(dma.burstSize)))])),
            ("stream", .object([("s_axis_tdata_width", .int(Int64(stream.sAxisTdataWidth))),
                                ("m_axis_tdata_width", .int(Int64(stream.mAxisTdataWidth)))])),
            ("records", .object([("input_bytes", .uint(records.inputBytes)), ("output_bytes", .uint(records.outputBytes)),
                                 ("max_batch_images", .uint(records.maxBatchImages))])),
            ("ddr", .object([("base", hex(ddr.base)), ("size", hex(ddr.size))])),
            ("files", .object([("bitstream", .string(files.bitstream)), ("hwh", .string(files.hwh)),
                               ("package_tcl", .string(files.packageTcl)), ("build_tcl", .string(files.buildTcl)),
                               ("rtl", .array(files.rtl.map { .string($0) }))])),
        ]
        if let p = performance {
            top.append(("performance", .object([("ii_cycles", .uint(p.iiCycles)), ("latency_cycles", .uint(p.latencyCycles))])))
        }
        return .object(top)
    }

    /// The file's bytes: pretty JSON (two-space indent) and a final newline.
    public var fileBytes: [UInt8] { Array((json.render(pretty: true) + "\n").utf8) }

    // MARK: reading

    /// Reads and checks a manifest.json.
    public static func load(file path: String) throws(ZynqError) -> Manifest {
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path: path) } catch {
            throw ZynqError(file: path, "cannot read manifest")
        }
        return try parse(bytes, file: path)
    }

    /// Parses and checks a manifest's bytes; `file` names it in errors.
    public static func parse(_ bytes: [UInt8], file: String) throws(ZynqError) -> Manifest {
        let m = try Manifest(json: try JSONField.parse(bytes, file: file))
        try m.check(file: file)
        return m
    }

    /// Reads the manifest's keys (one spelling each; unknown keys are refused).
    public init(json top: JSONField) throws(ZynqError) {
        let version = try top.member("schema_version").int()
        guard version == Manifest.currentSchemaVersion else {
            throw ZynqError(file: top.file, key: "schema_version",
                            "manifest schema \(version) is not read by this zynqnet (it reads \(Manifest.currentSchemaVersion)); \(Manifest.regenerate)")
        }
        try top.requireKnownKeys(["schema_version", "zynqnet_version", "board", "part", "board_part", "ps_ref_clock_mhz",
                                  "fclk_mhz", "fclk_expected_mhz", "topology_hash", "top_module", "ip_vlnv", "engine",
                                  "block_design", "accelerator", "dma", "stream", "records", "ddr", "files", "performance",
                                  "timing", "layer_roundings"], hint: Manifest.regenerate)
        func object(_ key: String, _ keys: [String]) throws(ZynqError) -> JSONField {
            let o = try top.member(key)
            try o.requireKnownKeys(keys, hint: Manifest.regenerate)
            return o
        }
        func hex(_ f: JSONField, _ key: String) throws(ZynqError) -> HexU64 { HexU64(try f.member(key).hex()) }
        schemaVersion = version
        zynqnetVersion = try top.member("zynqnet_version").string()
        board = try top.member("board").string()
        part = try top.member("part").string()
        boardPart = try top.member("board_part").string()
        psRefClockMHz = try top.member("ps_ref_clock_mhz").double()
        fclkMHz = try top.member("fclk_mhz").double()
        fclkExpectedMHz = try top.member("fclk_expected_mhz").double()
        topologyHash = HexU64(try top.member("topology_hash").hex())
        topModule = try top.member("top_module").string()
        ipVLNV = try top.member("ip_vlnv").string()
        let engineField = try top.member("engine")
        guard let e = Engine(rawValue: try engineField.string()) else {
            throw engineField.error("must be \"dataflow\" or \"sequential\", got \(engineField.kind)")
        }
        engine = e
        let bd = try object("block_design", ["name", "dma_cell", "accelerator_cell"])
        blockDesign = BlockDesign(name: try bd.member("name").string(), dmaCell: try bd.member("dma_cell").string(),
                                  acceleratorCell: try bd.member("accelerator_cell").string())
        let acc = try object("accelerator", ["base_address", "range", "axil_addr_width"])
        accelerator = Accelerator(baseAddress: try hex(acc, "base_address"), range: try hex(acc, "range"),
                                  axilAddrWidth: try acc.member("axil_addr_width").int(1, 30))
        let d = try object("dma", ["base_address", "range", "mode", "length_width", "max_transfer_bytes", "mm_data_width",
                                   "mm2s_stream_width", "s2mm_stream_width", "burst_size"])
        dma = DMA(baseAddress: try hex(d, "base_address"), range: try hex(d, "range"), mode: try d.member("mode").string(),
                  lengthWidth: try d.member("length_width").int(8, 26), maxTransferBytes: try d.member("max_transfer_bytes").uint64(),
                  mmDataWidth: try d.member("mm_data_width").int(8, 1024), mm2sStreamWidth: try d.member("mm2s_stream_width").int(8, 1024),
                  s2mmStreamWidth: try d.member("s2mm_stream_width").int(8, 1024), burstSize: try d.member("burst_size").int(2, 256))
        let s = try object("stream", ["s_axis_tdata_width", "m_axis_tdata_width"])
        stream = Stream(sAxisTdataWidth: try s.member("s_axis_tdata_width").int(8, 1024),
                        mAxisTdataWidth: try s.member("m_axis_tdata_width").int(8, 1024))
        let r = try object("records", ["input_bytes", "output_bytes", "max_batch_images"])
        records = Records(inputBytes: try r.member("input_bytes").uint64(max: 1 << 30), outputBytes: try r.member("output_bytes").uint64(max: 1 << 30),
                          maxBatchImages: try r.member("max_batch_images").uint64(max: 1 << 30))
        let dd = try object("ddr", ["base", "size"])
        ddr = Region(base: try hex(dd, "base"), size: try hex(dd, "size"))
        let f = try object("files", ["bitstream", "hwh", "package_tcl", "build_tcl", "rtl"])
        var rtl: [String] = []
        for x in try f.member("rtl").elements() { rtl.append(try x.string()) }
        files = Files(bitstream: try f.member("bitstream").string(), hwh: try f.member("hwh").string(),
                      packageTcl: try f.member("package_tcl").string(), buildTcl: try f.member("build_tcl").string(), rtl: rtl)
        if top.value["performance"] != nil {
            let p = try object("performance", ["ii_cycles", "latency_cycles"])
            performance = Performance(iiCycles: try p.member("ii_cycles").uint64(), latencyCycles: try p.member("latency_cycles").uint64())
        } else {
            performance = nil
        }
        if let lr = try top.optionalMember("layer_roundings") {
            var masks: [Int] = []
            for layer in try lr.elements() {
                var mask = 0
                for name in try layer.elements() {
                    let text = try name.string()
                    var code: Int?
                    for c in 0..<5 where RegisterMap.rounding(code: UInt32(c))?.rawValue == text { code = c }
                    guard let code, mask & (1 << code) == 0 else {
                        throw name.error("\(name.kind) is not a rounding mode, or named twice (floor, half_up, half_even, gemmlowp, float32)")
                    }
                    mask |= 1 << code
                }
                guard mask & LayerTopology.baseRoundings == LayerTopology.baseRoundings else {
                    throw layer.error("must hold floor and half_up (every requantizer builds them)")
                }
                masks.append(mask)
            }
            guard !masks.isEmpty else { throw lr.error("must name one entry per layer, got none") }
            layerRoundings = masks
        } else {
            layerRoundings = nil
        }
        if top.value["timing"] != nil {
            let t = try object("timing", ["wns_ns", "whs_ns", "fclk_mhz", "fclk_achieved_mhz", "met", "allowed_failure"])
            timing = Timing(wnsNS: try t.member("wns_ns").double(), whsNS: try t.member("whs_ns").double(),
                            fclkMHz: try t.member("fclk_mhz").double(), fclkAchievedMHz: try t.member("fclk_achieved_mhz").double(),
                            met: try t.member("met").bool(), allowedFailure: try t.member("allowed_failure").bool())
        } else {
            timing = nil
        }
    }

    /// The Zynq-7000 M_AXI_GP0 window (embeddedsw xparameters_ps.h): 0x4000_0000-0x7FFF_FFFF.
    public static let gp0Base: UInt64 = 0x4000_0000
    public static let gp0End: UInt64 = 0x7FFF_FFFF

    /// The checks the runtime relies on.
    public func check(file: String?) throws(ZynqError) {
        func bad(_ key: String, _ msg: String) -> ZynqError { ZynqError(file: file, key: key, msg) }
        guard schemaVersion == Manifest.currentSchemaVersion else {
            throw bad("schema_version", "\(schemaVersion) is not supported (expected \(Manifest.currentSchemaVersion))")
        }
        try Manifest.checkWindow(base: dma.baseAddress.value, range: dma.range.value, file: file, key: "dma")
        try Manifest.checkWindow(base: accelerator.baseAddress.value, range: accelerator.range.value, file: file, key: "accelerator")
        let a = accelerator.baseAddress.value, ar = accelerator.range.value
        let d = dma.baseAddress.value, dr = dma.range.value
        guard a >= d + dr || d >= a + ar else {
            throw bad("accelerator.base_address", "window overlaps the DMA's")
        }
        guard accelerator.axilAddrWidth >= 1, accelerator.axilAddrWidth <= 30,
              accelerator.range.value == Swift.max(4096, UInt64(1) << UInt64(accelerator.axilAddrWidth)) else {
            throw bad("accelerator.range", "\(accelerator.range) is not max(4096, 2^axil_addr_width)")
        }
        guard dma.mode == "direct" else { throw bad("dma.mode", "'\(dma.mode)' is not \"direct\"") }
        guard AxiDmaFacts.lengthWidthRange.contains(dma.lengthWidth) else {
            throw bad("dma.length_width", "\(dma.lengthWidth) is outside \(AxiDmaFacts.lengthWidthRange)")
        }
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
        guard psRefClockMHz > 0, psRefClockMHz <= 100 else { throw bad("ps_ref_clock_mhz", "\(psRefClockMHz) is outside (0, 100]") }
        for f in [files.bitstream, files.hwh] + files.rtl {
            guard !f.isEmpty, !f.hasPrefix("/"), !f.split(separator: "/").contains("..") else {
                throw bad("files", "'\(f)' must be a relative path inside the manifest's directory")
            }
        }
    }

    /// A GP0 register window: power of two ≥ 4 KiB, aligned, inside 0x4000_0000-0x7FFF_FFFF.
    public static func checkWindow(base: UInt64, range: UInt64, file: String?, key: String) throws(ZynqError) {
        guard range >= 4096, range.nonzeroBitCount == 1, range <= 0x4000_0000 else {
            throw ZynqError(file: file, key: "\(key).range", "\(HexU64.format(range)) is not a power of two between 4 KiB and 1 GiB")
        }
        guard base % range == 0 else {
            throw ZynqError(file: file, key: "\(key).base", "\(HexU64.format(base)) is not aligned to its range \(HexU64.format(range))")
        }
        guard base >= gp0Base, base <= gp0End, range - 1 <= gp0End - base else {
            throw ZynqError(file: file, key: "\(key).base", "\(HexU64.format(base)) (range \(HexU64.format(range))) is outside the GP0 window 0x40000000-0x7FFFFFFF")
        }
    }
}
