import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetHW
@testable import ZynqNetImport
import ZynqNetModel
import ZynqNetSim

/// The ONNX backend node tests of the onnx 1.22.0 wheel (fetched into .cache/onnx-node-tests by
/// scripts/install-deps.sh → scripts/fetch-onnx-node-tests.sh). Each must pass bit for bit
/// through the importer and the simulator, or fail with the importer error docs/import.md lists.
@Suite("ONNX node tests")
struct ONNXNodeTests {
    static let root = repoRoot.appendingPathComponent(".cache/onnx-node-tests/node")

    /// What docs/import.md promises for each node test: "pass", or a fragment of the importer's error.
    static let expectations: [(String, String)] = [
        ("test_quantizelinear", "pass"),
        ("test_matmulinteger", "int32 accumulator without requantization"),
        ("test_qlinearmatmul_2D_uint8_float32", "weight zero point"),
        ("test_qlinearmatmul_2D_int8_float32", "weight zero point"),
        ("test_qlinearmatmul_3D_uint8_float32", "weight zero point"),
        ("test_qlinearmatmul_3D_int8_float32", "weight zero point"),
        ("test_qlinearmatmul_2D_uint8_float16", "float16"),
        ("test_qlinearmatmul_2D_int8_float16", "float16"),
        ("test_qlinearmatmul_3D_uint8_float16", "float16"),
        ("test_qlinearmatmul_3D_int8_float16", "float16"),
        ("test_quantizelinear_axis", "per-tensor activations"),
        ("test_quantizelinear_int16", "16-bit activations"),
        ("test_quantizelinear_uint16", "16-bit activations"),
        ("test_dequantizelinear", "neither a constant nor a quantized activation"),
        ("test_convinteger_without_padding", "ConvInteger's int32 accumulator without requantization"),
        ("test_convinteger_with_padding", "weight zero point 'w_zero_points' is 1, not 0"),
        ("test_qlinearconv", "weight zero point 'w_zero_point' is 255, not 0"),
        ("test_maxpool_2d_uint8", "pads [2, 2, 2, 2] are not representable: format 2's maxpool2d has no padding"),
    ]

    static func tensor(_ url: URL) throws -> ONNXTensor {
        let proto = try Onnx_TensorProto(serializedBytes: [UInt8](try Data(contentsOf: url)))
        return try ONNXTensor(proto, what: url.lastPathComponent)
    }

    /// Runs one node test; returns "pass" or the importer's error text.
    static func run(_ name: String) throws -> String {
        let dir = root.appendingPathComponent(name)
        let modelBytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent("model.onnx")))
        let proto = try Onnx_ModelProto(serializedBytes: modelBytes)
        let data = dir.appendingPathComponent("test_data_set_0")
        var bindings: [String: [UInt8]] = [:]
        let inputs = proto.graph.input.map(\.name)
        for (k, n) in inputs.enumerated() where k > 0 {
            bindings[n] = [UInt8](try Data(contentsOf: data.appendingPathComponent("input_\(k).pb")))
        }
        let graph: ONNXImporter.Graph
        do {
            graph = try ONNXImporter.analyze(bytes: modelBytes, file: name, bindings: bindings)
        } catch let e as ZynqError {
            return e.description
        }
        let x = try tensor(data.appendingPathComponent("input_0.pb"))
        let want = try tensor(data.appendingPathComponent("output_0.pb")).ints
        let got: [Int64]
        if graph.layers.isEmpty {
            let q = InputQuantizer(input: graph.input)
            got = try x.floats.map { Int64(try #require(q.code($0))) }
        } else {
            let model = QuantizedModel(input: graph.input, layers: graph.layers)
            try model.validate()
            let bytes = x.ints.map { UInt8(truncatingIfNeeded: $0) }
            let codes = try InputCodes(type: graph.input.type, width: model.inputCount, bytes: bytes)
            got = try ReferenceSimulator(model: model).run(codes).outputs.map(Int64.init)
        }
        return got == want ? "pass" : "mismatch: got \(got), want \(want)"
    }

    /// Prints the result of every quantization node test (for docs/import.md).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ZYNQNET_LIST_NODE_TESTS"] != nil))
    func listAll() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.root.path).filter {
            $0.contains("quantizelinear") || $0.contains("qlinear") || $0.contains("matmulinteger") || $0.hasPrefix("test_gemm") || $0 == "test_matmul_2d"
                || $0.contains("convinteger") || $0 == "test_maxpool_2d_uint8"
        }.sorted()
        for n in names {
            let r = (try? Self.run(n)) ?? "harness could not read it"
            print("NODE \(n) | \(r)")
        }
    }

    @Test("the node tests are there (scripts/install-deps.sh fetches them)")
    func present() {
        #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("test_matmulinteger/model.onnx").path),
                "run scripts/fetch-onnx-node-tests.sh")
    }

    @Test("each node test passes bit for bit or fails with the documented importer error", arguments: expectations.map(\.0))
    func nodeTest(_ name: String) throws {
        let expected = try #require(Self.expectations.first { $0.0 == name }?.1)
        let result = try Self.run(name)
        if expected == "pass" {
            #expect(result == "pass", "\(name): \(result)")
        } else {
            #expect(result.contains(expected), "\(name): \(result)")
            #expect(!result.contains("\n"))
        }
    }
}
