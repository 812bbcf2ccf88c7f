import Foundation
import SwiftProtobuf
import Testing
import ZynqNetBase
import ZynqNetHW
@testable import ZynqNetImport
import ZynqNetModel
import ZynqNetSim

/// Small ONNX graphs built here with the generated protobuf types.
struct GraphBuilder {
    var graph = Onnx_GraphProto()

    mutating func input(_ name: String, elemType: Int32, dims: [Int64]) {
        var v = Onnx_ValueInfoProto()
        v.name = name
        var t = Onnx_TypeProto.Tensor()
        t.elemType = elemType
        var shape = Onnx_TensorShapeProto()
        shape.dim = dims.map { d in var x = Onnx_TensorShapeProto.Dimension(); x.dimValue = d; return x }
        t.shape = shape
        v.type.tensorType = t
        graph.input.append(v)
    }
    mutating func output(_ name: String) {
        var v = Onnx_ValueInfoProto()
        v.name = name
        graph.output.append(v)
    }
    mutating func floats(_ name: String, _ values: [Float], dims: [Int64] = []) {
        var t = Onnx_TensorProto()
        t.name = name
        t.dataType = 1
        t.dims = dims
        t.floatData = values
        graph.initializer.append(t)
    }
    /// int8 (3), uint8 (2) or int32 (6) values.
    mutating func ints(_ name: String, _ values: [Int32], type: Int32, dims: [Int64] = []) {
        var t = Onnx_TensorProto()
        t.name = name
        t.dataType = type
        t.dims = dims
        t.int32Data = values
        graph.initializer.append(t)
    }
    mutating func node(_ op: String, _ inputs: [String], _ outputs: [String], name: String? = nil, domain: String = "",
                       ints: [String: Int64] = [:], floats: [String: Float] = [:]) {
        var n = Onnx_NodeProto()
        n.opType = op
        n.input = inputs
        n.output = outputs
        n.name = name ?? op + "_\(graph.node.count)"
        n.domain = domain
        for (k, v) in ints.sorted(by: { $0.key < $1.key }) {
            var a = Onnx_AttributeProto(); a.name = k; a.type = .int; a.i = v; n.attribute.append(a)
        }
        for (k, v) in floats.sorted(by: { $0.key < $1.key }) {
            var a = Onnx_AttributeProto(); a.name = k; a.type = .float; a.f = v; n.attribute.append(a)
        }
        graph.node.append(n)
    }
    func bytes() throws -> [UInt8] {
        var m = Onnx_ModelProto()
        m.irVersion = 8
        var op = Onnx_OperatorSetIdProto(); op.version = 17
        m.opsetImport = [op]
        m.graph = graph
        return try m.serializedBytes()
    }

    /// x (float, (1, k)) → Q → DQ → Gemm(transB=1, int8 weights (n, k), int32 bias) → Q → DQ → y.
    static func qdq(weights: [Int32], n: Int, k: Int, bias: [Int32]? = nil, sx: Float = 0.02, sw: [Float] = [0.01], sy: Float = 0.05,
                    zx: Int32 = 3, zy: Int32 = 10, wZero: Int32 = 0, actType: Int32 = 2, extra: ((inout GraphBuilder) -> Void)? = nil) -> GraphBuilder {
        var g = GraphBuilder()
        g.input("x", elemType: 1, dims: [1, Int64(k)])
        g.floats("sx", [sx]); g.ints("zx", [zx], type: actType)
        g.floats("sy", [sy]); g.ints("zy", [zy], type: actType)
        g.ints("w", weights, type: 3, dims: [Int64(n), Int64(k)])
        g.floats("sw", sw, dims: sw.count == 1 ? [] : [Int64(n)])
        g.ints("zw", [Int32](repeating: wZero, count: sw.count), type: 3, dims: sw.count == 1 ? [] : [Int64(n)])
        g.node("QuantizeLinear", ["x", "sx", "zx"], ["xq"])
        g.node("DequantizeLinear", ["xq", "sx", "zx"], ["xd"])
        g.node("DequantizeLinear", ["w", "sw", "zw"], ["wd"], ints: sw.count == 1 ? [:] : ["axis": 0])
        var gemmInputs = ["xd", "wd"]
        if let bias {
            g.ints("b", bias, type: 6, dims: [Int64(n)])
            let sb = sw.map { sx * $0 }
            g.floats("sb", sb, dims: sb.count == 1 ? [] : [Int64(n)])
            g.ints("zb", [Int32](repeating: 0, count: sb.count), type: 6, dims: sb.count == 1 ? [] : [Int64(n)])
            g.node("DequantizeLinear", ["b", "sb", "zb"], ["bd"], ints: sb.count == 1 ? [:] : ["axis": 0])
            gemmInputs.append("bd")
        }
        g.node("Gemm", gemmInputs, ["acc"], name: "fc", ints: ["transB": 1])
        var last = "acc"
        if let extra { extra(&g); last = g.graph.node.last!.output[0] }
        g.node("QuantizeLinear", [last, "sy", "zy"], ["yq"])
        g.node("DequantizeLinear", ["yq", "sy", "zy"], ["y"])
        g.output("y")
        return g
    }
}

