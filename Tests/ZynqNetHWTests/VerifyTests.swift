import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetModel
import ZynqNetRTLSim
import ZynqNetSim

/// Co-simulation of whole generated designs (Verilator, the C++ harness) against the simulator:
/// random models that cover the spec's corners, the golden fixtures, a real trained model.
/// Builds are cached under .build/zynqnet-test/verilator (and by ccache).
@Suite(.tags(.verilator), .serialized) struct VerifyTests {
    static let fixtures = fixturesRoot

    func verify(_ model: QuantizedModel, fold: FoldFile? = nil, fps: Double? = nil, style: MulStyle = .packed,
                images: [[UInt8]], seed: UInt64, tlastError: Int? = nil, packet: Int = 3) throws -> (VerifyReport, GeneratedDesign) {
        var opts = CodegenOptions()
        opts.mulStyle = style
        if let fold { opts.fold = .file(fold, name: "test-fold") }
        if let fps { opts.fold = .targetFPS(fps) }
        let design = try generateDesign(model: model, options: opts)
        var vo = VerifyOptions(buildRoot: scratch("verilator"))
        vo.seed = seed
        vo.tlastErrorImage = tlastError
        vo.packetImages = packet
        vo.optimize = false
        let r = try Verify.run(design: design, model: model, images: images, options: vo)
        for m in r.messages { print("verify: \(m)") }
        // The design's timing model (PipelineTiming, written into report.json and manifest.json)
        // must give exactly what the RTL does: latency always, II when ≥ 3 timing images ran.
        #expect(r.latencyCycles == design.latencyCycles, "latency: RTL \(r.latencyCycles), model \(design.latencyCycles)")
        if min(vo.timingImages, images.count) >= 3 {
            #expect(r.iiCycles == design.iiCycles, "II: RTL \(r.iiCycles), design \(design.iiCycles)")
        }
        return (r, design)
    }

    /// The two references agree: the fast simulator (verify's reference) and the Int128 spec reference.
    func crossCheck(_ model: QuantizedModel, _ images: [[UInt8]]) throws {
        let codes = try InputCodes(type: model.input.type, width: model.inputCount, bytes: images.flatMap { $0 })
        let sim = try Simulator(model: model).run(codes)
        let ref = try ReferenceSimulator(model: model).run(codes)
        for i in images.indices {
            #expect(Array(ref.output(i)) == Array(sim.output(i)) && ref.predictions[i] == sim.predictions[i], "image \(i): references disagree")
        }
    }

    @Test func smallTwoLayerModel() throws {
        var rng = SplitMix64(seed: 7)
        let m = randomModel(dims: [20, 6, 3], inputSigned: false, outSigned: [false, true], rounding: [.floor, .halfUp],
                            relu: [true, false], rng: &rng)
        let imgs = randomImages(12, pixels: 20, rng: &rng)
        try crossCheck(m, imgs)
        let fold = FoldFile(layers: [FoldFileLayer(pe: 2, simd: 5), FoldFileLayer(pe: 3, simd: 2)])
        let (r, d) = try verify(m, fold: fold, images: imgs, seed: 3)
        #expect(r.passed)
        #expect(r.mismatches == 0 && r.readbackMismatches == 0)
        #expect(r.images == 12 + 6)
        // Layer 0 needs (20/5)·(6/2) = 12 cycles an image: the measured II is that.
        #expect(d.iiCycles == 12)
        #expect(r.iiCycles == 12)
        // Layer 1 yields 3 codes every SF = 3 cycles: the tree argmax.
        #expect(d.files["rtl/zynqnet_accel.v"]?.contains(".ARGMAX_SERIAL(0)") == true)
        #expect(r.latencyCycles > 12 && r.latencyCycles < 200)
    }

    /// A model in one of format 2's roundings (every layer), with a clamp on layer 0 (relu too) and
    /// a single-value clamp on layer 1; float32's M < 2^24 (M >> 8, s - 8).
    static func format2Model(_ mode: Rounding, seed: UInt64, inputs: Int = 20) -> (QuantizedModel, [[UInt8]]) {
        var rng = SplitMix64(seed: seed)
        var m = randomModel(dims: [inputs, 8, 4], inputSigned: false, outSigned: [false, true], rounding: [mode, mode],
                            relu: [true, false], rng: &rng)
        for i in m.layers.indices where mode == .float32 {
            m.layers[i].multiplier = m.layers[i].multiplier.map { $0 >> 8 }
            m.layers[i].shift = m.layers[i].shift.map { $0 >= 8 ? $0 - 8 : 0 }
        }
        m.layers[0].clamp = 10...200
        m.layers[1].clamp = -60...90
        return (m, randomImages(16, pixels: inputs, rng: &rng))
    }

    /// Format 2's roundings and clamp end to end in the dataflow engine: the generated design
    /// (zn_requant with the layer's mode built; layer 0 zn_requant_serial where it keeps up: 120
    /// cycles a word, except float32's three passes, 299) against the
    /// simulator, bit for bit, with the exact II and latency of the timing model.
    @Test(arguments: [Rounding.halfEven, .gemmlowp, .float32])
    func format2RoundingDataflow(_ mode: Rounding) throws {
        let (m, imgs) = Self.format2Model(mode, seed: 70 + UInt64(RegisterMap.roundingCode(mode)), inputs: 120)
        try m.validate()
        try crossCheck(m, imgs)
        let fold = FoldFile(layers: [FoldFileLayer(pe: 1, simd: 1), FoldFileLayer(pe: 2, simd: 2)])
        let (r, d) = try verify(m, fold: fold, images: imgs, seed: 5)
        #expect(r.passed && r.mismatches == 0 && r.readbackMismatches == 0)
        let top = d.files["rtl/zynqnet_accel.v"] ?? ""
        let bit = 3 | (1 << Int(RegisterMap.roundingCode(mode)))
        #expect(top.contains(".ROUNDINGS(\(bit))"))
        // float32's serial requantizer takes 299 cycles a word (> SF 120): pipelined; the others serial.
        #expect(d.requantStyles == [mode == .float32 ? .pipelined : .serial, .pipelined])
    }

    /// float32 in the dataflow engine's serial requantizer: layer 0 with SF = 300 >= its 299
    /// cycles a word (three passes) takes it automatically.
    @Test func format2Float32SerialDataflow() throws {
        let (m, imgs) = Self.format2Model(.float32, seed: 75, inputs: 300)
        try crossCheck(m, imgs)
        let fold = FoldFile(layers: [FoldFileLayer(pe: 1, simd: 1), FoldFileLayer(pe: 2, simd: 2)])
        let (r, d) = try verify(m, fold: fold, images: imgs, seed: 7)
        #expect(d.requantStyles == [.serial, .pipelined])
        #expect((d.files["rtl/zynqnet_accel.v"] ?? "").contains("zn_requant_serial #("))
        #expect(r.passed && r.mismatches == 0 && r.readbackMismatches == 0)
    }

    /// The same in the sequential engine (its serial requantizer builds every mode; float32 with
    /// three passes a word), float32 on 200 images with 30 % TVALID gaps and TREADY stalls.
    @Test(arguments: [Rounding.halfEven, .gemmlowp, .float32])
    func format2RoundingSequential(_ mode: Rounding) throws {
        let (m, imgs) = Self.format2Model(mode, seed: 80 + UInt64(RegisterMap.roundingCode(mode)))
        var rng = SplitMix64(seed: 81)
        let many = mode == .float32 ? imgs + randomImages(200 - imgs.count, pixels: 20, rng: &rng) : Array(imgs.prefix(8))
        if mode == .float32 { try crossCheck(m, many) }
        let (r, d) = try verify(m, fold: .sequential, images: many, seed: 6)
        #expect(d.engine == .sequential)
        #expect(r.passed && r.mismatches == 0 && r.readbackMismatches == 0)
        #expect(r.inputImages == many.count && r.images >= many.count)
        if mode == .float32 { #expect((d.files["rtl/zynqnet_accel.v"] ?? "").contains(".ROUNDINGS(19)")) }
    }

    @Test func earlyTLASTSetsErrorAndImagesStillCount() throws {
        var rng = SplitMix64(seed: 7)
        let m = randomModel(dims: [20, 6, 3], inputSigned: false, outSigned: [false, true], rounding: [.floor, .halfUp],
                            relu: [true, false], rng: &rng)
        let imgs = randomImages(5, pixels: 20, rng: &rng)
        let fold = FoldFile(layers: [FoldFileLayer(pe: 2, simd: 5), FoldFileLayer(pe: 3, simd: 2)])
        // Image 2's first beat carries TLAST: STATUS.ERR_INPUT must be set, every output still exact.
        let (r, _) = try verify(m, fold: fold, images: imgs, seed: 4, tlastError: 2, packet: 1)
        #expect(r.passed)
        #expect(r.status & RegisterMap.STATUS_ERR_INPUT.mask != 0)
    }

    /// Every (input, output) signedness pair, both roundings, relu with non-zero zero points, and
    /// all three multiplier styles (packed with an odd PE), in one 4-layer network.
    @Test func signednessRoundingReluAndStyles() throws {
        var rng = SplitMix64(seed: 21)
        let m = randomModel(dims: [37, 12, 9, 6, 5], inputSigned: false, outSigned: [false, true, true, false],
                            rounding: [.floor, .halfUp, .floor, .halfUp], relu: [true, true, false, true], rng: &rng)
        let imgs = randomImages(10, pixels: 37, rng: &rng)
        try crossCheck(m, imgs)
        let fold = FoldFile(layers: [.init(pe: 3, simd: 37, mul_style: .packed), .init(pe: 3, simd: 4, lanes: 3, mul_style: .dsp),
                                     .init(pe: 3, simd: 9, mul_style: .lut), .init(pe: 5, simd: 2, lanes: 5)])
        let (r, _) = try verify(m, fold: fold, images: imgs, seed: 5)
        #expect(r.passed)
    }

    /// Extreme M (1, 2^32-1, 2^31), s (0, 1, 62, 63), int32 extreme biases, zero points at the
    /// ends of their ranges, int8 input.
    @Test func extremeQuantization() throws {
        var rng = SplitMix64(seed: 33)
        let m = randomModel(dims: [24, 16, 10], inputSigned: true, outSigned: [true, false], rounding: [.halfUp, .floor],
                            relu: [false, true], flavor: .extreme, rng: &rng)
        let imgs = randomImages(10, pixels: 24, rng: &rng)
        try crossCheck(m, imgs)
        let (r, _) = try verify(m, fold: FoldFile(layers: [.init(pe: 4, simd: 6), .init(pe: 10, simd: 16, lanes: 2)]),
                                images: imgs, seed: 6)
        #expect(r.passed)
    }

    /// zn_requant_serial in every layer (chosen automatically: SF covers its word time), PE 2 with
    /// one lane (two requantizer words a MAC word), both roundings, relu, extreme M/s/bias/zy;
    /// codegen's latency must equal the co-simulated one.
    @Test func serialRequantizers() throws {
        var rng = SplitMix64(seed: 55)
        let m = randomModel(dims: [210, 104, 4], inputSigned: true, outSigned: [false, true], rounding: [.halfUp, .floor],
                            relu: [true, false], flavor: .extreme, rng: &rng)
        let imgs = randomImages(4, pixels: 210, rng: &rng)
        try crossCheck(m, imgs)
        let fold = FoldFile(layers: [.init(pe: 2, simd: 1), .init(pe: 1, simd: 1)])
        let (r, d) = try verify(m, fold: fold, images: imgs, seed: 8, packet: 2)
        #expect(d.requantStyles == [.serial, .serial])
        // Layer 1 yields a code every 104 cycles: the serial argmax (its latency is in the model).
        #expect(d.files["rtl/zynqnet_accel.v"]?.contains(".ARGMAX_SERIAL(1)") == true)
        #expect(r.passed)
        #expect(r.mismatches == 0 && r.readbackMismatches == 0)
    }

    /// An explicit serial requantizer with 2 lanes next to a pipelined one (SF too short for
    /// serial), typical quantization with non-zero zero points.
    @Test func serialAndPipelinedRequantizers() throws {
        var rng = SplitMix64(seed: 66)
        let m = randomModel(dims: [200, 10, 3], inputSigned: false, outSigned: [true, false], rounding: [.floor, .halfUp],
                            relu: [true, true], rng: &rng)
        let imgs = randomImages(5, pixels: 200, rng: &rng)
        try crossCheck(m, imgs)
        let fold = FoldFile(layers: [.init(pe: 2, simd: 1, lanes: 2, requant: .serial), .init(pe: 1, simd: 1)])
        let (r, d) = try verify(m, fold: fold, images: imgs, seed: 9)
        #expect(d.requantStyles == [.serial, .pipelined])
        #expect(d.files["rtl/zynqnet_accel.v"]?.contains(".ARGMAX_SERIAL(1)") == true)
        #expect(r.passed)
    }

    /// Format 2's clamp in the RTL: the parameter image writes [lo, hi] with the clamp into
    /// L_CLAMP, and both requantizer styles clamp there (relu + clamp, cl = ch, a narrowed top).
    @Test func clampInBothRequantizers() throws {
        var rng = SplitMix64(seed: 67)
        var m = randomModel(dims: [200, 10, 3], inputSigned: false, outSigned: [true, false], rounding: [.floor, .halfUp],
                            relu: [true, false], rng: &rng)
        m.layers[0].clamp = Int64(m.layers[0].outputZero) - 40 ... Int64(m.layers[0].outputZero) + 30
        m.layers[1].clamp = 20...20
        try m.validate()
        let imgs = randomImages(5, pixels: 200, rng: &rng)
        try crossCheck(m, imgs)
        let fold = FoldFile(layers: [.init(pe: 2, simd: 1, lanes: 2, requant: .serial), .init(pe: 1, simd: 1)])
        let (r, d) = try verify(m, fold: fold, images: imgs, seed: 9)
        #expect(d.requantStyles == [.serial, .pipelined])
        #expect(r.passed && r.mismatches == 0)
        var m2 = m
        m2.layers[1].clamp = 0...120
        let (r2, _) = try verify(m2, images: imgs, seed: 10)
        #expect(r2.passed && r2.mismatches == 0)
    }

    /// The serial argmax where the last layer is the bottleneck at the edge of the automatic
    /// choice (a code every SF = 8·PE cycles, 20 classes = words of 8, 8 and 4 codes): the II
    /// stays the layer's, the latency is the model's. PE 4 with SF 24 < 32 gets the tree.
    @Test(arguments: [(1, 3, 1), (2, 1, 1), (4, 1, 0)])
    func serialArgmaxAtTheBottleneck(_ pe: Int, _ simd: Int, _ serial: Int) throws {
        var rng = SplitMix64(seed: 77)
        let m = randomModel(dims: [16, 24, 20], inputSigned: false, outSigned: [false, true], rounding: [.floor, .halfUp],
                            relu: [true, false], rng: &rng)
        let imgs = randomImages(8, pixels: 16, rng: &rng)
        let fold = FoldFile(layers: [.init(pe: 12, simd: 8), .init(pe: pe, simd: simd)])
        let (r, d) = try verify(m, fold: fold, images: imgs, seed: 13, packet: 2)
        #expect(r.passed)
        #expect(d.files["rtl/zynqnet_accel.v"]?.contains(".ARGMAX_SERIAL(\(serial))") == true)
        #expect(d.iiCycles == (24 / simd) * (20 / pe))
    }

    /// Layer widths from 1 to 2048.
    @Test func widthsOneTo2048() throws {
        var rng = SplitMix64(seed: 44)
        let m = randomModel(dims: [8, 2048, 1, 10], inputSigned: false, outSigned: [false, true, true],
                            rounding: [.floor, .halfUp, .floor], relu: [true, false, false], rng: &rng)
        let imgs = randomImages(3, pixels: 8, rng: &rng)
        try crossCheck(m, imgs)
        let fold = FoldFile(layers: [.init(pe: 16, simd: 8), .init(pe: 1, simd: 64), .init(pe: 2, simd: 1, mul_style: .dsp)])
        let (r, _) = try verify(m, fold: fold, images: imgs, seed: 7)
        #expect(r.passed)
    }

    /// Golden fixtures (their expected outputs come from an independent NumPy reference and match
    /// the simulator); folds vary the structure.
    @Test(arguments: [
        ("signs_ssu", 1), ("extreme_m_s63", 2), ("relu_zero_points", 0), ("deep_6", 1),
    ])
    func goldenFixture(_ name: String, _ variant: Int) throws {
        let dir = VerifyTests.fixtures.appendingPathComponent("golden")
        let model = try QuantizedModel.load(path: dir.appendingPathComponent("\(name).model.npz").path)
        let set = try ImageSet.load(path: dir.appendingPathComponent("\(name).images.npz").path)
        let codes = try InputQuantizer(model: model).quantize(set.images)
        let n = min(codes.count, 12)
        let imgs = (0..<n).map { Array(codes.bytes[($0 * codes.width)..<(($0 + 1) * codes.width)]) }
        // Variant 0: fastest fold; 1: one output row at a time; 2: a middle fold with DSP multipliers.
        var fold: FoldFile?
        if variant > 0 {
            fold = FoldFile(layers: model.layers.map { l in
                let pe = variant == 1 ? 1 : divisors(l.outFeatures).last { $0 <= max(1, l.outFeatures / 2) }!
                let simd = variant == 1 ? l.inFeatures : divisors(l.inFeatures).last { $0 <= max(1, l.inFeatures / 3) }!
                return FoldFileLayer(pe: pe, simd: simd, mul_style: variant == 2 ? .dsp : nil)
            })
        }
        let (r, _) = try verify(model, fold: fold, images: imgs, seed: UInt64(variant + 10))
        #expect(r.passed, "\(name): \(r.messages.prefix(3))")
    }

    /// The MNIST notebook's trained 784-128-10 model with the goal's fold (200,000 images/s at 100 MHz).
    @Test func realMNISTAtGoalThroughput() throws {
        let dir = VerifyTests.fixtures.appendingPathComponent("real")
        let model = try QuantizedModel.load(path: dir.appendingPathComponent("mnist_model.format1.npz").path)
        let set = try ImageSet.load(path: dir.appendingPathComponent("mnist_images.npz").path)
        let codes = try InputQuantizer(model: model).quantize(set.images)
        let imgs = (0..<8).map { Array(codes.bytes[($0 * codes.width)..<(($0 + 1) * codes.width)]) }
        let (r, d) = try verify(model, fps: 200_000, images: imgs, seed: 12)
        #expect(r.passed)
        #expect(d.iiCycles <= 500)
        #expect(r.iiCycles == d.iiCycles)
        print("mnist: II \(r.iiCycles), latency \(r.latencyCycles), \(Int(r.rtlCyclesPerSecond)) cycles/s")
    }
}
