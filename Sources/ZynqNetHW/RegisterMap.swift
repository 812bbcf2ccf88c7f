import ZynqNetBase
import ZynqNetModel
// The single source of truth of the accelerator's AXI4-Lite register map.
//
// Consumed by codegen (the Verilog header `fpga/rtl/zn_regmap.vh` is generated from it),
// by the runtime (offsets and bits) and by `docs/register-map.md` (generated; a test fails
// when the committed copies are stale). Change the map here, then regenerate both files
// (`ZYNQNET_REGENERATE=1 swift test --filter GeneratedFiles`).

/// How software may access a register or a field.
public enum RegisterAccess: String, Sendable, CaseIterable {
    /// Read-only.
    case ro = "RO"
    /// Read/write.
    case rw = "RW"
    /// Read, write 1 to clear (sticky status bits).
    case rw1c = "RW1C"
    /// Write 1 to trigger; self-clearing, reads 0.
    case w1p = "W1P"
    /// Read/write with a side effect (the parameter window's data port).
    case rwx = "RW*"
}

/// One bit field of a register.
public struct RegisterField: Sendable, Equatable {
    public var name: String
    public var lsb: Int
    public var width: Int
    public var access: RegisterAccess
    /// Reset value of the field (already shifted down to bit 0). `nil`: design-dependent (see description).
    public var reset: UInt32?
    public var description: String

    public init(_ name: String, lsb: Int, width: Int = 1, _ access: RegisterAccess, reset: UInt32? = 0, _ description: String) {
        self.name = name
        self.lsb = lsb
        self.width = width
        self.access = access
        self.reset = reset
        self.description = description
    }

    /// The field's bits in place.
    public var mask: UInt32 {
        let m: UInt32 = width >= 32 ? 0xFFFF_FFFF : (UInt32(1) << UInt32(width)) &- 1
        return m << UInt32(lsb)
    }

    /// The largest value the field holds.
    public var maxValue: UInt32 { mask >> UInt32(lsb) }

    public func extract(_ value: UInt32) -> UInt32 { (value & mask) >> UInt32(lsb) }

    /// The field's value of a register word as an Int.
    public func int(_ value: UInt32) -> Int { Int(extract(value)) }

    /// A one-bit field's value.
    public func isSet(_ value: UInt32) -> Bool { value & mask != 0 }

    /// A field holding a two's-complement number.
    public func signed(_ value: UInt32) -> Int32 {
        let v = extract(value), top = UInt32(1) << UInt32(width - 1)
        return width >= 32 ? Int32(bitPattern: v) : Int32(bitPattern: (v ^ top) &- top)
    }

    public func insert(_ field: UInt32, into value: UInt32) -> UInt32 {
        (value & ~mask) | ((field << UInt32(lsb)) & mask)
    }

    /// `value` in place; it must fit the field (the layouts check the register fields' limits).
    public func pack(_ value: UInt32) -> UInt32 {
        precondition(value <= maxValue, "\(name) = \(value) does not fit \(width) bits")
        return value << UInt32(lsb)
    }

    public func pack(_ value: Int) -> UInt32 {
        precondition(value >= 0 && UInt64(value) <= UInt64(maxValue), "\(name) = \(value) does not fit \(width) bits")
        return UInt32(value) << UInt32(lsb)
    }

    public func pack(_ flag: Bool) -> UInt32 { flag ? pack(UInt32(1)) : 0 }

    /// A two's-complement number in place, truncated to the field's width.
    public func pack(signed value: Int32) -> UInt32 { (UInt32(bitPattern: value) << UInt32(lsb)) & mask }
}

/// A 64-bit quantity split over a LO and a HI register (topology hash, cycle counters).
public enum RegisterPair {
    public static func lo(_ v: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: v) }
    public static func hi(_ v: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: v >> 32) }
    public static func join(lo: UInt32, hi: UInt32) -> UInt64 { UInt64(hi) << 32 | UInt64(lo) }
}

/// One 32-bit register.
public struct Register: Sendable, Equatable {
    public var name: String
    /// Byte offset (from the accelerator's base for global registers, from the layer block for layer registers).
    public var offset: UInt32
    public var access: RegisterAccess
    /// Reset value. `nil`: design-dependent (see description).
    public var reset: UInt32?
    public var description: String
    public var fields: [RegisterField]

    public init(_ name: String, _ offset: UInt32, _ access: RegisterAccess, reset: UInt32? = 0, _ description: String,
                fields: [RegisterField] = []) {
        self.name = name
        self.offset = offset
        self.access = access
        self.reset = reset
        self.description = description
        self.fields = fields
    }

