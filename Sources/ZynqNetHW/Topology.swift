import ZynqNetBase
import ZynqNetModel

/// A closed integer interval, for width proofs. Bounds are exact (no overflow for the sizes
/// `Topology` admits: in-counts up to 2^24 keep every bound far below 2^62).
public struct IntRange: Sendable, Equatable, CustomStringConvertible {
    public var lo: Int64
    public var hi: Int64

    public init(_ lo: Int64, _ hi: Int64) {
        precondition(lo <= hi)
        self.lo = lo
        self.hi = hi
    }

    /// The range of a signed two's-complement value of `bits` bits.
    public static func signed(bits: Int) -> IntRange {
        IntRange(-(Int64(1) << Int64(bits - 1)), (Int64(1) << Int64(bits - 1)) - 1)
    }

    public static func + (a: IntRange, b: IntRange) -> IntRange { IntRange(a.lo + b.lo, a.hi + b.hi) }

    /// { x·y : x ∈ a, y ∈ b }.
    public static func * (a: IntRange, b: IntRange) -> IntRange {
        let c = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi]
        return IntRange(c.min()!, c.max()!)
    }

    /// { x1 + … + xn : xi ∈ self } (n ≥ 1).
    public func summed(_ n: Int) -> IntRange { IntRange(lo * Int64(n), hi * Int64(n)) }

    public func negated() -> IntRange { IntRange(-hi, -lo) }

    /// The fewest bits of a signed two's-complement number that holds every value of the range.
    public var signedBits: Int {
        var w = 1
        while !(IntRange.signed(bits: w).lo <= lo && hi <= IntRange.signed(bits: w).hi) { w += 1 }
        return w
    }

    public func contains(_ v: Int64) -> Bool { lo <= v && v <= hi }

    public var description: String { "[\(lo), \(hi)]" }
}

/// What must match between a model and a bitstream: dimensions, signedness and stored widths.
/// Everything else (weights, bias, M, s, rounding, relu, zero points) is written at run time;
/// the rounding must be one of the modes the layer's requantizer builds (`roundings`, not part of
/// the hash: a design built with more modes takes models of fewer).
public struct LayerTopology: Sendable, Equatable {
    public var inCount: Int
    public var outCount: Int
    public var inSigned: Bool
    public var outSigned: Bool
    /// Stored bias width (signed): the model's int32 bias with the input zero point folded in.
    public var biasBits: Int
    /// Stored multiplier width (unsigned), `--mult-bits`.
    public var multBits: Int
    /// The rounding modes the requantizer builds, bit k = `RegisterMap.roundingCode` k; floor and
    /// half_up (bits 0, 1) always.
    public var roundings: Int
    /// What the layer computes: a dense layer (`inCount` inputs), a conv2d layer (a MAC array
    /// of `inCount` = KH·KW·C inputs per output position behind a sliding-window unit) or a
    /// maxpool2d layer (no parameters: `inCount` = `outCount` = C).
    public var kind: LayerShape = .dense

    public init(inCount: Int, outCount: Int, inSigned: Bool, outSigned: Bool, biasBits: Int? = nil, multBits: Int,
                roundings: Int = LayerTopology.baseRoundings, kind: LayerShape = .dense) {
        self.kind = kind
        self.roundings = roundings | LayerTopology.baseRoundings
        self.inCount = inCount
        self.outCount = outCount
        self.inSigned = inSigned
        self.outSigned = outSigned
        self.multBits = multBits
        self.biasBits = biasBits ?? WidthProof.defaultBiasBits(inCount: inCount, inSigned: inSigned)
    }

    public var widths: WidthProof { WidthProof(self) }

    /// floor and half_up: built in every requantizer (they cost nothing extra).
    public static let baseRoundings = 0b11
    /// float32's bit.
    public static let float32Bit = 1 << 4
    /// gemmlowp's bit.
    public static let gemmlowpBit = 1 << 3

    /// Whether the requantizer builds `r`.
    public func builds(_ r: Rounding) -> Bool { RegisterMap.mask(roundings, holds: r) }

    /// Whether the layer has parameters (a MAC array and a requantizer): dense and conv2d.
    public var hasParameters: Bool { if case .maxpool = kind { false } else { true } }

