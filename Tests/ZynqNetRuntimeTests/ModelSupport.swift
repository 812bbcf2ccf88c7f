import Foundation
import ZynqNetBase
import ZynqNetHW
@testable import ZynqNetLinux
@testable import ZynqNetLoopback
import ZynqNetModel
import ZynqNetSim
@testable import ZynqNetRuntime

/// SplitMix64: small, seeded, reproducible.
struct Rng: RandomNumberGenerator {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func randomType(_ g: inout Rng) -> ActivationType { Bool.random(using: &g) ? .int8 : .uint8 }

func randomCode(_ t: ActivationType, _ g: inout Rng) -> Int32 {
    switch Int.random(in: 0..<8, using: &g) {
    case 0: return t.min
    case 1: return t.max
    default: return Int32.random(in: t.min...t.max, using: &g)
    }
}

/// A random valid format-1 model (per-tensor or per-channel M and s, both roundings, relu
/// or not, any signedness and zero points), sized so outputs are not all saturated.
func randomModel(_ g: inout Rng, layers: Int, inWidth: Int, maxWidth: Int) -> QuantizedModel {
    let inType = randomType(&g)
    let input = InputSpec(shape: [inWidth], type: inType, zero: randomCode(inType, &g), scale: 0.5)
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
        let outType = randomType(&g)
        result.append(DenseLayer(outFeatures: out, inFeatures: inF, weight: weight, bias: bias,
                                 multiplier: perTensor ? [m()] : (0..<out).map { _ in m() },
                                 shift: perTensor ? [s()] : (0..<out).map { _ in s() },
                                 rounding: Bool.random(using: &g) ? .floor : .halfUp, relu: Bool.random(using: &g),
                                 outputZero: randomCode(outType, &g), outputType: outType))
        inF = out
    }
    return QuantizedModel(input: input, layers: result)
}

func randomCodes(_ g: inout Rng, model: QuantizedModel, count: Int) throws -> InputCodes {
    let t = model.input.type
    let bytes = (0..<(count * model.inputCount)).map { _ -> UInt8 in
        let c = randomCode(t, &g)
        return t == .int8 ? UInt8(bitPattern: Int8(c)) : UInt8(c)
    }
    return try InputCodes(type: t, width: model.inputCount, bytes: bytes)
}

/// Random valid folds: PE | out, SIMD | in, lanes | PE.
func randomFolds(_ t: Topology, _ g: inout Rng) -> [LayerFold] {
    func divisors(_ n: Int) -> [Int] { (1...n).filter { n % $0 == 0 } }
    return t.layers.map { l in
        let pe = divisors(l.outCount).randomElement(using: &g)!
        return LayerFold(pe: pe, simd: divisors(l.inCount).randomElement(using: &g)!, lanes: divisors(pe).randomElement(using: &g)!)
    }
}

/// Expected results from the independent Int128 reference simulator.
func reference(_ model: QuantizedModel, _ codes: InputCodes) throws -> SimResult {
    try ReferenceSimulator(model: model).run(codes) as SimResult
}

/// A loopback board for `model` with a loaded driver.
struct Rig {
    let board: LoopbackBoard
    let driver: AcceleratorDriver
    let model: QuantizedModel
    let flag: Flag

    final class Flag: @unchecked Sendable { var set = false }

    init(model: QuantizedModel, folds: [LayerFold]? = nil, manifest: RuntimeManifest = RuntimeManifest(), images: Int = 256,
         cached: Bool = false, lockDir: String? = nil, g: inout Rng) throws {
        let t = try Topology(model: model)
        let layout = try AcceleratorLayout(topology: t, folds: folds ?? randomFolds(t, &g))
        board = try LoopbackBoard(layout: layout, manifest: manifest)
        let flag = Flag()
        self.flag = flag
        driver = try board.driver(images: images, cached: cached, lockDirectory: lockDir ?? NSTemporaryDirectory(),
                                  interrupt: InterruptFlag { flag.set })
        try driver.load(model: model, modelName: "random.npz")
        self.model = model
    }

    func run(_ codes: InputCodes) throws -> (outputs: [Int32], predictions: [Int]) {
        var outputs = [Int32](repeating: -999, count: codes.count * model.outputCount)
        var predictions = [Int](repeating: -1, count: codes.count)
        try codes.bytes.withUnsafeBytes { raw in
            try outputs.withUnsafeMutableBufferPointer { o in
                try predictions.withUnsafeMutableBufferPointer { p in
                    try driver.run(codes: raw, count: codes.count, outputs: o, predictions: p)
                }
            }
        }
        return (outputs, predictions)
    }

    func expectMatches(_ codes: InputCodes) throws -> Bool {
        let r = try run(codes)
        let e = try reference(model, codes)
        return r.outputs == e.outputs && r.predictions == e.predictions
    }
}