    public func field(_ name: String) -> RegisterField? { fields.first { $0.name == name } }
}

/// Which parameter memory `PARAM_SEL.KIND` selects.
public enum ParameterKind: UInt32, Sendable, CaseIterable {
    /// Weights of a layer: PE banks, depth (in/SIMD)·(out/PE), SIMD bytes a word.
    case weights = 0
    /// Per-channel bias (input zero point folded in), multiplier M and shift s of a layer.
    case quant = 1
}

public enum RegisterMap {
    /// `MAGIC`: ASCII "ZNET".
    public static let magic: UInt32 = 0x5A4E_4554
    /// `VERSION`: major in [31:16], minor in [15:0]. Bump the major for incompatible map changes,
    /// the minor for compatible additions (`versionHistory`, RegisterMapDoc.swift). The driver accepts every minor of its
    /// major: a field a later minor added reads 0 on an earlier design, which is that design's behaviour.
    public static let versionMajor: UInt32 = 1
    public static let versionMinor: UInt32 = 2
    public static var version: UInt32 { VERSION_MAJOR.pack(versionMajor) | VERSION_MINOR.pack(versionMinor) }

    // MARK: Global register offsets (bytes from the accelerator base)
    public static let MAGIC: UInt32 = 0x000
    public static let VERSION: UInt32 = 0x004
    public static let TOPOLOGY_HASH_LO: UInt32 = 0x008
    public static let TOPOLOGY_HASH_HI: UInt32 = 0x00C
    public static let CONTROL: UInt32 = 0x010
    public static let STATUS: UInt32 = 0x014
    public static let OUT_PACKET_IMAGES: UInt32 = 0x018
    public static let IN_FLIGHT: UInt32 = 0x01C
    public static let IMAGES_IN: UInt32 = 0x020
    public static let IMAGES_OUT: UInt32 = 0x024
    public static let BUSY_CYCLES_LO: UInt32 = 0x028
    public static let BUSY_CYCLES_HI: UInt32 = 0x02C
    public static let STALL_CYCLES_LO: UInt32 = 0x030
    public static let STALL_CYCLES_HI: UInt32 = 0x034
    public static let STARVE_CYCLES_LO: UInt32 = 0x038
    public static let STARVE_CYCLES_HI: UInt32 = 0x03C
    public static let NUM_LAYERS: UInt32 = 0x040
    public static let INPUT_COUNT: UInt32 = 0x044
    public static let OUTPUT_COUNT: UInt32 = 0x048
    public static let FLAGS: UInt32 = 0x04C
    public static let II_CYCLES: UInt32 = 0x050
    public static let PARAM_SEL: UInt32 = 0x054
    public static let PARAM_ADDR: UInt32 = 0x058
    public static let PARAM_DATA: UInt32 = 0x05C

