import ZynqNetBase
import ZynqNetModel

/// One AXI-Lite write: offset from the accelerator base, 32-bit value.
public struct RegisterWrite: Sendable, Equatable {
    public var offset: UInt32
    public var value: UInt32

    public init(_ offset: UInt32, _ value: UInt32) {
        self.offset = offset
        self.value = value
    }
}

/// The contents of one parameter memory: PARAM_SEL value and every chunk in auto-increment order.
public struct ParameterBlock: Sendable, Equatable {
    public var layer: Int
    public var kind: ParameterKind
    public var select: UInt32
    public var geometry: MemoryGeometry
    /// Chunks in the order PARAM_DATA visits them from PARAM_ADDR = 0.
    public var chunks: [UInt32]
}

/// Everything that loads a model into a design: the exact sequence of AXI-Lite writes, and the
/// expected contents of every parameter memory for read-back.
///
/// Loading: per layer L_CFG, L_ZERO, L_CLAMP; then for every memory PARAM_SEL, PARAM_ADDR = 0 and
/// its chunks to PARAM_DATA. It does not touch CONTROL (the runtime sets START afterwards).
/// Verifying: for every block write PARAM_SEL (PARAM_ADDR becomes 0) and read PARAM_DATA
/// `chunks.count` times; every value must equal `chunks` (unused high bits of a last chunk read 0).
public struct ParameterImage: Sendable, Equatable {
    public var layout: AcceleratorLayout
    public var registerWrites: [RegisterWrite]
    public var blocks: [ParameterBlock]

    /// Builds the image. Throws (naming the layer key) when a value does not fit the design:
    /// a different topology, M ≥ 2^multBits, or a bias with the folded zero point too wide.
    public init(model: QuantizedModel, layout: AcceleratorLayout) throws(ZynqError) {
        let topo = layout.topology
        let mine = try Topology(model: model, multBits: topo.layers.first?.multBits ?? 32)
        guard mine.inputCount == topo.inputCount, mine.inputSigned == topo.inputSigned,
              mine.layers.count == topo.layers.count else {
            throw ZynqError(key: "topology", "the model (\(ParameterImage.describe(mine))) does not match the design (\(ParameterImage.describe(topo)))")
        }
        guard mine.inputPadZero == topo.inputPadZero else {
            throw ZynqError(key: "input.zero", "the design pads its first conv2d layer with \(topo.inputPadZero.map(String.init) ?? "nothing"), the model's input zero point is \(model.input.zero)")
        }
        for (i, (a, b)) in zip(mine.layers, topo.layers).enumerated() {
            guard a.inCount == b.inCount, a.outCount == b.outCount, a.inSigned == b.inSigned, a.outSigned == b.outSigned,
                  a.kind == b.kind else {
                throw ZynqError(key: "layer\(i)", "the model (\(ParameterImage.describe(mine))) does not match the design (\(ParameterImage.describe(topo)))")
            }
        }
        self.layout = layout
        var writes: [RegisterWrite] = []
        var blocks: [ParameterBlock] = []
        var zx = Int64(model.input.zero)
        for (i, l) in model.layers.enumerated() {
            let t = topo.layers[i], f = layout.folds[i]
            // A maxpool2d layer has no parameters and no registers to write.
            guard t.hasParameters else { continue }
            // Registers.
            guard t.builds(l.rounding) else {
                throw ZynqError(key: "layer\(i).rounding", "'\(l.rounding.rawValue)' is not built in the design's layer \(i) requantizer (it builds \(RegisterMap.roundingNames(t.roundings)))")
            }
            writes.append(RegisterWrite(RegisterMap.layerRegister(i, RegisterMap.L_CFG), RegisterMap.roundingCode(l.rounding)))
            writes.append(RegisterWrite(RegisterMap.layerRegister(i, RegisterMap.L_ZERO), UInt32(bitPattern: l.outputZero)))
            let hi = l.outputHigh
            let lo = min(l.outputLow, hi)
            writes.append(RegisterWrite(RegisterMap.layerRegister(i, RegisterMap.L_CLAMP), RegisterMap.clampWord(lo: lo, hi: hi)))

            // Weights: bank p, depth d = nf·SF + sf, byte j = weight[nf·PE + p, sf·SIMD + j].
            let wg = layout.weightMemory(layer: i)
            let sf = t.inCount / f.simd, nf = t.outCount / f.pe
            var wchunks: [UInt32] = []
            wchunks.reserveCapacity(wg.banks * wg.depth * wg.chunks)
            for p in 0..<f.pe {
                for n in 0..<nf {
                    for s in 0..<sf {
                        var bits = BitPacker(bits: wg.wordBits)
                        let row = (n * f.pe + p) * t.inCount + s * f.simd
                        for j in 0..<f.simd {
                            bits.append(UInt64(UInt8(bitPattern: l.weight[row + j])), width: 8)
                        }
                        wchunks += bits.chunks
                    }
                }
            }
            blocks.append(ParameterBlock(layer: i, kind: .weights,
                                         select: RegisterMap.paramSelect(layer: i, kind: .weights),
                                         geometry: wg, chunks: wchunks))

            // Quant: bank r, depth d → channel d·R + r; word = bias_eff | M | s.
            let qg = layout.quantMemory(layer: i)
            let biasRange = IntRange.signed(bits: t.biasBits)
            var qchunks: [UInt32] = []
            qchunks.reserveCapacity(qg.banks * qg.depth * qg.chunks)
            var biasEff = [Int64](repeating: 0, count: t.outCount)
            for o in 0..<t.outCount {
                var sumW: Int64 = 0
                let row = o * t.inCount
                for k in 0..<t.inCount { sumW += Int64(l.weight[row + k]) }
                let b = Int64(l.bias[o]) - zx * sumW
                guard biasRange.contains(b) else {
                    throw ZynqError(key: "layer\(i).bias",
                                    "channel \(o): bias minus the input zero point's share (\(b)) does not fit the design's \(t.biasBits)-bit bias")
                }
                let m = UInt64(l.multiplier[o])
                guard t.multBits >= 32 || m < (UInt64(1) << UInt64(t.multBits)) else {
                    throw ZynqError(key: "layer\(i).multiplier",
                                    "channel \(o): M = \(m) needs more than the design's \(t.multBits) bits (--mult-bits)")
                }
                guard l.shift[o] <= 63 else {
                    throw ZynqError(key: "layer\(i).shift", "channel \(o): s = \(l.shift[o]) is above 63")
                }
                biasEff[o] = b
            }
            for r in 0..<f.lanes {
                for d in 0..<qg.depth {
                    let o = d * f.lanes + r
                    var bits = BitPacker(bits: qg.wordBits)
                    bits.append(UInt64(bitPattern: biasEff[o]), width: t.biasBits)
                    bits.append(UInt64(l.multiplier[o]), width: t.multBits)
                    bits.append(UInt64(l.shift[o]), width: 6)
                    qchunks += bits.chunks
                }
            }
            blocks.append(ParameterBlock(layer: i, kind: .quant,
                                         select: RegisterMap.paramSelect(layer: i, kind: .quant),
                                         geometry: qg, chunks: qchunks))
            zx = Int64(l.outputZero)
        }
        for b in blocks {
            writes.append(RegisterWrite(RegisterMap.PARAM_SEL, b.select))
            writes.append(RegisterWrite(RegisterMap.PARAM_ADDR, 0))
            for c in b.chunks { writes.append(RegisterWrite(RegisterMap.PARAM_DATA, c)) }
        }
        self.registerWrites = writes
        self.blocks = blocks
    }