@Suite("ONNX importer")
struct ONNXImporterTests {
    func load(_ g: GraphBuilder) throws -> QuantizedModel {
        try ONNXImporter.importModel(bytes: try g.bytes(), file: "t.onnx").model
    }
    func error(_ g: GraphBuilder) throws -> String {
        do {
            _ = try load(g)
        } catch let e as ZynqError {
            return e.description
        }
        Issue.record("no error")
        return ""
    }

    @Test("S becomes its exact float32 significand M (with the implicit bit) and s = 23 - exponent")
    func multiplierShift() throws {
        #expect(ONNXImporter.multiplierShift(0.75)! == (0xC0_0000, 24))
        #expect(ONNXImporter.multiplierShift(1)! == (0x80_0000, 23))
        let odd = Float(bitPattern: 0x3A9A_3E59)  // a scale with all 24 bits used
        let (m, s) = try #require(ONNXImporter.multiplierShift(odd))
        #expect(Double(m) / pow(2, Double(s)) == Double(odd))
        #expect(m >= 1 << 23 && m < 1 << 24)
        // 2^-50 needs s = 73 with the full significand; trailing zeros are dropped to s = 63.
        let tiny = try #require(ONNXImporter.multiplierShift(Float(sign: .plus, exponent: -50, significand: 1)))
        #expect(tiny == (1 << 13, 63))
        #expect(ONNXImporter.multiplierShift(Float(bitPattern: 0x1F80_0001)) == nil)  // odd significand, exponent -64
        #expect(ONNXImporter.multiplierShift(16_777_216) == nil)
        #expect(ONNXImporter.multiplierShift(0) == nil)
        #expect(ONNXImporter.multiplierShift(.nan) == nil)
    }

    @Test("a QDQ Gemm becomes one float32 layer with onnxruntime's S, bias, zero points and input quantization")
    func qdqLayer() throws {
        let w: [Int32] = [1, -2, 3, 4, 5, -6]
        let m = try load(.qdq(weights: w, n: 2, k: 3, bias: [100, -7]))
        #expect(m.input == InputSpec(shape: [3], type: .uint8, zero: 3, scale: 0.02, rounding: .halfEven))
        let l = m.layers[0]
        #expect(l.weight == [1, -2, 3, 4, 5, -6])
        #expect(l.bias == [100, -7])
        #expect(l.rounding == .float32)
        #expect(l.outputZero == 10 && l.outputType == .uint8 && !l.relu && l.clamp == nil)
        let S: Float = Float(Float(0.02) * Float(0.01)) / Float(0.05)
        let (M, s) = try #require(ONNXImporter.multiplierShift(S))
        #expect(l.multiplier == [M, M] && l.shift == [s, s])
    }

