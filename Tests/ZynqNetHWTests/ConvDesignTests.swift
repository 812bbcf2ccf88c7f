import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetModel
import ZynqNetRTLSim
import ZynqNetSim

/// conv2d and maxpool2d layers in hardware: the topology, folding and the generated top
/// (zn_swu → zn_mvau → requantizer, zn_maxpool), co-simulated bit-exact against the simulator.
@Suite struct ConvTopologyTests {
    static func fixture(_ name: String) throws -> QuantizedModel {
        try QuantizedModel.load(path: fixturePath("golden/\(name).model.npz"))
    }

    /// The Fashion CNN's topology: kinds and windows per layer, the codes between them, the
    /// version-2 encoding (a dense-only topology keeps version 1 and its hash).
    @Test func fashionCNNTopology() throws {
        let t = try Topology(model: try Self.fixture("cnn_fmnist"))
        #expect(t.layers.map(\.kind.code) == [1, 2, 1, 2, 0])
        #expect(t.layers.map(\.inCount) == [9, 8, 72, 16, 400])
        #expect(t.layers.map(\.outCount) == [8, 8, 16, 16, 10])
        #expect(t.layers.map(\.imageOutCodes) == [26 * 26 * 8, 13 * 13 * 8, 11 * 11 * 16, 5 * 5 * 16, 10])
        #expect(t.layers[2].window == WindowShape(h: 13, w: 13, c: 8, kh: 3, kw: 3))
        #expect(t.outputCount == 10 && t.inputCount == 784 && t.inputPadZero == nil)
        // L_LANES carries the kind (register map 1.1): lanes in [15:0], KIND in [17:16].
        #expect(RegisterMap.lanesWord(t.layers[1], LayerFold(pe: 8, simd: 8, lanes: 8)) == 0x0002_0008)
        #expect(RegisterMap.lanesWord(t.layers[0], LayerFold(pe: 8, simd: 1, lanes: 2)) == 0x0001_0002)
        #expect(RegisterMap.L_LANES_KIND.extract(RegisterMap.lanesWord(t.layers[4], LayerFold(pe: 1, simd: 1, lanes: 1))) == 0)
        #expect(Array(t.canonicalBytes[4..<8]) == [2, 0, 0, 0])
        let dense = Topology(inputCount: 4, inputSigned: false, layers: [LayerTopology(inCount: 4, outCount: 2, inSigned: false, outSigned: false, multBits: 32)])
        #expect(Array(dense.canonicalBytes[4..<8]) == [1, 0, 0, 0])
        // A different window (stride) is a different hash.
        var other = t
        other.layers[1].kind = .maxpool(WindowShape(h: 26, w: 26, c: 8, kh: 2, kw: 2, sh: 1, sw: 1))
        #expect(other.hash != t.hash)
    }