    // MARK: Fields (the tables below, the Verilog header and every packing use these)
    public static let VERSION_MINOR = RegisterField("MINOR", lsb: 0, width: 16, .ro, reset: versionMinor, "Compatible additions.")
    public static let VERSION_MAJOR = RegisterField("MAJOR", lsb: 16, width: 16, .ro, reset: versionMajor, "Incompatible changes.")
    public static let CONTROL_SOFT_RESET = RegisterField("SOFT_RESET", lsb: 0, .w1p, "Write 1: reset the datapath (streams, FIFOs, in-flight images, STATUS errors, counters). Parameters and RW registers are kept.")
    public static let CONTROL_START = RegisterField("START", lsb: 1, .rw, "1: accept input images (s_axis_tready may rise). 0: hold off new input; images already inside finish.")
    public static let CONTROL_CLEAR_COUNTERS = RegisterField("CLEAR_COUNTERS", lsb: 2, .w1p, "Write 1: zero IMAGES_IN, IMAGES_OUT, the cycle counters and the output sequence number.")
    public static let STATUS_BUSY = RegisterField("BUSY", lsb: 0, .ro, "1 while an image is inside (IN_FLIGHT != 0).")
    public static let STATUS_ERR_INPUT = RegisterField("ERR_INPUT", lsb: 1, .rw1c, "Sticky: a malformed input stream was seen (TLAST on a beat that is not an image's last). The image is still consumed by beat count.")
    public static let STATUS_ERR_PARAM = RegisterField("ERR_PARAM", lsb: 2, .rw1c, "Sticky: a PARAM_DATA access used an invalid PARAM_SEL or PARAM_ADDR (write ignored, read returned 0).")
    public static let FLAGS_INPUT_SIGNED = RegisterField("INPUT_SIGNED", lsb: 0, .ro, reset: nil, "Input pixels are int8 (else uint8).")
    public static let FLAGS_OUTPUT_SIGNED = RegisterField("OUTPUT_SIGNED", lsb: 1, .ro, reset: nil, "Output values are int8 (else uint8).")
    public static let FLAGS_SEQUENTIAL = RegisterField("SEQUENTIAL", lsb: 2, .ro, reset: nil, "The layer-folded sequential engine (`--engine sequential`, zn_seq; all folds 1); 0: the dataflow engine.")
    public static let PARAM_SEL_LAYER = RegisterField("LAYER", lsb: 0, width: 16, .rw, "Layer index.")
    public static let PARAM_SEL_KIND = RegisterField("KIND", lsb: 16, width: 1, .rw, "0: weights, 1: quantization (bias, M, s).")
    public static let L_FOLD_PE = RegisterField("PE", lsb: 0, width: 16, .ro, reset: nil, "Output rows computed in parallel (divides L_OUT).")
    public static let L_FOLD_SIMD = RegisterField("SIMD", lsb: 16, width: 16, .ro, reset: nil, "Inputs consumed in parallel (divides L_IN).")
    public static let L_LANES_LANES = RegisterField("LANES", lsb: 0, width: 16, .ro, reset: nil, "Requantization lanes R (divides PE): banks of the quant memory.")
    public static let L_LANES_KIND = RegisterField("KIND", lsb: 16, width: 2, .ro, reset: nil, "The layer's kind (since 1.1; 0 before): 0 dense; 1 conv2d (zn_swu streams each output position's KH·KW·C patch into the MAC array: L_IN = KH·KW·C, L_OUT the channels); 2 maxpool2d (zn_maxpool, or zn_maxpool_row where the windows do not overlap; no parameters: L_IN = L_OUT = C, PE = SIMD = LANES its channel lanes). A window's image, kernel, stride, padding and pad zero point are in the layer's window block (since 1.2) and part of TOPOLOGY_HASH.")
    public static let L_WIDTHS_BIAS_BITS = RegisterField("BIAS_BITS", lsb: 0, width: 8, .ro, reset: nil, "Stored bias width (signed; bias with the input zero point folded in).")
    public static let L_WIDTHS_MULT_BITS = RegisterField("MULT_BITS", lsb: 8, width: 8, .ro, reset: nil, "Stored multiplier width (unsigned).")
    public static let L_WIDTHS_ACC_BITS = RegisterField("ACC_BITS", lsb: 16, width: 8, .ro, reset: nil, "Accumulator width (signed).")
    public static let L_WIDTHS_IN_SIGNED = RegisterField("IN_SIGNED", lsb: 24, .ro, reset: nil, "The layer's inputs are int8 (else uint8).")
    public static let L_WIDTHS_OUT_SIGNED = RegisterField("OUT_SIGNED", lsb: 25, .ro, reset: nil, "The layer's outputs are int8 (else uint8).")
    public static let L_WIDTHS_ROUNDINGS = RegisterField("ROUNDINGS", lsb: 26, width: 5, .ro, reset: nil, "The rounding modes the layer's requantizer builds, bit k = L_CFG.ROUNDING code k (floor and half_up always).")
    public static let L_CFG_ROUNDING = RegisterField("ROUNDING", lsb: 0, width: 3, .rw, "The layer's rounding (spec, format 2): 0 floor, 1 half_up, 2 half_even, 3 gemmlowp, 4 float32. A mode the requantizer does not build (L_WIDTHS.ROUNDINGS) computes floor.")
    public static let L_CLAMP_LO = RegisterField("LO", lsb: 0, width: 16, .rw, reset: nil, "Signed 16-bit low bound: type min, or max(type min, zy) with relu.")
    public static let L_CLAMP_HI = RegisterField("HI", lsb: 16, width: 16, .rw, reset: nil, "Signed 16-bit high bound: type max.")
    public static let L_WIN_IMAGE_H = RegisterField("H", lsb: 0, width: 16, .ro, reset: nil, "Input image height.")
    public static let L_WIN_IMAGE_W = RegisterField("W", lsb: 16, width: 16, .ro, reset: nil, "Input image width.")
    public static let L_WIN_KERNEL_KH = RegisterField("KH", lsb: 0, width: 16, .ro, reset: nil, "Kernel (pool window) height.")
    public static let L_WIN_KERNEL_KW = RegisterField("KW", lsb: 16, width: 16, .ro, reset: nil, "Kernel (pool window) width.")
    public static let L_WIN_STRIDE_SH = RegisterField("SH", lsb: 0, width: 16, .ro, reset: nil, "Vertical stride.")
    public static let L_WIN_STRIDE_SW = RegisterField("SW", lsb: 16, width: 16, .ro, reset: nil, "Horizontal stride.")
    public static let L_WIN_PAD_TOP = RegisterField("TOP", lsb: 0, width: 8, .ro, reset: nil, "Rows of padding above the image (0 for maxpool2d).")
    public static let L_WIN_PAD_LEFT = RegisterField("LEFT", lsb: 8, width: 8, .ro, reset: nil, "Columns of padding left of the image.")
    public static let L_WIN_PAD_BOTTOM = RegisterField("BOTTOM", lsb: 16, width: 8, .ro, reset: nil, "Rows of padding below the image.")
    public static let L_WIN_PAD_RIGHT = RegisterField("RIGHT", lsb: 24, width: 8, .ro, reset: nil, "Columns of padding right of the image.")
    public static let L_WIN_CH_C = RegisterField("C", lsb: 0, width: 16, .ro, reset: nil, "Input channels (conv2d: L_IN = KH·KW·C; maxpool2d: L_IN = L_OUT = C).")
    public static let L_WIN_CH_PAD_ZERO = RegisterField("PAD_ZERO", lsb: 16, width: 8, .ro, reset: nil, "With PAD_FIXED: the code zn_swu pads with, the model's input zero point built into the design (topology `inputPadZero`); 0 otherwise.")
    public static let L_WIN_CH_PAD_FIXED = RegisterField("PAD_FIXED", lsb: 24, .ro, reset: nil, "1: a padding conv2d layer with no layer with parameters before it, padding with PAD_ZERO. 0: the layer pads with the low byte of the runtime L_ZERO of the closest layer before it with parameters (that layer's output zero point), or does not pad.")