    /// `--onnx-rounding half_even`: power-of-two S per channel → M = 1, s = k (S ≥ 1: M = 2^k,
    /// s = 0); the accumulator bound Σ|w|·max|x − zx| + |bias| must stay below 2^24.
    @Test func halfEvenForPowerOfTwoScales() throws {
        func half(_ g: GraphBuilder) throws -> QuantizedModel {
            try ONNXImporter.importModel(bytes: try g.bytes(), file: "t.onnx", rounding: .halfEven).model
        }
        // Per channel: S = 2^-3·2^-4/2^-2 = 2^-5 and 2^-3·2^2/2^-2 = 2^1.
        let m = try half(.qdq(weights: [1, -2, 3, 4, 5, -6], n: 2, k: 3, bias: [100, -7], sx: 0.125, sw: [0.0625, 4], sy: 0.25))
        #expect(m.layers[0].rounding == .halfEven && m.layers[0].multiplier == [1, 2] && m.layers[0].shift == [5, 0])
        // The float32 import of the same graph gives the same outputs on every input code.
        let f = try load(.qdq(weights: [1, -2, 3, 4, 5, -6], n: 2, k: 3, bias: [100, -7], sx: 0.125, sw: [0.0625, 4], sy: 0.25))
        let codes = try InputCodes(type: .uint8, width: 3, bytes: (0..<768).map { UInt8(($0 * 37 + $0 / 3) % 256) })
        #expect(try Simulator(model: m).run(codes).outputs == Simulator(model: f).run(codes).outputs)
        // Not a power of two: S = float32(0.02 · 0.01) / 0.05 ≈ 0.004.
        #expect(throws: ZynqError(file: "t.onnx", key: "QuantizeLinear_4", "QuantizeLinear: half_even rounding needs a power-of-two requantization scale, but S of fc output channel 0 is 8589934/2^31")) {
            try half(.qdq(weights: [1, 2], n: 1, k: 2))
        }
        // Bound: 2 · 127 · 252 (zx = 3, uint8: |x − zx| ≤ 252) + |bias| reaches 2^24 with this bias; one less passes.
        let big: Int32 = (1 << 24) - 2 * 127 * 252
        #expect(throws: ZynqError(file: "t.onnx", key: "QuantizeLinear_5", "QuantizeLinear: half_even rounding equals onnxruntime's float32 only while |acc| < 2^24, but fc output channel 0 can reach 16777216")) {
            try half(.qdq(weights: [127, -127], n: 1, k: 2, bias: [big], sx: 0.125, sw: [0.0625], sy: 0.25))
        }
        #expect(try half(.qdq(weights: [127, -127], n: 1, k: 2, bias: [big - 1], sx: 0.125, sw: [0.0625], sy: 0.25)).layers[0].shift == [5])
    }

    @Test("MatMul takes (in, out) weights and a per-channel scale along axis 1; the bias Add joins the layer")
    func matmulAdd() throws {
        var g = GraphBuilder()
        g.input("x", elemType: 1, dims: [1, 2])
        g.floats("sx", [0.5]); g.ints("zx", [-1], type: 3)
        g.floats("sy", [0.25]); g.ints("zy", [2], type: 3)
        g.ints("w", [1, 2, 3, 4, 5, 6], type: 3, dims: [2, 3])  // (in 2, out 3)
        g.floats("sw", [0.5, 0.25, 0.125], dims: [3]); g.ints("zw", [0, 0, 0], type: 3, dims: [3])
        g.ints("b", [1, 2, 3], type: 6, dims: [3])
        g.floats("sb", [0.25, 0.125, 0.0625], dims: [3]); g.ints("zb", [0, 0, 0], type: 6, dims: [3])
        g.node("QuantizeLinear", ["x", "sx", "zx"], ["xq"])
        g.node("DequantizeLinear", ["xq", "sx", "zx"], ["xd"])
        g.node("DequantizeLinear", ["w", "sw", "zw"], ["wd"], ints: ["axis": 1])
        g.node("DequantizeLinear", ["b", "sb", "zb"], ["bd"], ints: ["axis": 0])
        g.node("MatMul", ["xd", "wd"], ["mm"])
        g.node("Add", ["mm", "bd"], ["acc"])
        g.node("Relu", ["acc"], ["r"])
        g.node("QuantizeLinear", ["r", "sy", "zy"], ["y"])
        g.output("y")
        let l = try load(g).layers[0]
        #expect(l.weight == [1, 4, 2, 5, 3, 6])
        #expect(l.bias == [1, 2, 3])
        #expect(l.relu)
        #expect(l.multiplier == [1 << 23, 1 << 23, 1 << 23] && l.shift == [23, 24, 25])  // S = 1, 0.5, 0.25
    }

    @Test("QLinearMatMul on the integer graph input computes sat(zy + nearbyint(float(acc) * S)) as onnxruntime")
    func qlinearMatMul() throws {
        var g = GraphBuilder()
        g.input("a", elemType: 2, dims: [4, 3])
        g.floats("as", [0.0123]); g.ints("az", [7], type: 2)
        g.ints("b", [12, -100, 3, 127, -128, 55], type: 3, dims: [3, 2])
        g.floats("bs", [0.0371, 0.0045], dims: [2]); g.ints("bz", [0, 0], type: 3, dims: [2])
        g.floats("ys", [0.0211]); g.ints("yz", [120], type: 2)
        g.node("QLinearMatMul", ["a", "as", "az", "b", "bs", "bz", "ys", "yz"], ["y"])
        g.output("y")
        let m = try load(g)
        let a: [UInt8] = [0, 255, 7, 200, 13, 99, 255, 255, 255, 1, 2, 3]
        let got = try ReferenceSimulator(model: m).run(try InputCodes(type: .uint8, width: 3, bytes: a)).outputs
        let b: [[Int32]] = [[12, -100], [3, 127], [-128, 55]]
        var want: [Int32] = []
        for r in 0..<4 {
            for c in 0..<2 {
                var acc: Int32 = 0
                for k in 0..<3 { acc += (Int32(a[r * 3 + k]) - 7) * b[k][c] }
                let S: Float = (Float(0.0123) * [Float(0.0371), Float(0.0045)][c]) / Float(0.0211)
                let v = (Float(acc) * S).rounded(.toNearestOrEven)
                want.append(Int32(min(max(v + 120, 0), 255)))
            }
        }
        #expect(got == want)
    }

    @Test("com.microsoft QGemm with transB and an int32 bias")
    func qgemm() throws {
        var g = GraphBuilder()
        g.input("a", elemType: 3, dims: [1, 2])
        g.floats("as", [0.5]); g.ints("az", [0], type: 3)
        g.ints("b", [1, 2, 3, 4, 5, 6], type: 3, dims: [3, 2])  // (out 3, in 2)
        g.floats("bs", [0.5]); g.ints("bz", [0], type: 3)
        g.ints("c", [10, 20, 30], type: 6, dims: [3])
        g.floats("ys", [0.125]); g.ints("yz", [-5], type: 3)
        g.node("QGemm", ["a", "as", "az", "b", "bs", "bz", "c", "ys", "yz"], ["y"], domain: "com.microsoft", ints: ["transB": 1])
        g.output("y")
        let l = try load(g).layers[0]
        #expect(l.weight == [1, 2, 3, 4, 5, 6] && l.bias == [10, 20, 30])
        #expect(l.multiplier == [1 << 23, 1 << 23, 1 << 23] && l.shift == [22, 22, 22])  // S = 0.5 · 0.5 / 0.125 = 2
        #expect(l.outputZero == -5 && l.outputType == .int8)
    }

    @Test("MatMulInteger → Cast → Mul → QuantizeLinear: a power-of-two y_scale imports, any other is an error")
    func matmulInteger() throws {
        func graph(ys: Float) -> GraphBuilder {
            var g = GraphBuilder()
            g.input("x", elemType: 1, dims: [1, 2])
            g.floats("sx", [0.5]); g.ints("zx", [1], type: 2)
            g.ints("w", [1, 2, 3, 4], type: 3, dims: [2, 2])
            g.floats("f", [0.375]); g.floats("ys", [ys]); g.ints("yz", [0], type: 2)
            g.node("QuantizeLinear", ["x", "sx", "zx"], ["xq"])
            g.node("MatMulInteger", ["xq", "w", "zx"], ["acc"])
            g.node("Cast", ["acc"], ["accf"], ints: ["to": 1])
            g.node("Mul", ["accf", "f"], ["yf"])
            g.node("QuantizeLinear", ["yf", "ys", "yz"], ["y"], name: "q_out")
            g.output("y")
            return g
        }
        let l = try load(graph(ys: 0.25)).layers[0]
        #expect(l.multiplier == [0xC0_0000, 0xC0_0000] && l.shift == [23, 23])  // 0.375 / 0.25 = 1.5
        let e = try error(graph(ys: 0.3))
        #expect(e.contains("'q_out'") && e.contains("QuantizeLinear") && e.contains("not a power of two"))
    }

    @Test("Brevitas QCDQ: weights quantized in the graph with a Clip, and a Clip on the output codes")
    func qcdq() throws {
        var g = GraphBuilder()
        g.input("x", elemType: 1, dims: [1, 2])
        g.floats("sx", [0.5]); g.ints("zx", [0], type: 3)
        g.floats("wf", [0.26, -0.74, 1.9, 0.1], dims: [2, 2])
        g.floats("sw", [0.5]); g.ints("zw", [0], type: 3)
        g.ints("lo", [-3], type: 3); g.ints("hi", [3], type: 3)
        g.floats("sy", [1]); g.ints("zy", [0], type: 3)
        g.ints("clo", [-8], type: 3); g.ints("chi", [7], type: 3)
        g.node("QuantizeLinear", ["x", "sx", "zx"], ["xq"])
        g.node("DequantizeLinear", ["xq", "sx", "zx"], ["xd"])
        g.node("QuantizeLinear", ["wf", "sw", "zw"], ["wq"])
        g.node("Clip", ["wq", "lo", "hi"], ["wc"])
        g.node("DequantizeLinear", ["wc", "sw", "zw"], ["wd"])
        g.node("Gemm", ["xd", "wd"], ["acc"], ints: ["transB": 1])
        g.node("QuantizeLinear", ["acc", "sy", "zy"], ["yq"])
        g.node("Clip", ["yq", "clo", "chi"], ["yc"])
        g.node("DequantizeLinear", ["yc", "sy", "zy"], ["y"])
        g.output("y")
        let l = try load(g).layers[0]
        // round_half_even(w / 0.5) = [1 (0.52), -1 (-1.48), 4 → clipped 3, 0]
        #expect(l.weight == [1, -1, 3, 0])
        #expect(l.clamp == -8...7)
    }

    @Test("a Clip on quantized weights with a bound outside their type is refused (it used to trap on the int8 conversion)")
    func clipBoundOutsideTheType() throws {
        var g = GraphBuilder()
        g.input("x", elemType: 1, dims: [1, 2])
        g.floats("sx", [0.5]); g.ints("zx", [0], type: 3)
        g.floats("wf", [0.26, -0.74, 1.9, 0.1], dims: [2, 2])
        g.floats("sw", [0.5]); g.ints("zw", [0], type: 3)
        g.ints("lo", [1000], type: 6)
        g.floats("sy", [1]); g.ints("zy", [0], type: 3)
        g.node("QuantizeLinear", ["x", "sx", "zx"], ["xq"])
        g.node("DequantizeLinear", ["xq", "sx", "zx"], ["xd"])
        g.node("QuantizeLinear", ["wf", "sw", "zw"], ["wq"])
        g.node("Clip", ["wq", "lo"], ["wc"], name: "clipw")
        g.node("DequantizeLinear", ["wc", "sw", "zw"], ["wd"])
        g.node("Gemm", ["xd", "wd"], ["acc"], ints: ["transB": 1])
        g.node("QuantizeLinear", ["acc", "sy", "zy"], ["y"])
        g.output("y")
        #expect(throws: ZynqError.self) { try load(g) }
        do { _ = try load(g) } catch {
            #expect("\(error)".contains("'clipw': Clip: bound 1000 is outside the int8 range of 'wq'"))
        }
    }

    @Test("errors name the node, its op type and the reason", arguments: [
        ("weight zero point", "'fc': Gemm: weight zero point 'zw' is 1, not 0"),
        ("unknown op", "operator Softmax is not supported"),
        ("float bias", "is float, not DequantizeLinear of int32"),
        ("tiny scale", "needs s > 63"),
        ("16-bit", "16-bit activations"),
    ])
    func errors(_ c: (String, String)) throws {
        let w: [Int32] = [1, 2, 3, 4]
        let g: GraphBuilder
        switch c.0 {
        case "weight zero point": g = .qdq(weights: w, n: 2, k: 2, wZero: 1)
        case "unknown op":
            g = .qdq(weights: w, n: 2, k: 2) { b in b.node("Softmax", ["acc"], ["sm"], name: "soft") }
        case "float bias":
            var b = GraphBuilder.qdq(weights: w, n: 2, k: 2)
            b.floats("fb", [1, 2], dims: [2])
            b.graph.node[3].input.append("fb")
            g = b
        case "tiny scale": g = .qdq(weights: w, n: 2, k: 2, sx: 1e-20, sw: [1e-20], sy: 1)
        default:
            var b = GraphBuilder.qdq(weights: w, n: 2, k: 2)
            b.graph.initializer[3].dataType = 5  // zy as int16
            g = b
        }
        let e = try error(g)
        #expect(e.hasPrefix("t.onnx: "))
        #expect(e.contains(c.1), "\(e)")
        #expect(!e.contains("\n"))
        if c.0 == "unknown op" { #expect(e.contains("'soft': Softmax:")) }
        if c.0 == "tiny scale" { #expect(e.contains("'fc'") || e.contains("fc output channel 0")) }
    }

    @Test("garbage, truncated and empty files are one ZynqError, never a crash")
    func garbage() throws {
        let good = try GraphBuilder.qdq(weights: [1, 2, 3, 4], n: 2, k: 2).bytes()
        for cut in stride(from: 0, to: good.count, by: 7) {
            #expect(throws: ZynqError.self) { _ = try ONNXImporter.importModel(bytes: Array(good.prefix(cut)), file: "cut.onnx") }
        }
        #expect(throws: ZynqError.self) { _ = try ONNXImporter.importModel(bytes: [0xff, 0xff, 0xff], file: "g.onnx") }
    }

    @Test("raw_data tensors decode little-endian and a size mismatch names the tensor")
    func rawData() throws {
        var t = Onnx_TensorProto()
        t.name = "w"
        t.dataType = 6
        t.dims = [2]
        t.rawData = Data([1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff])
        #expect(try ONNXTensor(t, what: "w").ints == [1, -2])
        t.rawData = Data([1, 0, 0])
        #expect(throws: ZynqError.self) { _ = try ONNXTensor(t, what: "w") }
        t.rawData = Data()
        t.dims = [1 << 40, 1 << 40]
        #expect(throws: ZynqError.self) { _ = try ONNXTensor(t, what: "w") }
    }

    @Test("ModelImport routes .onnx to the ONNX importer and everything else to the npz reader")
    func routing() throws {
        #expect(ModelImport.kind(of: "a/b.ONNX") == .onnx)
        #expect(ModelImport.kind(of: "m.npz") == .npz)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zn-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.onnx").path
        try Data(try GraphBuilder.qdq(weights: [1, 2, 3, 4], n: 2, k: 2).bytes()).write(to: URL(fileURLWithPath: path))
        let m = try ModelImport.load(path)
        #expect(m.format == "onnx" && m.model.layers.count == 1)
    }
}
