import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetHW
import ZynqNetImport
import ZynqNetModel
import ZynqNetSim

/// Outside truth: two MLPs quantized by onnxruntime's `quantize_static` (copied from
/// ../shared/data/real into Tests/Fixtures/real, with onnxruntime's outputs on all 10,000
/// Fashion-MNIST test images, made on a VNNI machine). Every output value must agree.
@Suite("ONNX real models")
struct RealONNXTests {
    static let repo = repoRoot
    static let fixtures = fixturesRoot.appendingPathComponent("real")
    static let images = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
    static let present = FileManager.default.fileExists(atPath: images)

    /// The images as onnxruntime got them: float32 pixel / 255, shape (N, 1, 28, 28); made once
    /// for all the tests of the suite (the conversion is slow in a debug build).
    static func floatImages() throws -> NDArray { try floatImagesOnce.get() }
    static let floatImagesOnce = Result { () throws -> NDArray in
        let raw = try IDX.read(path: images)
        guard case .uint8(let px) = raw.storage else { throw ZynqError("not uint8") }
        return NDArray(shape: [raw.shape[0], 1, 28, 28], storage: .float32(px.map { Float($0) / 255 }))
    }

    static func expected(_ name: String) throws -> [Int32] {
        let a = try NPY.read(path: fixtures.appendingPathComponent(name + ".ort_q.npy").path)
        #expect(a.shape == [10000, 10])
        return try #require(a.integers()).map { Int32($0) }
    }

    @Test("the u8/s8 per-tensor QDQ model imports as onnxruntime's arithmetic")
    func u8Layers() throws {
        let m = try ONNXImporter.load(path: Self.fixtures.appendingPathComponent("mlp_qdq_u8s8_pt.onnx").path).model
        #expect(m.input.shape == [784])
        #expect(m.input.type == .uint8)
        #expect(m.input.rounding == .halfEven)
        #expect(m.layers.map(\.outFeatures) == [128, 64, 10])
        #expect(m.layers.map(\.inFeatures) == [784, 128, 64])
        #expect(m.layers.allSatisfy { $0.rounding == .float32 && $0.perTensorMultiplier && $0.outputType == .uint8 })
        #expect(m.layers.allSatisfy { $0.multiplier[0] >= 1 << 23 && $0.multiplier[0] < 1 << 24 })
    }

    @Test("the s8/s8 per-channel QDQ model keeps a scale per output channel")
    func s8Layers() throws {
        let m = try ONNXImporter.load(path: Self.fixtures.appendingPathComponent("mlp_qdq_s8s8_pc.onnx").path).model
        #expect(m.input.type == .int8)
        #expect(m.layers.allSatisfy { !$0.perTensorMultiplier && $0.outputType == .int8 })
        #expect(Set(m.layers[0].multiplier).count > 1)
    }

    /// Every onnxruntime model with its recorded outputs: the two copied from ../shared/data/real
    /// (784-128-64-10) and the six of make_real_mlps.py (784-128-10; Tests/Fixtures/real/README.md).
    static let runtimeModels = ["mlp_qdq_u8s8_pt", "mlp_qdq_s8s8_pc", "mlp784_qdq_u8s8_pt", "mlp784_qdq_s8s8_pc",
                                "mlp784_qdq_u8s8_pc", "mlp784_qop_u8s8", "mlp784_brevitas_float", "mlp784_brevitas_po2"]

    static func load(_ name: String, rounding: ONNXRounding = .float32) throws -> QuantizedModel {
        try ONNXImporter.load(path: fixtures.appendingPathComponent(name + ".onnx").path, rounding: rounding).model
    }

    /// How many of the 100,000 values differ, with the message a failure shows.
    static func differing(_ got: [Int32], _ name: String, _ path: String) throws -> (Int, Comment) {
        let want = try expected(name)
        let n = zip(got, want).filter { $0 != $1 }.count
        return (n, "\(name) through \(path): \(n) of \(want.count) output values differ from onnxruntime's (\(got.count) values)")
    }

    @Test("sim: every output on all 10,000 test images equals onnxruntime's",
          .enabled(if: present, "dataset-fashion-mnist not installed"), arguments: runtimeModels)
    func simMatchesOnnxruntime(_ name: String) throws {
        let m = try Self.load(name)
        let codes = try InputQuantizer(model: m).quantize(try Self.floatImages())
        let fast = try Simulator(model: m).run(codes)
        #expect(fast.outputs.count == 100_000)
        let (n, why) = try Self.differing(fast.outputs, name, "the simulator")
        #expect(n == 0, why)
    }

    @Test("loopback: every output on all 10,000 test images equals onnxruntime's",
          .enabled(if: present, "dataset-fashion-mnist not installed"), arguments: runtimeModels)
    func loopbackMatchesOnnxruntime(_ name: String) throws {
        let m = try Self.load(name)
        let codes = try InputQuantizer(model: m).quantize(try Self.floatImages())
        let folds = m.layers.count == 2
            ? [LayerFold(pe: 8, simd: 16, lanes: 2), LayerFold(pe: 2, simd: 4, lanes: 2)]
            : [LayerFold(pe: 8, simd: 16, lanes: 2), LayerFold(pe: 4, simd: 8, lanes: 1), LayerFold(pe: 2, simd: 4, lanes: 2)]
        let got = try loopbackOutputs(m, codes, folds: folds, name: name)
        let (n, why) = try Self.differing(got, name, "the loopback board")
        #expect(n == 0, why)
    }