    // MARK: Per-layer blocks: layer i's registers sit at LAYER_BASE + i·LAYER_STRIDE + offset.
    public static let LAYER_BASE: UInt32 = 0x100
    public static let LAYER_STRIDE: UInt32 = 0x20
    public static let L_IN: UInt32 = 0x00
    public static let L_OUT: UInt32 = 0x04
    public static let L_FOLD: UInt32 = 0x08
    public static let L_LANES: UInt32 = 0x0C
    public static let L_WIDTHS: UInt32 = 0x10
    public static let L_CFG: UInt32 = 0x14
    public static let L_ZERO: UInt32 = 0x18
    public static let L_CLAMP: UInt32 = 0x1C

    // MARK: Window blocks (since 1.2): layer i's window registers sit at LAYER_BASE + (NUM_LAYERS + i)·LAYER_STRIDE
    // + offset, right after the last layer block; they read 0 for a dense layer. A design with
    // dense layers only has none (the addresses read 0 within its window).
    public static let L_WIN_IMAGE: UInt32 = 0x00
    public static let L_WIN_KERNEL: UInt32 = 0x04
    public static let L_WIN_STRIDE: UInt32 = 0x08
    public static let L_WIN_PAD: UInt32 = 0x0C
    public static let L_WIN_CH: UInt32 = 0x10

    /// The rounding code of L_CFG.ROUNDING (and the requantizers' `rounding` input).
    public static func roundingCode(_ r: Rounding) -> UInt32 {
        switch r {
        case .floor: return 0
        case .halfUp: return 1
        case .halfEven: return 2
        case .gemmlowp: return 3
        case .float32: return 4
        }
    }

    /// The rounding of a code (nil for 5 … 7).
    public static func rounding(code: UInt32) -> Rounding? {
        [Rounding.floor, .halfUp, .halfEven, .gemmlowp, .float32].first { roundingCode($0) == code }
    }

    /// Whether a ROUNDINGS mask (bit k = code k) holds `r`.
    public static func mask(_ mask: Int, holds r: Rounding) -> Bool { mask & (1 << Int(roundingCode(r))) != 0 }

    /// The modes a ROUNDINGS mask holds, in code order.
    public static func roundings(mask: Int) -> [Rounding] {
        (0..<5).filter { mask & (1 << $0) != 0 }.compactMap { rounding(code: UInt32($0)) }
    }

    /// The modes a ROUNDINGS mask names, in code order (for messages).
    public static func roundingNames(_ mask: Int) -> String {
        roundings(mask: mask).map { $0.rawValue }.joined(separator: ", ")
    }

    /// Byte offset of a layer register.
    public static func layerRegister(_ layer: Int, _ offset: UInt32) -> UInt32 {
        LAYER_BASE + UInt32(layer) * LAYER_STRIDE + offset
    }

