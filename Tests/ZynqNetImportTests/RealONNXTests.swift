import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
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

    /// The images as onnxruntime got them: float32 pixel / 255, shape (N, 1, 28, 28).
    static func floatImages() throws -> NDArray {
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

    @Test("sim: every output on all 10,000 test images equals onnxruntime's",
          .enabled(if: present, "dataset-fashion-mnist not installed"),
          arguments: ["mlp_qdq_u8s8_pt", "mlp_qdq_s8s8_pc"])
    func simMatchesOnnxruntime(_ name: String) throws {
        let m = try ONNXImporter.load(path: Self.fixtures.appendingPathComponent(name + ".onnx").path).model
        let codes = try InputQuantizer(model: m).quantize(try Self.floatImages())
        let fast = try Simulator(model: m).run(codes)
        let want = try Self.expected(name)
        let differing = zip(fast.outputs, want).filter { $0 != $1 }.count
        #expect(fast.outputs.count == 100_000)
        #expect(differing == 0, "\(name): \(differing) of 100,000 output values differ from onnxruntime")
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