    @Test("the six make_real_mlps.py models map as made: activation types, per-channel scales, QGemm, QCDQ")
    func madeModelsMap() throws {
        for name in Self.runtimeModels where name.hasPrefix("mlp784_") {
            let m = try Self.load(name)
            #expect(m.layers.map(\.inFeatures) == [784, 128] && m.layers.map(\.outFeatures) == [128, 10], "\(name)")
            #expect(m.layers.allSatisfy { $0.rounding == .float32 }, "\(name)")
            #expect(m.input.rounding == .halfEven, "\(name)")
        }
        let u8pt = try Self.load("mlp784_qdq_u8s8_pt"), s8pc = try Self.load("mlp784_qdq_s8s8_pc")
        let u8pc = try Self.load("mlp784_qdq_u8s8_pc"), qop = try Self.load("mlp784_qop_u8s8")
        #expect(u8pt.input.type == .uint8 && u8pt.layers.allSatisfy { $0.perTensorMultiplier && $0.outputType == .uint8 })
        #expect(s8pc.input.type == .int8 && s8pc.layers.allSatisfy { !$0.perTensorMultiplier && $0.outputType == .int8 })
        #expect(u8pc.input.type == .uint8 && u8pc.layers.allSatisfy { !$0.perTensorMultiplier && $0.outputType == .uint8 })
        // QOperator: the same float model and calibration as the per-tensor QDQ one, so the same layers.
        #expect(qop.layers == u8pt.layers && qop.input == u8pt.input)
        let origin = try ONNXImporter.load(path: Self.fixtures.appendingPathComponent("mlp784_qop_u8s8.onnx").path).origin
        #expect(origin == ["fc1_quant", "fc2_quant"])
        // Brevitas QCDQ: uint8 input and hidden layer, int8 logits, relu from its Relu node; po2 scales:
        // input 2^-8, weights 2^-8, hidden 2^-4, logits 2^-3, so S = 2^-12 and 2^-9.
        let po2 = try Self.load("mlp784_brevitas_po2")
        #expect(po2.input == InputSpec(shape: [784], type: .uint8, zero: 0, scale: 0.00390625, rounding: .halfEven))
        #expect(po2.layers.map(\.relu) == [true, false] && po2.layers.map(\.outputType) == [.uint8, .int8])
        #expect(po2.layers.allSatisfy { $0.perTensorMultiplier && $0.multiplier.allSatisfy { $0 == 1 << 23 } })
        #expect(po2.layers.map { Set($0.shift) } == [[35], [32]])
        // QCDQ weights: Clip(-127, 127) on int8, so no -128.
        #expect(po2.layers.allSatisfy { $0.weight.allSatisfy { $0 >= -127 } })
        let fl = try Self.load("mlp784_brevitas_float")
        #expect(fl.layers.allSatisfy { $0.perTensorMultiplier } && fl.layers.map(\.outputType) == [.uint8, .int8])
    }

    /// `--onnx-rounding half_even`: the power-of-two Brevitas model's layers become half_even with
    /// M = 1 (s = 12 and 9) and give onnxruntime's outputs on all 10,000 images; the float-scale
    /// model is refused, naming the node and the channel.
    @Test(.enabled(if: present, "dataset-fashion-mnist not installed"))
    func powerOfTwoScalesAsHalfEven() throws {
        let m = try Self.load("mlp784_brevitas_po2", rounding: .halfEven)
        #expect(m.layers.map(\.rounding) == [.halfEven, .halfEven])
        #expect(m.layers.allSatisfy { $0.perTensorMultiplier && $0.multiplier.allSatisfy { $0 == 1 } })
        #expect(m.layers.map { Set($0.shift) } == [[12], [9]])
        let codes = try InputQuantizer(model: m).quantize(try Self.floatImages())
        let (n, why) = try Self.differing(try Simulator(model: m).run(codes).outputs, "mlp784_brevitas_po2", "half_even in the simulator")
        #expect(n == 0, why)
        let path = Self.fixtures.appendingPathComponent("mlp784_brevitas_float.onnx").path
        #expect(throws: ZynqError(file: path, key: "/3/act_quant/export_handler/QuantizeLinear",
                                  "QuantizeLinear: half_even rounding needs a power-of-two requantization scale, but S of /2/Gemm output channel 0 is 9310383/2^35")) {
            try ONNXImporter.load(path: path, rounding: .halfEven)
        }
    }

    @Test("uint8 images (the IDX file as it is) give onnxruntime's outputs too: the input scale is 1/255",
          .enabled(if: present, "dataset-fashion-mnist not installed"),
          arguments: ["mlp_qdq_u8s8_pt", "mlp_qdq_s8s8_pc"])
    func uint8ImagesMatch(_ name: String) throws {
        let m = try ONNXImporter.load(path: Self.fixtures.appendingPathComponent(name + ".onnx").path).model
        let codes = try InputQuantizer(model: m).quantize(try IDX.read(path: Self.images))
        let got = try Simulator(model: m).run(codes).outputs
        let differing = zip(got, try Self.expected(name)).filter { $0 != $1 }.count
        #expect(differing == 0, "\(name): \(differing) values differ with uint8 images")
    }
}
