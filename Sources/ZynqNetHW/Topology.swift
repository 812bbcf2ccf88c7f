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

    public init(inCount: Int, outCount: Int, inSigned: Bool, outSigned: Bool, biasBits: Int? = nil, multBits: Int,
                roundings: Int = LayerTopology.baseRoundings) {
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
    public func builds(_ r: Rounding) -> Bool { roundings & (1 << Int(RegisterMap.roundingCode(r))) != 0 }
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

    public init(inputCount: Int, inputSigned: Bool, layers: [LayerTopology]) {
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
        try model.requireDenseOnly(for: "the hardware path (codegen, verify, rtlsim, the board)")
        var layers: [LayerTopology] = []
        var inSigned = model.input.type.isSigned
        var inCount = model.inputCount
        for (i, l) in model.layers.enumerated() {
            guard l.inFeatures == inCount else {
                throw ZynqError(key: "layer\(i).weight", "has \(l.inFeatures) inputs, expected \(inCount)")
            }
            guard (1...Topology.maxCount).contains(l.inFeatures), (1...Topology.maxCount).contains(l.outFeatures) else {
                throw ZynqError(key: "layer\(i).weight", "dimensions \(l.outFeatures)×\(l.inFeatures) outside 1…\(Topology.maxCount)")
            }
            layers.append(LayerTopology(inCount: l.inFeatures, outCount: l.outFeatures, inSigned: inSigned,
                                        outSigned: l.outputType.isSigned, multBits: multBits,
                                        roundings: 1 << Int(RegisterMap.roundingCode(l.rounding))))
            inSigned = l.outputType.isSigned
            inCount = l.outFeatures
        }
        self.init(inputCount: model.inputCount, inputSigned: model.input.type.isSigned, layers: layers)
    }

    public var outputCount: Int { layers.last?.outCount ?? 0 }
    public var outputSigned: Bool { layers.last?.outSigned ?? false }

    /// The canonical byte encoding the hash is taken over: every value a little-endian UInt32,
    /// in this order: 0x5A4E5450 ("ZNTP"), 1 (encoding version), inputCount, inputSigned (0/1),
    /// layer count, then per layer: inCount, outCount, inSigned, outSigned, biasBits, multBits.
    public var canonicalBytes: [UInt8] {
        var words: [UInt32] = [0x5A4E_5450, 1, UInt32(truncatingIfNeeded: inputCount), inputSigned ? 1 : 0,
                               UInt32(truncatingIfNeeded: layers.count)]
        for l in layers {
            words += [UInt32(truncatingIfNeeded: l.inCount), UInt32(truncatingIfNeeded: l.outCount),
                      l.inSigned ? 1 : 0, l.outSigned ? 1 : 0,
                      UInt32(truncatingIfNeeded: l.biasBits), UInt32(truncatingIfNeeded: l.multBits)]
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