    /// The layer's window (conv2d, maxpool2d), nil for dense.
    public var window: WindowShape? {
        switch kind {
        case .dense: nil
        case .conv(let w), .maxpool(let w): w
        }
    }

    /// Output positions an image: HO·WO (1 for dense).
    public var positions: Int { window.map { $0.ho * $0.wo } ?? 1 }

    /// Codes of one image into the layer (dense: `inCount`; windows: H·W·C).
    public var imageInCodes: Int { window.map { $0.h * $0.w * $0.c } ?? inCount }

    /// Codes of one image out of the layer (dense: `outCount`; windows: HO·WO·channels).
    public var imageOutCodes: Int { positions * outCount }
}

/// A layer's shape as the hardware builds it.
public enum LayerShape: Sendable, Equatable {
    case dense
    /// zn_swu (padding with the input zero point) in front of the layer's MAC array.
    case conv(WindowShape)
    /// zn_maxpool (no padding).
    case maxpool(WindowShape)

    /// The model file's name of the kind.
    public var name: String { LayerShape.names[Int(code)] }

    /// The kinds' names by `code`.
    public static let names = ["dense", "conv2d", "maxpool2d"]

    /// L_WINDOW.KIND (and the topology encoding's kind word): 0 dense, 1 conv2d, 2 maxpool2d.
    public var code: UInt32 {
        switch self {
        case .dense: 0
        case .conv: 1
        case .maxpool: 2
        }
    }
}

/// The window of a conv2d or maxpool2d layer: input image H × W × C, kernel KH × KW, stride,
/// padding (top, left, bottom, right; 0 for maxpool2d).
public struct WindowShape: Sendable, Equatable {
    public var h, w, c, kh, kw, sh, sw, pt, pl, pb, pr: Int

    public init(h: Int, w: Int, c: Int, kh: Int, kw: Int, sh: Int = 1, sw: Int = 1, pt: Int = 0, pl: Int = 0, pb: Int = 0, pr: Int = 0) {
        (self.h, self.w, self.c, self.kh, self.kw, self.sh, self.sw) = (h, w, c, kh, kw, sh, sw)
        (self.pt, self.pl, self.pb, self.pr) = (pt, pl, pb, pr)
    }

    public var ho: Int { (h + pt + pb - kh) / sh + 1 }
    public var wo: Int { (w + pl + pr - kw) / sw + 1 }

    /// The timing model's window of a layer folded with SIMD `simd` (zn_swu's SIMD and PAR from
    /// `split`; a conv2d layer's extra ring rows, none for zn_maxpool's with `extraRows` false).
    public func timing(simd: Int, extraRows ring: Bool = true) -> WindowTiming.Window {
        let s = split(simd: simd) ?? (simd, 1)
        return WindowTiming.Window(h: h, w: w, c: c, kh: kh, kw: kw, sh: sh, sw: sw, pt: pt, pl: pl, pb: pb, pr: pr,
                                   simd: s.simd, par: s.par, extraRows: ring ? extraRows(simd: s.simd) : 0)
    }

    /// Ring rows a conv2d layer's zn_swu gets beyond min(KH, H) + SH (its XROWS) when its words
    /// are `simd` codes (zn_swu's SIMD): a block-RAM line buffer (2 Kbit or more) is extended up
    /// to 512 words, which every block-RAM shape holds without another RAMB18, and at most to
    /// H + SH rows. The slack lets the layer's MAC array fall behind within an image (fewer
    /// output rows than input rows, each slower than an input row) without stopping the layers
    /// before it; without it the Fashion CNN's fastest fold ran at 820 cycles an image, not 784.
    public func extraRows(simd: Int) -> Int {
        let rowWords = w * (c / max(simd, 1)), base = min(kh, h) + sh
        guard rowWords > 0, base * rowWords * 8 * simd >= 2048 else { return 0 }
        return max(0, min(512 / rowWords, h + sh) - base)
    }

