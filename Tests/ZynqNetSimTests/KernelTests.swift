import Foundation
import ZynqNetTestSupport
import CZynqNetDotKernels
import Testing
import ZynqNetBase
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
            for kernel in SimKernel.allCases where kernel.isAvailable && !kernel.isEightBit {
                var got = [Int32](repeating: -1, count: n * outs)
                czk_dot_block(kernel.isa, x, xStride, n, w, wStride, outs, k, &got, outs)
                #expect(got == expected, "\(kernel) n \(n) outs \(outs) k \(k)")
            }
        }
    }

    /// The 8-bit kernels (and the portable 8-bit fallback, the AVX-VNNI code EVEX-encoded and the
    /// AMX code on the tile unit's model) on uint8 activations u = x̃ + 128 and packed int8 weights give the same sums as a plain
    /// loop on x̃, for k not a multiple of 4, 16 or 64, up to 40 images and 70 outputs.
    @Test func eightBitKernelsMatchAPlainLoop() {
        var g = SplitMix64(seed: 8)
        let isas = SimKernel.allCases.filter { $0.isEightBit && $0.isAvailable }.map(\.isa)
            + [Int32(CZK_PORTABLE)] + Self.twins
        for _ in 0..<30 {
            let n = Int.random(in: 1...40, using: &g), outs = Int.random(in: 1...70, using: &g)
            let k = Int.random(in: 1...300, using: &g)
            let xStride = k + Int.random(in: 0...5, using: &g), wStride = k + Int.random(in: 0...3, using: &g)
            let u = (0..<(n * xStride)).map { _ in [0, 255, UInt8.random(in: 0...255, using: &g)].randomElement(using: &g)! }
            let w = (0..<(outs * wStride)).map { _ in [-128, 127, Int8.random(in: -128...127, using: &g)].randomElement(using: &g)! }
            var expected = [Int32](repeating: 0, count: n * outs)
            for i in 0..<n {
                for o in 0..<outs {
                    var s: Int32 = 0
                    for j in 0..<k { s += (Int32(u[i * xStride + j]) - 128) * Int32(w[o * wStride + j]) }
                    expected[i * outs + o] = s
                }
            }
            var packed = [Int8](repeating: 0, count: czk_pack8_size(outs, k))
            var corr = [Int32](repeating: 0, count: czk_pack8_corr_count(outs))
            czk_pack8(w, wStride, outs, k, &packed, &corr)
            for isa in isas {
                var got = [Int32](repeating: -1, count: n * outs)
                czk_dot8(isa, u, xStride, n, packed, corr, outs, k, &got, outs)
                #expect(got == expected, "isa \(isa) n \(n) outs \(outs) k \(k)")
            }
        }
    }

    /// The test-only twins of kernels this machine may lack, where they run: the AVX-VNNI code
    /// EVEX-encoded, and the AMX code on the software model of the tile unit.
    static var twins: [Int32] {
        [Int32(CZK_AVXVNNI_EVEX), Int32(CZK_AMX_MODEL)].filter { czk_isa_available($0) != 0 }
    }

    /// The longest block for the 8-bit kernels: 65536 inputs at u = 255 or 0 against weights
    /// −128 or 127, 17 images (255, 0, 255, …: one 16-image AMX block and a remainder). The
    /// uint8 × int8 partial sum reaches 255·(−128)·65536 = −2 139 095 040, just inside int32 (no
    /// wrap, no saturation); the results are the exact x̃·w sums.
    @Test func longestEightBitBlockIsExact() {
        let k = 65536, n = 17
        let u = (0..<n).flatMap { [UInt8](repeating: $0 % 2 == 0 ? 255 : 0, count: k) }
        let w = [Int8](repeating: -128, count: k) + [Int8](repeating: 127, count: k)
        var packed = [Int8](repeating: 0, count: czk_pack8_size(2, k))
        var corr = [Int32](repeating: 0, count: czk_pack8_corr_count(2))
        czk_pack8(w, k, 2, k, &packed, &corr)
        #expect(corr[0] == -(1 << 30) && corr[1] == 128 * 127 * 65536)
        let isas = SimKernel.allCases.filter { $0.isEightBit && $0.isAvailable }.map(\.isa) + [Int32(CZK_PORTABLE)] + Self.twins
        // 127·−128, 127·127 (u = 255), −128·−128, −128·127 (u = 0), ×65536
        let even: [Int32] = [-1_065_353_216, 1_057_030_144], odd: [Int32] = [1_073_741_824, -1_065_353_216]
        let expected = (0..<n).flatMap { $0 % 2 == 0 ? even : odd }
        for isa in isas {
            var got = [Int32](repeating: 0, count: 2 * n)
            czk_dot8(isa, u, k, n, packed, corr, 2, k, &got, 2)
            #expect(got == expected, "isa \(isa)")
        }
    }

    /// `czk_requant` (the C requantization of layers proven narrow, vector with AVX-512, scalar
    /// otherwise) equals `PackedLayer.requantize` on every channel, for accumulators across the
    /// proven range, for the three output forms.
    @Test func fastRequantizationEqualsRequantize() throws {
        var g = SplitMix64(seed: 21)
        var layers = 0
        while layers < 40 {
            let model = randomModel(&g, layers: 1, maxWidth: 37)
            let l = model.layers[0]
            let p = try PackedLayer(l, inputShape: model.input.shape, inputZero: model.input.zero, inputType: model.input.type)
            // czk_requant serves the layers fastRequant admits (floor/half_up, every channel narrow).
            guard p.fastRequant else { continue }
            let r = p.requantizer
            layers += 1
            let n = 5
            let bound = Int(min(p.plan.accumulatorBound, 1 << 31 - 1))
            // |bias + acc| stays within the proven bound A: acc in ±(A − max|bias|).
            let room = max(0, bound - Int(p.biasAdj.map { abs($0) }.max()!))
            let acc = (0..<(n * p.out)).map { _ in Int32(clamping: Int.random(in: -room...room, using: &g)) }
            var expected = [Int32]()
            for i in 0..<n { for o in 0..<p.out { expected.append(p.requantize(p.biasAdj[o] + Int64(acc[i * p.out + o]), o)) } }
            let q = p.requantizer
            for kernel in [SimKernel.portable, .avx2, .avxvnni, .avx512vnni] where kernel.isAvailable {
                var out32 = [Int32](repeating: 7, count: n * p.out)
                czk_requant(kernel.isa, acc, n, p.out, p.biasAdj, r.multiplier, r.roundAdd, r.shift, r.zero, r.lo, r.hi,
                            Int32(CZK_OUT_I32), &out32, p.out, 0)
                #expect(out32 == expected, "\(kernel) int32")
                var out8 = [UInt8](repeating: 7, count: n * p.out)
                czk_requant(kernel.isa, acc, n, p.out, p.biasAdj, r.multiplier, r.roundAdd, r.shift, r.zero, r.lo, r.hi,
                            Int32(CZK_OUT_U8), &out8, p.out, 128 - p.outOffset)
                #expect(out8 == expected.map { UInt8(truncatingIfNeeded: $0 + 128 - p.outOffset) }, "\(kernel) u8")
                let stride = p.out + 3
                var out16 = [Int16](repeating: 7, count: n * stride)
                czk_requant(kernel.isa, acc, n, p.out, p.biasAdj, r.multiplier, r.roundAdd, r.shift, r.zero, r.lo, r.hi,
                            Int32(CZK_OUT_I16), &out16, stride, -p.outOffset)
                var want16 = [Int16]()
                for i in 0..<n {
                    for o in 0..<p.out { want16.append(Int16(expected[i * p.out + o] - p.outOffset)) }
                    want16 += [0, 0, 0]
                }
                #expect(out16 == want16, "\(kernel) int16")
            }
        }
    }

    /// ZYNQNET_ISA: unset or empty is the best kernel; a name forces it; an unknown name or
    /// one this CPU lacks is one error naming the variable and the valid/available values.
    @Test func environmentForcesAKernel() throws {
        #expect(try SimKernel.fromEnvironment([:]) == SimKernel.best)
        #expect(try SimKernel.fromEnvironment(["ZYNQNET_ISA": ""]) == SimKernel.best)
        #expect(try SimKernel.fromEnvironment(["ZYNQNET_ISA": "portable"]) == .portable)
        let here = "available here: " + SimKernel.available.map(\.rawValue).joined(separator: ", ")
        #expect(throws: ZynqError(key: "ZYNQNET_ISA", "unknown kernel 'avx9' (valid: portable, sse2, avx2, avx512vnni, avxvnni, amx, neon, neondot; \(here))")) {
            try SimKernel.fromEnvironment(["ZYNQNET_ISA": "avx9"])
        }
        let missing = try #require(SimKernel.allCases.first { !$0.isAvailable })
        #expect(throws: ZynqError(key: "ZYNQNET_ISA", "the \(missing.rawValue) kernel is not available on this CPU (\(here))")) {
            try SimKernel.fromEnvironment(["ZYNQNET_ISA": missing.rawValue])
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

    /// The cpuid/xgetbv detection agrees with the kernel's own view (/proc/cpuinfo flags, which
    /// list only what the kernel enabled): AMX also needs the arch_prctl permission, so it
    /// may be missing when the flags are there, never the other way round.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/cpuinfo"), "Linux only"))
    func detectionAgreesWithProcCpuinfo() throws {
        let text = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("flags") || $0.hasPrefix("Features") })
        let flags = Set(line.split(separator: ":")[1].split(separator: " ").map(String.init))
        #if arch(x86_64)
        #expect(SimKernel.avx2.isAvailable == flags.contains("avx2"))
        #expect(SimKernel.avx512vnni.isAvailable == flags.isSuperset(of: ["avx2", "avx512f", "avx512bw", "avx512vl", "avx512_vnni"]))
        #expect(SimKernel.avxvnni.isAvailable == flags.isSuperset(of: ["avx2", "avx_vnni"]))
        if SimKernel.amx.isAvailable { #expect(flags.isSuperset(of: ["amx_tile", "amx_int8", "avx512_vnni"])) }
        #elseif arch(arm64)
        #expect(SimKernel.neondot.isAvailable == flags.contains("asimddp"))
        #endif
    }

    /// The default kernel: AMX exactly when the CPU and OS offer it and it passed its one-time
    /// self-check; otherwise the fastest of the rest, and the check did not run (no AMX) or
    /// failed with a reason. On this Zen 4 machine (AVX-512 VNNI, no AMX): avx512vnni, not run.
    @Test func thisMachineHasAVectorKernel() {
        #expect(SimKernel.portable.isAvailable)
        #if arch(x86_64)
        #expect(SimKernel.sse2.isAvailable)
        #expect(SimKernel.best != .portable)
        #expect(!SimKernel.neon.isAvailable && !SimKernel.neondot.isAvailable)
        #endif
        let rest = [SimKernel.avx512vnni, .avxvnni, .avx2, .neondot, .neon, .sse2].first { $0.isAvailable } ?? .portable
        let check = SimKernel.amxCheck
        if !SimKernel.amx.isAvailable {
            #expect(check == .notRun)
            #expect(SimKernel.best == rest)
            #expect(SimKernel.bestNote == nil)
        } else if check == .passed {
            #expect(SimKernel.best == .amx)
        } else {
            #expect(SimKernel.best == .avx512vnni)
            guard case .failed(let reason) = check else { Issue.record("AMX here but its check did not run"); return }
            #expect(!reason.isEmpty)
            #expect(SimKernel.bestNote == "AMX failed its self-check (\(reason)), so avx512vnni was chosen")
        }
        if SimKernel.avx512vnni.isAvailable && !SimKernel.amx.isAvailable { #expect(SimKernel.best == .avx512vnni) }
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
