import ZynqNetBase

/// Format 2 of `shared/spec/model-format.md` (dense, conv2d and maxpool2d layers), held in memory.
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
    /// Number of classes (the last layer's output count; Ho·Wo·out for a last conv2d layer).
    public var outputCount: Int {
        guard let last = layers.last else { return 0 }
        if case .dense = last.kind { return last.outFeatures }
        return outputShapes.last?.reduce(1, *) ?? 0
    }

    /// The lowest format that can hold this model: 2 when it uses any key or value the
    /// spec marks **(2)** (a new rounding, `clamp`, input rounding `half_away`), else 1.
    /// What `arrays()` writes as `format`.
    public var requiredFormat: Int {
        let usesTwo = input.rounding.isFormat2
            || layers.contains { $0.rounding.isFormat2 || $0.clamp != nil || $0.kind != .dense }
        return usesTwo ? 2 : 1
    }

    /// Whether every layer is `dense`.
    public var isDenseOnly: Bool { layers.allSatisfy { $0.kind == .dense } }

    /// The activation shape after each layer (index i: layer i's output): `[Ho, Wo, Co]` after
    /// conv2d and maxpool2d, `[out]` after dense. Assumes a model that passed `validate()`.
    public var outputShapes: [[Int]] {
        var shape = input.shape
        var result: [[Int]] = []
        for l in layers {
            shape = l.outputShape(input: shape) ?? [0]
            result.append(shape)
        }
        return result
    }

    /// The activation shape into each layer (index i: layer i's input).
    public var inputShapes: [[Int]] { [input.shape] + outputShapes.dropLast() }
}

/// What a layer computes (`layer{i}.kind`).
public enum LayerKind: Sendable, Equatable {
    case dense
    /// Format 2: weights `(out, kh, kw, in)` (OHWI) held as the matrix `(out, kh·kw·in)`.
    case conv2d(Conv2DGeometry)
    /// Format 2: no weights; its output type and zero point are its input's.
    case maxpool2d(Pool2DGeometry)

    /// The file's value of `layer{i}.kind`.
    public var name: String {
        switch self {
        case .dense: "dense"
        case .conv2d: "conv2d"
        case .maxpool2d: "maxpool2d"
        }
    }
}

/// The window of a conv2d layer.
public struct Conv2DGeometry: Sendable, Equatable {
    public var kernelHeight: Int, kernelWidth: Int
    /// `in`: the input's channel count C.
    public var inChannels: Int
    /// `[sh, sw]`, each ≥ 1.
    public var stride: [Int]
    /// `[top, left, bottom, right]`, each ≥ 0.
    public var padding: [Int]

    public init(kernelHeight: Int, kernelWidth: Int, inChannels: Int, stride: [Int] = [1, 1], padding: [Int] = [0, 0, 0, 0]) {
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.inChannels = inChannels
        self.stride = stride
        self.padding = padding
    }
}

/// The window of a maxpool2d layer.
public struct Pool2DGeometry: Sendable, Equatable {
    /// `[kh, kw]`, each ≥ 1.
    public var size: [Int]
    /// `[sh, sw]`, each ≥ 1.
    public var stride: [Int]

    public init(size: [Int], stride: [Int]) {
        self.size = size
        self.stride = stride
    }
}

/// floor((n − k) / s) + 1 when n ≥ k, else nil (no output position); nil on overflow.
func windowCount(_ n: Int, kernel k: Int, stride s: Int) -> Int? {
    guard s >= 1, k >= 1, n >= k else { return nil }
    return (n - k) / s + 1
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

/// One layer of any kind. A `dense` layer is the matrix `(out, in)`; a `conv2d` layer keeps its
/// OHWI weights as the matrix `(out, kh·kw·in)` (`inFeatures` = kh·kw·in), which is exactly
/// the matrix of its GEMM over image patches; a `maxpool2d` layer has no weights,
/// `outFeatures` = `inFeatures` = 0, and carries its input's type and zero point as its
/// output ones (see `maxpool2d(size:stride:inputType:inputZero:)`).
public struct DenseLayer: Sendable, Equatable {
    public var kind: LayerKind = .dense
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

    /// A conv2d layer: `weight` is `(out, kh, kw, in)` in C order.
    public static func conv2d(
        out: Int, geometry g: Conv2DGeometry, weight: [Int8], bias: [Int32]? = nil,
        multiplier: [UInt32], shift: [UInt8], rounding: Rounding, relu: Bool, clamp: ClosedRange<Int64>? = nil,
        outputZero: Int32, outputType: ActivationType
    ) -> DenseLayer {
        var l = DenseLayer(outFeatures: out, inFeatures: g.kernelHeight * g.kernelWidth * g.inChannels, weight: weight,
                           bias: bias, multiplier: multiplier, shift: shift, rounding: rounding, relu: relu, clamp: clamp,
                           outputZero: outputZero, outputType: outputType)
        l.kind = .conv2d(g)
        return l
    }

    /// A maxpool2d layer after a layer (or input) of type `inputType` and zero point `inputZero`.
    public static func maxpool2d(size: [Int], stride: [Int], inputType: ActivationType, inputZero: Int32) -> DenseLayer {
        var l = DenseLayer(outFeatures: 0, inFeatures: 0, weight: [], multiplier: [], shift: [], rounding: .floor,
                           relu: false, outputZero: inputZero, outputType: inputType)
        l.kind = .maxpool2d(Pool2DGeometry(size: size, stride: stride))
        return l
    }

    /// This layer's output shape for an input of shape `input`, or nil when the spec's shape
    /// rules leave none (a vector into conv2d/maxpool2d, C ≠ in, a dimension below 1).
    public func outputShape(input: [Int]) -> [Int]? {
        switch kind {
        case .dense:
            return [outFeatures]
        case .conv2d(let g):
            guard input.count == 3, input[2] == g.inChannels, g.stride.count == 2, g.padding.count == 4 else { return nil }
            let (h, o1) = input[0].addingReportingOverflow(g.padding[0] &+ g.padding[2])
            let (w, o2) = input[1].addingReportingOverflow(g.padding[1] &+ g.padding[3])
            guard !o1, !o2, g.padding.allSatisfy({ $0 >= 0 && Int64($0) < 1 << 40 }),
                  let ho = windowCount(h, kernel: g.kernelHeight, stride: g.stride[0]),
                  let wo = windowCount(w, kernel: g.kernelWidth, stride: g.stride[1]), outFeatures >= 1 else { return nil }
            return [ho, wo, outFeatures]
        case .maxpool2d(let g):
            guard input.count == 3, g.size.count == 2, g.stride.count == 2,
                  let ho = windowCount(input[0], kernel: g.size[0], stride: g.stride[0]),
                  let wo = windowCount(input[1], kernel: g.size[1], stride: g.stride[1]) else { return nil }
            return [ho, wo, input[2]]
        }
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
