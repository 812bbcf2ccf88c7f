import Foundation
import SwiftProtobuf
import Testing
import ZynqNetBase
@testable import ZynqNetImport
import ZynqNetModel
import ZynqNetTestSupport

/// Inputs that used to trap (an arithmetic overflow, an index out of range, a NaN converted to an
/// integer) inside the importers, found by reading them; each is now one line naming the file and
/// the node or operator. The ONNX ones are also kept in Tests/Fixtures/fuzz/import/.
@Suite struct ImportTrapTests {
    static func onnxError(_ g: GraphBuilder) throws -> String? {
        do { _ = try ONNXImporter.importModel(bytes: try g.bytes(), file: "t.onnx"); return nil } catch { return "\(error)" }
    }

    /// An integer-list attribute (GraphBuilder's `node` writes only scalars).
    static func addInts(_ g: inout GraphBuilder, node: Int, _ name: String, _ v: [Int64]) {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .ints
        a.ints = v
        g.graph.node[node].attribute.append(a)
    }

    /// x (float, (1, 2)) → QuantizeLinear → MatMulInteger(w int8 (2, 2)) with the given zero points.
    static func matMulInteger(aZero: String, bZero: String?) -> GraphBuilder {
        var g = GraphBuilder()
        g.input("x", elemType: 1, dims: [1, 2])
        g.floats("sx", [0.5]); g.ints("zx", [1], type: 2)
        g.ints("w", [1, 2, 3, 4], type: 3, dims: [2, 2])
        g.floats("zf", [1]); g.floats("wzf", [3])
        g.floats("f", [0.375]); g.floats("ys", [0.25]); g.ints("yz", [0], type: 2)
        g.node("QuantizeLinear", ["x", "sx", "zx"], ["xq"])
        g.node("MatMulInteger", ["xq", "w", aZero] + (bZero.map { [$0] } ?? []), ["acc"], name: "mmi")
        g.node("Cast", ["acc"], ["accf"], ints: ["to": 1])
        g.node("Mul", ["accf", "f"], ["yf"])
        g.node("QuantizeLinear", ["yf", "ys", "yz"], ["y"])
        g.output("y")
        return g
    }