    /// Byte offset of a window register of layer `layer` in a design of `layers` layers.
    public static func windowRegister(_ layer: Int, layers: Int, _ offset: UInt32) -> UInt32 {
        layerRegister(layers + layer, offset)
    }

    /// The AXI-Lite address width for a design with `layers` layers (and their window blocks
    /// when `windows`, a design with a conv2d or maxpool2d layer): the window (2^AW bytes)
    /// holds every register and is at least 4 KiB.
    public static func addressWidth(layers: Int, windows: Bool = false) -> Int {
        let end = UInt64(LAYER_BASE) + UInt64(max(layers, 1) * (windows ? 2 : 1)) * UInt64(LAYER_STRIDE)
        var aw = 12
        while (UInt64(1) << UInt64(aw)) < end { aw += 1 }
        return aw
    }

    /// The largest number of layers whose blocks fit in a 2^30-byte window (sanity bound).
    public static let maxLayers = 4096

    // MARK: The map as data (docs, Verilog header, tests)

    public static let globalRegisters: [Register] = [
        Register("MAGIC", MAGIC, .ro, reset: magic, "Identity: ASCII \"ZNET\" (0x5A4E4554)."),
        Register("VERSION", VERSION, .ro, reset: version, "Register-map version.", fields: [
            VERSION_MINOR,
            VERSION_MAJOR,
        ]),
        Register("TOPOLOGY_HASH_LO", TOPOLOGY_HASH_LO, .ro, reset: nil,
                 "Bits [31:0] of the 64-bit topology hash (see `Topology.hash`); a model loads only into a design with the same hash."),
        Register("TOPOLOGY_HASH_HI", TOPOLOGY_HASH_HI, .ro, reset: nil, "Bits [63:32] of the topology hash."),
        Register("CONTROL", CONTROL, .rw, "Control.", fields: [
            CONTROL_SOFT_RESET,
            CONTROL_START,
            CONTROL_CLEAR_COUNTERS,
        ]),
        Register("STATUS", STATUS, .rw1c, "Status.", fields: [
            STATUS_BUSY,
            STATUS_ERR_INPUT,
            STATUS_ERR_PARAM,
        ]),
        Register("OUT_PACKET_IMAGES", OUT_PACKET_IMAGES, .rw, reset: 1,
                 "K: m_axis_tlast is set on the last beat of every K-th output image (0 acts as 1). Set K = batch size so one S2MM transfer takes a whole batch."),
        Register("IN_FLIGHT", IN_FLIGHT, .ro, "Images whose first input beat was accepted and whose last output beat has not left yet."),
        Register("IMAGES_IN", IMAGES_IN, .ro, "Images fully accepted on s_axis (mod 2^32)."),
        Register("IMAGES_OUT", IMAGES_OUT, .ro, "Images fully sent on m_axis (mod 2^32)."),
        Register("BUSY_CYCLES_LO", BUSY_CYCLES_LO, .ro, "Cycles with BUSY = 1, bits [31:0]; reading it latches bits [63:32] into BUSY_CYCLES_HI."),
        Register("BUSY_CYCLES_HI", BUSY_CYCLES_HI, .ro, "Bits [63:32] latched by the last read of BUSY_CYCLES_LO."),
        Register("STALL_CYCLES_LO", STALL_CYCLES_LO, .ro, "Cycles with m_axis_tvalid = 1 and m_axis_tready = 0 (output back-pressure), bits [31:0]; reading it latches the high half."),
        Register("STALL_CYCLES_HI", STALL_CYCLES_HI, .ro, "Bits [63:32] latched by the last read of STALL_CYCLES_LO."),
        Register("STARVE_CYCLES_LO", STARVE_CYCLES_LO, .ro, "Cycles with BUSY = 1, s_axis_tready = 1 and s_axis_tvalid = 0 (input starved), bits [31:0]; reading it latches the high half."),
        Register("STARVE_CYCLES_HI", STARVE_CYCLES_HI, .ro, "Bits [63:32] latched by the last read of STARVE_CYCLES_LO."),
        Register("NUM_LAYERS", NUM_LAYERS, .ro, reset: nil, "Number of layers (dense, conv2d and maxpool2d: the model's layers)."),
        Register("INPUT_COUNT", INPUT_COUNT, .ro, reset: nil, "Pixels per image (product of input.shape); an image is ceil(INPUT_COUNT/8) input beats."),
        Register("OUTPUT_COUNT", OUTPUT_COUNT, .ro, reset: nil, "Classes C; an output image is 1 + ceil(C/8) beats."),
        Register("FLAGS", FLAGS, .ro, reset: nil, "Static design flags.", fields: [
            FLAGS_INPUT_SIGNED,
            FLAGS_OUTPUT_SIGNED,
            FLAGS_SEQUENTIAL,
        ]),
        Register("II_CYCLES", II_CYCLES, .ro, reset: nil, "Initiation interval in cycles: dataflow designs, the nominal max over layers of (in/SIMD)·(out/PE); the sequential engine (all folds 1), its exact II."),
        Register("PARAM_SEL", PARAM_SEL, .rw, "Parameter window: selects the memory PARAM_DATA accesses. Writing it sets PARAM_ADDR to 0.", fields: [
            PARAM_SEL_LAYER,
            PARAM_SEL_KIND,
        ]),
        Register("PARAM_ADDR", PARAM_ADDR, .rw,
                 "Chunk address in the selected memory: (bank << (DB+CB)) | (depth << CB) | chunk, with DB = clog2(depth) and CB = clog2(chunks). Every PARAM_DATA access moves it to the next valid chunk (chunk, then depth, then bank)."),
        Register("PARAM_DATA", PARAM_DATA, .rwx,
                 "Write: a 32-bit chunk of the word at PARAM_ADDR (chunks LSB first; a word is stored when its last chunk is written). Read: the chunk at PARAM_ADDR, read back from the memory. Both advance PARAM_ADDR."),
    ]