    /// How zn_swu hands out words of `simd` codes (a conv2d layer's MAC-array SIMD): `simd`
    /// divides C (one patch word of `simd` codes a cycle, PAR 1), or `simd` = PAR·C with PAR a
    /// divisor of KW (the word spans PAR kernel columns) or KW times a divisor of KH (whole
    /// kernel rows): PAR patch words of C codes a cycle. nil for any other `simd`.
    public func split(simd: Int) -> (simd: Int, par: Int)? {
        guard simd >= 1, c >= 1 else { return nil }
        if c % simd == 0 { return (simd, 1) }
        guard simd % c == 0 else { return nil }
        let par = simd / c
        if kw % par == 0 || (par % kw == 0 && kh % (par / kw) == 0) { return (c, par) }
        return nil
    }

    /// Why `simd` is not a conv2d layer's SIMD (`split` is nil), for an error message.
    public static func splitError(simd: Int, _ w: WindowShape, layer: String = "the layer's") -> String {
        "SIMD \(simd) neither divides \(layer) \(w.c) input channels nor is \(w.c) (C) times a divisor of KW = \(w.kw) or \(w.kw * w.c) (KW·C) times a divisor of KH = \(w.kh) (the sliding-window unit's words)"
    }

    /// The largest value of any of the window's numbers (register fields hold 16 bits, paddings 8).
    public static let maxSide = 4096
    public static let maxPadding = 255

    /// The words the topology encoding appends for it.
    var words: [Int] { [h, w, c, kh, kw, sh, sw, pt, pl, pb, pr] }
}

/// The width proofs of one layer (see docs/hardware.md, "Widths").
///
/// - activation x: an 8-bit code, [-128, 127] (int8) or [0, 255] (uint8)
/// - weight w: int8, [-128, 127]
/// - sum = Σ_k w·x over `in` terms: `sumRange` = in · (w-range × x-range); the MAC array adds
///   raw codes, the input zero point is folded into the bias:
///   bias_eff = bias − zx·Σ_k w[o,k], so acc = bias_eff + sum equals the spec's acc exactly.
/// - stored bias: `biasBits` signed (default: int32 bias plus the fold for any zx in the input
///   type's range, −zx·Σw with Σw ∈ [−128·in, 127·in]). The parameter image checks every
///   actual bias_eff fits, so a model with an unusual zero point is refused, never wrapped.
/// - acc = bias_eff + sum ∈ signed(biasBits) + signed(sumBits): `accBits` = max(biasBits, sumBits) + 1
///   (the hardware's accumulator; it holds any stored bias plus any sum of the proven width).
/// - p = acc·M with 0 ≤ M < 2^multBits: `productBits` = accBits + multBits (signed, exact).
/// - p + 2^(s−1) with s ≤ 63: `roundedBits` = max(productBits, 64) + 1.
public struct WidthProof: Sendable, Equatable {
    public var layer: LayerTopology

    public init(_ layer: LayerTopology) { self.layer = layer }

    public static let weightRange = IntRange(-128, 127)

    public static func activationRange(signed: Bool) -> IntRange {
        signed ? IntRange(-128, 127) : IntRange(0, 255)
    }

    public static func defaultBiasBits(inCount: Int, inSigned: Bool) -> Int {
        let bias = IntRange.signed(bits: 32)
        let zx = activationRange(signed: inSigned)
        let sumW = weightRange.summed(max(inCount, 1))
        return (bias + (zx * sumW).negated()).signedBits
    }

    /// Range of one product w·x.
    public var productTermRange: IntRange { WidthProof.weightRange * WidthProof.activationRange(signed: layer.inSigned) }
    /// Range of Σ_k w·x (the MAC array's sum before the bias).
    public var sumRange: IntRange { productTermRange.summed(max(layer.inCount, 1)) }
    public var sumBits: Int { sumRange.signedBits }
    public var accRange: IntRange { IntRange.signed(bits: layer.biasBits) + IntRange.signed(bits: sumBits) }
    public var accBits: Int { accRange.signedBits }
    public var productBits: Int { accBits + layer.multBits }
    public var roundedBits: Int { max(productBits, 64) + 1 }
    /// DSP48E1 pieces of acc·M: acc in 24-bit unsigned pieces with a signed top piece (A port,
    /// 25 bits), M in 17-bit unsigned pieces (B port, 18 bits).
    public var requantDSPs: Int { (accBits <= 25 ? 1 : (accBits - 2) / 24 + 1) * ((layer.multBits - 1) / 17 + 1) }
}

