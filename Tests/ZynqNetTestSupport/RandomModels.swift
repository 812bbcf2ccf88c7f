import Foundation
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel

// The seeded generator of every test's stimulus is ZynqNetBase's SplitMix64 (a
// RandomNumberGenerator), so a seed gives the same models on every machine.

// MARK: - the simulator tests' models: every rounding, clamps, extreme M, s and biases

extension ActivationType {
    public static func random(_ g: inout SplitMix64) -> ActivationType { Bool.random(using: &g) ? .int8 : .uint8 }
    public func randomCode(_ g: inout SplitMix64) -> Int32 {
        // Extremes often, so saturation and zero points at the ends are exercised.
        switch Int.random(in: 0..<8, using: &g) {
        case 0: return min
        case 1: return max
        default: return Int32.random(in: min...max, using: &g)
        }
    }
}

/// A random valid model: widths 1…maxWidth, random signedness everywhere, zero points,
/// biases, per-tensor or per-channel M and s (often extreme: M = 1, M = 2^32 − 1, s = 0,
/// s = 63), every rounding of format 2, relu or not, an optional clamp (sometimes cl = ch).
public func randomModel(_ g: inout SplitMix64, layers: Int, maxWidth: Int, inWidth: Int? = nil) -> QuantizedModel {
    var type = ActivationType.random(&g)
    let width = inWidth ?? Int.random(in: 1...maxWidth, using: &g)
    let input = InputSpec(shape: [width], type: type, zero: type.randomCode(&g), scale: 0.5,
                          rounding: InputRounding.allCases.randomElement(using: &g)!)
    var inF = width
    var result: [DenseLayer] = []
    for _ in 0..<layers {
        let out = Int.random(in: 1...maxWidth, using: &g)
        let layer = randomDense(&g, out: out, inFeatures: inF)
        result.append(layer)
        inF = out
        type = layer.outputType
    }
    return QuantizedModel(input: input, layers: result)
}

public func randomCodes(_ g: inout SplitMix64, model: QuantizedModel, count: Int) throws -> InputCodes {
    let t = model.input.type
    let bytes = (0..<(count * model.inputCount)).map { _ -> UInt8 in
        let c = t.randomCode(&g)
        return t == .int8 ? UInt8(bitPattern: Int8(c)) : UInt8(c)
    }
    return try InputCodes(type: t, width: model.inputCount, bytes: bytes)
}

/// A random dense layer `(out, inF)` with the requantization parameters `randomModel` uses:
/// extreme M, s, biases and weights often, every rounding, relu, clamp.
public func randomDense(_ g: inout SplitMix64, out: Int, inFeatures inF: Int) -> DenseLayer {
    let weight = (0..<(out * inF)).map { _ -> Int8 in
        Int.random(in: 0..<10, using: &g) == 0 ? [Int8.min, Int8.max, 0].randomElement(using: &g)! : Int8.random(in: .min ... .max, using: &g)
    }
    let bias = (0..<out).map { _ -> Int32 in
        switch Int.random(in: 0..<10, using: &g) {
        case 0: return .max
        case 1: return .min
        case 2, 3: return 0
        default: return Int32.random(in: -100_000...100_000, using: &g)
        }
    }
    let rounding = Rounding.allCases.randomElement(using: &g)!
    // float32's M is a 24-bit significand: M < 2^24, typically in [2^23, 2^24).
    let mBits = rounding == .float32 ? 24 : 32
    // A scale that keeps typical outputs inside the 8-bit range, so not everything saturates.
    let typicalShift = mBits - 1 + Int(log2(Double(inF).squareRoot() * 55).rounded(.up))
    func m() -> UInt32 {
        switch Int.random(in: 0..<8, using: &g) {
        case 0: return 1
        case 1: return UInt32((UInt64(1) << mBits) - 1)
        default: return UInt32.random(in: (1 << (mBits - 2))...UInt32((UInt64(1) << mBits) - 1), using: &g)
        }
    }
    func s() -> UInt8 {
        switch Int.random(in: 0..<10, using: &g) {
        case 0: return 0
        case 1: return 63
        case 2: return UInt8.random(in: 0...63, using: &g)
        default: return UInt8(Swift.min(63, Swift.max(0, typicalShift + Int.random(in: -3...3, using: &g))))
        }
    }
    let perTensor = Bool.random(using: &g)
    let outType = ActivationType.random(&g)
    let relu = Bool.random(using: &g)
    let zero = outType.randomCode(&g)
    // A clamp inside what relu leaves (so lo ≤ hi), a third of the time; sometimes cl = ch.
    var clamp: ClosedRange<Int64>? = nil
    if Int.random(in: 0..<3, using: &g) == 0 {
        let low = Int64(relu ? zero : outType.min), high = Int64(outType.max)
        let a = Int64.random(in: low - 20...high, using: &g)
        let b = Int.random(in: 0..<4, using: &g) == 0 ? Swift.max(a, low) : Int64.random(in: Swift.max(a, low)...high + 20, using: &g)
        clamp = a...b
    }
    return DenseLayer(
        outFeatures: out, inFeatures: inF, weight: weight, bias: bias,
        multiplier: perTensor ? [m()] : (0..<out).map { _ in m() },
        shift: perTensor ? [s()] : (0..<out).map { _ in s() },
        rounding: rounding, relu: relu, clamp: clamp,
        outputZero: zero, outputType: outType)
}

