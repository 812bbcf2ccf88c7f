import ZynqNetTestSupport
import CZynqNetDotKernels
import Testing
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel
@testable import ZynqNetSim

/// Every kernel against the Int128 reference, one test per kernel: a kernel this machine
/// lacks (CPU feature, OS state, AMX permission, or another architecture) is listed as
/// skipped by the run, never passed without running.
@Suite struct KernelsAgainstReference {
    @available(macOS 15.0, iOS 18.0, *)  // Int128 (ReferenceSimulator)
    @Test(.enabled(if: SimKernel.portable.isAvailable, "plain C, every machine"))
    func portable() throws { try Self.check(.portable) }

    @available(macOS 15.0, iOS 18.0, *)
    @Test(.enabled(if: SimKernel.sse2.isAvailable, "x86 only"))
    func sse2() throws { try Self.check(.sse2) }

    @available(macOS 15.0, iOS 18.0, *)
    @Test(.enabled(if: SimKernel.avx2.isAvailable, "needs AVX2 and the OS's ymm state"))
    func avx2() throws { try Self.check(.avx2) }

    @available(macOS 15.0, iOS 18.0, *)
    @Test(.enabled(if: SimKernel.avx512vnni.isAvailable, "needs AVX-512 F, BW, VL and VNNI with the OS's zmm state"))
    func avx512vnni() throws { try Self.check(.avx512vnni) }

    @available(macOS 15.0, iOS 18.0, *)
    @Test(.enabled(if: SimKernel.avxvnni.isAvailable, "needs AVX-VNNI (CPUID 7.1 EAX bit 4); its code also runs EVEX-encoded in Kernels"))
    func avxvnni() throws { try Self.check(.avxvnni) }

    @available(macOS 15.0, iOS 18.0, *)
    @Test(.enabled(if: SimKernel.amx.isAvailable, "needs AMX-TILE, AMX-INT8, XTILEDATA in XCR0 and Linux's arch_prctl permission"))
    func amx() throws { try Self.check(.amx) }

    /// The AMX kernel's very code (`dot8_amx` is one macro) on the strict software model of the
    /// tile unit (`CZK_AMX_MODEL`), so a machine without AMX runs it: the same models, and batches
    /// whose chunks (one thread: ⌈n/4⌉ images) are 16, 17 + 14, 31, 32 and 33 + 30 images, so the
    /// AMX path (16-image blocks) and its AVX-512 remainder both run; the 23-image batches
    /// (chunks of 3) run the remainder alone.
    @available(macOS 15.0, iOS 18.0, *)
    @Test(.enabled(if: czk_isa_available(Int32(CZK_AMX_MODEL)) != 0, "needs AVX-512 VNNI (the model's remainder kernel), x86-64"))
    func amxModel() throws {
        let before = czk_amx_model_dpbusd_count(1)
        try Self.check(.amx, isa: Int32(CZK_AMX_MODEL), batches: [64, 65, 124, 128, 129])
        #expect(czk_amx_model_dpbusd_count(1) > before, "the AMX path never ran")
    }

    @available(macOS 15.0, iOS 18.0, *)
    @Test(.enabled(if: SimKernel.neon.isAvailable, "ARM only (x86 hosts: CrossArch runs it under qemu)"))
    func neon() throws { try Self.check(.neon) }

    @available(macOS 15.0, iOS 18.0, *)
    @Test(.enabled(if: SimKernel.neondot.isAvailable, "aarch64 with sdot (HWCAP_ASIMDDP) only (x86 hosts: CrossArch runs it under qemu)"))
    func neondot() throws { try Self.check(.neondot) }