/// The topology of a whole network.
public struct Topology: Sendable, Equatable {
    public var inputCount: Int
    public var inputSigned: Bool
    public var layers: [LayerTopology]

    public init(inputCount: Int, inputSigned: Bool, layers: [LayerTopology], inputPadZero: Int32? = nil) {
        self.inputPadZero = inputPadZero
        self.inputCount = inputCount
        self.inputSigned = inputSigned
        self.layers = layers
    }

    /// The largest in/out count a layer may have (keeps every width proof inside Int64).
    public static let maxCount = 1 << 24

    /// The topology of `model` with `multBits` bits stored for every M (1…32).
    public init(model: QuantizedModel, multBits: Int = 32) throws(ZynqError) {
        guard (1...32).contains(multBits) else {
            throw ZynqError(key: "--mult-bits", "must be 1…32, got \(multBits)")
        }
        guard !model.layers.isEmpty else { throw ZynqError(key: "layer0.kind", "the model has no layers") }
        var layers: [LayerTopology] = []
        var inSigned = model.input.type.isSigned
        var inCount = model.inputCount
        let shapes = model.inputShapes
        // The zero point of the codes into the current layer: the input's, then each layer's output one.
        var zeroIn = model.input.zero
        var padZero: Int32?
        for (i, l) in model.layers.enumerated() {
            var kind = LayerShape.dense
            switch l.kind {
            case .dense:
                break
            case .conv2d(let g):
                let s = shapes[i]
                guard s.count == 3 else { throw ZynqError(key: "layer\(i).kind", "conv2d needs an [H, W, C] input, got \(s)") }
                let w = WindowShape(h: s[0], w: s[1], c: s[2], kh: g.kernelHeight, kw: g.kernelWidth, sh: g.stride[0], sw: g.stride[1],
                                    pt: g.padding[0], pl: g.padding[1], pb: g.padding[2], pr: g.padding[3])
                try Topology.check(w, layer: i)
                if w.pt + w.pl + w.pb + w.pr > 0 && !layers.contains(where: { $0.hasParameters }) { padZero = zeroIn }
                kind = .conv(w)
            case .maxpool2d(let g):
                let s = shapes[i]
                guard s.count == 3 else { throw ZynqError(key: "layer\(i).kind", "maxpool2d needs an [H, W, C] input, got \(s)") }
                let w = WindowShape(h: s[0], w: s[1], c: s[2], kh: g.size[0], kw: g.size[1], sh: g.stride[0], sw: g.stride[1])
                try Topology.check(w, layer: i)
                layers.append(LayerTopology(inCount: w.c, outCount: w.c, inSigned: inSigned, outSigned: inSigned,
                                            biasBits: 32, multBits: multBits, kind: .maxpool(w)))
                inCount = layers.last!.imageOutCodes
                continue
            }
            guard l.inFeatures == (kind == .dense ? inCount : l.inFeatures) else {
                throw ZynqError(key: "layer\(i).weight", "has \(l.inFeatures) inputs, expected \(inCount)")
            }
            guard (1...Topology.maxCount).contains(l.inFeatures), (1...Topology.maxCount).contains(l.outFeatures) else {
                throw ZynqError(key: "layer\(i).weight", "dimensions \(l.outFeatures)×\(l.inFeatures) outside 1…\(Topology.maxCount)")
            }
            layers.append(LayerTopology(inCount: l.inFeatures, outCount: l.outFeatures, inSigned: inSigned,
                                        outSigned: l.outputType.isSigned, multBits: multBits,
                                        roundings: 1 << Int(RegisterMap.roundingCode(l.rounding)), kind: kind))
            inSigned = l.outputType.isSigned
            inCount = layers.last!.imageOutCodes
            zeroIn = l.outputZero
        }
        self.init(inputCount: model.inputCount, inputSigned: model.input.type.isSigned, layers: layers)
        self.inputPadZero = padZero
    }

