import ZynqNetBase
import ZynqNetHW
import ZynqNetModel

/// The fields of a bundle's `manifest.json` the runtime needs (addresses, widths, clock,
/// topology hash). Decoding is tolerant: unknown keys are ignored, addresses may be numbers
/// or hex strings, and a few spellings are accepted, so it reads the `tcl` helper's manifest
/// as well as a hand-written one.
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
    /// PS reference clock (board data: 50 MHz PYNQ-Z2, 33.333 MHz Zybo Z7-20).
    public var psRefClockMHz: Double?
    public var topologyHash: UInt64?
    /// `engine`: "dataflow" or "sequential"; the accelerator's FLAGS.SEQUENTIAL must agree
    /// (`check(hardware:file:)`). nil: the manifest does not say (older or hand-written ones):
    /// not checked, and the loopback device is the dataflow design.
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

    public var dmaConfig: AxiDmaConfig {
        AxiDmaConfig(base: dmaBase, lengthWidth: dmaLengthWidth, dataWidthBytes: UInt32(dmaDataWidth / 8), addressWidth: dmaAddressWidth)
    }

    public var acceleratorWindow: MemoryWindow {
        MemoryWindow(name: "zynqnet_accel", base: acceleratorBase, size: UInt64(1) << UInt64(axilAddressWidth))
    }

    public var dmaWindow: MemoryWindow { MemoryWindow(name: "axi_dma", base: dmaBase, size: dmaRange) }

    /// PS reference clock: the manifest's, else the board's known crystal.
    public func referenceClockMHz() throws(ZynqError) -> Double {
        if let r = psRefClockMHz { return r }
        switch board {
        case "pynq-z2": return 50.0
        case "zybo-z7-20": return 100.0 / 3.0
        default:
            throw ZynqError(key: "ps_ref_clock_mhz", "unknown PS reference clock for board '\(board ?? "none")'; add ps_ref_clock_mhz to the manifest")
        }
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
