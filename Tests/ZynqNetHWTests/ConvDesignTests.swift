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
    /// positions · SF · NF) and the II of the fastest Fashion CNN fold (layer 0 has one input
    /// channel, so SIMD 1: 676 positions · 9 window words, plus the wait for the first rows).
    @Test func fashionCNNFolding() throws {
        let m = try Self.fixture("cnn_fmnist")
        let d = try generateDesign(model: m, options: CodegenOptions())
        #expect(d.layout.folds[0].simd == 1)
        #expect(d.layout.cycles(layer: 0) == 6140)
        #expect(d.iiCycles == 6140)
        let t = d.layout.topology
        #expect(LayerCycles.cycles(t.layers[2], LayerFold(pe: 1, simd: 1, lanes: 1)) == 121 * 72 * 16)
        #expect(LayerCycles.cycles(t.layers[1], LayerFold(pe: 8, simd: 8, lanes: 8)) == WindowTiming.swuInterval(t.layers[1].window!.timing(simd: 8)))
        // --target-fps picks folds reaching the II.
        var o = CodegenOptions()
        o.fold = .targetFPS(5_000)
        let slow = try generateDesign(model: m, options: o)
        #expect(slow.iiCycles <= 20_000 && slow.iiCycles > 6140)
        #expect(slow.estimate.lut < d.estimate.lut)
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
        bad[0] = .init(pe: 8, simd: 9)
        #expect(throws: ZynqError(file: "f.json", key: "layers[0].simd", "SIMD 9 does not divide layer 0's 1 input channels")) { try gen(bad) }
        bad = ok
        bad[1] = .init(pe: 4, simd: 8)
        #expect(throws: ZynqError(file: "f.json", key: "layers[1].pe", "layer 1 is maxpool2d: its one fold is its channel lanes, PE and lanes must equal SIMD 8")) { try gen(bad) }
        var o = CodegenOptions()
        o.fold = .file(.sequential, name: "seq.json")
        #expect(throws: ZynqError(key: "seq.json: engine", "the sequential engine computes dense layers only; layer 0 is conv2d: use a dataflow fold (--fold with layers, or --target-fps)")) {
            try generateDesign(model: m, options: o)
        }
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
        #expect(d.iiCycles == 630)
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
