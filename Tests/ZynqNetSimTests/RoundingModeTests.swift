import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetModel
@testable import ZynqNetSim

/// Format 2's roundings and clamp: the reference's exact values at the corners (computed
/// independently with Python fractions from the spec's formulas), and the fast simulator's
/// requantizer equal to the reference on both its 64-bit and its 128-bit paths.
@Suite struct RoundingModes {
    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    func q(_ mode: Rounding, _ m: UInt32, _ s: Int, _ accs: [Int128]) -> [Int128] {
        accs.map { ReferenceSimulator.scale($0, multiplier: m, shift: s, rounding: mode) }
    }

    /// M = 1, s = 1: acc = −5…5 puts every odd acc on a tie.
    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test func tiesAtShiftOne() {
        let accs: [Int128] = Array(-5...5)
        #expect(q(.floor, 1, 1, accs) == [-3, -2, -2, -1, -1, 0, 0, 1, 1, 2, 2])
        #expect(q(.halfUp, 1, 1, accs) == [-2, -2, -1, -1, 0, 0, 1, 1, 2, 2, 3])
        #expect(q(.halfEven, 1, 1, accs) == [-2, -2, -2, -1, 0, 0, 0, 1, 2, 2, 2])
        // gemmlowp with s ≤ 31 is half_up (one rounding); float32 of a small exact value is half_even.
        #expect(q(.gemmlowp, 1, 1, accs) == [-2, -2, -1, -1, 0, 0, 1, 1, 2, 2, 3])
        #expect(q(.float32, 1, 1, accs) == [-2, -2, -2, -1, 0, 0, 0, 1, 2, 2, 2])
        #expect(q(.float32, 1 << 23, 24, [1, 3, 5, -5, -3, -1]) == [0, 2, 2, -2, -2, 0])
    }

    /// gemmlowp with s > 31 (E > 0): its last rounding is ties away from zero, and its two
    /// roundings differ from one (M = 0.75·2^31, s = 32: acc·M/2^s = ±0.375 gives ±1, not 0).
    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test func gemmlowpWithPositiveExponent() {
        let accs: [Int128] = Array(-6...6)  // acc·2^31/2^33 = acc/4
        #expect(q(.gemmlowp, 1 << 31, 33, accs) == [-2, -1, -1, -1, -1, 0, 0, 0, 1, 1, 1, 1, 2])
        #expect(q(.halfUp, 1 << 31, 33, accs) == [-1, -1, -1, -1, 0, 0, 0, 0, 1, 1, 1, 1, 2])
        #expect(q(.halfEven, 1 << 31, 33, accs) == [-2, -1, -1, -1, 0, 0, 0, 0, 0, 1, 1, 1, 2])
        #expect(q(.gemmlowp, 3 << 29, 32, [-3, -2, -1, 1, 2, 3]) == [-1, -1, -1, 1, 1, 1])
        #expect(q(.halfUp, 3 << 29, 32, [-3, -2, -1, 1, 2, 3]) == [-1, -1, 0, 0, 1, 1])
    }

    /// s = 63 with M = 2^32 − 1, s = 0, and accumulators at ±2^62.
    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test func extremes() {
        let accs: [Int128] = [1 << 31, -(1 << 62), 1 << 62, 1]
        #expect(q(.floor, .max, 63, accs) == [0, -2_147_483_648, 2_147_483_647, 0])
        #expect(q(.halfUp, .max, 63, accs) == [1, -2_147_483_647, 2_147_483_648, 0])
        #expect(q(.halfEven, .max, 63, accs) == [1, -2_147_483_648, 2_147_483_648, 0])
        #expect(q(.gemmlowp, .max, 63, accs) == [1, -2_147_483_648, 2_147_483_648, 0])
        #expect(q(.float32, (1 << 24) - 1, 63, accs) == [0, -8_388_608, 8_388_608, 0])
        #expect(q(.gemmlowp, .max, 0, [1, -1, 1 << 31]) == [4_294_967_295, -4_294_967_295, 9_223_372_034_707_292_160])
        #expect(q(.halfEven, 7, 0, [5, -5]) == [35, -35])
    }

    /// float32 near M = 2^24: acc = 2^24 + 1 rounds to 2^24 first (a tie, to even), then
    /// a·M/2^s = 2^24 − 1 exactly, where one exact rounding gives 2^24; a product of 26 bits
    /// loses its low bits in b.
    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test func float32ThreeRoundings() {
        let m: UInt32 = (1 << 24) - 1
        let accs: [Int128] = [(1 << 24) + 1, -((1 << 24) + 1), (1 << 24) + 3, 1 << 24]
        #expect(q(.float32, m, 24, accs) == [16_777_215, -16_777_215, 16_777_218, 16_777_215])
        #expect(q(.halfEven, m, 24, accs) == [16_777_216, -16_777_216, 16_777_218, 16_777_215])
        #expect(q(.float32, m, 0, [3, -3, (1 << 40) + 1]) == [50_331_644, -50_331_644, 18_446_742_974_197_923_840])
        #expect(q(.float32, 5, 0, [(1 << 22) + 1, (1 << 23) + 1]) == [20_971_524, 41_943_044])
    }

