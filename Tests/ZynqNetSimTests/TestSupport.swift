import Foundation
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel
@testable import ZynqNetSim

/// A small, seeded, reproducible generator (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension ActivationType {
    static func random(_ g: inout SplitMix64) -> ActivationType { Bool.random(using: &g) ? .int8 : .uint8 }
    func randomCode(_ g: inout SplitMix64) -> Int32 {
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
func randomModel(_ g: inout SplitMix64, layers: Int, maxWidth: Int, inWidth: Int? = nil) -> QuantizedModel {
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

func randomCodes(_ g: inout SplitMix64, model: QuantizedModel, count: Int) throws -> InputCodes {
    let t = model.input.type
    let bytes = (0..<(count * model.inputCount)).map { _ -> UInt8 in
        let c = t.randomCode(&g)
        return t == .int8 ? UInt8(bitPattern: Int8(c)) : UInt8(c)
    }
    return try InputCodes(type: t, width: model.inputCount, bytes: bytes)
}

/// A random dense layer `(out, inF)` with the requantization parameters `randomModel` uses:
/// extreme M, s, biases and weights often, every rounding, relu, clamp.
func randomDense(_ g: inout SplitMix64, out: Int, inFeatures inF: Int) -> DenseLayer {
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
