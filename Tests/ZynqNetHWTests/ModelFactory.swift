import Foundation
import ZynqNetBase
import ZynqNetModel

/// SplitMix64: a small deterministic generator for test stimulus.
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

/// How a random layer's quantization is drawn.
enum QuantFlavor {
    /// M and s that keep outputs spread over the range (the common case).
    case typical
    /// Extreme values: M near 2^32 or 1, s at 0 or 63, large biases, huge zero points.
    case extreme
}

/// A random valid format-1 model.
func randomModel(dims: [Int], inputSigned: Bool, outSigned: [Bool], rounding: [Rounding], relu: [Bool],
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
func uniformModel(_ dims: [Int], seed: UInt64 = 1, signed: Bool = false, rounding: Rounding = .floor,
                  relu: Bool = true) -> QuantizedModel {
    var rng = SplitMix64(seed: seed)
    let n = dims.count - 1
    return randomModel(dims: dims, inputSigned: signed, outSigned: Array(repeating: signed, count: n),
                       rounding: Array(repeating: rounding, count: n), relu: Array(repeating: relu, count: n), rng: &rng)
}

func randomImages(_ count: Int, pixels: Int, rng: inout SplitMix64) -> [[UInt8]] {
    (0..<count).map { _ in (0..<pixels).map { _ in UInt8.random(in: 0...255, using: &rng) } }
}

/// A scratch directory under the package's .build (kept between runs for Verilator caches).
func scratch(_ name: String) -> URL {
    let u = packageRoot.appendingPathComponent(".build/zynqnet-test/\(name)")
    try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
    return u
}
