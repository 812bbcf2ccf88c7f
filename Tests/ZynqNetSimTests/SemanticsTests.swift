import Testing
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel
@testable import ZynqNetSim

/// A one-layer model with `out` outputs over `inF` inputs.
func oneLayer(
    weights: [Int8], inF: Int, bias: [Int32]? = nil, m: [UInt32], s: [UInt8], rounding: Rounding = .floor,
    relu: Bool = false, zy: Int32 = 0, outType: ActivationType = .int8, inType: ActivationType = .int8, zx: Int32 = 0
) -> QuantizedModel {
    QuantizedModel(
        input: InputSpec(shape: [inF], type: inType, zero: zx, scale: 1),
        layers: [DenseLayer(outFeatures: weights.count / inF, inFeatures: inF, weight: weights, bias: bias,
                            multiplier: m, shift: s, rounding: rounding, relu: relu, outputZero: zy, outputType: outType)])
}

/// Runs `images` (codes, one array per image) through the reference and through the fast
/// simulator on every kernel here; they must agree; returns the outputs per image.
@available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
func outputs(_ model: QuantizedModel, _ images: [[Int32]]) throws -> [[Int32]] {
    let t = model.input.type
    let bytes = images.flatMap { $0.map { t == .int8 ? UInt8(bitPattern: Int8($0)) : UInt8($0) } }
    let inputs = try InputCodes(type: t, width: model.inputCount, bytes: bytes)
    let reference = try ReferenceSimulator(model: model).run(inputs)
    for kernel in SimKernel.allCases where kernel.isAvailable {
        #expect(try Simulator(model: model, kernel: kernel).run(inputs) == reference, "kernel \(kernel)")
    }
    return (0..<images.count).map { Array(reference.output($0)) }
}

@Suite struct LayerSemantics {
    // acc = x (w = 1, zx = 0, no bias), M = 1: q is x / 2^s rounded. Expected values by hand.
    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test func exactHalvesWithShiftOne() throws {
        let xs: [Int32] = [3, -3, 5, -5, 1, -1, 4, -4]
        let floor = try outputs(oneLayer(weights: [1], inF: 1, m: [1], s: [1], rounding: .floor), xs.map { [$0] })
        let halfUp = try outputs(oneLayer(weights: [1], inF: 1, m: [1], s: [1], rounding: .halfUp), xs.map { [$0] })
        //                      1.5 -1.5 2.5 -2.5 0.5 -0.5  2  -2
        #expect(floor.flatMap { $0 } == [1, -2, 2, -3, 0, -1, 2, -2])
        #expect(halfUp.flatMap { $0 } == [2, -1, 3, -2, 1, 0, 2, -2])
    }

    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test func quartersWithShiftTwo() throws {
        let xs: [Int32] = [6, -6, 7, -7, -5, 5]
        let floor = try outputs(oneLayer(weights: [1], inF: 1, m: [1], s: [2], rounding: .floor), xs.map { [$0] })
        let halfUp = try outputs(oneLayer(weights: [1], inF: 1, m: [1], s: [2], rounding: .halfUp), xs.map { [$0] })
        //                      1.5 -1.5 1.75 -1.75 -1.25 1.25
        #expect(floor.flatMap { $0 } == [1, -2, 1, -2, -2, 1])
        #expect(halfUp.flatMap { $0 } == [2, -1, 2, -2, -1, 1])
    }

    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test func shiftZeroIsTheProduct() throws {
        for rounding in Rounding.allCases {
            let y = try outputs(oneLayer(weights: [1], inF: 1, m: [7], s: [0], rounding: rounding), [[3], [-3], [18], [-19]])
            #expect(y.flatMap { $0 } == [21, -21, 126, -128], "\(rounding)")  // 7·18 = 126, 7·(−19) = −133 → −128
        }
    }