    public static let layerRegisters: [Register] = [
        Register("L_IN", L_IN, .ro, reset: nil, "Inputs of the layer."),
        Register("L_OUT", L_OUT, .ro, reset: nil, "Outputs (channels) of the layer."),
        Register("L_FOLD", L_FOLD, .ro, reset: nil, "Folding.", fields: [
            L_FOLD_PE,
            L_FOLD_SIMD,
        ]),
        Register("L_LANES", L_LANES, .ro, reset: nil, "Requantization lanes and the layer's kind.", fields: [
            L_LANES_LANES,
            L_LANES_KIND,
        ]),
        Register("L_WIDTHS", L_WIDTHS, .ro, reset: nil, "Widths of the layer's parameters.", fields: [
            L_WIDTHS_BIAS_BITS,
            L_WIDTHS_MULT_BITS,
            L_WIDTHS_ACC_BITS,
            L_WIDTHS_IN_SIGNED,
            L_WIDTHS_OUT_SIGNED,
            L_WIDTHS_ROUNDINGS,
        ]),
        Register("L_CFG", L_CFG, .rw, "Layer configuration.", fields: [
            L_CFG_ROUNDING,
        ]),
        Register("L_ZERO", L_ZERO, .rw, "Output zero point zy (signed 32-bit)."),
        Register("L_CLAMP", L_CLAMP, .rw, reset: nil, "Output clamp, y = min(max(zy + q, LO), HI). Reset: the output type's range.", fields: [
            L_CLAMP_LO,
            L_CLAMP_HI,
        ]),
    ]

    public static let windowRegisters: [Register] = [
        Register("L_WIN_IMAGE", L_WIN_IMAGE, .ro, reset: nil, "The layer's input image.", fields: [L_WIN_IMAGE_H, L_WIN_IMAGE_W]),
        Register("L_WIN_KERNEL", L_WIN_KERNEL, .ro, reset: nil, "The window.", fields: [L_WIN_KERNEL_KH, L_WIN_KERNEL_KW]),
        Register("L_WIN_STRIDE", L_WIN_STRIDE, .ro, reset: nil, "The stride.", fields: [L_WIN_STRIDE_SH, L_WIN_STRIDE_SW]),
        Register("L_WIN_PAD", L_WIN_PAD, .ro, reset: nil, "The padding (zn_swu pads with the input zero point).",
                 fields: [L_WIN_PAD_TOP, L_WIN_PAD_LEFT, L_WIN_PAD_BOTTOM, L_WIN_PAD_RIGHT]),
        Register("L_WIN_CH", L_WIN_CH, .ro, reset: nil, "Channels and the pad zero point.",
                 fields: [L_WIN_CH_C, L_WIN_CH_PAD_ZERO, L_WIN_CH_PAD_FIXED]),
    ]

    /// Whether layer `i` is a padding conv2d layer with no layer with parameters before it: its
    /// zn_swu pads with the design's `inputPadZero` (L_WIN_CH.PAD_FIXED).
    public static func padsWithInputZero(_ topo: Topology, layer i: Int) -> Bool {
        guard case .conv(let w) = topo.layers[i].kind, w.pt + w.pl + w.pb + w.pr > 0, topo.inputPadZero != nil else { return false }
        return !topo.layers[..<i].contains { $0.hasParameters }
    }

