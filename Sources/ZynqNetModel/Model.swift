/// Format 2 of `shared/spec/model-format.md` (dense layers), held in memory.
///
/// A `QuantizedModel` that exists has passed every rule of the spec's table
/// (see `QuantizedModel.validate()`): code downstream may rely on the shapes and ranges.
public struct QuantizedModel: Sendable, Equatable {
    public var input: InputSpec
    public var layers: [DenseLayer]

    public init(input: InputSpec, layers: [DenseLayer]) {
        self.input = input
        self.layers = layers
    }

    /// Number of input elements (the product of `input.shape`).
    public var inputCount: Int { input.shape.reduce(1, *) }
    /// Number of classes (the last layer's output count).
    public var outputCount: Int { layers.last?.outFeatures ?? 0 }

    /// The lowest format that can hold this model: 2 when it uses any key or value the
    /// spec marks **(2)** (a new rounding, `clamp`, input rounding `half_away`), else 1.
    /// What `arrays()` writes as `format`.
    public var requiredFormat: Int {
        let usesTwo = input.rounding.isFormat2 || layers.contains { $0.rounding.isFormat2 || $0.clamp != nil }
        return usesTwo ? 2 : 1
    }
}

/// How float images are rounded after scaling (`input.rounding`).
public enum InputRounding: String, Sendable, Equatable, CaseIterable {
    /// `clamp(R(v) + zx)`, R = round half to even (onnxruntime's QuantizeLinear).
    case halfEven = "half_even"
    /// `clamp(R(v) + zx)`, R = round half away from zero (TFLite's QUANTIZE). Format 2.
    case halfAway = "half_away"
    /// `clamp(trunc(v + zx))`, the sum exact (pyrtlnet).
    case trunc = "trunc"

    /// Whether the value is new in format 2.
    public var isFormat2: Bool { self == .halfAway }
}

/// How a layer's scaled accumulator is rounded (`layer{i}.rounding`).
public enum Rounding: String, Sendable, Equatable, CaseIterable {
    /// `floor(p / 2^s)`.
    case floor = "floor"
    /// `floor((p + 2^(s−1)) / 2^s)`.
    case halfUp = "half_up"
    /// `p / 2^s` to the nearest integer, ties to even. Format 2.
    case halfEven = "half_even"
    /// TFLite's two roundings (SaturatingRoundingDoublingHighMul, RoundingDivideByPOT). Format 2.
    case gemmlowp = "gemmlowp"
    /// `nearbyint(float(acc) · S)` in IEEE single precision, S = M / 2^s, M < 2^24. Format 2.
    case float32 = "float32"

    /// Whether the value is new in format 2.
    public var isFormat2: Bool { self != .floor && self != .halfUp }
}

/// Signedness of an 8-bit activation: int8 `[-128, 127]` or uint8 `[0, 255]`.
public enum ActivationType: Sendable, Equatable {
    case int8, uint8

    public init(signed: Bool) { self = signed ? .int8 : .uint8 }
    public var isSigned: Bool { self == .int8 }
    public var min: Int32 { self == .int8 ? -128 : 0 }
    public var max: Int32 { self == .int8 ? 127 : 255 }
}

public struct InputSpec: Sendable, Equatable {
    /// Logical input shape, flattened in C order.
    public var shape: [Int]
    public var type: ActivationType
    /// Input zero point `zx`.
    public var zero: Int32
    /// real = scale · (q − zero); only used to quantize float images.
    public var scale: Float
    public var rounding: InputRounding

    public init(shape: [Int], type: ActivationType, zero: Int32, scale: Float, rounding: InputRounding = .halfEven) {
        self.shape = shape
        self.type = type
        self.zero = zero
        self.scale = scale
        self.rounding = rounding
    }
}

public struct DenseLayer: Sendable, Equatable {
    public var outFeatures: Int
    public var inFeatures: Int
    /// Weights, row-major `(out, in)`, zero point 0.
    public var weight: [Int8]
    /// One bias per output (all zero when the file has none).
    public var bias: [Int32]
    /// `M` per output channel, 1 ≤ M < 2^32 (a per-tensor M is repeated `out` times).
    public var multiplier: [UInt32]
    /// `s` per output channel, 0 ≤ s ≤ 63 (a per-tensor s is repeated `out` times).
    public var shift: [UInt8]
    /// Whether the file gave `multiplier`/`shift` per tensor (kept so a model round-trips).
    public var perTensorMultiplier: Bool
    public var perTensorShift: Bool
    public var rounding: Rounding
    public var relu: Bool
    /// The optional `clamp` `[cl, ch]` (format 2), kept as the file gave it; the bounds
    /// that apply are `outputLow`/`outputHigh`.
    public var clamp: ClosedRange<Int64>?
    /// Output zero point `zy`.
    public var outputZero: Int32
    public var outputType: ActivationType

    public init(
        outFeatures: Int, inFeatures: Int, weight: [Int8], bias: [Int32]? = nil,
        multiplier: [UInt32], shift: [UInt8], rounding: Rounding, relu: Bool, clamp: ClosedRange<Int64>? = nil,
        outputZero: Int32, outputType: ActivationType
    ) {
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
        self.weight = weight
        self.bias = bias ?? [Int32](repeating: 0, count: outFeatures)
        self.perTensorMultiplier = multiplier.count == 1
        self.perTensorShift = shift.count == 1
        self.multiplier = multiplier.count == 1 ? [UInt32](repeating: multiplier[0], count: outFeatures) : multiplier
        self.shift = shift.count == 1 ? [UInt8](repeating: shift[0], count: outFeatures) : shift
        self.rounding = rounding
        self.relu = relu
        self.clamp = clamp
        self.outputZero = outputZero
        self.outputType = outputType
    }

    /// The lowest value this layer can output: `lo` of the spec, raised to `zy` by relu
    /// and to `cl` by clamp.
    public var outputLow: Int32 {
        var lo = relu ? Swift.max(outputType.min, outputZero) : outputType.min
        if let c = clamp, c.lowerBound > Int64(lo) { lo = Int32(clamping: c.lowerBound) }
        return lo
    }
    /// The highest value this layer can output: `hi` of the spec, lowered to `ch` by clamp.
    public var outputHigh: Int32 {
        var hi = outputType.max
        if let c = clamp, c.upperBound < Int64(hi) { hi = Int32(clamping: c.upperBound) }
        return hi
    }
}
