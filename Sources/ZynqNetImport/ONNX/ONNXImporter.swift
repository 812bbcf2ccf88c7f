import Foundation
import SwiftProtobuf
import ZynqNetBase
import ZynqNetModel

/// Imports a quantized ONNX MLP or CNN into format 2 (`shared/spec/model-format.md`, "Formats that
/// import into format 2"; docs/import.md says what is accepted and why).
///
/// The graph is walked once, in its (topological) node order, with every value given a
/// meaning: the float model input, an integer activation with its scale and zero point, its
/// dequantized float view, a constant, a dequantized constant (weights, biases) or a layer
/// whose float output waits for its QuantizeLinear. Each dense or conv layer becomes one format-2
/// layer with rounding `float32` and S = float32(float32(s_x · s_w) / s_y), as onnxruntime's
/// QGemm / QLinearMatMul / QLinearConv compute it (conv weights OIHW → OHWI, NCHW activations held
/// as [H, W, C], a flatten after a conv permuting the next dense layer's columns); each MaxPool
/// becomes a maxpool2d layer. Anything else is one error naming the node, its op
/// type and the reason.
public enum ONNXImporter {
    /// The most bytes an .onnx file may have (4 MiB). swift-protobuf's decoding alone can take
    /// about 260 bytes of memory per byte of a hostile file (an empty AttributeProto is 2 bytes),
    /// so this bounds the decoding to about 1.1 GB. Real models are far smaller: the largest in
    /// Tests/Fixtures/real has 117 KB, and every weight zynqnet builds sits in the block RAM of its
    /// xc7z020 (630 KB), while 4 MiB holds 4M int8 (or 1M float) weights (docs/import.md, "Limits").
    public static let maxFileBytes = 4 << 20

    /// The most elements one activation (one image, graph input or layer output) may have:
    /// 2^24, the largest image zynqnet's hardware holds (`Topology.maxCount`, which a test
    /// checks equals this). A Flatten after a conv or pool builds one index per element.
    public static let maxActivationElements = 1 << 24

    /// The most bytes of arrays the walk may build from sizes read in the file: decoded tensors,
    /// weight copies, Flatten's column orders, quantized constants, node lists (256 MiB; a
    /// fixture model takes under 2 MB). The node (or initializer) that would pass it is refused
    /// before its array is built.
    public static let maxWorkBytes = 1 << 28

    /// Reads and imports the model at `path` (a file above `maxFileBytes` is refused unread).
    public static func load(path: String, rounding: ONNXRounding = .float32) throws -> ImportedModel {
        let bytes = try FileBytes.withMapped(path: path) { (b) throws(ZynqError) -> [UInt8] in
            guard b.count <= maxFileBytes else { throw tooLarge(b.count, file: path) }
            return [UInt8](b)
        }
        return try importModel(bytes: bytes, file: path, rounding: rounding)
    }

    static func tooLarge(_ count: Int, file: String) -> ZynqError {
        ZynqError(file: file, "file of \(count) bytes is larger than the \(maxFileBytes >> 20) MiB an .onnx model may have: not read (docs/import.md, \"Limits\")")
    }

    /// Imports a serialized `ModelProto`; `file` names it in errors. `bindings` gives values to
    /// graph inputs (the ONNX backend node tests feed scales and weights as inputs).
    public static func importModel(bytes: [UInt8], file: String, bindings: [String: [UInt8]] = [:],
                                   rounding: ONNXRounding = .float32) throws -> ImportedModel {
        let graph = try analyze(bytes: bytes, file: file, bindings: bindings, rounding: rounding)
        guard !graph.layers.isEmpty else {
            throw oneLine(ZynqError(file: file, key: graph.outputName, "the graph has no quantized dense layer (MatMul/Gemm between QuantizeLinear and DequantizeLinear)"))
        }
        let model = QuantizedModel(input: graph.input, layers: graph.layers)
        do throws(ZynqError) { try model.validate() } catch { let e = error; throw oneLine(e.inFile(file)) }
        return ImportedModel(model: model, origin: graph.origins, format: "onnx")
    }

    /// What the walk found: the input quantization, the layers (possibly none, for a graph
    /// that only quantizes its input) and which nodes made each layer.
    public struct Graph: Sendable {
        public var input: InputSpec
        public var layers: [DenseLayer]
        public var origins: [String]
        public var outputName: String
        /// Bytes of arrays the walk built from sizes in the file (at most `maxWorkBytes`).
        public var workBytes: Int
    }