    /// Layer `i`'s window registers, in `windowRegisters` order (zeros for a dense layer).
    public static func windowWords(_ topo: Topology, layer i: Int) -> [UInt32] {
        guard let w = topo.layers[i].window else { return [UInt32](repeating: 0, count: windowRegisters.count) }
        let fixed = padsWithInputZero(topo, layer: i)
        let zero = fixed ? UInt32(truncatingIfNeeded: topo.inputPadZero ?? 0) & 0xFF : 0
        return [
            L_WIN_IMAGE_H.pack(w.h) | L_WIN_IMAGE_W.pack(w.w),
            L_WIN_KERNEL_KH.pack(w.kh) | L_WIN_KERNEL_KW.pack(w.kw),
            L_WIN_STRIDE_SH.pack(w.sh) | L_WIN_STRIDE_SW.pack(w.sw),
            L_WIN_PAD_TOP.pack(w.pt) | L_WIN_PAD_LEFT.pack(w.pl) | L_WIN_PAD_BOTTOM.pack(w.pb) | L_WIN_PAD_RIGHT.pack(w.pr),
            L_WIN_CH_C.pack(w.c) | L_WIN_CH_PAD_ZERO.pack(zero) | L_WIN_CH_PAD_FIXED.pack(fixed),
        ]
    }

    /// The window a layer's window registers describe (`words` in `windowRegisters` order), nil
    /// when they describe none (all zero: a dense layer).
    public static func window(words: [UInt32]) -> WindowShape? {
        guard words.count == windowRegisters.count, words.contains(where: { $0 != 0 }) else { return nil }
        return WindowShape(h: L_WIN_IMAGE_H.int(words[0]), w: L_WIN_IMAGE_W.int(words[0]), c: L_WIN_CH_C.int(words[4]),
                           kh: L_WIN_KERNEL_KH.int(words[1]), kw: L_WIN_KERNEL_KW.int(words[1]),
                           sh: L_WIN_STRIDE_SH.int(words[2]), sw: L_WIN_STRIDE_SW.int(words[2]),
                           pt: L_WIN_PAD_TOP.int(words[3]), pl: L_WIN_PAD_LEFT.int(words[3]),
                           pb: L_WIN_PAD_BOTTOM.int(words[3]), pr: L_WIN_PAD_RIGHT.int(words[3]))
    }

    /// Every read-only layer and window register a design of `layout` holds, named
    /// `layer<i>.<REGISTER>`, with its value: what verify reads back from the generated top.
    public static func layoutRegisters(_ layout: AcceleratorLayout) -> [(name: String, offset: UInt32, value: UInt32)] {
        let topo = layout.topology, n = topo.layers.count
        var out: [(name: String, offset: UInt32, value: UInt32)] = []
        for (i, (t, f)) in zip(topo.layers, layout.folds).enumerated() {
            let words: [(String, UInt32, UInt32)] = [("L_IN", L_IN, UInt32(t.inCount)), ("L_OUT", L_OUT, UInt32(t.outCount)),
                                                     ("L_FOLD", L_FOLD, foldWord(f)), ("L_LANES", L_LANES, lanesWord(t, f)),
                                                     ("L_WIDTHS", L_WIDTHS, widthsWord(t))]
            out += words.map { ("layer\(i).\($0.0)", layerRegister(i, $0.1), $0.2) }
            guard !topo.isDenseOnly else { continue }
            out += zip(windowRegisters, windowWords(topo, layer: i)).map { ("layer\(i).\($0.name)", windowRegister(i, layers: n, $0.offset), $1) }
        }
        return out
    }

    /// `L_CLAMP` packed from two bounds.
    public static func clampWord(lo: Int32, hi: Int32) -> UInt32 {
        L_CLAMP_LO.pack(signed: lo) | L_CLAMP_HI.pack(signed: hi)
    }

    /// `L_FOLD` of a layer's fold.
    public static func foldWord(_ f: LayerFold) -> UInt32 { L_FOLD_PE.pack(f.pe) | L_FOLD_SIMD.pack(f.simd) }

    /// `L_LANES` of a layer: its lanes and kind.
    public static func lanesWord(_ t: LayerTopology, _ f: LayerFold) -> UInt32 {
        L_LANES_LANES.pack(f.lanes) | L_LANES_KIND.pack(t.kind.code)
    }