    /// A conv2d fed by the input (through max-pools only) pads with the input zero point, a
    /// constant of the design (part of the hash); later ones pad with a runtime L_ZERO.
    @Test func inputPadZero() throws {
        let m = try Self.fixture("cnn_pool_first")
        let t = try Topology(model: m)
        #expect(t.inputPadZero == -17)
        var shifted = m
        shifted.input.zero = -16
        #expect(try Topology(model: shifted).hash != t.hash)
        let d = try generateDesign(model: m, options: CodegenOptions())
        #expect(d.files["rtl/zynqnet_accel.v"]!.contains(".zero(8'hEF)"))
        let floor = try generateDesign(model: try Self.fixture("cnn_floor"), options: CodegenOptions())
        // cnn_floor's layer 0 pads (the input zero point), layer 2 has no padding but its swu pads with layer 0's L_ZERO.
        #expect(try Topology(model: try Self.fixture("cnn_floor")).inputPadZero == -39)
        #expect(floor.files["rtl/zynqnet_accel.v"]!.contains(".zero(l_zero[7:0])"))
        // A design built for one input zero point refuses a model with another, naming input.zero.
        #expect(throws: ZynqError(key: "input.zero", "the design pads its first conv2d layer with -17, the model's input zero point is -16")) {
            try ParameterImage(model: shifted, layout: d.layout)
        }
    }

    /// The cycles of conv and pool layers (zn_swu's steady state from WindowTiming, the MAC array's
    /// positions · SF · NF) and the II of the fastest Fashion CNN fold: layer 0 has one input
    /// channel, so its zn_swu hands out the whole 3×3 patch a cycle (SIMD 9 = PAR 9 · C); the II
    /// is then its 28·28 input words (at SIMD 1 it was 676 positions · 9 words + 56 = 6,140).
    @Test func fashionCNNFolding() throws {
        let m = try Self.fixture("cnn_fmnist")
        let d = try generateDesign(model: m, options: CodegenOptions())
        #expect(d.layout.folds[0].simd == 9)
        #expect(d.layout.cycles(layer: 0) == 784)
        #expect(d.iiCycles == 784)
        #expect(LayerCycles.cycles(d.layout.topology.layers[0], LayerFold(pe: 8, simd: 1, lanes: 8)) == 6140)
        let t = d.layout.topology
        #expect(LayerCycles.cycles(t.layers[2], LayerFold(pe: 1, simd: 1, lanes: 1)) == 121 * 72 * 16)
        // Pool 2 stride 2 does not overlap: zn_maxpool_row takes the 26×26 input words of 8 codes, a word a cycle.
        #expect(LayerCycles.cycles(t.layers[1], LayerFold(pe: 8, simd: 8, lanes: 8)) == 26 * 26)
        #expect(d.files["rtl/zynqnet_accel.v"]!.contains("zn_maxpool_row #(.H(26), .W(26), .C(8), .KH(2), .KW(2), .SH(2), .SW(2)"))
        // --target-fps picks folds reaching the II.
        var o = CodegenOptions()
        o.fold = .targetFPS(5_000)
        let slow = try generateDesign(model: m, options: o)
        #expect(slow.iiCycles <= 20_000 && slow.iiCycles > 6140)
        #expect(slow.estimate.lut < d.estimate.lut)
        // 100,000 images/s (II 1,000) needs PAR in layer 0; the cheapest folds reaching it.
        o.fold = .targetFPS(100_000)
        let fast = try generateDesign(model: m, options: o)
        #expect(fast.iiCycles == 1000)
        #expect(fast.layout.folds == [LayerFold(pe: 8, simd: 9, lanes: 8), LayerFold(pe: 8, simd: 8, lanes: 8), LayerFold(pe: 8, simd: 24, lanes: 2),
                                      LayerFold(pe: 2, simd: 2, lanes: 2), LayerFold(pe: 2, simd: 2, lanes: 1)])
        #expect(fast.estimate.lut < d.estimate.lut && fast.estimate.dsp <= 220)
    }

    /// The smallest Fashion CNN design trades II for LUTs: its conv layers take the serial
    /// requantizer although it does not keep up with their MAC arrays (5,408 and 1,936 words an
    /// image, one every T + 5 = 101 cycles, T = 96 bits), so the II is layer 0's requantizer's
    /// 5,408 · 101 cycles; `--target-fps` and the trade-off curve choose it where the II allows.
    @Test func smallestFoldTakesSerialConvRequantizers() throws {
        let m = try Self.fixture("cnn_fmnist")
        let t = try Topology(model: m)
        #expect(PipelineTiming.serialRequantWordCycles(t.layers[0], lanes: 1) == 101)
        let one = LayerFold(pe: 1, simd: 1, lanes: 1)
        #expect(LayerCycles.serialRequantCycles(t.layers[0], one) == 5408 * 101)
        #expect(LayerCycles.serialRequantCycles(t.layers[2], one) == 1936 * 101)
        #expect(LayerCycles.cycles(t.layers[0], one, serialRequant: true) == 5408 * 101)
        #expect(LayerCycles.cycles(t.layers[0], one) == 676 * 9 * 8)
        #expect(RequantStyle.options(t.layers[0], one) == [.pipelined, .serial])
        #expect(RequantStyle.options(t.layers[4], one) == [.serial])          // dense 400 → 10: keeps up
        #expect(TradeoffCurve.smallestRequant(t) == [.serial, .pipelined, .serial, .pipelined, .serial])

        // A fold file asks for it; the design's II is the serial requantizer's.
        let small = FoldFile(layers: [.init(pe: 1, simd: 1, requant: .serial), .init(pe: 1, simd: 1), .init(pe: 1, simd: 1, requant: .serial),
                                      .init(pe: 1, simd: 1), .init(pe: 1, simd: 1)])
        var o = CodegenOptions()
        o.fold = .file(small, name: "small.json")
        let d = try generateDesign(model: m, options: o)
        #expect(d.requantStyles == [.serial, .pipelined, .serial, .pipelined, .serial])
        #expect(d.layout.serialRequant == [true, false, true, false, true])
        #expect(d.iiCycles == 5408 * 101)
        #expect(d.layout.cycles(layer: 2) == 1936 * 101)
        let top = d.files["rtl/zynqnet_accel.v"]!
        #expect(top.components(separatedBy: "zn_requant_serial #(").count == 4)
        #expect(!top.contains("zn_requant #("))
        #expect(top.contains("zn_maxpool_row") && !top.contains("zn_maxpool #("))
        // zn_axil_regs requests only layers < NUM_LAYERS: the top decodes p_layer's low 3 bits.
        #expect(top.contains(".cfg_req(p_req && p_layer[2:0] == 3'd2 && p_kind)"))
        #expect(top.contains("wire unused_p_layer = ^p_layer[15:3];"))
        o.fold = .file(FoldFile(layers: small.layers.map { FoldFileLayer(pe: $0.pe, simd: $0.simd) }), name: "p.json")
        let pipelined = try generateDesign(model: m, options: o)
        #expect(pipelined.iiCycles == 121 * 72 * 16)
        #expect(d.estimate.lut < pipelined.estimate.lut - 600 && d.estimate.dsp == pipelined.estimate.dsp - 8)

        // The curve's smallest dataflow point is this design; --target-fps picks it when its II allows.
        let curve = try TradeoffCurve.curve(t)
        let slowest = try #require(curve.first { $0.engine == .dataflow })
        #expect(slowest.iiCycles == 5408 * 101 && slowest.requant == d.requantStyles && slowest.estimate == d.estimate)
        #expect(slowest.foldFile.layers.map(\.requant) == [.serial, nil, .serial, nil, nil])
        o.fold = .targetFPS(100e6 / Double(5408 * 101))
        let target = try generateDesign(model: m, options: o)
        #expect(target.requantStyles == d.requantStyles && target.iiCycles == 5408 * 101)
        // II 200,000: layer 2's serial requantizer (195,536 cycles) fits, layer 0's does not.
        o.fold = .targetFPS(500)
        let mid = try generateDesign(model: m, options: o)
        #expect(mid.requantStyles[0] == .pipelined && mid.requantStyles[2] == .serial)
        #expect(mid.iiCycles <= 200_000 && mid.iiCycles >= 1936 * 101)
    }

    /// Fold files: SIMD must divide a window's channels; a max-pool's PE and lanes are its SIMD;
    /// the sequential engine refuses conv models.
    @Test func foldErrors() throws {
        let m = try Self.fixture("cnn_fmnist")
        func gen(_ layers: [FoldFileLayer]) throws { var o = CodegenOptions(); o.fold = .file(FoldFile(layers: layers), name: "f.json"); _ = try generateDesign(model: m, options: o) }
        let ok: [FoldFileLayer] = [.init(pe: 8, simd: 1), .init(pe: 8, simd: 8), .init(pe: 4, simd: 4), .init(pe: 2, simd: 2), .init(pe: 2, simd: 8)]
        try gen(ok)
        var bad = ok
        bad[0] = .init(pe: 8, simd: 2)
        #expect(throws: ZynqError(file: "f.json", key: "layers[0].simd", "SIMD 2 does not divide layer 0's 9 inputs")) { try gen(bad) }
        // A conv's SIMD beyond its channels must span whole kernel columns or rows (zn_swu's PAR):
        // 12 divides layer 2's 72 inputs but is 1.5 pixels of 8 channels.
        bad = ok
        bad[2] = .init(pe: 4, simd: 12)
        #expect(throws: ZynqError(file: "f.json", key: "layers[2].simd", "SIMD 12 neither divides layer 2's 8 input channels nor is 8 (C) times a divisor of KW = 3 or 24 (KW·C) times a divisor of KH = 3 (the sliding-window unit's words)")) { try gen(bad) }
        #expect(throws: ZynqError(key: "layer2.simd", "SIMD 12 neither divides the layer's 8 input channels nor is 8 (C) times a divisor of KW = 3 or 24 (KW·C) times a divisor of KH = 3 (the sliding-window unit's words)")) {
            try AcceleratorLayout(topology: try Topology(model: m), folds: [LayerFold(pe: 8, simd: 1, lanes: 1), LayerFold(pe: 8, simd: 8, lanes: 8),
                                                                          LayerFold(pe: 4, simd: 12, lanes: 1), LayerFold(pe: 2, simd: 2, lanes: 2), LayerFold(pe: 2, simd: 8, lanes: 1)])
        }
        bad = ok
        bad[1] = .init(pe: 4, simd: 8)
        #expect(throws: ZynqError(file: "f.json", key: "layers[1].pe", "layer 1 is maxpool2d: its one fold is its channel lanes, PE and lanes must equal SIMD 8")) { try gen(bad) }
        var o = CodegenOptions()
        o.fold = .file(.sequential, name: "seq.json")
        #expect(throws: ZynqError(key: "seq.json: engine", "the sequential engine computes dense layers only; layer 0 is conv2d: use a dataflow fold (--fold with layers, or --target-fps)")) {
            try generateDesign(model: m, options: o)
        }
    }

    /// SIMD = PAR·C: zn_swu hands out PAR patch words a cycle (WindowShape.split): the whole
    /// 3×3 patch of a one-channel conv (PAR 9), a kernel row of an 8-channel one (PAR 3); the
    /// top instantiates the unit with the input stream at C lanes and the MAC array at PAR·C.
    @Test func parallelWindowFold() throws {
        let m = try Self.fixture("cnn_fmnist")
        let w0 = WindowShape(h: 28, w: 28, c: 1, kh: 3, kw: 3), w2 = WindowShape(h: 13, w: 13, c: 8, kh: 3, kw: 3)
        #expect(w0.split(simd: 9)! == (1, 9) && w0.split(simd: 3)! == (1, 3) && w0.split(simd: 1)! == (1, 1))
        #expect(w2.split(simd: 4)! == (4, 1) && w2.split(simd: 24)! == (8, 3) && w2.split(simd: 72)! == (8, 9))
        #expect(w2.split(simd: 12) == nil && w2.split(simd: 16) == nil && w2.split(simd: 48) == nil)
        #expect(WindowShape(h: 9, w: 8, c: 2, kh: 4, kw: 2).split(simd: 8)! == (2, 4))   // two kernel rows
        #expect(WindowShape(h: 9, w: 8, c: 2, kh: 3, kw: 2).split(simd: 8) == nil)      // 2 does not divide KH 3
        var o = CodegenOptions()
        o.fold = .file(FoldFile(layers: [.init(pe: 8, simd: 9), .init(pe: 8, simd: 8), .init(pe: 8, simd: 24), .init(pe: 16, simd: 16),
                                         .init(pe: 1, simd: 8)]), name: "f.json")
        let d = try generateDesign(model: m, options: o)
        let top = d.files["rtl/zynqnet_accel.v"]!
        #expect(top.contains(".PT(0), .PL(0), .PB(0), .PR(0), .SIMD(1), .PAR(9), .RAM_BLOCK(0)"))
        #expect(top.contains(".PT(0), .PL(0), .PB(0), .PR(0), .SIMD(8), .PAR(3), .RAM_BLOCK(1)"))
        #expect(top.contains("zn_axis_in #(.N(784), .OUT_LANES(1))"))
        #expect(d.layout.inputLanes(layer: 0) == 1 && d.layout.inputLanes(layer: 2) == 8 && d.layout.inputLanes(layer: 4) == 8)
        // Layer 0: 676 positions · 1 word · 1 fold; its zn_swu takes 784 input words an image.
        #expect(d.layout.cycles(layer: 0) == 784)
        // Layer 2: 121 positions · 3 words · 2 folds = 726, above its zn_swu's 363 + 26 (two rows waited).
        #expect(d.layout.cycles(layer: 2) == 726)
        #expect(d.iiCycles == 784)
        try checkGeneratedTop(d)
    }

    /// The generated tops of the CNN fixtures are lint-clean (verilator -Wall), elaborate in
    /// iverilog and yosys, and are deterministic.
    @Test(.tags(.verilator, .iverilog, .yosys), arguments: ["cnn_floor", "cnn_pool_first", "cnn_fmnist"])
    func generatedTopIsClean(_ name: String) throws {
        let d = try generateDesign(model: try Self.fixture(name), options: CodegenOptions())
        #expect(try generateDesign(model: try Self.fixture(name), options: CodegenOptions()).files == d.files)
        try checkGeneratedTop(d)
    }
}

