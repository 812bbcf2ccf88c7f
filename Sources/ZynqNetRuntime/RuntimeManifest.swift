import ZynqNetBase
import ZynqNetHW
import ZynqNetModel

/// The values the runtime drives a design with: taken from a bundle's `manifest.json` (read
/// through `Manifest`, the file's one type, strictly: one spelling per key), or the defaults of
/// the in-process loopback design.
public struct RuntimeManifest: Sendable, Equatable {
    public var board: String?
    public var part: String?
    public var bitstream: String?
    public var dmaBase: UInt64
    public var dmaRange: UInt64
    public var acceleratorBase: UInt64
    /// AXI-Lite address width of the accelerator (window 2^AW bytes).
    public var axilAddressWidth: Int
    /// `c_sg_length_width` of the AXI DMA.
    public var dmaLengthWidth: Int
    /// Memory-map data width of the DMA in bits (64 on the HP port).
    public var dmaDataWidth: Int
    public var dmaAddressWidth: Int
    public var fclkMHz: Double
    /// PS reference clock (the manifest's `ps_ref_clock_mhz`, from the board file).
    public var psRefClockMHz: Double?
    public var topologyHash: UInt64?
    /// `engine`: "dataflow" or "sequential"; the accelerator's FLAGS.SEQUENTIAL must agree
    /// (`check(hardware:file:)`). nil (no manifest): not checked, and the loopback device is the
    /// dataflow design.
    public var engine: Engine?
    /// `records.max_batch_images`, `records.input_bytes`, `records.output_bytes`: the DMA
    /// buffer must hold max_batch_images × (input + output) bytes (doctor's u-dma-buf check).
    public var maxBatchImages: Int?
    public var inputRecordBytes: Int?
    public var outputRecordBytes: Int?

    /// Bytes of DMA buffer one full transfer needs, when the manifest gives the record sizes.
    public var requiredBufferBytes: UInt64? {
        guard let n = maxBatchImages, let i = inputRecordBytes, let o = outputRecordBytes else { return nil }
        return UInt64(n) * UInt64(i + o)
    }

    public init(board: String? = nil, part: String? = "xc7z020clg400-1", bitstream: String? = nil,
                dmaBase: UInt64 = 0x4040_0000, dmaRange: UInt64 = 0x10000, acceleratorBase: UInt64 = 0x43C0_0000,
                axilAddressWidth: Int = 12, dmaLengthWidth: Int = AxiDmaFacts.defaultLengthWidth, dmaDataWidth: Int = 64, dmaAddressWidth: Int = 32,
                fclkMHz: Double = 100, psRefClockMHz: Double? = nil, topologyHash: UInt64? = nil, engine: Engine? = nil) {
        self.engine = engine
        self.board = board
        self.part = part
        self.bitstream = bitstream
        self.dmaBase = dmaBase
        self.dmaRange = dmaRange
        self.acceleratorBase = acceleratorBase
        self.axilAddressWidth = axilAddressWidth
        self.dmaLengthWidth = dmaLengthWidth
        self.dmaDataWidth = dmaDataWidth
        self.dmaAddressWidth = dmaAddressWidth
        self.fclkMHz = fclkMHz
        self.psRefClockMHz = psRefClockMHz
        self.topologyHash = topologyHash
    }

    /// The runtime's values of a checked manifest (`file` names it in errors): FCLK0 is the
    /// clock the PS7 can make (`fclk_expected_mhz`).
    public init(_ m: Manifest, file: String) throws(ZynqError) {
        self.init(board: m.board, part: m.part, bitstream: m.files.bitstream, dmaBase: m.dma.baseAddress.value,
                  dmaRange: m.dma.range.value, acceleratorBase: m.accelerator.baseAddress.value,
                  axilAddressWidth: m.accelerator.axilAddrWidth, dmaLengthWidth: m.dma.lengthWidth, dmaDataWidth: m.dma.mmDataWidth,
                  fclkMHz: m.fclkExpectedMHz, psRefClockMHz: m.psRefClockMHz, topologyHash: m.topologyHash.value, engine: m.engine)
        maxBatchImages = Int(m.records.maxBatchImages)
        inputRecordBytes = Int(m.records.inputBytes)
        outputRecordBytes = Int(m.records.outputBytes)
        do {
            try dmaConfig.validate()
        } catch let e as ZynqError {
            throw e.inFile(file)
        }
        guard (12...30).contains(axilAddressWidth) else {
            throw ZynqError(file: file, key: "accelerator.axil_addr_width", "must be 12...30 for the runtime, got \(axilAddressWidth)")
        }
        guard fclkMHz <= 500 else { throw ZynqError(file: file, key: "fclk_expected_mhz", "\(fclkMHz) MHz is not a Zynq-7000 PL clock") }
    }

    public var dmaConfig: AxiDmaConfig {
        AxiDmaConfig(base: dmaBase, lengthWidth: dmaLengthWidth, dataWidthBytes: UInt32(dmaDataWidth / 8), addressWidth: dmaAddressWidth)
    }

    public var acceleratorWindow: MemoryWindow {
        MemoryWindow(name: "zynqnet_accel", base: acceleratorBase, size: UInt64(1) << UInt64(axilAddressWidth))
    }

    public var dmaWindow: MemoryWindow { MemoryWindow(name: "axi_dma", base: dmaBase, size: dmaRange) }

    /// PS reference clock: the manifest's `ps_ref_clock_mhz`.
    public func referenceClockMHz() throws(ZynqError) -> Double {
        guard let r = psRefClockMHz else {
            throw ZynqError(key: "ps_ref_clock_mhz", "no PS reference clock: the FCLK0 setting needs a bundle's manifest.json")
        }
        return r
    }

    /// Reads and checks `manifest.json`.
    public static func load(path: String, system: any SystemCalls = LiveSystem()) throws(ZynqError) -> RuntimeManifest {
        let bytes = try system.readBytes(path, limit: 1 << 22)
        return try parse(bytes, file: path)
    }

    /// Parses and checks a manifest's bytes (`Manifest.parse`, then the runtime's checks).
    public static func parse(_ bytes: [UInt8], file: String) throws(ZynqError) -> RuntimeManifest {
        try RuntimeManifest(try Manifest.parse(bytes, file: file), file: file)
    }
}

extension RuntimeManifest {
    /// Checks the hardware is the design this manifest describes: the engine (FLAGS.SEQUENTIAL
    /// against `engine`) and the topology hash, each when the manifest has it.
    public func check(hardware info: AcceleratorInfo, file: String) throws(ZynqError) {
        if let engine, info.engine != engine {
            let bit = RegisterMap.FLAGS_SEQUENTIAL.lsb
            throw ZynqError(file: file, key: "engine",
                            "the manifest says \(engine.rawValue), but the accelerator's FLAGS register (\(hex(RegisterMap.FLAGS))) reads \(hex(info.flags)), SEQUENTIAL (bit \(bit)) \(info.engine == .sequential ? "set" : "clear"): the loaded bitstream is the \(info.engine.rawValue) engine; load this bundle's bitstream (zynqnet load) or use its own manifest")
        }
        if let h = topologyHash, h != info.topologyHash {
            throw ZynqError(file: file, key: "topology_hash",
                            "the manifest says \(topologyHashText(h)) but the loaded bitstream reports \(topologyHashText(info.topologyHash)); load this bundle first (zynqnet load)")
        }
    }
}
