import CZynqKernels
import Testing
import ZynqNetModel
@testable import ZynqNetSim

@Suite struct Kernels {
    /// Every kernel here computes the same int32 dot products as a plain loop, for tile
    /// remainders in both directions and extreme values.
    @Test func everyKernelMatchesAPlainLoop() {
        var g = SplitMix64(seed: 7)
        for _ in 0..<40 {
            let n = Int.random(in: 1...9, using: &g), outs = Int.random(in: 1...8, using: &g)
            let k = 16 * Int.random(in: 1...6, using: &g)
            let xStride = k + 16 * Int.random(in: 0...1, using: &g), wStride = k + 16 * Int.random(in: 0...1, using: &g)
            let x = (0..<(n * xStride)).map { _ in Int16.random(in: -128...127, using: &g) }
            let w = (0..<(outs * wStride)).map { _ in Int16([-128, 127, Int16.random(in: -128...127, using: &g)].randomElement(using: &g)!) }
            var expected = [Int32](repeating: 0, count: n * outs)
            for i in 0..<n {
                for o in 0..<outs {
                    var s: Int32 = 0
                    for j in 0..<k { s += Int32(x[i * xStride + j]) * Int32(w[o * wStride + j]) }
                    expected[i * outs + o] = s
                }
            }
            for kernel in SimKernel.allCases where kernel.isAvailable {
                var got = [Int32](repeating: -1, count: n * outs)
                czk_dot_block(kernel.isa, x, xStride, n, w, wStride, outs, k, &got, outs)
                #expect(got == expected, "\(kernel) n \(n) outs \(outs) k \(k)")
            }
        }
    }

    /// The largest block the simulator hands a kernel, 65536 products of −128·−128 = 2^30
    /// in total: no int32 overflow anywhere.
    @Test func longestBlockDoesNotOverflow() {
        let k = 65536
        let x = [Int16](repeating: -128, count: 5 * k), w = [Int16](repeating: -128, count: 4 * k)
        for kernel in SimKernel.allCases where kernel.isAvailable {
            var got = [Int32](repeating: 0, count: 20)
            czk_dot_block(kernel.isa, x, k, 5, w, k, 4, k, &got, 4)
            #expect(got == [Int32](repeating: 1 << 30, count: 20), "\(kernel)")
        }
    }

    @Test func thisMachineHasAVectorKernel() {
        #expect(SimKernel.portable.isAvailable)
        #if arch(x86_64)
        #expect(SimKernel.sse2.isAvailable)
        #expect(SimKernel.best != .portable)
        #endif
    }

    /// The 128-bit requantization step against Int128, on values that carry between the
    /// words, at every shift.
    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test func wideShiftMatchesInt128() {
        var g = SplitMix64(seed: 11)
        for round in 0..<20_000 {
            let acc: Int64 = switch round % 4 {
            case 0: Int64.random(in: -(1 << 40)...(1 << 40), using: &g)
            case 1: Int64.random(in: -(1 << 33)...(1 << 33), using: &g)
            case 2: [Int64(Int32.min) - 65280, Int64(Int32.max) + 64770, -1, 0, 1].randomElement(using: &g)!
            default: Int64.random(in: -100_000...100_000, using: &g)
            }
            let m = Int64(UInt32.random(in: 1...UInt32.max, using: &g))
            let s = Int64.random(in: 0...63, using: &g)
            let r: Int64 = Bool.random(using: &g) && s >= 1 ? 1 << (s - 1) : 0
            let exact = (Int128(acc) * Int128(m) + Int128(r)) >> s  // >> on Int128 is floor
            // The saturation limit: 1024, or gemmlowp's (1024 + 1)·2^E for its first step.
            let limit: Int64 = round % 3 == 0 ? 1025 << Int64.random(in: 1...32, using: &g) : 1024
            let expected = Int64(min(max(exact, Int128(-limit)), Int128(limit)))
            #expect(Requantizer.wideShift(acc, m, r, s, limit: limit) == expected, "acc \(acc) m \(m) r \(r) s \(s)")
        }
    }

    /// in > 65536: the dot product is cut into blocks summed in Int64; and the proof sends
    /// channels with Int32.max biases and M = 2^32 − 1 to the 128-bit path.
    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test func longRowsAndWidePaths() throws {
        var g = SplitMix64(seed: 3)
        let inF = 70_001
        let weight = (0..<(2 * inF)).map { _ in Int8.random(in: .min ... .max, using: &g) }
        let layer = DenseLayer(outFeatures: 2, inFeatures: inF, weight: weight, bias: [.max, -5],
                               multiplier: [UInt32.max, 1 << 30], shift: [63, 40], rounding: .halfUp, relu: false,
                               outputZero: 3, outputType: .int8)
        let model = QuantizedModel(input: InputSpec(shape: [inF], type: .uint8, zero: 17, scale: 1), layers: [layer])
        let sim = try Simulator(model: model)
        #expect(sim.plan[0].blocks == 2)
        #expect(sim.plan[0].wideChannels == 1)
        let inputs = try randomCodes(&g, model: model, count: 3)
        #expect(try sim.run(inputs) == ReferenceSimulator(model: model).run(inputs))
    }
}