    /// The input zero point, when a conv2d layer fed by the input (through max-pools only) pads:
    /// zn_swu pads with it, so it is built into the design (every later layer pads with the
    /// runtime-written L_ZERO of the layer before it). Part of the hash.
    public var inputPadZero: Int32?

    /// Refuses a window the sliding-window unit does not build, naming the layer.
    public static func check(_ w: WindowShape, layer i: Int) throws(ZynqError) {
        guard [w.h, w.w, w.c, w.kh, w.kw, w.sh, w.sw].allSatisfy({ (1...WindowShape.maxSide).contains($0) }) else {
            throw ZynqError(key: "layer\(i).kind", "image, kernel and stride must be 1…\(WindowShape.maxSide) for the hardware, got \(w.h)×\(w.w)×\(w.c) kernel \(w.kh)×\(w.kw) stride \(w.sh),\(w.sw)")
        }
        guard [w.pt, w.pl, w.pb, w.pr].allSatisfy({ (0...WindowShape.maxPadding).contains($0) }) else {
            throw ZynqError(key: "layer\(i).padding", "each padding must be 0…\(WindowShape.maxPadding) for the hardware (L_WIN_PAD), got [\(w.pt), \(w.pl), \(w.pb), \(w.pr)]")
        }
        guard w.pt < w.kh, w.pb < w.kh, w.pl < w.kw, w.pr < w.kw else {
            throw ZynqError(key: "layer\(i).padding", "the sliding-window unit needs each padding below the kernel size (\(w.kh)×\(w.kw)), got [\(w.pt), \(w.pl), \(w.pb), \(w.pr)]")
        }
        guard w.h * w.w * w.c <= Topology.maxCount else {
            throw ZynqError(key: "layer\(i).kind", "an image of \(w.h)×\(w.w)×\(w.c) codes is above \(Topology.maxCount)")
        }
    }

    public var outputCount: Int { layers.last?.imageOutCodes ?? 0 }

    /// Whether every layer is dense (the topology encoding is then version 1, unchanged).
    public var isDenseOnly: Bool { layers.allSatisfy { $0.kind == .dense } }
    public var outputSigned: Bool { layers.last?.outSigned ?? false }

    /// The canonical byte encoding the hash is taken over: every value a little-endian UInt32,
    /// in this order: 0x5A4E5450 ("ZNTP"), 1 (encoding version), inputCount, inputSigned (0/1),
    /// layer count, then per layer: inCount, outCount, inSigned, outSigned, biasBits, multBits.
    /// With a conv2d or maxpool2d layer the encoding version is 2: after the layer count the input
    /// pad zero point (`inputPadZero` as a two's-complement word, 0x80000000 for none), and per
    /// layer also its kind (`LayerShape.code`) and H, W, C, KH, KW, SH, SW, PT, PL, PB, PR (zeros for dense).
    public var canonicalBytes: [UInt8] {
        let v2 = !isDenseOnly
        var words: [UInt32] = [0x5A4E_5450, v2 ? 2 : 1, UInt32(truncatingIfNeeded: inputCount), inputSigned ? 1 : 0,
                               UInt32(truncatingIfNeeded: layers.count)]
        if v2 { words.append(inputPadZero.map { UInt32(bitPattern: $0) } ?? 0x8000_0000) }
        for l in layers {
            words += [UInt32(truncatingIfNeeded: l.inCount), UInt32(truncatingIfNeeded: l.outCount),
                      l.inSigned ? 1 : 0, l.outSigned ? 1 : 0,
                      UInt32(truncatingIfNeeded: l.biasBits), UInt32(truncatingIfNeeded: l.multBits)]
            if v2 { words += [l.kind.code] + (l.window?.words ?? [Int](repeating: 0, count: 11)).map { UInt32(truncatingIfNeeded: $0) } }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(words.count * 4)
        for w in words {
            for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: w >> UInt32(8 * k))) }
        }
        return bytes
    }

    /// FNV-1a 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3) of `canonicalBytes`.
    public var hash: UInt64 { fnv1a64(canonicalBytes) }
}

/// FNV-1a, 64-bit.
public func fnv1a64(_ bytes: [UInt8]) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes {
        h ^= UInt64(b)
        h = h &* 0x0000_0100_0000_01b3
    }
    return h
}