    // M = 2^32 − 1, s = 63: p/2^63 = acc/2^31 − acc/2^63.
    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test func largestMultiplierAndShift() throws {
        // acc = 2^31 − 1 + 2·127·255 = 2^31 + 64769: p/2^63 ≈ 1.00003 → floor 1, half_up 1.
        // acc = −2^31 − 2·128·255 = −(2^31 + 65280): p/2^63 ≈ −1.00003 → floor −2, half_up −1.
        // acc = 2^31 − 1 (x = 0): p/2^63 just below 1 → floor 0, half_up 1.
        // acc = −2^31 (x = 0): p/2^63 just above −1 → floor −1, half_up −1.
        func model(_ bias: Int32, _ w: Int8, _ r: Rounding) -> QuantizedModel {
            oneLayer(weights: [w, w], inF: 2, bias: [bias], m: [UInt32.max], s: [63], rounding: r, inType: .uint8)
        }
        for (r, expected) in [(Rounding.floor, [[1], [0]] as [[Int32]]), (.halfUp, [[1], [1]])] {
            #expect(try outputs(model(.max, 127, r), [[255, 255], [0, 0]]) == expected, "\(r)")
        }
        for (r, expected) in [(Rounding.floor, [[-2], [-1]] as [[Int32]]), (.halfUp, [[-1], [-1]])] {
            #expect(try outputs(model(.min, -128, r), [[255, 255], [0, 0]]) == expected, "\(r)")
        }
    }

    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test func perTensorAndPerChannelMultipliers() throws {
        // w = [1, 2, −1], x = 40: acc = 40, 80, −40.
        let perTensor = oneLayer(weights: [1, 2, -1], inF: 1, m: [3], s: [2])
        #expect(try outputs(perTensor, [[40]]) == [[30, 60, -30]])  // 3·acc/4
        let perChannel = oneLayer(weights: [1, 2, -1], inF: 1, m: [1, 3, 1 << 31], s: [0, 2, 32])
        #expect(try outputs(perChannel, [[40]]) == [[40, 60, -20]])  // acc, 3·80/4, −40/2
        let halfUp = oneLayer(weights: [1, 2, -1], inF: 1, m: [1, 3, 1 << 31], s: [0, 2, 32], rounding: .halfUp)
        #expect(try outputs(halfUp, [[41]]) == [[41, 62, -20]])  // 41, 3·82/4 = 61.5 → 62, −20.5 → −20
    }

    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test func reluWithNonZeroOutputZero() throws {
        // M = 1, s = 0: y = clamp(zy + acc).
        let int8 = oneLayer(weights: [1], inF: 1, m: [1], s: [0], relu: true, zy: 10)
        #expect(try outputs(int8, [[-20], [5], [-10], [120]]) == [[10], [15], [10], [127]])
        let uint8 = oneLayer(weights: [1], inF: 1, m: [1], s: [0], relu: true, zy: 200, outType: .uint8)
        #expect(try outputs(uint8, [[-128], [30], [100], [-1]]) == [[200], [230], [255], [200]])
        let noRelu = oneLayer(weights: [1], inF: 1, m: [1], s: [0], relu: false, zy: 200, outType: .uint8)
        #expect(try outputs(noRelu, [[-128], [30]]) == [[72], [230]])
        let negativeZero = oneLayer(weights: [1], inF: 1, m: [1], s: [0], relu: true, zy: -100)
        // −100 − 128 and −100 − 20 fall below lo = zy = −100; −100 + 30 = −70 does not.
        #expect(try outputs(negativeZero, [[-128], [-20], [30]]) == [[-100], [-100], [-70]])
    }

    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test func saturationAtBothEnds() throws {
        // acc = 8·x with in = 8, w = 1, x = ±125: ±1000.
        let w = [Int8](repeating: 1, count: 8)
        let int8 = oneLayer(weights: w, inF: 8, m: [1], s: [0])
        #expect(try outputs(int8, [Array(repeating: 125, count: 8), Array(repeating: -125, count: 8)]) == [[127], [-128]])
        let uint8 = oneLayer(weights: w, inF: 8, m: [1], s: [0], outType: .uint8)
        #expect(try outputs(uint8, [Array(repeating: 125, count: 8), Array(repeating: -125, count: 8)]) == [[255], [0]])
        // The bias alone saturates too: Int32.max and Int32.min with M = 1, s = 0.
        let bias = oneLayer(weights: [0, 0], inF: 1, bias: [.max, .min], m: [1], s: [0], outType: .uint8)
        #expect(try outputs(bias, [[0]]) == [[255, 0]])
    }

    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test func argmaxTakesTheLowestIndexOnATie() throws {
        let model = oneLayer(weights: [3, 7, 7, 1], inF: 1, m: [1], s: [0])
        let inputs = try InputCodes(int8: [1, 0, -1], width: 1)
        let result = try Simulator(model: model).run(inputs)
        #expect(result.outputs == [3, 7, 7, 1, 0, 0, 0, 0, -3, -7, -7, -1])
        #expect(result.predictions == [1, 0, 3])
        #expect(result.correct(labels: [1, 2, 3]) == 2)
    }

    /// Two layers 2 → 2 → 2 with non-zero zero points, for all 8 combinations of int8/uint8
    /// input, hidden and output. Expected values from the formula, computed here on Int.
    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test(arguments: [ActivationType.int8, .uint8], [ActivationType.int8, .uint8])
    func signednessInEveryPosition(input: ActivationType, hidden: ActivationType) throws {
        for output in [ActivationType.int8, .uint8] {
            let zx: Int32 = input == .int8 ? -3 : 5, zh: Int32 = hidden == .int8 ? 4 : 100, zo: Int32 = output == .int8 ? -2 : 7
            let l0 = DenseLayer(outFeatures: 2, inFeatures: 2, weight: [2, -1, 1, 3], bias: [10, -20],
                                multiplier: [1], shift: [1], rounding: .halfUp, relu: false, outputZero: zh, outputType: hidden)
            let l1 = DenseLayer(outFeatures: 2, inFeatures: 2, weight: [1, 1, -1, 2], bias: [0, 5],
                                multiplier: [3], shift: [2], rounding: .floor, relu: false, outputZero: zo, outputType: output)
            let model = QuantizedModel(input: InputSpec(shape: [2], type: input, zero: zx, scale: 1), layers: [l0, l1])
            let x: [Int32] = input == .int8 ? [-100, 60] : [200, 30]
            func naive(_ l: DenseLayer, _ x: [Int32], _ z: Int32) -> [Int32] {
                (0..<2).map { o in
                    var acc = Int(l.bias[o])
                    for k in 0..<2 { acc += Int(l.weight[o * 2 + k]) * Int(x[k] - z) }
                    let p = acc * Int(l.multiplier[o]), s = Int(l.shift[o])
                    let q = l.rounding == .floor ? p >> s : (p + (1 << (s - 1))) >> s
                    return Int32(min(max(Int(l.outputZero) + q, Int(l.outputType.min)), Int(l.outputType.max)))
                }
            }
            let h = naive(l0, x, zx)
            let y = naive(l1, h, zh)
            #expect(try outputs(model, [x]) == [y], "\(input) \(hidden) \(output)")
            #expect(try Simulator(model: model).runLayers(try InputCodes(type: input, width: 2,
                bytes: x.map { input == .int8 ? UInt8(bitPattern: Int8($0)) : UInt8($0) }), image: 0) == [h, y])
        }
    }
}