    /// Odd widths (not multiples of 4, 16 or 64, and 1), batches of 23 images (tiles of 6,
    /// 4 and 16 with remainders), every signedness of the input and of each layer's output,
    /// every rounding mode; then the longest block the proof allows at max |weights| and
    /// extreme inputs, and one input more (two blocks).
    /// `isa`: the C kernel to run in `kernel`'s place (the AMX model); `batches`: more batch sizes
    /// to run each model on, one thread, against the reference's outputs for the largest.
    @available(macOS 15.0, iOS 18.0, *)
    static func check(_ kernel: SimKernel, isa: Int32? = nil, batches: [Int] = []) throws {
        var g = SplitMix64(seed: 0x19)
        let types: [ActivationType] = [.uint8, .int8]
        let widths = [1, 3, 5, 15, 17, 63, 65, 129, 201, 784]
        var w = 0
        for inType in types {
            for type0 in types {
                for type1 in types {
                    for rounding in Rounding.allCases {
                        var model = randomModel(&g, layers: 2, maxWidth: 70, inWidth: widths[w % widths.count])
                        w += 1
                        model.input = InputSpec(shape: model.input.shape, type: inType, zero: inType.randomCode(&g), scale: 0.5)
                        for (i, t) in [type0, type1].enumerated() {
                            model.layers[i].outputType = t
                            model.layers[i].outputZero = t.randomCode(&g)
                            model.layers[i].rounding = rounding
                            // The clamp is checked on every kernel by SimulatorVersusReference; here
                            // it could fall outside the new output type.
                            model.layers[i].clamp = nil
                            if rounding == .float32 {  // its M is a 24-bit significand
                                model.layers[i].multiplier = model.layers[i].multiplier.map { Swift.max(1, $0 >> 8) }
                            }
                        }
                        let inputs = try randomCodes(&g, model: model, count: 23)
                        let reference = try ReferenceSimulator(model: model)
                        let sim = try Simulator(model: model, kernel: kernel, isa: isa ?? kernel.isa, threads: 2)
                        #expect(try sim.run(inputs) == reference.run(inputs), "\(kernel) \(inType) \(type0) \(type1) \(rounding)")
                        #expect(try sim.runLayers(inputs, image: 22) == reference.runLayers(inputs.image(22)), "\(kernel)")
                        if let most = batches.max() {
                            let one = try Simulator(model: model, kernel: kernel, isa: isa ?? kernel.isa, threads: 1)
                            let all = try randomCodes(&g, model: model, count: most)
                            let want = reference.run(all).outputs
                            for n in batches {
                                let part = try InputCodes(type: all.type, width: all.width, bytes: Array(all.bytes[0..<(n * all.width)]))
                                let got = try one.run(part)
                                #expect(got.outputs == Array(want[0..<(n * got.classes)]), "\(kernel) \(n) images \(inType) \(type0) \(type1) \(rounding)")
                            }
                        }
                    }
                }
            }
        }
        for inF in [65536, 65537] {
            for inType in types {
                let model = extremeModel(&g, inF: inF, inType: inType)
                let sim = try Simulator(model: model, kernel: kernel, isa: isa ?? kernel.isa, threads: 1)
                #expect(sim.plan[0].blocks == (inF == 65536 ? 1 : 2))
                let scale: Int64 = kernel.isEightBit && kernel != .neondot ? 255 : 128
                #expect(sim.plan[0].dotBound == scale * 128 * 65536, "\(kernel)")
                let t = inType
                let bytes = [UInt8](repeating: UInt8(truncatingIfNeeded: t.max), count: inF)
                    + [UInt8](repeating: UInt8(truncatingIfNeeded: t.min), count: inF)
                    + (0..<inF).map { _ in UInt8(truncatingIfNeeded: t.randomCode(&g)) }
                let inputs = try InputCodes(type: t, width: inF, bytes: bytes)
                #expect(try sim.run(inputs) == ReferenceSimulator(model: model).run(inputs), "\(kernel) in \(inF) \(t)")
            }
        }
    }

    /// One layer of `inF` inputs and 19 outputs: weights all −128, all +127, alternating, and
    /// random; zero point at the far end so |x − zx| reaches 255; per-channel shifts from 8 to 26
    /// so the outputs show different bits of the accumulator.
    static func extremeModel(_ g: inout SplitMix64, inF: Int, inType: ActivationType) -> QuantizedModel {
        let out = 19
        var weight = [Int8]()
        for o in 0..<out {
            for k in 0..<inF {
                switch o % 4 {
                case 0: weight.append(-128)
                case 1: weight.append(127)
                case 2: weight.append(k % 2 == 0 ? -128 : 127)
                default: weight.append(Int8.random(in: .min ... .max, using: &g))
                }
            }
        }
        let layer = DenseLayer(outFeatures: out, inFeatures: inF, weight: weight, bias: (0..<out).map { Int32($0 * 1000 - 9000) },
                               multiplier: (0..<out).map { _ in UInt32.random(in: (1 << 31)...UInt32.max, using: &g) },
                               shift: (0..<out).map { UInt8(40 + $0) }, rounding: .halfUp, relu: false,
                               outputZero: 3, outputType: .int8)
        return QuantizedModel(input: InputSpec(shape: [inF], type: inType, zero: inType == .uint8 ? 0 : -128, scale: 1),
                              layers: [layer])
    }
}
