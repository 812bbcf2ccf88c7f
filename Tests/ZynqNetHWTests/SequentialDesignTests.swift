import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetCodegen
import ZynqNetHW
import ZynqNetModel
import ZynqNetRTLSim
import ZynqNetSim

/// The sequential engine as codegen sees it: the fold file's `engine` key, the generated top, the
/// trade-off curve's smallest point. (zn_seq itself: SeqEngineTests; whole designs: the
/// VerifyTests extension below.)
@Suite struct SequentialDesignTests {
    func model(_ dims: [Int], seed: UInt64 = 3) -> QuantizedModel {
        uniformModel(dims, seed: seed, signed: true, rounding: .halfUp, relu: false)
    }

    @Test func foldFileEngineKey() throws {
        #expect(try FoldFile.parse(Data(#"{"engine": "sequential"}"#.utf8), file: "f.json") == .sequential)
        let ones = try FoldFile.parse(Data(#"{"engine": "sequential", "layers": [{"pe": 1, "simd": 1, "lanes": 1}]}"#.utf8), file: "f.json")
        #expect(ones.engine == .sequential && ones.layers == [FoldFileLayer(pe: 1, simd: 1, lanes: 1)])
        let flow = try FoldFile.parse(Data(#"{"engine": "dataflow", "layers": [{"pe": 2, "simd": 1}]}"#.utf8), file: "f.json")
        #expect(flow.engine == .dataflow && flow.layers == [FoldFileLayer(pe: 2, simd: 1)])
        let cases: [(String, String)] = [
            (#"{"engine": "serial"}"#, "engine"),
            (#"{"engine": 1}"#, "engine"),
            (#"{"engine": "dataflow"}"#, "layers"),
            (#"{"engine": "sequential", "layers": [{"pe": 2, "simd": 1}]}"#, "layers[0].pe"),
            (#"{"engine": "sequential", "layers": [{"pe": 1, "simd": 4}]}"#, "layers[0].simd"),
            (#"{"engine": "sequential", "layers": [{"pe": 1, "simd": 1, "lanes": 2}]}"#, "layers[0].lanes"),
            (#"{"engine": "sequential", "layers": [{"pe": 1, "simd": 1, "requant": "pipelined"}]}"#, "layers[0].requant"),
            (#"{"engine": "sequential", "extra": 1}"#, "extra"),
        ]
        for (text, key) in cases {
            do {
                _ = try FoldFile.parse(Data(text.utf8), file: "f.json")
                Issue.record("accepted \(text)")
            } catch let e as ZynqError {
                #expect(e.file == "f.json")
                #expect(e.key == key, "\(text): \(e)")
            }
        }
        // The encoded form is the short one and parses back.
        let text = String(decoding: try JSONEncoder().encode(FoldFile.sequential), as: UTF8.self)
        #expect(text == #"{"engine":"sequential"}"#)
    }

    @Test func generatedTopUsesOneEngine() throws {
        let m = model([20, 7, 3])
        var o = CodegenOptions()
        o.fold = .file(.sequential, name: "s.json")
        let d = try generateDesign(model: m, options: o)
        #expect(d.engine == .sequential)
        #expect(d.layout.folds.allSatisfy { $0 == LayerFold(pe: 1, simd: 1, lanes: 1) })
        let top = try #require(d.files["rtl/zynqnet_accel.v"])
        #expect(top.components(separatedBy: "zn_seq #(").count == 2)
        #expect(!top.contains("zn_mvau") && !top.contains("zn_requant"))
        #expect(top.contains(".L_IN({32'h00000007, 32'h00000014})"))
        #expect(top.contains(".L_OUT({32'h00000003, 32'h00000007})"))
        #expect(top.contains(".L_IN_SIGNED(2'b11)"))
        let w = try SequentialEngine.widths(d.layout.topology)
        #expect(top.contains(".SUM_W(\(w.sumBits)), .BIAS_W(\(w.biasBits)), .MULT_W(\(w.multBits))"))
        // The register file's II_CYCLES is the engine's exact II, as design.json says.
        #expect(top.contains(".II_CYCLES(\(d.iiCycles)),"))
        #expect(d.iiCycles == (try SequentialEngine.iiCycles(d.layout.topology)))
        let json = try #require(d.files["design.json"])
        #expect(json.contains("\"engine\": \"sequential\""))
        #expect(json.contains("\"ii_cycles\": \(d.iiCycles),"))
        // The engine's widths: the widest layer's sum; one bias and M width.
        #expect(w.sumBits == d.layout.topology.layers.map { $0.widths.sumBits }.max())
        // The same model as a dataflow design is a different top with the same registers.
        let flow = try generateDesign(model: m, options: CodegenOptions())
        #expect(flow.engine == .dataflow && !flow.files["rtl/zynqnet_accel.v"]!.contains("zn_seq"))
        #expect(flow.topologyHash == d.topologyHash)
    }

    @Test func differentWidthsAreAnError() throws {
        let t = Topology(inputCount: 4, inputSigned: false, layers: [
            LayerTopology(inCount: 4, outCount: 3, inSigned: false, outSigned: false, biasBits: 33, multBits: 32),
            LayerTopology(inCount: 3, outCount: 2, inSigned: false, outSigned: false, biasBits: 40, multBits: 32),
        ])
        #expect(throws: ZynqError(key: "engine", "the sequential engine needs one bias and M width for all layers; layer 1 has bias 40 b and M 32 b, layer 0 33 b and 32 b")) {
            try SequentialEngine.widths(t)
        }
        #expect(try TradeoffCurve.sequentialPoint(t) == nil)
    }

    /// The curve's smallest point is the sequential engine; its fold file regenerates exactly it.
    @Test func curveStartsWithTheSequentialEngine() throws {
        let m = model([64, 16, 4])
        let topo = try Topology(model: m, multBits: 32)
        let curve = try TradeoffCurve.curve(topo)
        let first = try #require(curve.first)
        #expect(first.engine == .sequential)
        #expect(curve.dropFirst().allSatisfy { $0.engine == .dataflow })
        #expect(first.estimate.lut < curve[1].estimate.lut)
        #expect(first.foldFile == .sequential)
        var o = CodegenOptions()
        o.fold = .file(first.foldFile, name: "curve point")
        let d = try generateDesign(model: m, options: o)
        #expect(d.iiCycles == first.iiCycles && d.latencyCycles == first.latencyCycles && d.estimate == first.estimate)
    }
}

/// Whole sequential designs in co-simulation (Verilator, the C++ harness): bit-exact against
/// the simulator, and codegen's II and latency equal the measured ones.
extension VerifyTests {
    @Test(.tags(.verilator)) func sequentialSpecCorners() throws {
        var rng = SplitMix64(seed: 91)
        let m = randomModel(dims: [20, 6, 3], inputSigned: false, outSigned: [true, false], rounding: [.halfUp, .floor],
                            relu: [true, true], flavor: .extreme, rng: &rng)
        let imgs = randomImages(6, pixels: 20, rng: &rng)
        try crossCheck(m, imgs)
        let (r, d) = try verify(m, fold: .sequential, images: imgs, seed: 21)
        #expect(d.engine == .sequential)
        #expect(r.passed, "\(r.messages.prefix(3))")
        #expect(r.mismatches == 0 && r.readbackMismatches == 0)
    }

    /// Three layers, one 1 wide; layers shorter and longer than the requantizer's word time;
    /// signed input, typical quantization with zero points.
    @Test(.tags(.verilator)) func sequentialThreeLayers() throws {
        var rng = SplitMix64(seed: 92)
        let m = randomModel(dims: [150, 1, 33, 5], inputSigned: true, outSigned: [false, true, true],
                            rounding: [.floor, .halfUp, .halfUp], relu: [true, false, true], rng: &rng)
        let imgs = randomImages(4, pixels: 150, rng: &rng)
        try crossCheck(m, imgs)
        let (r, _) = try verify(m, fold: .sequential, images: imgs, seed: 22, packet: 2)
        #expect(r.passed, "\(r.messages.prefix(3))")
        #expect(r.mismatches == 0 && r.readbackMismatches == 0)
    }

    /// The trained 784-128-10 model on the sequential engine.
    @Test(.tags(.verilator)) func sequentialRealMNIST() throws {
        let dir = VerifyTests.fixtures.appendingPathComponent("real")
        let model = try QuantizedModel.load(path: dir.appendingPathComponent("mnist_model.format1.npz").path)
        let set = try ImageSet.load(path: dir.appendingPathComponent("mnist_images.npz").path)
        let codes = try InputQuantizer(model: model).quantize(set.images)
        let imgs = (0..<3).map { Array(codes.bytes[($0 * codes.width)..<(($0 + 1) * codes.width)]) }
        let (r, d) = try verify(model, fold: .sequential, images: imgs, seed: 23)
        #expect(r.passed, "\(r.messages.prefix(3))")
        print("mnist sequential: II \(r.iiCycles) (design \(d.iiCycles)), latency \(r.latencyCycles)")
    }
}