/// Co-simulation of CNN designs with random TVALID gaps and TREADY stalls (30 % each).
@Suite(.tags(.verilator), .serialized) struct ConvVerifyTests {
    func verify(_ name: String, fold: FoldFile? = nil, images: Int, seed: UInt64) throws -> (VerifyReport, GeneratedDesign) {
        let model = try ConvTopologyTests.fixture(name)
        var opts = CodegenOptions()
        if let fold { opts.fold = .file(fold, name: "test-fold") }
        let design = try generateDesign(model: model, options: opts)
        var rng = SplitMix64(seed: seed)
        let imgs = randomImages(images, pixels: model.inputCount, rng: &rng)
        var vo = VerifyOptions(buildRoot: scratch("verilator"))
        vo.seed = seed
        vo.optimize = false
        let r = try Verify.run(design: design, model: model, images: imgs, options: vo)
        for m in r.messages { print("verify: \(m)") }
        // The II model is exact; the latency of a design with windows is a bound.
        #expect(r.iiCycles == design.iiCycles, "II: RTL \(r.iiCycles), design \(design.iiCycles)")
        #expect(r.latencyCycles > 0 && r.latencyCycles <= design.latencyCycles)
        // The top's layer and window registers (map 1.2) read what the model's topology says.
        #expect(r.registerMismatches == 0)
        let t = try Topology(model: model), n = t.layers.count
        for i in 0..<n {
            let words = RegisterMap.windowRegisters.map { r.registerReads[RegisterMap.windowRegister(i, layers: n, $0.offset)] }
            #expect(words == RegisterMap.windowWords(t, layer: i).map { Optional($0) }, "layer \(i) window registers")
        }
        return (r, design)
    }

    /// Padding on all sides (input zero point), strides, a 1×1 conv after a pool, dense after
    /// (h, w, c): 200 random images, bit-exact.
    @Test func paddedCNN200Images() throws {
        let (r, d) = try verify("cnn_floor", images: 200, seed: 11)
        #expect(r.passed && r.mismatches == 0 && r.readbackMismatches == 0)
        // Layer 0 (9×8×2, kernel 3×3, pads 1, 0, 2, 1) pads with the input zero point -39 built in: PAD_FIXED, PAD_ZERO 0xD9.
        let n = d.layout.topology.layers.count
        #expect(r.registerReads[RegisterMap.windowRegister(0, layers: n, RegisterMap.L_WIN_CH)] == 0x01D9_0002)
        #expect(r.registerReads[RegisterMap.windowRegister(0, layers: n, RegisterMap.L_WIN_PAD)] == 0x0102_0001)
        #expect(r.images == 206)
        // The default fold reads layer 0's whole padded 3×3×2 patch a cycle (SIMD 18, PAR 9): the II is the dense layer's 45/3 · 5.
        #expect(d.layout.folds[0].simd == 18)
        #expect(d.iiCycles == 75)
    }

    /// PAR > 1 (SIMD = PAR·C): padding on all sides with a kernel row a word (SIMD 6 = 3·C, PAR 3)
    /// and a whole padded 3×3 patch a word (SIMD 18, PAR 9): 100 random images each, bit-exact,
    /// II measured = designed.
    @Test(arguments: [6, 18]) func paddedCNNParallelWindow(_ simd: Int) throws {
        let fold = FoldFile(layers: [.init(pe: 4, simd: simd), .init(pe: 2, simd: 2), .init(pe: 3, simd: 4), .init(pe: 5, simd: 3)])
        let (r, d) = try verify("cnn_floor", fold: fold, images: 100, seed: UInt64(20 + simd))
        #expect(r.passed && r.mismatches == 0 && r.readbackMismatches == 0)
        #expect(d.files["rtl/zynqnet_accel.v"]!.contains(".SIMD(2), .PAR(\(simd / 2))"))
    }

    /// Strides 2 and 3 with padding and the whole 3×2 patch a word in layer 0 (PAR 6, C = 1), and a
    /// last conv whose kernel is its whole 4×3×5 input read two kernel rows a word (SIMD 30, PAR 6).
    @Test func stridedCNNParallelWindow() throws {
        let fold = FoldFile(layers: [.init(pe: 5, simd: 6), .init(pe: 5, simd: 5), .init(pe: 2, simd: 30)])
        let (r, d) = try verify("cnn_strides_whole_kernel", fold: fold, images: 60, seed: 31)
        #expect(r.passed && r.mismatches == 0 && r.readbackMismatches == 0)
        let top = d.files["rtl/zynqnet_accel.v"]!
        #expect(top.contains(".SIMD(1), .PAR(6)") && top.contains(".SIMD(5), .PAR(6)"))
    }

    /// The smallest fold with serial requantizers in the conv layers (slower than their MAC
    /// arrays: the II is layer 0's requantizer's, 70 positions · 4 channels · 101 cycles) and
    /// zn_maxpool_row for the pool 2 stride 2: bit-exact, the II measured = designed.
    @Test func serialConvRequantizersAndRowPool() throws {
        let fold = FoldFile(layers: [.init(pe: 1, simd: 1, requant: .serial), .init(pe: 1, simd: 1),
                                     .init(pe: 1, simd: 1, requant: .serial), .init(pe: 1, simd: 1)])
        let (r, d) = try verify("cnn_floor", fold: fold, images: 24, seed: 13)
        #expect(r.passed && r.mismatches == 0 && r.readbackMismatches == 0)
        #expect(d.requantStyles == [.serial, .pipelined, .serial, .pipelined])   // the dense layer's SF 45 < 101: pipelined
        #expect(d.iiCycles == 70 * 4 * 101)
        #expect(d.files["rtl/zynqnet_accel.v"]!.contains("zn_maxpool_row"))
    }

    /// The same with float32 rounding: the serial requantizer runs three passes a lane, a word
    /// every 3 · (T + 3) + 2 = 299 cycles, and the II is still measured = designed.
    @Test func serialFloat32ConvRequantizers() throws {
        let fold = FoldFile(layers: [.init(pe: 1, simd: 1, requant: .serial), .init(pe: 1, simd: 1),
                                     .init(pe: 1, simd: 1, requant: .serial), .init(pe: 1, simd: 1)])
        let (r, d) = try verify("cnn_float32", fold: fold, images: 8, seed: 14)
        #expect(r.passed && r.mismatches == 0 && r.readbackMismatches == 0)
        #expect(d.requantStyles[0] == .serial && d.requantStyles[2] == .serial)
        #expect(PipelineTiming.serialRequantWordCycles(d.layout.topology.layers[0], lanes: 1) == 299)
        #expect(d.iiCycles == 70 * 4 * 299)
    }

    /// A max-pool first (the conv after it pads with the design's input zero point), stride 3,
    /// and a wider fold (PE, SIMD and lanes > 1 in the conv).
    @Test func poolFirstAndWideFold() throws {
        let fold = FoldFile(layers: [.init(pe: 3, simd: 3), .init(pe: 4, simd: 3, lanes: 2), .init(pe: 7, simd: 4)])
        let (r, d) = try verify("cnn_pool_first", fold: fold, images: 40, seed: 12)
        #expect(r.passed && r.mismatches == 0)
        #expect(d.layout.folds[1] == LayerFold(pe: 4, simd: 3, lanes: 2))
    }
}