    public static func describe(_ t: Topology) -> String {
        var s = "\(t.inputCount)\(t.inputSigned ? "s" : "u")"
        for l in t.layers {
            switch l.kind {
            case .dense: s += "-\(l.outCount)\(l.outSigned ? "s" : "u")"
            case .conv(let w): s += "-conv\(w.kh)x\(w.kw)x\(l.outCount)\(l.outSigned ? "s" : "u")"
            case .maxpool(let w): s += "-pool\(w.kh)x\(w.kw)"
            }
        }
        return s
    }

    /// Text form: one write a line, "OFFSET VALUE" in 8-digit hex, preceded by a comment header.
    public var hexText: String {
        var s = "# zynqnet parameter image: AXI-Lite writes, offset value (hex)\n"
        s += "# topology hash \(hex64(layout.topology.hash))\n"
        for w in registerWrites { s += "\(hex32(w.offset)) \(hex32(w.value))\n" }
        return s
    }
}

/// Packs little-endian bit fields into 32-bit chunks.
struct BitPacker {
    private(set) var chunks: [UInt32]
    private var pos = 0

    init(bits: Int) { chunks = [UInt32](repeating: 0, count: (bits + 31) / 32) }

    mutating func append(_ value: UInt64, width: Int) {
        for b in 0..<width {
            let bit = b < 64 ? (value >> UInt64(b)) & 1 : (value >> 63) & 1
            if bit != 0 { chunks[(pos + b) / 32] |= UInt32(1) << UInt32((pos + b) % 32) }
        }
        pos += width
    }
}

public func hex32(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, 8 - s.count)) + s
}

public func hex64(_ v: UInt64) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, 16 - s.count)) + s
}