// MARK: - the loopback tests' models: floor and half_up, no clamp

/// A random valid format-1 model (per-tensor or per-channel M and s, both roundings, relu
/// or not, any signedness and zero points), sized so outputs are not all saturated.
public func randomFormat1Model(_ g: inout SplitMix64, layers: Int, inWidth: Int, maxWidth: Int) -> QuantizedModel {
    let inType = ActivationType.random(&g)
    let input = InputSpec(shape: [inWidth], type: inType, zero: inType.randomCode(&g), scale: 0.5)
    var inF = inWidth
    var result: [DenseLayer] = []
    for _ in 0..<layers {
        let out = Int.random(in: 1...maxWidth, using: &g)
        let weight = (0..<(out * inF)).map { _ in Int8.random(in: .min ... .max, using: &g) }
        let bias = (0..<out).map { _ -> Int32 in Int.random(in: 0..<10, using: &g) == 0 ? 0 : Int32.random(in: -200_000...200_000, using: &g) }
        let typicalShift = 31 + Int(log2(Double(inF).squareRoot() * 55).rounded(.up))
        func m() -> UInt32 { Int.random(in: 0..<8, using: &g) == 0 ? 1 : UInt32.random(in: (1 << 30)...UInt32.max, using: &g) }
        func s() -> UInt8 { Int.random(in: 0..<10, using: &g) == 0 ? UInt8.random(in: 0...63, using: &g) : UInt8(min(63, max(0, typicalShift + Int.random(in: -2...2, using: &g)))) }
        let perTensor = Bool.random(using: &g)
        let outType = ActivationType.random(&g)
        result.append(DenseLayer(outFeatures: out, inFeatures: inF, weight: weight, bias: bias,
                                 multiplier: perTensor ? [m()] : (0..<out).map { _ in m() },
                                 shift: perTensor ? [s()] : (0..<out).map { _ in s() },
                                 rounding: Bool.random(using: &g) ? .floor : .halfUp, relu: Bool.random(using: &g),
                                 outputZero: outType.randomCode(&g), outputType: outType))
        inF = out
    }
    return QuantizedModel(input: input, layers: result)
}

// MARK: - the hardware tests' models: chosen signedness, rounding and relu per layer

/// How a random layer's quantization is drawn.
public enum QuantFlavor {
    /// M and s that keep outputs spread over the range (the common case).
    case typical
    /// Extreme values: M near 2^32 or 1, s at 0 or 63, large biases, huge zero points.
    case extreme
}

/// A random valid format-1 model.
public func randomModel(dims: [Int], inputSigned: Bool, outSigned: [Bool], rounding: [Rounding], relu: [Bool],
                 flavor: QuantFlavor = .typical, perChannel: Bool = true, rng: inout SplitMix64) -> QuantizedModel {
    precondition(dims.count == outSigned.count + 1)
    var layers: [DenseLayer] = []
    var inSigned = inputSigned
    for i in 0..<(dims.count - 1) {
        let n = dims[i], m = dims[i + 1]
        let weight = (0..<(n * m)).map { _ in Int8(truncatingIfNeeded: Int.random(in: -128...127, using: &rng)) }
        let bias = (0..<m).map { _ -> Int32 in
            switch flavor {
            case .typical: return Int32.random(in: -2000...2000, using: &rng)
            case .extreme: return [Int32.min, Int32.max, 0, -1, Int32.random(in: Int32.min...Int32.max, using: &rng)].randomElement(using: &rng)!
            }
        }
        let count = perChannel ? m : 1
        // Typical: p = acc·M / 2^s lands around ±200. |acc| ~ sqrt(n)·128·100.
        let accScale = Double(n).squareRoot() * 128 * (inSigned ? 70 : 140) + 2000
        let mult: [UInt32] = (0..<count).map { _ in
            switch flavor {
            case .typical: return UInt32.random(in: (1 << 30)...UInt32.max, using: &rng)
            case .extreme: return [1, UInt32.max, UInt32.max - 1, 1 << 31, UInt32.random(in: 1...UInt32.max, using: &rng)].randomElement(using: &rng)!
            }
        }
        let shift: [UInt8] = (0..<count).map { _ in
            switch flavor {
            case .typical:
                let s = 32 + Int((log2(accScale) - log2(150)).rounded()) + Int.random(in: -1...1, using: &rng)
                return UInt8(max(0, min(63, s)))
            case .extreme: return [0, 63, 1, 62, UInt8.random(in: 0...63, using: &rng)].randomElement(using: &rng)!
            }
        }
        let os = outSigned[i]
        let zy: Int32
        switch flavor {
        case .typical: zy = os ? Int32.random(in: -20...20, using: &rng) : Int32.random(in: 0...40, using: &rng)
        case .extreme: zy = os ? [-128, 127, 0, Int32.random(in: -128...127, using: &rng)].randomElement(using: &rng)!
                               : [0, 255, 128, Int32.random(in: 0...255, using: &rng)].randomElement(using: &rng)!
        }
        layers.append(DenseLayer(outFeatures: m, inFeatures: n, weight: weight, bias: bias, multiplier: mult, shift: shift,
                                 rounding: rounding[i], relu: relu[i], outputZero: zy, outputType: ActivationType(signed: os)))
        inSigned = os
    }
    let zx: Int32 = inputSigned ? Int32.random(in: -128...127, using: &rng) : Int32.random(in: 0...255, using: &rng)
    return QuantizedModel(input: InputSpec(shape: [dims[0]], type: ActivationType(signed: inputSigned), zero: zx, scale: 1 / 255),
                          layers: layers)
}