    /// A float a_zero_point of one element: `t.count` counted its float, `t.ints[0]` trapped.
    @Test func matMulIntegerFloatActivationZeroPoint() throws {
        #expect(try Self.onnxError(Self.matMulInteger(aZero: "zf", bZero: nil))
            == "t.onnx: 'mmi': MatMulInteger: a_zero_point 'zf' must be an integer constant, is float")
    }

    /// A float b_zero_point of 3 was read as no zero point (its `ints` are empty) and accepted.
    @Test func matMulIntegerFloatWeightZeroPoint() throws {
        #expect(try Self.onnxError(Self.matMulInteger(aZero: "zx", bZero: "wzf"))
            == "t.onnx: 'mmi': MatMulInteger: b_zero_point 'wzf' must be an integer constant, is float")
    }

    /// x (uint8, (1, 1, 3, 3)) → QLinearConv with w int8 (2, 1, 1, 1), two w_scales and `wz`.
    static func qLinearConv(wz: String) -> GraphBuilder {
        var g = GraphBuilder()
        g.input("x", elemType: 2, dims: [1, 1, 3, 3])
        g.floats("xs", [0.5]); g.ints("xz", [0], type: 2)
        g.ints("w", [1, 2], type: 3, dims: [2, 1, 1, 1])
        g.floats("ws", [0.25, 0.5], dims: [2])
        g.floats("wzf", [0]); g.ints("wzi", [0], type: 3)
        g.floats("ys", [1]); g.ints("yz", [0], type: 2)
        g.node("QLinearConv", ["x", "xs", "xz", "w", "ws", wz, "ys", "yz"], ["y"], name: "qconv")
        g.output("y")
        return g
    }

    /// A float w_zero_point of one element with per-channel scales: `wz.ints[0]` trapped.
    @Test func qLinearConvFloatWeightZeroPoint() throws {
        #expect(try Self.onnxError(Self.qLinearConv(wz: "wzf"))
            == "t.onnx: 'qconv': QLinearConv: w_zero_point 'wzf' must be an integer constant, is float")
        // The same graph with an int8 zero point imports.
        let m = try ONNXImporter.importModel(bytes: try Self.qLinearConv(wz: "wzi").bytes(), file: "t.onnx").model
        #expect(m.layers.count == 1 && m.layers[0].weight == [1, 2])
    }

    /// A float b_zero_point of QLinearMatMul was read as none (empty `ints`) and accepted.
    @Test func qLinearMatMulFloatWeightZeroPoint() throws {
        var g = GraphBuilder()
        g.input("x", elemType: 2, dims: [1, 2])
        g.floats("xs", [0.5]); g.ints("xz", [0], type: 2)
        g.ints("w", [1, 2, 3, 4], type: 3, dims: [2, 2])
        g.floats("ws", [0.25]); g.floats("wz", [5])
        g.floats("ys", [1]); g.ints("yz", [0], type: 2)
        g.node("QLinearMatMul", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"], ["y"], name: "qmm")
        g.output("y")
        #expect(try Self.onnxError(g) == "t.onnx: 'qmm': QLinearMatMul: b_zero_point 'wz' must be an integer constant, is float")
    }

    /// Clip's `min` attribute (opset < 11) of NaN on a layer's float output: the clamp's
    /// Int64(NaN) trapped when the QuantizeLinear ended the layer.
    @Test func clipAttributeNaN() throws {
        let g = GraphBuilder.qdq(weights: [1, 2, 3, 4], n: 2, k: 2) { b in
            b.node("Clip", ["acc"], ["clipped"], name: "clipnan", floats: ["min": .nan, "max": 6])
        }
        #expect(try Self.onnxError(g) == "t.onnx: 'clipnan': Clip: min is NaN")
    }

    /// Conv with pads 2^20 on every side of a 1×1 image: a [1, 2^21 + 1, 2^21 + 1] output, whose
    /// Flatten allocated 2^42 column indices (the process died); now the output size is bounded
    /// (ONNXLimitTests has the tighter bound's cases).
    @Test func convOutputTooLarge() throws {
        #expect(try Self.onnxError(ONNXLimitTests.paddedConv(pads: 1 << 20)) == "t.onnx: 'conv': Conv: output [1, 2097153, 2097153] has more than 16777216 elements (2^24, the largest image zynqnet's hardware holds)")
    }

    /// The Fashion CNN cut to its first CONV_2D and MAX_POOL_2D (the pool's output made the
    /// model's), on a [1, 2^31 − 1, 2^31 − 1, 1] input: the conv's output [1, 2^31 − 3, 2^31 − 3, 8]
    /// has more elements than an Int holds, and validate() trapped computing them.
    static func hugeConvOutput() throws -> [UInt8] {
        let cnn = "\(repoRoot.path)/Tests/Fixtures/real/tflite/cnn_int8.tflite"
        var bytes = try FileBytes.read(path: cnn)
        let fb = try FlatBuffer(bytes: bytes, file: cnn)
        let g = try #require(try fb.root("model", identifier: "TFL3").tables(TFLSchema.Model.subgraphs, "subgraphs")?[0])
        let tensors = try #require(try g.tables(TFLSchema.SubGraph.tensors, "tensors"))
        func put(_ v: Int32, at p: Int) { bytes.replaceSubrange(p ..< p + 4, with: withUnsafeBytes(of: v.littleEndian, Array.init)) }
        // Tensor 0 is the input, 10 the conv's output, 11 the pool's (3×3 VALID conv, 2×2/2 pool).
        for (t, shape) in [(0, [1, 2147483647, 2147483647, 1]), (10, [1, 2147483645, 2147483645, 8]),
                           (11, [1, 1073741822, 1073741822, 8])] as [(Int, [Int32])] {
            let v = try #require(try tensors[t].vector(TFLSchema.Tensor.shape, "shape", elementSize: 4))
            for (d, n) in shape.enumerated() { put(n, at: v.start + 4 * d) }
        }
        let outputs = try #require(try g.vector(TFLSchema.SubGraph.outputs, "outputs", elementSize: 4))
        put(11, at: outputs.start)
        let operators = try #require(try g.vector(TFLSchema.SubGraph.operators, "operators", elementSize: 4))
        put(2, at: operators.start - 4)
        return bytes
    }

    @Test func tfliteConvOutputTooLarge() throws {
        let bytes = try Self.hugeConvOutput()
        for r in TFLiteRounding.allCases {
            do {
                _ = try TFLiteImporter.importModel(bytes: bytes, file: "c.tflite", rounding: r)
                Issue.record("accepted")
            } catch {
                #expect("\(error)" == "c.tflite: 'operator 0 (CONV_2D)': output tensor 10 "
                    + "'sequential_1/conv2d_1/Relu;sequential_1/conv2d_1/BiasAdd;sequential_1/conv2d_1/convolution;sequential_1/conv2d_1/Squeeze1' "
                    + "has shape [1, 2147483645, 2147483645, 8], more elements than an Int holds")
            }
        }
    }
}