    /// clamp with cl = ch pins every output; relu and clamp together take the larger low end.
    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test func clampAndRelu() throws {
        func layer(_ relu: Bool, _ clamp: ClosedRange<Int64>?, zy: Int32, _ type: ActivationType = .int8) -> QuantizedModel {
            var m = oneLayer(weights: [1], inF: 1, m: [1], s: [0], rounding: .halfEven, relu: relu, zy: zy, outType: type)
            m.layers[0].clamp = clamp
            return m
        }
        let xs: [[Int32]] = (-128...127).map { [$0] }
        #expect(try outputs(layer(false, 7...7, zy: 0), xs) == xs.map { _ in [7] })
        // relu at zy = 10 and clamp [−5, 20]: lo = 10, hi = 20 (q = x, y = 10 + x).
        #expect(try outputs(layer(true, -5...20, zy: 10), xs) == xs.map { [min(max(10 + $0[0], 10), 20)] })
        // clamp above relu's zero point: lo = cl = 15.
        #expect(try outputs(layer(true, 15...30, zy: 10), xs) == xs.map { [min(max(10 + $0[0], 15), 30)] })
        // uint8 with a clamp wider than the type: only the type's range applies.
        #expect(try outputs(layer(false, -1000...1000, zy: 128, .uint8), xs) == xs.map { [min(max(128 + $0[0], 0), 255)] })
    }

    /// Every mode through whole layers, fast simulator versus reference (the `outputs` helper
    /// checks every kernel), on ties from M = 1 and from powers of two.
    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test func layersAtTies() throws {
        let xs: [[Int32]] = (-128...127).map { [$0] }
        for mode in Rounding.allCases {
            for (m, s): (UInt32, UInt8) in [(1, 1), (1, 2), (1 << 23, 24), (1 << 31, 33), (3 << 22, 26), (1, 0), (5, 3)]
                where mode != .float32 || m < 1 << 24 {
                let got = try outputs(oneLayer(weights: [1, -1], inF: 1, bias: [0, 1], m: [m], s: [s], rounding: mode), xs)
                let expected = xs.map { x in [0, 1].map { o -> Int32 in
                    let acc = Int128(o == 0 ? x[0] : 1 - x[0])
                    return Int32(min(max(ReferenceSimulator.scale(acc, multiplier: m, shift: Int(s), rounding: mode), -128), 127))
                } }
                #expect(got == expected, "\(mode) M \(m) s \(s)")
            }
        }
    }

    /// The fast requantizer against the reference on random accumulators, M, s, zero points
    /// and clamps, through its 64-bit path (bound = |acc|) and its 128-bit path (bound = 2^63 − 1).
    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test func requantizerEqualsReference() {
        var g = SplitMix64(seed: 2024)
        for round in 0..<60_000 {
            let mode = Rounding.allCases[round % Rounding.allCases.count]
            let s = UInt8.random(in: 0...63, using: &g)
            let top: UInt32 = mode == .float32 ? (1 << 24) - 1 : .max
            let m: UInt32 = switch Int.random(in: 0..<4, using: &g) {
            case 0: UInt32(1) << UInt32.random(in: 0...(mode == .float32 ? 23 : 31), using: &g)
            case 1: top
            default: UInt32.random(in: 1...top, using: &g)
            }
            let acc: Int64 = switch Int.random(in: 0..<5, using: &g) {
            case 0: Int64.random(in: -1000...1000, using: &g)
            case 1: Int64.random(in: -(1 << 40)...(1 << 40), using: &g)
            case 2: [Int64.min + 1, Int64.max, -(1 << 62), 1 << 62, 0, 1, -1].randomElement(using: &g)!
            case 3: Int64.random(in: -(1 << 62)...(1 << 62), using: &g)
            // Near q = k + 1/2 for a power-of-two M: exact ties.
            default: (Int64.random(in: -300...300, using: &g) << max(0, Int64(s) - 1)) >> min(31, Int64(m.trailingZeroBitCount))
            }
            let type: ActivationType = Bool.random(using: &g) ? .int8 : .uint8
            var l = DenseLayer(outFeatures: 1, inFeatures: 1, weight: [1], multiplier: [m], shift: [s], rounding: mode,
                               relu: Bool.random(using: &g), outputZero: Int32.random(in: type.min...type.max, using: &g),
                               outputType: type)
            if Bool.random(using: &g) {
                let c = Int64.random(in: Int64(l.outputLow)...Int64(l.outputHigh), using: &g)
                l.clamp = c...Int64.random(in: c...300, using: &g)
            }
            let expected = ReferenceSimulator.requantize(acc: Int128(acc), layer: l, channel: 0)
            let narrow = Requantizer(l, bounds: [acc.magnitude > UInt64(Int64.max) ? .max : abs(acc)])
            let wide = Requantizer(l, bounds: [.max])
            // A bound of 2^63 − 1 times M ≥ 2 cannot be proven in 64 bits: the 128-bit path runs
            // (float32 needs no product).
            #expect(wide.anyWide == (mode != .float32 && m >= 2) || m == 1)
            #expect(narrow.requantize(acc, 0) == expected, "\(mode) acc \(acc) M \(m) s \(s) zy \(l.outputZero)")
            #expect(wide.requantize(acc, 0) == expected, "\(mode) acc \(acc) M \(m) s \(s) zy \(l.outputZero) (wide)")
        }
    }
}