/// A random model whose layers all have the same input signedness, output signedness, rounding
/// and relu (the small helper models of the codegen, curve and sequential-engine tests).
public func uniformModel(_ dims: [Int], seed: UInt64 = 1, signed: Bool = false, rounding: Rounding = .floor,
                  relu: Bool = true) -> QuantizedModel {
    var rng = SplitMix64(seed: seed)
    let n = dims.count - 1
    return randomModel(dims: dims, inputSigned: signed, outSigned: Array(repeating: signed, count: n),
                       rounding: Array(repeating: rounding, count: n), relu: Array(repeating: relu, count: n), rng: &rng)
}

public func randomImages(_ count: Int, pixels: Int, rng: inout SplitMix64) -> [[UInt8]] {
    (0..<count).map { _ in (0..<pixels).map { _ in UInt8.random(in: 0...255, using: &rng) } }
}

// MARK: - the rtlsim tests' models: same widths and signedness give one topology (one build)

/// A random valid format-1 model with the given widths and signedness (so models drawn with
/// the same shape share one topology, hence one hardware build): random weights, biases,
/// per-channel or per-tensor M and s (spread so outputs are not all saturated, with some
/// extreme values), both roundings, relu or not, random zero points.
public func randomModel(dims: [Int], signed: [Bool], rng g: inout SplitMix64) -> QuantizedModel {
    precondition(signed.count == dims.count)
    func code(_ s: Bool) -> Int32 { s ? Int32.random(in: -128...127, using: &g) : Int32.random(in: 0...255, using: &g) }
    var layers: [DenseLayer] = []
    for i in 0..<(dims.count - 1) {
        let n = dims[i], m = dims[i + 1]
        let weight = (0..<(n * m)).map { _ in Int8.random(in: .min ... .max, using: &g) }
        let bias = (0..<m).map { _ -> Int32 in
            switch Int.random(in: 0..<12, using: &g) {
            case 0: return 0
            case 1: return Int32.random(in: -2_000_000...2_000_000, using: &g)
            default: return Int32.random(in: -20_000...20_000, using: &g)
            }
        }
        let typicalShift = 31 + Int(log2(Double(n).squareRoot() * 60).rounded(.up))
        func mult() -> UInt32 { Int.random(in: 0..<10, using: &g) == 0 ? 1 : UInt32.random(in: (1 << 30)...UInt32.max, using: &g) }
        func shift() -> UInt8 {
            Int.random(in: 0..<10, using: &g) == 0 ? UInt8.random(in: 0...63, using: &g)
                : UInt8(min(63, max(0, typicalShift + Int.random(in: -2...2, using: &g))))
        }
        let perTensor = Bool.random(using: &g)
        layers.append(DenseLayer(outFeatures: m, inFeatures: n, weight: weight, bias: bias,
                                 multiplier: perTensor ? [mult()] : (0..<m).map { _ in mult() },
                                 shift: perTensor ? [shift()] : (0..<m).map { _ in shift() },
                                 rounding: Bool.random(using: &g) ? .floor : .halfUp, relu: Bool.random(using: &g),
                                 outputZero: code(signed[i + 1]), outputType: ActivationType(signed: signed[i + 1])))
    }
    let input = InputSpec(shape: [dims[0]], type: ActivationType(signed: signed[0]), zero: code(signed[0]), scale: 0.5)
    return QuantizedModel(input: input, layers: layers)
}

/// `count` random images of input codes for `model` (a few at the type's extremes).
public func randomCodes(_ model: QuantizedModel, count: Int, rng g: inout SplitMix64) throws -> InputCodes {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count * model.inputCount)
    for _ in 0..<(count * model.inputCount) {
        switch Int.random(in: 0..<10, using: &g) {
        case 0: bytes.append(model.input.type == .int8 ? 0x80 : 0x00)
        case 1: bytes.append(model.input.type == .int8 ? 0x7F : 0xFF)
        default: bytes.append(UInt8.random(in: 0...255, using: &g))
        }
    }
    return try InputCodes(type: model.input.type, width: model.inputCount, bytes: bytes)
}