    /// Walks the graph (see the type's comment). Public for the ONNX node tests, which also
    /// check graphs that only quantize their input.
    public static func analyze(bytes: [UInt8], file: String, bindings: [String: [UInt8]] = [:],
                               rounding: ONNXRounding = .float32) throws -> Graph {
        guard bytes.count <= maxFileBytes else { throw tooLarge(bytes.count, file: file) }
        try ONNXWire.check(bytes, file: file)
        let proto: Onnx_ModelProto
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 64
            proto = try Onnx_ModelProto(serializedBytes: bytes, options: options)
        } catch {
            throw ZynqError(file: file, "not an ONNX model: the protobuf does not decode (\(error))")
        }
        var walker = Walker(file: file, rounding: rounding)
        do {
            return try walker.run(proto, bindings: bindings)
        } catch let e as ZynqError {
            throw oneLine(e.inFile(file))
        }
    }

    /// The error with every control character (names from the file may hold newlines) written
    /// as `\u{..}`, so it stays one line.
    static func oneLine(_ e: ZynqError) -> ZynqError {
        func clean(_ s: String) -> String {
            var out = ""
            for u in s.unicodeScalars {
                if u.value < 0x20 || (0x7f...0x9f).contains(u.value) || u.value == 0x2028 || u.value == 0x2029 {
                    out += "\\u{\(String(u.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
            return out
        }
        var c = e
        c.key = e.key.map(clean)
        c.message = clean(e.message)
        return c
    }

    /// S as format 2's `float32` M / 2^s: M the 24-bit significand of S with its implicit bit,
    /// s = 23 − exponent; when that s exceeds 63, trailing zero bits of M are dropped (same
    /// value). Nil when S is not finite and positive, or needs s > 63 or s < 0.
    public static func multiplierShift(_ S: Float) -> (multiplier: UInt32, shift: UInt8)? {
        guard S.isFinite, S > 0 else { return nil }
        var m: UInt32, s: Int
        if S.isNormal {
            m = UInt32(S.significandBitPattern) | (1 << 23)
            s = 23 - Int(S.exponent)
        } else {
            m = UInt32(S.significandBitPattern)
            s = 149
        }
        while s > 63 && m & 1 == 0 { m >>= 1; s -= 1 }
        guard s >= 0, s <= 63 else { return nil }
        return (m, UInt8(s))
    }

    /// onnxruntime's requantization scale of one output channel: float32(float32(s_x · s_w) / s_y)
    /// (qgemm.cc / qlinearmatmul.cc compute `a_scale * b_scale / y_scale` left to right in float).
    public static func requantScale(inputScale: Float, weightScale: Float, outputScale: Float) -> Float {
        let xw: Float = inputScale * weightScale
        return xw / outputScale
    }
}

/// The rounding an ONNX model's layers get: `float32` (onnxruntime's QGemm / QLinearMatMul
/// arithmetic, the default) or `half_even`, which only power-of-two scales with accumulators
/// below 2^24 allow and which then gives the same values (QONNX's round half to even; a
/// requantizer without a float unit, e.g. the serial engine's).
public enum ONNXRounding: String, Sendable, CaseIterable {
    case float32
    case halfEven = "half_even"
}

/// A model imported from an outside format, with where each layer came from.
public struct ImportedModel: Sendable {
    public var model: QuantizedModel
    /// Per layer, the nodes or operators it was made from (for the import report).
    public var origin: [String]
    /// "onnx", "tflite" or "npz".
    public var format: String

    public init(model: QuantizedModel, origin: [String], format: String) {
        self.model = model
        self.origin = origin
        self.format = format
    }
}

// MARK: - The walk

/// An integer activation tensor: what its integers mean and where it came from.
private struct Act: Equatable {
    var scale: Float
    var zero: Int32
    var type: ActivationType
    /// The largest |x − zero| of the type's codes.
    var largestOffset: Int64 { Swift.max(Int64(zero) - Int64(type.min), Int64(type.max) - Int64(zero)) }
    /// Shape of one image (the dimensions after the batch).
    var shape: [Int]
    /// The layer that produced it; −1 for the model input.
    var layer: Int
    /// A conv2d or maxpool2d layer made it: `shape` is ONNX's `[C, H, W]`, but format 2 holds
    /// it as `[H, W, C]`.
    var channelsLast = false
    /// After a Flatten/Reshape of a channels-last tensor: element k of ONNX's (c, h, w) order is
    /// element `columnOrder[k]` of format 2's (h, w, c) order (the next dense layer's columns move).
    var columnOrder: [Int]?
    var elements: Int { shape.reduce(1, *) }
}

extension Act {
    /// Flatten to one dimension; a channels-last `[C, H, W]` records where ONNX's (c, h, w)
    /// elements sit in format 2's (h, w, c) order.
    mutating func flatten() {
        if channelsLast, shape.count == 3 {
            let (c, h, w) = (shape[0], shape[1], shape[2])
            var order = [Int](repeating: 0, count: c * h * w)
            for ci in 0..<c { for y in 0..<h { for x in 0..<w { order[(ci * h + y) * w + x] = (y * w + x) * c + ci } } }
            columnOrder = order
            channelsLast = false
        }
        shape = [elements]
    }
}

/// A DequantizeLinear of a constant integer tensor (weights or a bias).
private struct DQConst {
    var q: ONNXTensor
    var scale: [Float]
    var zero: [Int64]
    var zeroName: String
    /// The axis of per-axis scales (normalized); nil for per-tensor.
    var axis: Int?
}

/// A dense layer whose float (or int32) output has not been quantized yet.
private struct Pending {
    var input: Act
    var outFeatures: Int
    var inFeatures: Int
    var weight: [Int8]
    /// Per tensor (1) or per output channel.
    var weightScale: [Float]
    var bias: [Int32]?
    var relu = false
    var clamp: (Float, Float)?
    var nodes: [String]
    /// A conv2d layer's window, and its output shape `[C, H, W]` (ONNX's order); nil for dense.
    var conv: Conv2DGeometry?
    var convOutput: [Int] = []
    /// MatMulInteger's and ConvInteger's requantization: set by Cast to float, then the factor of Mul.
    var integerOutput = false
    var castToFloat = false
    var factor: [Float]?
}

private enum Value {
    case floatInput(shape: [Int])
    case codesInput(type: ActivationType, shape: [Int])
    case quantized(Act)
    case dequantized(Act)
    case constant(ONNXTensor)
    case dqConstant(DQConst)
    case pending(Pending)
}

/// One node being read, with the values defined before it: typed access to its inputs and
/// attributes, each failure one line naming the node and its operator.
private struct NodeReader {
    let node: Onnx_NodeProto
    /// The node's name, or "node <index>" when it has none.
    let name: String
    let op: String
    let values: [String: Value]

    func fail(_ message: String) -> ZynqError { ZynqError(key: name, "\(op): \(message)") }
    func input(_ i: Int) throws -> Value {
        guard i < node.input.count, !node.input[i].isEmpty else { throw fail("input \(i) is missing") }
        guard let v = values[node.input[i]] else {
            throw fail("input '\(node.input[i])' is not produced by an earlier node, an initializer or the graph input")
        }
        return v
    }
    func optionalInput(_ i: Int) throws -> Value? {
        guard i < node.input.count, !node.input[i].isEmpty else { return nil }
        return try input(i)
    }
    func constant(_ i: Int, _ what: String) throws -> ONNXTensor {
        guard case .constant(let t) = try input(i) else { throw fail("\(what) '\(node.input[i])' must be a constant (initializer)") }
        return t
    }
    /// A constant of integers (a zero point): a float one has no `ints`.
    func integerConstant(_ i: Int, _ what: String) throws -> ONNXTensor {
        let t = try constant(i, what)
        guard t.type != .float else { throw fail("\(what) '\(node.input[i])' must be an integer constant, is float") }
        return t
    }
    func outputs(_ n: Int) throws {
        guard node.output.count == n, node.output.allSatisfy({ !$0.isEmpty }) else {
            throw fail("has \(node.output.count) outputs, \(n) expected")
        }
    }
    func attribute(_ key: String) -> Onnx_AttributeProto? { node.attribute.first { $0.name == key } }
    func intAttribute(_ key: String, _ fallback: Int64) throws -> Int64 {
        guard let a = attribute(key) else { return fallback }
        guard a.type == .int || (a.type == .undefined && a.hasI) else { throw fail("attribute '\(key)' must be an integer") }
        return a.i
    }
    /// An integer-list attribute with `count` values (nil when absent).
    func intsAttribute(_ key: String, count: Int) throws -> [Int]? {
        guard let a = attribute(key) else { return nil }
        guard a.type == .ints || a.type == .undefined else { throw fail("attribute '\(key)' must be a list of integers") }
        guard a.ints.count == count else { throw fail("attribute '\(key)' has \(a.ints.count) values, \(count) expected (2-D windows only)") }
        guard a.ints.allSatisfy({ $0 >= 0 && $0 <= 1 << 20 }) else { throw fail("attribute '\(key)' = \(a.ints) has a value outside 0…2^20") }
        return a.ints.map { Int($0) }
    }
    func stringAttribute(_ key: String, _ fallback: String) throws -> String {
        guard let a = attribute(key) else { return fallback }
        guard a.type == .string || (a.type == .undefined && !a.s.isEmpty) else { throw fail("attribute '\(key)' must be a string") }
        return String(decoding: a.s, as: UTF8.self)
    }
    func floatAttribute(_ key: String, _ fallback: Float) throws -> Float {
        guard let a = attribute(key) else { return fallback }
        guard a.type == .float || (a.type == .undefined && a.hasF) else { throw fail("attribute '\(key)' must be a float") }
        return a.f
    }
    /// A per-tensor scale: a positive finite float32 with one element.
    func scalarScale(_ i: Int, _ what: String) throws -> Float {
        let t = try constant(i, what)
        guard t.type == .float, t.count == 1, let s = t.floats.first, s.isFinite, s > 0 else {
            throw fail("\(what) '\(node.input[i])' must be one positive finite float32 (per-tensor activations), is \(ONNXTensor.typeName(t.type.rawValue)) with \(t.count) element(s)")
        }
        return s
    }
    /// A zero point with one element, and the activation type it gives.
    func scalarZero(_ i: Int, _ what: String, default fallback: ActivationType = .uint8) throws -> (Int32, ActivationType) {
        guard i < node.input.count, !node.input[i].isEmpty else { return (0, fallback) }
        let t = try constant(i, what)
        guard t.count == 1 else { throw fail("\(what) '\(node.input[i])' must have one element (per-tensor activations), has \(t.count)") }
        switch t.type {
        case .uint8: return (Int32(t.ints[0]), .uint8)
        case .int8: return (Int32(t.ints[0]), .int8)
        case .uint16, .int16:
            throw fail("\(what) '\(node.input[i])' is \(t.type.name): 16-bit activations are not representable in format 2 (8-bit activations only)")
        default:
            throw fail("\(what) '\(node.input[i])' has type \(t.type.name); int8 or uint8 is read")
        }
    }
}

private struct Walker {
    let file: String
    var values: [String: Value] = [:]
    var layers: [DenseLayer] = []
    var origins: [String] = []
    var modelInput: InputSpec?
    var inputName = ""
    /// The model input's `[C, H, W]` when the first layer is a conv2d or maxpool2d (format 2's
    /// input shape is then `[H, W, C]`).
    var spatialInput: [Int]?

    /// float32 (onnxruntime's arithmetic) or half_even (power-of-two scales only).
    let rounding: ONNXRounding

    /// Bytes of the arrays the walk has built from sizes read in the file (see `charge`).
    var spent = 0

    /// Counts `count` elements of `bytes` each that the walk is about to build (or has just
    /// decoded) against `ONNXImporter.maxWorkBytes`; past it, `fail` names the node or tensor.
    mutating func charge(_ count: Int, bytes: Int, for what: @autoclosure () -> String, fail: (String) -> ZynqError) throws {
        let (b, o1) = count.multipliedReportingOverflow(by: bytes)
        let (total, o2) = spent.addingReportingOverflow(b)
        guard !o1, !o2, total <= ONNXImporter.maxWorkBytes else {
            throw fail("\(what()) would take the arrays this import builds past \(ONNXImporter.maxWorkBytes >> 20) MiB, "
                + "the importer's work limit (docs/import.md, \"Limits\")")
        }
        spent = total
    }

    /// Decodes a tensor of the file and charges its values.
    mutating func decode(_ proto: Onnx_TensorProto, what: String, kind: String) throws -> ONNXTensor {
        let t = try ONNXTensor(proto, what: what)
        try charge(t.decodedBytes, bytes: 1, for: "\(kind) of \(t.count) elements", fail: { ZynqError(key: t.name, $0) })
        return t
    }

    /// Charges one more entry of a pending layer's node list (each Relu or Clip copies it).
    mutating func chargeNodes(_ p: Pending, _ n: NodeReader) throws {
        try charge(p.nodes.count + 1, bytes: 16, for: "its node list (\(p.nodes.count + 1) entries) for layer '\(p.nodes.first ?? n.name)'", fail: n.fail)
    }

    init(file: String, rounding: ONNXRounding) {
        self.file = file
        self.rounding = rounding
    }

    mutating func run(_ model: Onnx_ModelProto, bindings: [String: [UInt8]]) throws -> ONNXImporter.Graph {
        guard model.hasGraph else { throw ZynqError(key: "graph", "the model has no graph") }
        let g = model.graph
        // Opset imports are not checked: each node's domain and op type are.
        for t in g.initializer {
            guard !t.name.isEmpty else { throw ZynqError(key: "initializer", "an initializer has no name") }
            values[t.name] = .constant(try decode(t, what: t.name, kind: "initializer"))
        }
        if !g.sparseInitializer.isEmpty { throw ZynqError(key: "sparse_initializer", "sparse initializers are not read") }
        for (name, bytes) in bindings {
            let t: Onnx_TensorProto
            try ONNXWire.check(bytes, file: name, as: .tensor)
            do { t = try Onnx_TensorProto(serializedBytes: bytes) } catch {
                throw ZynqError(key: name, "bound tensor does not decode as a TensorProto")
            }
            values[name] = .constant(try decode(t, what: name, kind: "bound tensor"))
        }
        let free = g.input.filter { values[$0.name] == nil }
        guard free.count == 1, let x = free.first else {
            throw ZynqError(key: "graph.input", "the graph must have exactly one input that is not a constant, has \(free.count) (\(free.map(\.name).joined(separator: ", ")))")
        }
        inputName = x.name
        guard case .tensorType(let tt)? = x.type.value else {
            throw ZynqError(key: x.name, "graph input is not a tensor")
        }
        var dims: [Int] = []
        for (k, d) in tt.shape.dim.enumerated() {
            if case .dimValue(let v)? = d.value, v >= 1, v <= Int64(ONNXImporter.maxActivationElements) {
                dims.append(Int(v))
            } else if k == 0 {
                dims.append(1)  // the batch dimension may be symbolic
            } else {
                throw ZynqError(key: x.name, "graph input dimension \(k) must be a fixed size >= 1")
            }
        }
        guard dims.count >= 1 else { throw ZynqError(key: x.name, "graph input must have a batch dimension") }
        // The first dimension is the batch; a 1-D input is a batch of single values.
        let perImage = dims.count == 1 ? [1] : Array(dims.dropFirst())
        var perImageCount = 1
        for d in perImage {
            let (p, o) = perImageCount.multipliedReportingOverflow(by: d)
            guard !o, p <= ONNXImporter.maxActivationElements else {
                throw ZynqError(key: x.name, "graph input \(dims) has more than \(ONNXImporter.maxActivationElements) elements per image (2^24, the largest image zynqnet's hardware holds)")
            }
            perImageCount = p
        }
        switch tt.elemType {
        case 1: values[x.name] = .floatInput(shape: perImage)
        case 2: values[x.name] = .codesInput(type: .uint8, shape: perImage)
        case 3: values[x.name] = .codesInput(type: .int8, shape: perImage)
        default:
            throw ZynqError(key: x.name, "graph input has element type \(ONNXTensor.typeName(tt.elemType)); float, uint8 or int8 is read")
        }

        for (k, node) in g.node.enumerated() {
            try step(node, index: k)
        }

        guard g.output.count == 1, let out = g.output.first else {
            throw ZynqError(key: "graph.output", "the graph must have exactly one output, has \(g.output.count)")
        }
        guard let v = values[out.name] else {
            throw ZynqError(key: out.name, "graph output is not produced by any node")
        }
        let act: Act
        switch v {
        case .quantized(let a), .dequantized(let a): act = a
        case .pending(let p) where p.integerOutput && p.factor == nil:
            throw ZynqError(key: out.name, "graph output is \(p.conv == nil ? "MatMulInteger" : "ConvInteger")'s int32 accumulator without requantization: a format-2 layer's output is 8-bit (needs Cast, Mul and QuantizeLinear after it)")
        case .pending(let p):
            throw ZynqError(key: out.name, "graph output is the float output of \(p.nodes.last ?? "a layer"), not quantized: end the graph with QuantizeLinear (and DequantizeLinear)")
        default:
            throw ZynqError(key: out.name, "graph output is not the quantized output of the last dense layer")
        }
        guard act.layer == layers.count - 1 else {
            throw ZynqError(key: out.name, "graph output is not the output of the last dense layer")
        }
        guard var input = modelInput else { throw ZynqError(key: inputName, "the graph input is never quantized") }
        if let chw = spatialInput { input.shape = [chw[1], chw[2], chw[0]] }
        if case .maxpool2d = layers.last?.kind {
            throw ZynqError(key: out.name, "graph output is a MaxPool's: format 2's last layer is not maxpool2d (end with a dense or conv layer)")
        }
        return ONNXImporter.Graph(input: input, layers: layers, origins: origins, outputName: out.name, workBytes: spent)
    }

    // MARK: one node

    /// Reads one node: the function of its op family defines its (single) output.
    mutating func step(_ node: Onnx_NodeProto, index: Int) throws {
        // The reader (and its reference to `values`) is gone before `values` changes, so the
        // dictionary is not copied.
        let output = try value(of: NodeReader(node: node, name: node.name.isEmpty ? "node \(index)" : node.name,
                                              op: node.opType, values: values))
        values[node.output[0]] = output
    }

    /// The value node `n` defines, after checking its domain and that its outputs are new.
    mutating func value(of n: NodeReader) throws -> Value {
        switch n.node.domain {
        case "", "ai.onnx": break
        case "com.microsoft" where n.op == "QGemm": break
        default: throw n.fail("operator domain '\(n.node.domain)' is not supported (only the ONNX domain and com.microsoft QGemm)")
        }
        for o in n.node.output where !o.isEmpty && n.values[o] != nil {
            throw n.fail("output '\(o)' is defined twice")
        }
        switch n.op {
        case "Constant": return try constantNode(n)
        case "Identity":
            try n.outputs(1)
            return try n.input(0)
        case "Flatten", "Reshape": return try reshape(n)
        case "QuantizeLinear": return try quantizeLinear(n)
        case "DequantizeLinear": return try dequantizeLinear(n)
        case "Gemm", "MatMul": return try gemm(n)
        case "Add": return try add(n)
        case "Relu": return try relu(n)
        case "Clip": return try clip(n)
        case "QLinearMatMul": return try qLinearMatMul(n)
        case "QGemm": return try qGemm(n)
        case "MatMulInteger": return try matMulInteger(n)
        case "Cast": return try cast(n)
        case "Conv": return try conv(n)
        case "QLinearConv": return try qLinearConv(n)
        case "ConvInteger": return try convInteger(n)
        case "MaxPool": return try maxPool(n)
        case "Mul": return try mul(n)
        case "DynamicQuantizeLinear", "DynamicQuantizeMatMul", "MatMulIntegerToFloat", "DynamicQuantizeLSTM":
            throw n.fail("dynamic quantization (scales computed at run time) is not representable in format 2; quantize statically")
        default:
            throw n.fail("operator \(n.op) is not supported by the ONNX importer (see docs/import.md)")
        }
    }

    // MARK: op families

    /// Constant: a constant tensor from one of its value attributes.
    mutating func constantNode(_ n: NodeReader) throws -> Value {
        try n.outputs(1)
        if let a = n.attribute("value"), a.hasT {
            let t = try ONNXTensor(a.t, what: n.node.output[0])
            try charge(t.decodedBytes, bytes: 1, for: "its value of \(t.count) elements", fail: n.fail)
            return .constant(t)
        } else if let a = n.attribute("value_float") {
            return .constant(ONNXTensor(name: n.node.output[0], type: .float, dims: [], floats: [a.f]))
        } else if let a = n.attribute("value_int") {
            return .constant(ONNXTensor(name: n.node.output[0], type: .int64, dims: [], ints: [a.i]))
        } else if let a = n.attribute("value_ints") {
            try charge(a.ints.count, bytes: 8, for: "its value_ints of \(a.ints.count) elements", fail: n.fail)
            return .constant(ONNXTensor(name: n.node.output[0], type: .int64, dims: [a.ints.count], ints: a.ints))
        } else {
            throw n.fail("only value, value_float, value_int and value_ints are read")
        }
    }

    /// Flatten and Reshape: an activation to (batch, n).
    mutating func reshape(_ n: NodeReader) throws -> Value {
        try n.outputs(1)
        let x = try n.input(0)
        let shape: [Int]
        switch x {
        case .floatInput(let s), .codesInput(_, let s): shape = s
        case .quantized(let a), .dequantized(let a): shape = a.shape
        default: throw n.fail("only activations (not constants or layer outputs before their QuantizeLinear) are reshaped")
        }
        let count = shape.reduce(1, *)
        if n.op == "Flatten" {
            guard try n.intAttribute("axis", 1) == 1 else { throw n.fail("only axis 1 (keep the batch dimension) is supported") }
            guard n.node.input.count == 1 else { throw n.fail("takes one input") }
        } else {
            let t = try n.constant(1, "shape")
            guard t.type == .int64, t.ints.count == 2, [-1, 0, 1].contains(t.ints[0]), t.ints[1] == -1 || t.ints[1] == Int64(count),
                  !(t.ints[0] == -1 && t.ints[1] == -1) else {
                throw n.fail("only a reshape to (batch, \(count)) is supported, got shape \(t.ints)")
            }
            if try n.intAttribute("allowzero", 0) != 0 && t.ints[0] == 0 { throw n.fail("allowzero with a 0 dimension is not supported") }
        }
        let flat = [count]
        switch x {
        case .quantized(let a) where a.channelsLast, .dequantized(let a) where a.channelsLast:
            // Act.flatten builds one index per element.
            try charge(count, bytes: 8, for: "its column order (\(count) entries)", fail: n.fail)
        default: break
        }
        switch x {
        case .codesInput(let ty, _): return .codesInput(type: ty, shape: flat)
        case .quantized(var a): a.flatten(); return .quantized(a)
        case .dequantized(var a): a.flatten(); return .dequantized(a)
        default: return .floatInput(shape: flat)  // (the first switch let only activations through)
        }
    }

    /// QuantizeLinear: of the graph input, of a dense layer's float output (which ends the layer), or of a constant.
    mutating func quantizeLinear(_ n: NodeReader) throws -> Value {
        try n.outputs(1)
        guard n.node.input.count >= 2 else { throw n.fail("needs x and y_scale") }
        let x = try n.input(0)
        if case .constant(let t) = x {
            return .constant(try quantizeConstant(t, node: n.node, fail: n.fail))
        }
        if let a = n.attribute("saturate"), a.i == 0 { throw n.fail("saturate = 0 is not supported") }
        let scale = try n.scalarScale(1, "y_scale")
        let (zero, type) = try n.scalarZero(2, "y_zero_point")
        switch x {
        case .floatInput(let shape):
            guard modelInput == nil else { throw n.fail("the graph input is quantized twice") }
            modelInput = InputSpec(shape: [shape.reduce(1, *)], type: type, zero: zero, scale: scale, rounding: .halfEven)
            return .quantized(Act(scale: scale, zero: zero, type: type, shape: shape, layer: -1))
        case .pending(let p):
            let act = try finish(p, scale: scale, zero: zero, type: type, node: n.name, fail: n.fail)
            return .quantized(act)
        case .dequantized(let a):
            // A Q right after the DQ of the same parameters changes nothing.
            guard a.scale == scale, a.zero == zero, a.type == type else {
                throw n.fail("requantizes an activation without a layer (scale \(a.scale) zero \(a.zero) to scale \(scale) zero \(zero)): not representable")
            }
            return .quantized(a)
        default:
            throw n.fail("input '\(n.node.input[0])' is not the graph input or a dense layer's float output")
        }
    }

    /// DequantizeLinear: of constant weights or a bias, or of a quantized activation.
    mutating func dequantizeLinear(_ n: NodeReader) throws -> Value {
        try n.outputs(1)
        guard n.node.input.count >= 2 else { throw n.fail("needs x and x_scale") }
        switch try n.input(0) {
        case .constant(let t):
            return .dqConstant(try dequantizeConstant(t, node: n.node, attribute: n.intAttribute, fail: n.fail))
        case .quantized(let a):
            let scale = try n.scalarScale(1, "x_scale")
            let (zero, type) = try n.scalarZero(2, "x_zero_point", default: a.type)
            guard scale == a.scale, zero == a.zero, type == a.type else {
                throw n.fail("dequantizes with scale \(scale), zero point \(zero) (\(type)) an activation quantized with scale \(a.scale), zero point \(a.zero) (\(a.type))")
            }
            return .dequantized(a)
        default:
            throw n.fail("input '\(n.node.input[0])' is neither a constant nor a quantized activation")
        }
    }

    /// Gemm and MatMul (QDQ): a dense layer of a dequantized activation and dequantized int8 weights.
    mutating func gemm(_ n: NodeReader) throws -> Value {
        try n.outputs(1)
        guard case .dequantized(let a) = try n.input(0) else {
            throw n.fail("input A '\(n.node.input[0])' must be a dequantized activation (DequantizeLinear of a QuantizeLinear output): float layers are not supported")
        }
        guard case .dqConstant(let w) = try n.input(1) else {
            throw n.fail("input B '\(n.node.input[1])' must be DequantizeLinear of constant int8 weights: float weights are not supported")
        }
        var transB = false
        if n.op == "Gemm" {
            guard try n.intAttribute("transA", 0) == 0 else { throw n.fail("transA = 1 is not supported") }
            guard try n.floatAttribute("alpha", 1) == 1 else { throw n.fail("alpha must be 1") }
            transB = try n.intAttribute("transB", 0) == 1
        } else {
            guard n.node.input.count == 2 else { throw n.fail("takes two inputs") }
        }
        var p = try pending(a, weights: w, outIsRows: transB, nodes: [n.name], fail: n.fail)
        if n.op == "Gemm", let c = try n.optionalInput(2) {
            guard try n.floatAttribute("beta", 1) == 1 else { throw n.fail("beta must be 1") }
            p.bias = try bias(c, for: p, tensor: n.node.input[2], fail: n.fail)
        }
        return .pending(p)
    }

    /// Add: the bias add after a MatMul.
    mutating func add(_ n: NodeReader) throws -> Value {
        try n.outputs(1)
        let l = try n.input(0), r = try n.input(1)
        let (p, c, cName): (Pending, Value, String)
        if case .pending(let pp) = l { (p, c, cName) = (pp, r, n.node.input[1]) } else if case .pending(let pp) = r { (p, c, cName) = (pp, l, n.node.input[0]) } else {
            throw n.fail("only the bias add after a MatMul is supported")
        }
        guard p.bias == nil, !p.relu, p.clamp == nil, p.factor == nil else { throw n.fail("adds a second bias, or after an activation: not supported") }
        var q = p
        q.bias = try bias(c, for: p, tensor: cName, fail: n.fail)
        try chargeNodes(p, n)
        q.nodes.append(n.name)
        return .pending(q)
    }

    /// Relu between a dense layer and its QuantizeLinear.
    mutating func relu(_ n: NodeReader) throws -> Value {
        try n.outputs(1)
        guard case .pending(var p) = try n.input(0), !p.integerOutput || p.factor != nil else {
            throw n.fail("Relu is supported only between a dense layer and its QuantizeLinear")
        }
        p.relu = true
        try chargeNodes(p, n)
        p.nodes.append(n.name)
        return .pending(p)
    }

    /// Clip: on a layer's float output, a quantized activation (QCDQ) or quantized weights.
    mutating func clip(_ n: NodeReader) throws -> Value {
        try n.outputs(1)
        var lo: Float = -.infinity, hi: Float = .infinity
        var loInt: Int64?, hiInt: Int64?
        if n.node.input.count > 1 || n.attribute("min") == nil && n.attribute("max") == nil {
            for (i, isMin) in [(1, true), (2, false)] {
                guard let v = try n.optionalInput(i) else { continue }
                guard case .constant(let t) = v, t.count == 1 else { throw n.fail("\(isMin ? "min" : "max") must be a constant with one element") }
                if t.type == .float {
                    guard !t.floats[0].isNaN else { throw n.fail("\(isMin ? "min" : "max") is NaN") }
                    if isMin { lo = t.floats[0] } else { hi = t.floats[0] }
                } else if isMin { loInt = t.ints[0] } else { hiInt = t.ints[0] }
            }
        } else {
            lo = try n.floatAttribute("min", -.infinity)
            hi = try n.floatAttribute("max", .infinity)
            guard !lo.isNaN, !hi.isNaN else { throw n.fail("\(lo.isNaN ? "min" : "max") is NaN") }
        }
        switch try n.input(0) {
        case .pending(var p):
            guard loInt == nil, hiInt == nil, !(p.integerOutput && p.factor == nil) else { throw n.fail("a float Clip needs float bounds") }
            p.clamp = (Swift.max(lo, p.clamp?.0 ?? -.infinity), Swift.min(hi, p.clamp?.1 ?? .infinity))
            try chargeNodes(p, n)
            p.nodes.append(n.name)
            return .pending(p)
        case .quantized(let a):
            // Brevitas' QCDQ: Clip between QuantizeLinear and DequantizeLinear, integer bounds.
            guard a.layer >= 0, a.layer == layers.count - 1 else { throw n.fail("a Clip on the quantized model input is not supported") }
            let cl = loInt ?? (lo.isInfinite ? Int64(a.type.min) : Int64(exactly: lo) ?? Int64.min)
            let ch = hiInt ?? (hi.isInfinite ? Int64(a.type.max) : Int64(exactly: hi) ?? Int64.min)
            guard cl != Int64.min, ch != Int64.min else { throw n.fail("bounds of a Clip on integers must be integers") }
            try applyClamp(cl...Swift.max(cl, ch), valid: cl <= ch, layer: a.layer, fail: n.fail)
            origins[a.layer] += ", " + n.name
            return .quantized(a)
        case .constant(let t):
            // QCDQ weights: QuantizeLinear → Clip → DequantizeLinear on constants.
            guard t.type != .float else { throw n.fail("a Clip on float constants is not supported") }
            if let r = t.type.range, let bad = [loInt, hiInt].compactMap({ $0 }).first(where: { !r.contains($0) }) {
                throw n.fail("bound \(bad) is outside the \(t.type.name) range of '\(n.node.input[0])'")
            }
            let cl = loInt ?? Int64.min, ch = hiInt ?? Int64.max
            guard cl <= ch else { throw n.fail("min \(cl) is above max \(ch)") }
            try charge(t.count, bytes: 8, for: "its clipped copy of '\(n.node.input[0])' (\(t.count) elements)", fail: n.fail)
            return .constant(ONNXTensor(name: t.name, type: t.type, dims: t.dims, ints: t.ints.map { Swift.min(Swift.max($0, cl), ch) }))
        default:
            throw n.fail("Clip is supported on a layer's float output, a quantized activation or quantized weights")
        }
    }

    /// QLinearMatMul (QOperator): a whole dense layer.
    mutating func qLinearMatMul(_ n: NodeReader) throws -> Value {
        try n.outputs(1)
        guard n.node.input.count == 8 else { throw n.fail("needs 8 inputs, has \(n.node.input.count)") }
        let w = try n.constant(3, "b")
        let wz = try n.integerConstant(5, "b_zero_point")
        guard wz.ints.allSatisfy({ $0 == 0 }) else {
            throw n.fail("weight zero point '\(n.node.input[5])' is \(wz.ints.first { $0 != 0 }!), not 0: format 2's weights have zero point 0")
        }
        let bs = try n.constant(4, "b_scale")
        let x0 = try n.input(0)
        let (a, spec) = try quantizedInput(x0, scaleIndex: 1, zeroIndex: 2, scalarScale: n.scalarScale, scalarZero: n.scalarZero, fail: n.fail)
        if let spec { modelInput = spec }
        let dq = DQConst(q: w, scale: bs.floats, zero: wz.ints, zeroName: n.node.input[5], axis: bs.count > 1 ? 1 : nil)
        guard bs.type == .float else { throw n.fail("b_scale must be float") }
        let p = try pending(a, weights: dq, outIsRows: false, nodes: [n.name], fail: n.fail)
        return .quantized(try finishQOperator(n, p, scaleIndex: 6))
    }

    /// com.microsoft QGemm: a whole dense layer with an int32 bias.
    mutating func qGemm(_ n: NodeReader) throws -> Value {
        try n.outputs(1)
        guard n.node.input.count >= 6 else { throw n.fail("needs at least 6 inputs") }
        guard try n.intAttribute("transA", 0) == 0 else { throw n.fail("transA = 1 is not supported") }
        guard try n.floatAttribute("alpha", 1) == 1 else { throw n.fail("alpha must be 1") }
        let w = try n.constant(3, "B")
        let wz = try n.integerConstant(5, "B_zero_point")
        guard wz.ints.allSatisfy({ $0 == 0 }) else {
            throw n.fail("weight zero point '\(n.node.input[5])' is not 0: format 2's weights have zero point 0")
        }
        let bs = try n.constant(4, "B_scale")
        guard bs.type == .float else { throw n.fail("B_scale must be float") }
        let x0 = try n.input(0)
        let (a, spec) = try quantizedInput(x0, scaleIndex: 1, zeroIndex: 2, scalarScale: n.scalarScale, scalarZero: n.scalarZero, fail: n.fail)
        if let spec { modelInput = spec }
        let transB = try n.intAttribute("transB", 0) == 1
        let dq = DQConst(q: w, scale: bs.floats, zero: wz.ints, zeroName: n.node.input[5], axis: bs.count > 1 ? (transB ? 0 : 1) : nil)
        var p = try pending(a, weights: dq, outIsRows: transB, nodes: [n.name], fail: n.fail)
        p.bias = try int32Bias(n, 6, "C", for: p, scalar: true)
        guard n.node.input.count >= 8, !n.node.input[7].isEmpty else {
            throw n.fail("has no y_scale, so its output is float: a float layer output is not supported")
        }
        return .quantized(try finishQOperator(n, p, scaleIndex: 7))
    }

    /// A QOperator node's optional constant int32 bias (input `index`), one per output channel
    /// (or, with `scalar`, one for all).
    mutating func int32Bias(_ n: NodeReader, _ index: Int, _ what: String, for p: Pending, scalar: Bool) throws -> [Int32]? {
        guard let c = try n.optionalInput(index) else { return nil }
        guard case .constant(let t) = c, t.type == .int32, t.count == p.outFeatures || scalar && t.count == 1, scalar || t.dims.count == 1 else {
            throw n.fail("\(what) must be a constant int32 bias of \(p.outFeatures) values")
        }
        try charge(p.outFeatures, bytes: 4, for: "its bias (\(p.outFeatures) values)", fail: n.fail)
        return t.count == 1 ? [Int32](repeating: Int32(t.ints[0]), count: p.outFeatures) : t.ints.map { Int32($0) }
    }

    /// Ends a QOperator node's layer at its y_scale (input `scaleIndex`) and y_zero_point (the next).
    mutating func finishQOperator(_ n: NodeReader, _ p: Pending, scaleIndex: Int) throws -> Act {
        let ys = try n.scalarScale(scaleIndex, "y_scale")
        let (yz, yt) = try n.scalarZero(scaleIndex + 1, "y_zero_point")
        return try finish(p, scale: ys, zero: yz, type: yt, node: n.name, fail: n.fail)
    }

    /// MatMulInteger: a dense layer with an int32 output (Cast and Mul requantize it).
    mutating func matMulInteger(_ n: NodeReader) throws -> Value {
        try n.outputs(1)
        let (a, w) = try integerOperands(n, activation: ("A", "a_zero_point"), weights: ("B", "b_zero_point"))
        guard w.zero.allSatisfy({ $0 == 0 }) else {
            throw n.fail("weight zero point '\(n.node.input[3])' is not 0: format 2's weights have zero point 0")
        }
        var p = try pending(a, weights: w, outIsRows: false, nodes: [n.name], fail: n.fail)
        p.integerOutput = true
        return .pending(p)
    }

    /// The operands of MatMulInteger and ConvInteger: the activation (input 0, its zero point
    /// input 2) and the constant weights with their zero points (inputs 1 and 3); the names are
    /// the operator's. A graph input used here gets scale 1 ("unknown": these ops do not use it).
    mutating func integerOperands(_ n: NodeReader, activation: (String, String), weights: (String, String)) throws -> (Act, DQConst) {
        let w = try n.constant(1, weights.0)
        var wz: [Int64] = [0]
        if try n.optionalInput(3) != nil { wz = try n.integerConstant(3, weights.1).ints }
        let x = try n.input(0)
        var zero: Int64 = 0
        if try n.optionalInput(2) != nil {
            let t = try n.integerConstant(2, activation.1)
            guard t.count == 1 else { throw n.fail("\(activation.1) must be one constant") }
            zero = t.ints[0]
        }
        let a: Act
        switch x {
        case .quantized(let q):
            guard zero == Int64(q.zero) else { throw n.fail("\(activation.1) \(zero) differs from the activation's zero point \(q.zero)") }
            a = q
        case .codesInput(let type, let shape):
            guard (type.isSigned ? -128...127 : 0...255).contains(zero) else {
                throw n.fail("\(activation.1) \(zero) is outside the input's range")
            }
            guard modelInput == nil else { throw n.fail("the graph input is used twice") }
            modelInput = InputSpec(shape: [shape.reduce(1, *)], type: type, zero: Int32(zero), scale: 1, rounding: .halfEven)
            a = Act(scale: 1, zero: Int32(zero), type: type, shape: shape, layer: -1)
        default:
            throw n.fail("input \(activation.0) '\(n.node.input[0])' must be a quantized activation")
        }
        return (a, DQConst(q: w, scale: [1], zero: wz, zeroName: n.node.input.count > 3 ? n.node.input[3] : weights.1, axis: nil))
    }

    /// Cast of MatMulInteger's int32 output to float.
    mutating func cast(_ n: NodeReader) throws -> Value {
        try n.outputs(1)
        guard case .pending(var p) = try n.input(0), p.integerOutput, !p.castToFloat, try n.intAttribute("to", 0) == 1 else {
            throw n.fail("only the Cast of MatMulInteger's int32 output to float is supported")
        }
        p.castToFloat = true
        try chargeNodes(p, n)
        p.nodes.append(n.name)
        return .pending(p)
    }

    /// Mul: the scale factor after MatMulInteger and Cast.
    mutating func mul(_ n: NodeReader) throws -> Value {
        try n.outputs(1)
        let l = try n.input(0), r = try n.input(1)
        let (p, c): (Pending, Value)
        if case .pending(let pp) = l { (p, c) = (pp, r) } else if case .pending(let pp) = r { (p, c) = (pp, l) } else {
            throw n.fail("only the scale Mul after MatMulInteger and Cast is supported")
        }
        guard p.integerOutput, p.castToFloat, p.factor == nil, !p.relu, p.clamp == nil else {
            throw n.fail("only the scale Mul after MatMulInteger and Cast is supported")
        }
        guard case .constant(let t) = c, t.type == .float, t.count == 1 || t.count == p.outFeatures,
              t.floats.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw n.fail("the factor must be a constant positive float, per tensor or per output (\(p.outFeatures))")
        }
        var q = p
        q.factor = t.floats
        try chargeNodes(p, n)
        q.nodes.append(n.name)
        return .pending(q)
    }

    /// Conv (QDQ): a conv2d layer of a dequantized activation and dequantized int8 weights (OIHW),
    /// with an optional DequantizeLinear int32 bias.
    mutating func conv(_ n: NodeReader) throws -> Value {
        try n.outputs(1)
        guard case .dequantized(let a) = try n.input(0) else {
            throw n.fail("input X '\(n.node.input[0])' must be a dequantized activation (DequantizeLinear of a QuantizeLinear output): float layers are not supported")
        }
        guard case .dqConstant(let w) = try n.input(1) else {
            throw n.fail("input W '\(n.node.input[1])' must be DequantizeLinear of constant int8 weights: float weights are not supported")
        }
        var p = try convPending(a, weights: w, n)
        if let b = try n.optionalInput(2) { p.bias = try bias(b, for: p, tensor: n.node.input[2], fail: n.fail) }
        return .pending(p)
    }

    /// QLinearConv (QOperator): a whole conv2d layer with an optional int32 bias.
    mutating func qLinearConv(_ n: NodeReader) throws -> Value {
        try n.outputs(1)
        guard n.node.input.count == 8 || n.node.input.count == 9 else { throw n.fail("needs 8 or 9 inputs, has \(n.node.input.count)") }
        let w = try n.constant(3, "w")
        let ws = try n.constant(4, "w_scale")
        guard ws.type == .float else { throw n.fail("w_scale must be float") }
        let wz = try n.integerConstant(5, "w_zero_point")
        try charge(ws.count, bytes: 8, for: "its weight zero points (\(ws.count))", fail: n.fail)
        let (a, spec) = try quantizedInput(try n.input(0), scaleIndex: 1, zeroIndex: 2, scalarScale: n.scalarScale, scalarZero: n.scalarZero, fail: n.fail)
        let dq = DQConst(q: w, scale: ws.floats, zero: wz.count == 1 && ws.count > 1 ? [Int64](repeating: wz.ints[0], count: ws.count) : wz.ints,
                         zeroName: n.node.input[5], axis: ws.count > 1 ? 0 : nil)
        var p = try convPending(a, weights: dq, n)
        if let spec { modelInput = spec }
        p.bias = try int32Bias(n, 8, "B", for: p, scalar: false)
        return .quantized(try finishQOperator(n, p, scaleIndex: 6))
    }

    /// ConvInteger: a conv2d layer with an int32 output (Cast and Mul requantize it), like MatMulInteger.
    mutating func convInteger(_ n: NodeReader) throws -> Value {
        try n.outputs(1)
        let (a, w) = try integerOperands(n, activation: ("X", "x_zero_point"), weights: ("w", "w_zero_point"))
        var p = try convPending(a, weights: w, n)
        p.integerOutput = true
        return .pending(p)
    }

    /// MaxPool of a quantized (or dequantized) activation: a maxpool2d layer, which keeps the
    /// activation's scale, zero point and type (max commutes with the monotone dequantization).
    mutating func maxPool(_ n: NodeReader) throws -> Value {
        guard n.node.output.count == 1 || n.node.output.count == 2 && n.node.output[1].isEmpty, !n.node.output[0].isEmpty else {
            throw n.fail("the Indices output is not supported (one output only)")
        }
        guard try n.intAttribute("storage_order", 0) == 0 else { throw n.fail("storage_order 1 is not supported") }
        let w = try window(n, kernel: nil)
        guard w.pads.allSatisfy({ $0 == 0 }) else {
            throw n.fail("pads \(w.pads) are not representable: format 2's maxpool2d has no padding")
        }
        let (act, dequantized): (Act, Bool)
        switch try n.input(0) {
        case .quantized(let a): (act, dequantized) = (a, false)
        case .dequantized(let a): (act, dequantized) = (a, true)
        default: throw n.fail("input X '\(n.node.input[0])' must be a quantized activation (uint8 or int8, or its DequantizeLinear)")
        }
        let a = try spatial(act, n)
        guard let ho = Self.windows(a.shape[1], w.kernel[0], w.strides[0], ceil: w.ceil),
              let wo = Self.windows(a.shape[2], w.kernel[1], w.strides[1], ceil: w.ceil) else {
            throw n.fail("window \(w.kernel) with strides \(w.strides) does not fit the input \(a.shape) (or ceil_mode changes the output size)")
        }
        guard a.layer == layers.count - 1 else { throw n.fail("the layers do not form one chain: this layer's input is not the previous layer's output") }
        if a.layer == -1 { spatialInput = a.shape }
        layers.append(.maxpool2d(size: w.kernel, stride: w.strides, inputType: a.type, inputZero: a.zero))
        origins.append(n.name)
        let out = Act(scale: a.scale, zero: a.zero, type: a.type, shape: [a.shape[0], ho, wo], layer: layers.count - 1, channelsLast: true)
        return dequantized ? .dequantized(out) : .quantized(out)
    }

    /// A conv node's pending layer: int8 weights [M, C, kh, kw] with zero point 0 (per tensor or per
    /// output channel) reordered to format 2's OHWI, the window from the attributes.
    mutating func convPending(_ act: Act, weights w: DQConst, _ n: NodeReader) throws -> Pending {
        let a = try spatial(act, n)
        guard w.zero.allSatisfy({ $0 == 0 }) else {
            throw n.fail("weight zero point '\(w.zeroName)' is \(w.zero.first { $0 != 0 }!), not 0: format 2's weights have zero point 0")
        }
        guard w.q.dims.count == 4 else { throw n.fail("weights '\(w.q.name)' must be 4-D [M, C, kh, kw] (2-D convolution), have shape \(w.q.dims)") }
        switch w.q.type {
        case .int8: break
        case .uint8:
            guard w.q.ints.allSatisfy({ $0 <= 127 }) else { throw n.fail("uint8 weights '\(w.q.name)' above 127 do not fit format 2's int8 weights") }
        default: throw n.fail("weights '\(w.q.name)' are \(w.q.type.name); int8 is read")
        }
        guard try n.intAttribute("group", 1) == 1 else { throw n.fail("group ≠ 1 (grouped or depthwise convolution) is not supported") }
        let (m, c, kh, kw) = (w.q.dims[0], w.q.dims[1], w.q.dims[2], w.q.dims[3])
        guard m >= 1, kh >= 1, kw >= 1 else { throw n.fail("weights '\(w.q.name)' are empty") }
        guard c == a.shape[0] else { throw n.fail("weights '\(w.q.name)' \(w.q.dims) take \(c) channels, the input has \(a.shape[0]) (\(a.shape))") }
        let win = try window(n, kernel: [kh, kw], size: [a.shape[1], a.shape[2]])
        guard !win.ceil else { throw n.fail("ceil_mode is not a Conv attribute") }
        guard let ho = Self.windows(a.shape[1] + win.pads[0] + win.pads[2], kh, win.strides[0], ceil: false),
              let wo = Self.windows(a.shape[2] + win.pads[1] + win.pads[3], kw, win.strides[1], ceil: false) else {
            throw n.fail("kernel \([kh, kw]) with pads \(win.pads) does not fit the input \(a.shape)")
        }
        // Pads up to 2^20 per side grow the output (a Flatten after it allocates one index per element).
        let (hw, o1) = ho.multipliedReportingOverflow(by: wo)
        let (outCount, o2) = hw.multipliedReportingOverflow(by: m)
        guard !o1, !o2, outCount <= ONNXImporter.maxActivationElements else {
            throw n.fail("output \([m, ho, wo]) has more than \(ONNXImporter.maxActivationElements) elements (2^24, the largest image zynqnet's hardware holds)")
        }
        if w.scale.count != 1 {
            guard w.scale.count == m, w.axis == 0 else {
                throw n.fail("weight scales '\(w.q.name)' must be per tensor or per output channel (\(m) along axis 0), got \(w.scale.count)")
            }
        }
        guard w.scale.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw n.fail("weight scales of '\(w.q.name)' must be positive and finite") }
        // OIHW → OHWI.
        try charge(w.q.count, bytes: 1, for: "its weights (\(w.q.count))", fail: n.fail)
        var weight = [Int8](repeating: 0, count: m * kh * kw * c)
        for o in 0..<m { for i in 0..<c { for y in 0..<kh { for x in 0..<kw {
            weight[((o * kh + y) * kw + x) * c + i] = Int8(w.q.ints[((o * c + i) * kh + y) * kw + x])
        } } } }
        var p = Pending(input: a, outFeatures: m, inFeatures: kh * kw * c, weight: weight, weightScale: w.scale, bias: nil, nodes: [n.name])
        p.conv = Conv2DGeometry(kernelHeight: kh, kernelWidth: kw, inChannels: c, stride: win.strides, padding: win.pads)
        p.convOutput = [m, ho, wo]
        return p
    }

    /// The activation as a `[C, H, W]` image for a conv or pool; the model input becomes `[H, W, C]`.
    func spatial(_ a: Act, _ n: NodeReader) throws -> Act {
        guard a.shape.count == 3, a.columnOrder == nil else {
            throw n.fail("takes an input of shape \(a.shape) per image; a 2-D image [C, H, W] (input (N, C, H, W)) is read")
        }
        return a
    }

    /// A 2-D window's attributes: kernel (from `kernel_shape`, or the weights), strides, pads as
    /// `[top, left, bottom, right]` (ONNX's `[x1_begin, x2_begin, x1_end, x2_end]` order), `auto_pad`
    /// NOTSET, VALID or SAME_UPPER/SAME_LOWER (with `size`, for Conv), dilations 1.
    func window(_ n: NodeReader, kernel: [Int]?, size: [Int]? = nil) throws -> (kernel: [Int], strides: [Int], pads: [Int], ceil: Bool) {
        let ks = try n.intsAttribute("kernel_shape", count: 2)
        guard let k = ks ?? kernel, k.allSatisfy({ $0 >= 1 }) else { throw n.fail("kernel_shape (2 values ≥ 1) is required") }
        if let kernel, k != kernel { throw n.fail("kernel_shape \(k) differs from the weights' \(kernel)") }
        let strides = try n.intsAttribute("strides", count: 2) ?? [1, 1]
        guard strides.allSatisfy({ $0 >= 1 }) else { throw n.fail("strides \(strides) must be ≥ 1") }
        if let d = try n.intsAttribute("dilations", count: 2), d != [1, 1] { throw n.fail("dilations \(d) are not supported (1 only)") }
        var pads = try n.intsAttribute("pads", count: 4) ?? [0, 0, 0, 0]
        let ceil = try n.intAttribute("ceil_mode", 0) != 0
        switch try n.stringAttribute("auto_pad", "NOTSET") {
        case "NOTSET": break
        case "VALID": pads = [0, 0, 0, 0]
        case let mode where mode == "SAME_UPPER" || mode == "SAME_LOWER":
            guard let size else { throw n.fail("auto_pad \(mode) is not supported here (only Conv's)") }
            for d in 0..<2 {
                let out = (size[d] + strides[d] - 1) / strides[d]
                let total = Swift.max(0, (out - 1) * strides[d] + k[d] - size[d])
                let small = total / 2, large = total - small
                (pads[d], pads[d + 2]) = mode == "SAME_UPPER" ? (small, large) : (large, small)
            }
        case let mode: throw n.fail("auto_pad '\(mode)' is not supported")
        }
        return (k, strides, pads, ceil)
    }

    /// floor((n − k) / s) + 1 output positions (nil when none); with `ceil`, only when ceil_mode
    /// gives the same count.
    static func windows(_ n: Int, _ k: Int, _ s: Int, ceil: Bool) -> Int? {
        guard n >= k, s >= 1 else { return nil }
        let count = (n - k) / s + 1
        if ceil, (n - k) % s != 0 { return nil }
        return count
    }

    // MARK: pieces

    /// The activation a QOperator node takes: a quantized activation whose parameters must equal
    /// the node's, or the graph's integer input, which the node's parameters then describe.
    func quantizedInput(
        _ x: Value, scaleIndex: Int, zeroIndex: Int,
        scalarScale: (Int, String) throws -> Float,
        scalarZero: (Int, String, ActivationType) throws -> (Int32, ActivationType),
        fail: (String) -> ZynqError
    ) throws -> (Act, InputSpec?) {
        let s = try scalarScale(scaleIndex, "a_scale")
        switch x {
        case .quantized(let a):
            let (z, t) = try scalarZero(zeroIndex, "a_zero_point", a.type)
            guard s == a.scale, z == a.zero, t == a.type else {
                throw fail("input scale \(s) / zero point \(z) differ from the activation's \(a.scale) / \(a.zero)")
            }
            return (a, nil)
        case .codesInput(let type, let shape):
            let (z, t) = try scalarZero(zeroIndex, "a_zero_point", type)
            guard t == type else { throw fail("a_zero_point's type differs from the graph input's") }
            guard modelInput == nil else { throw fail("the graph input is used twice") }
            return (Act(scale: s, zero: z, type: type, shape: shape, layer: -1),
                    InputSpec(shape: [shape.reduce(1, *)], type: type, zero: z, scale: s, rounding: .halfEven))
        default:
            throw fail("input A must be a quantized activation")
        }
    }

    /// A dense layer's start from its activation and dequantized weights: int8 weights with
    /// zero point 0, per-tensor or per-output-channel scales. `outIsRows`: the weight tensor is
    /// (out, in) (Gemm transB = 1), else (in, out) (MatMul, Gemm transB = 0).
    mutating func pending(_ a: Act, weights w: DQConst, outIsRows: Bool, nodes: [String], fail: (String) -> ZynqError) throws -> Pending {
        guard w.zero.allSatisfy({ $0 == 0 }) else {
            throw fail("weight zero point '\(w.zeroName)' is \(w.zero.first { $0 != 0 }!), not 0: format 2's weights have zero point 0")
        }
        guard w.q.dims.count == 2 else { throw fail("weights '\(w.q.name)' must be 2-D, have shape \(w.q.dims)") }
        switch w.q.type {
        case .int8: break
        case .uint8:
            guard w.q.ints.allSatisfy({ $0 <= 127 }) else { throw fail("uint8 weights '\(w.q.name)' above 127 do not fit format 2's int8 weights") }
        default: throw fail("weights '\(w.q.name)' are \(w.q.type.name); int8 is read")
        }
        let outF = outIsRows ? w.q.dims[0] : w.q.dims[1]
        let inF = outIsRows ? w.q.dims[1] : w.q.dims[0]
        guard outF >= 1, inF >= 1 else { throw fail("weights '\(w.q.name)' are empty") }
        guard a.shape.count == 1, a.shape[0] == inF else {
            throw fail("takes an input of shape \(a.shape) per image, but weights '\(w.q.name)' \(w.q.dims) need (\(inF)); flatten the input first")
        }
        // After a flattened conv/pool output, ONNX's column k is format 2's column columnOrder[k].
        let order = a.columnOrder
        func column(_ k: Int) -> Int { order?[k] ?? k }
        try charge(outF * inF, bytes: 1, for: "its weights (\(outF * inF))", fail: fail)
        var weight = [Int8](repeating: 0, count: outF * inF)
        for r in 0..<w.q.dims[0] {
            for c in 0..<w.q.dims[1] {
                let v = Int8(w.q.ints[r * w.q.dims[1] + c])
                if outIsRows { weight[r * inF + column(c)] = v } else { weight[c * inF + column(r)] = v }
            }
        }
        let outAxis = outIsRows ? 0 : 1
        if w.scale.count != 1 {
            guard w.scale.count == outF, w.axis == outAxis else {
                throw fail("weight scales '\(w.q.name)' must be per tensor or per output channel (\(outF) along axis \(outAxis)), got \(w.scale.count)")
            }
        }
        guard w.scale.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw fail("weight scales of '\(w.q.name)' must be positive and finite") }
        return Pending(input: a, outFeatures: outF, inFeatures: inF, weight: weight, weightScale: w.scale, bias: nil, nodes: nodes)
    }

    /// The int32 bias of a layer: DequantizeLinear of an int32 constant with zero point 0 and
    /// scale s_x · s_w (computed in float32) per channel, or (MatMulInteger) an int32 constant.
    mutating func bias(_ v: Value, for p: Pending, tensor: String, fail: (String) -> ZynqError) throws -> [Int32] {
        try charge(p.outFeatures, bytes: 4, for: "bias '\(tensor)' (\(p.outFeatures) values)", fail: fail)
        switch v {
        case .dqConstant(let b):
            guard b.q.type == .int32, b.q.count == p.outFeatures, b.q.dims.count == 1 else {
                throw fail("bias '\(tensor)' must be DequantizeLinear of an int32 vector of \(p.outFeatures)")
            }
            guard b.zero.allSatisfy({ $0 == 0 }) else { throw fail("bias zero point '\(b.zeroName)' must be 0") }
            guard b.scale.count == 1 || b.scale.count == p.outFeatures else { throw fail("bias scale count \(b.scale.count) is neither 1 nor \(p.outFeatures)") }
            for o in 0..<p.outFeatures {
                let want: Float = p.input.scale * p.weightScale[p.weightScale.count == 1 ? 0 : o]
                let got = b.scale[b.scale.count == 1 ? 0 : o]
                guard got == want else {
                    throw fail("bias '\(tensor)' channel \(o) has scale \(got), not s_x·s_w = \(want): onnxruntime adds it to the accumulator as an integer, so the graph's float meaning differs")
                }
            }
            return b.q.ints.map { Int32($0) }
        case .constant(let t) where p.integerOutput && !p.castToFloat && t.type == .int32 && (t.count == p.outFeatures || t.count == 1):
            return t.count == 1 ? [Int32](repeating: Int32(t.ints[0]), count: p.outFeatures) : t.ints.map { Int32($0) }
        case .constant(let t) where t.type == .float:
            throw fail("bias '\(tensor)' is float, not DequantizeLinear of int32: a float bias makes a float layer, not supported")
        default:
            throw fail("bias '\(tensor)' must be DequantizeLinear of an int32 constant")
        }
    }

    /// Ends a pending layer at its QuantizeLinear (scale s_y, zero point zy): S per channel,
    /// M and s, relu and clamp. Appends the layer; returns its output activation.
    mutating func finish(_ p: Pending, scale sy: Float, zero zy: Int32, type: ActivationType, node: String,
                         fail: (String) -> ZynqError) throws -> Act {
        guard p.input.layer == layers.count - 1 else {
            throw fail("the layers do not form one chain: this layer's input is not the previous layer's output")
        }
        if p.conv != nil, p.input.layer == -1 { spatialInput = p.input.shape }
        if p.integerOutput && p.factor == nil {
            throw fail("quantizes MatMulInteger's int32 output without Cast and Mul: its scale is unknown")
        }
        var multipliers: [UInt32] = [], shifts: [UInt8] = []
        let channels = (p.factor?.count ?? p.weightScale.count) == 1 ? 1 : p.outFeatures
        // Multipliers and shifts; the layer's origin joins the node names.
        try charge(channels + p.nodes.count, bytes: 16, for: "the requantization of \(channels) channel(s)", fail: fail)
        for o in 0..<channels {
            let S: Float
            if let f = p.factor {
                // MatMulInteger → Cast → Mul(f) → QuantizeLinear(s_y): float(float(acc)·f)/s_y is
                // float(acc)·(f/s_y) rounded once only when s_y is a power of two.
                guard sy.significandBitPattern == 0, sy.isNormal else {
                    throw fail("requantizes MatMulInteger's output by Mul then a division by y_scale = \(sy), which is not a power of two: two float roundings, not representable in format 2")
                }
                S = f[f.count == 1 ? 0 : o] / sy
            } else {
                S = ONNXImporter.requantScale(inputScale: p.input.scale, weightScale: p.weightScale[p.weightScale.count == 1 ? 0 : o], outputScale: sy)
            }
            guard let (m, s) = ONNXImporter.multiplierShift(S) else {
                let tensor = "\(p.nodes.first ?? node) output channel \(o)"
                throw fail("requantization scale S = \(S) of \(tensor) needs s > 63 (or is not a positive float32 below 2^24): not representable in format 2")
            }
            multipliers.append(m)
            shifts.append(s)
        }
        var clamp: ClosedRange<Int64>?
        if let (lo, hi) = p.clamp {
            // The float bounds on the integer grid, as QuantizeLinear would quantize them.
            func code(_ v: Float) -> Int64 {
                if v == -.infinity { return Int64(type.min) }
                if v == .infinity { return Int64(type.max) }
                let q = Double((v / sy).rounded(.toNearestOrEven)) + Double(zy)
                return Int64(Swift.min(Swift.max(q, Double(type.min)), Double(type.max)))
            }
            let cl = code(lo), ch = code(hi)
            guard cl <= ch else { throw fail("Clip's min is above its max") }
            clamp = cl...ch
        }
        var mode = Rounding.float32
        if rounding == .halfEven {
            (multipliers, shifts) = try powerOfTwoShifts(p, multipliers: multipliers, shifts: shifts, node: node, fail: fail)
            mode = .halfEven
        }
        let layer: DenseLayer
        if let g = p.conv {
            layer = .conv2d(out: p.outFeatures, geometry: g, weight: p.weight, bias: p.bias, multiplier: multipliers, shift: shifts,
                            rounding: mode, relu: p.relu, clamp: clamp, outputZero: zy, outputType: type)
        } else {
            layer = DenseLayer(
                outFeatures: p.outFeatures, inFeatures: p.inFeatures, weight: p.weight, bias: p.bias,
                multiplier: multipliers, shift: shifts, rounding: mode, relu: p.relu, clamp: clamp,
                outputZero: zy, outputType: type)
        }
        layers.append(layer)
        // A QOperator node is the whole layer: named once.
        origins.append((p.nodes.last == node ? p.nodes : p.nodes + [node]).joined(separator: ", "))
        if p.conv != nil {
            return Act(scale: sy, zero: zy, type: type, shape: p.convOutput, layer: layers.count - 1, channelsLast: true)
        }
        return Act(scale: sy, zero: zy, type: type, shape: [p.outFeatures], layer: layers.count - 1)
    }

    /// `--onnx-rounding half_even`: a layer whose S = 2^−k (every channel) and whose accumulator
    /// stays below 2^24 in magnitude (Σ|w|·max|x − zx| + |bias| per channel) is exactly
    /// half_even with M = 1, s = k: float(acc) is then exact, and so is its product with S, so
    /// onnxruntime's nearbyint(float(acc)·S) is acc / 2^k rounded half to even (QONNX's ROUND).
    /// `multipliers`/`shifts` are the float32 form (M = 2^23 for a power of two).
    func powerOfTwoShifts(_ p: Pending, multipliers: [UInt32], shifts: [UInt8], node: String,
                          fail: (String) -> ZynqError) throws -> ([UInt32], [UInt8]) {
        let tensor = p.nodes.first ?? node
        var ms: [UInt32] = [], ss: [UInt8] = []
        for (o, (m, s)) in zip(multipliers, shifts).enumerated() {
            guard m & (m - 1) == 0 else {
                throw fail("half_even rounding needs a power-of-two requantization scale, but S of \(tensor) output channel \(o) is \(m)/2^\(s)")
            }
            let k = Int(s) - m.trailingZeroBitCount
            // A scale above 1 keeps M = 2^-k with s = 0.
            ms.append(k >= 0 ? 1 : UInt32(1) << UInt32(-k))
            ss.append(UInt8(Swift.max(k, 0)))
        }
        let offset = p.input.largestOffset
        for o in 0..<p.outFeatures {
            var bound = Int64(abs(Int64(p.bias?[o] ?? 0)))
            for k in 0..<p.inFeatures { bound += Int64(abs(Int(p.weight[o * p.inFeatures + k]))) * offset }
            guard bound < 1 << 24 else {
                throw fail("half_even rounding equals onnxruntime's float32 only while |acc| < 2^24, but \(tensor) output channel \(o) can reach \(bound)")
            }
        }
        return (ms, ss)
    }

    /// Narrows the output range of `layer` (a Clip between QuantizeLinear and DequantizeLinear).
    mutating func applyClamp(_ range: ClosedRange<Int64>, valid: Bool, layer: Int, fail: (String) -> ZynqError) throws {
        guard valid else { throw fail("min is above max") }
        var l = layers[layer]
        let old = l.clamp ?? Int64(l.outputType.min)...Int64(l.outputType.max)
        let lo = Swift.max(old.lowerBound, range.lowerBound), hi = Swift.min(old.upperBound, range.upperBound)
        guard lo <= hi else { throw fail("leaves no value in the output range") }
        l.clamp = lo...hi
        layers[layer] = l
    }

    /// QuantizeLinear of a float constant (weights quantized inside the graph):
    /// clamp(round_half_even(w / s) + zp), per tensor or per axis.
    mutating func quantizeConstant(_ t: ONNXTensor, node: Onnx_NodeProto, fail: (String) -> ZynqError) throws -> ONNXTensor {
        guard t.type == .float else { throw fail("quantizes a non-float constant") }
        guard case .constant(let s)? = values[node.input[1]], s.type == .float, s.floats.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw fail("y_scale must be a constant positive float")
        }
        var zp = ONNXTensor(name: "", type: .uint8, dims: [], ints: [0])
        if node.input.count > 2, !node.input[2].isEmpty {
            guard case .constant(let z)? = values[node.input[2]], z.type == .int8 || z.type == .uint8 else {
                throw fail("y_zero_point must be a constant int8 or uint8")
            }
            zp = z
        }
        guard zp.count == s.count else { throw fail("y_scale and y_zero_point differ in size") }
        let axis = try normalizedAxis(node, shape: t.dims, count: s.count, fail: fail)
        let range = zp.type.range!
        try charge(t.count, bytes: 8, for: "its quantized copy of '\(t.name)' (\(t.count) elements)", fail: fail)
        var out = [Int64](repeating: 0, count: t.count)
        let inner = axis.map { t.dims[($0 + 1)...].reduce(1, *) } ?? 1
        for i in 0..<t.count {
            let k = axis.map { (i / inner) % t.dims[$0] } ?? 0
            let v = (t.floats[i] / s.floats[k]).rounded(.toNearestOrEven)
            guard !v.isNaN else { throw fail("quantizes a NaN weight") }
            let q = Double(v) + Double(zp.ints[k])
            out[i] = Int64(Swift.min(Swift.max(q, Double(range.lowerBound)), Double(range.upperBound)))
        }
        return ONNXTensor(name: t.name, type: zp.type, dims: t.dims, ints: out)
    }

    /// DequantizeLinear of an integer constant: its scales and zero points, per tensor or per axis.
    mutating func dequantizeConstant(_ t: ONNXTensor, node: Onnx_NodeProto, attribute: (String, Int64) throws -> Int64,
                            fail: (String) -> ZynqError) throws -> DQConst {
        guard t.type != .float else { throw fail("dequantizes a float constant") }
        guard case .constant(let s)? = values[node.input[1]], s.type == .float else {
            throw fail("x_scale '\(node.input[1])' must be a constant float")
        }
        try charge(s.count, bytes: 8, for: "its zero points (\(s.count))", fail: fail)
        var zero = [Int64](repeating: 0, count: s.count)
        var zeroName = "x_zero_point"
        if node.input.count > 2, !node.input[2].isEmpty {
            guard case .constant(let z)? = values[node.input[2]] else { throw fail("x_zero_point '\(node.input[2])' must be a constant") }
            guard z.type == t.type else { throw fail("x_zero_point '\(node.input[2])' is \(z.type.name) but x is \(t.type.name)") }
            guard z.count == s.count else { throw fail("x_scale and x_zero_point differ in size") }
            zero = z.ints
            zeroName = node.input[2]
        }
        if case .int64 = t.type { throw fail("int64 tensors are not quantized data") }
        let axis = try normalizedAxis(node, shape: t.dims, count: s.count, fail: fail)
        return DQConst(q: t, scale: s.floats, zero: zero, zeroName: zeroName, axis: axis)
    }

    /// The per-axis axis of a Q/DQ node (default 1, may be negative); nil for per-tensor scales.
    func normalizedAxis(_ node: Onnx_NodeProto, shape: [Int], count: Int, fail: (String) -> ZynqError) throws -> Int? {
        if count == 1 { return nil }
        let rank = shape.count
        if node.attribute.contains(where: { $0.name == "block_size" && $0.i != 0 }) { throw fail("blocked quantization is not supported") }
        var axis = node.attribute.first { $0.name == "axis" }?.i ?? 1
        if axis < 0 { axis += Int64(rank) }
        guard axis >= 0, axis < Int64(rank) else { throw fail("axis \(axis) is outside the tensor's \(rank) dimensions") }
        let k = Int(axis)
        guard count == shape[k] else { throw fail("has \(count) scales, not one per element of axis \(k)") }
        return k
    }
}