    /// `L_WIDTHS` of a layer.
    public static func widthsWord(_ t: LayerTopology) -> UInt32 {
        L_WIDTHS_BIAS_BITS.pack(t.biasBits) | L_WIDTHS_MULT_BITS.pack(t.multBits) | L_WIDTHS_ACC_BITS.pack(t.widths.accBits) |
            L_WIDTHS_IN_SIGNED.pack(t.inSigned) | L_WIDTHS_OUT_SIGNED.pack(t.outSigned) | L_WIDTHS_ROUNDINGS.pack(t.roundings)
    }

    /// `FLAGS` of a design.
    public static func flagsWord(_ topology: Topology, engine: Engine) -> UInt32 {
        FLAGS_INPUT_SIGNED.pack(topology.inputSigned) | FLAGS_OUTPUT_SIGNED.pack(topology.outputSigned) |
            FLAGS_SEQUENTIAL.pack(engine == .sequential)
    }

    /// `PARAM_SEL` selecting a layer's memory.
    public static func paramSelect(layer: Int, kind: ParameterKind) -> UInt32 {
        PARAM_SEL_LAYER.pack(layer) | PARAM_SEL_KIND.pack(kind.rawValue)
    }

    /// The bits of PARAM_SEL that hold something (the rest reads 0).
    public static var paramSelectMask: UInt32 { PARAM_SEL_LAYER.mask | PARAM_SEL_KIND.mask }
}

/// The output stream's record format (per image: 1 + ceil(C/8) beats of 64 bits).
public enum OutputRecord {
    /// Bytes per AXI-Stream beat (both streams: TDATA is 64 bits; the AXI DMA's stream sides).
    public static let beatBytes = 8
    /// Bits per AXI-Stream beat.
    public static var beatBits: Int { beatBytes * 8 }
    /// Beat 0 bits [31:0]: predicted class index (lowest index on a tie).
    public static let classIndexLSB = 0
    public static let classIndexBits = 32
    /// Beat 0 bits [63:32]: image sequence number (output images since reset/CLEAR_COUNTERS, mod 2^32).
    public static let sequenceLSB = 32
    public static let sequenceBits = 32
    /// Values per value beat (8-bit codes, little-endian, zero-padded).
    public static let valuesPerBeat = 8

    /// Beat 0 of an output image.
    public static func header(classIndex: UInt32, sequence: UInt32) -> UInt64 {
        UInt64(classIndex) << UInt64(classIndexLSB) | UInt64(sequence) << UInt64(sequenceLSB)
    }

    /// The class index of a beat 0.
    public static func classIndex(header: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: header >> UInt64(classIndexLSB)) }

    /// The sequence number of a beat 0.
    public static func sequence(header: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: header >> UInt64(sequenceLSB)) }

    /// Beats per output image for `classes` classes.
    public static func beats(classes: Int) -> Int { 1 + (classes + valuesPerBeat - 1) / valuesPerBeat }

    /// Beats per input image of `pixels` pixels (8 per beat, little-endian, padding ignored).
    public static func inputBeats(pixels: Int) -> Int { (pixels + beatBytes - 1) / beatBytes }

    public struct Decoded: Sendable, Equatable {
        public var classIndex: UInt32
        public var sequence: UInt32
        /// The last layer's output codes (as raw bytes; int8 when the output type is signed).
        public var values: [UInt8]

        public init(classIndex: UInt32, sequence: UInt32, values: [UInt8]) {
            self.classIndex = classIndex
            self.sequence = sequence
            self.values = values
        }
    }

    /// Decodes one image's beats. Returns nil when `beats` has the wrong count.
    public static func decode(_ beats: [UInt64], classes: Int) -> Decoded? {
        guard classes >= 1, beats.count == self.beats(classes: classes) else { return nil }
        var values: [UInt8] = []
        values.reserveCapacity(classes)
        for k in 0..<classes {
            let beat = beats[1 + k / valuesPerBeat]
            values.append(UInt8(truncatingIfNeeded: beat >> UInt64(8 * (k % valuesPerBeat))))
        }
        return Decoded(classIndex: classIndex(header: beats[0]), sequence: sequence(header: beats[0]), values: values)
    }

    /// One output image's beats: beat 0, then the values (8-bit codes).
    public static func encode(classIndex: UInt32, sequence: UInt32, values: [UInt8]) -> [UInt64] {
        [header(classIndex: classIndex, sequence: sequence)] + packInput(values)
    }

    /// Packs one image's pixel codes into input beats.
    public static func packInput(_ pixels: [UInt8]) -> [UInt64] {
        var beats = [UInt64](repeating: 0, count: inputBeats(pixels: pixels.count))
        for (k, p) in pixels.enumerated() {
            beats[k / beatBytes] |= UInt64(p) << UInt64(8 * (k % beatBytes))
        }
        return beats
    }
}
