import Foundation
import SwiftProtobuf
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetHW
import ZynqNetLinux
import ZynqNetLoopback
import ZynqNetModel
import ZynqNetRuntime
import ZynqNetSim
@testable import ZynqNetImport

/// Outside truth for conv2d/maxpool2d: the Fashion-MNIST CNN of Tests/Fixtures/scripts/make_real_cnn.py
/// (conv 3×3 ×8, relu, pool 2, conv 3×3 ×16, relu, pool 2, dense 400→10), quantized by onnxruntime
/// (QDQ per tensor and per channel, QOperator) and by the TFLite converter, with each reference
/// runtime's outputs on all 10,000 test images. Every output value must agree.
@Suite("Real CNNs")
struct RealCNNTests {
    static let dir = fixturesRoot.appendingPathComponent("real").path
    static let images = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
    static let present = FileManager.default.fileExists(atPath: images)
    static let onnxModels = ["cnn_qdq_u8s8_pt", "cnn_qdq_s8s8_pc", "cnn_qop_u8s8_pt"]
    /// The runtime whose outputs each `--tflite-rounding` reproduces.
    static let tfliteTruth: [TFLiteRounding: String] = [.tflm: "tflm", .reference: "litert_builtin_ref", .xnnpack: "litert_xnnpack"]

    static func npy(_ path: String) throws -> [Int32] {
        let a = try NPY.read(path: path)
        #expect(a.shape == [10000, 10])
        return try #require(a.integers()).map { Int32($0) }
    }

    /// The images as onnxruntime got them: float32 pixel / 255, shape (N, 1, 28, 28).
    static func floatImages() throws -> NDArray {
        let raw = try IDX.read(path: images)
        guard case .uint8(let px) = raw.storage else { throw ZynqError("not uint8") }
        return NDArray(shape: [raw.shape[0], 1, 28, 28], storage: .float32(px.map { Float($0) / 255 }))
    }

    static func differing(_ a: [Int32], _ b: [Int32]) -> Int { a.count == b.count ? zip(a, b).filter { $0 != $1 }.count : -1 }

    @Test("each ONNX CNN imports as conv2d, maxpool2d, conv2d, maxpool2d, dense on a [28, 28, 1] input", arguments: onnxModels)
    func onnxStructure(_ name: String) throws {
        let imported = try ONNXImporter.load(path: "\(Self.dir)/\(name).onnx")
        let m = imported.model
        #expect(m.input.shape == [28, 28, 1])
        #expect(m.layers.map(\.kind.name) == ["conv2d", "maxpool2d", "conv2d", "maxpool2d", "dense"])
        #expect(m.outputShapes == [[26, 26, 8], [13, 13, 8], [11, 11, 16], [5, 5, 16], [10]])
        #expect(m.layers[0].kind == .conv2d(Conv2DGeometry(kernelHeight: 3, kernelWidth: 3, inChannels: 1)))
        #expect(m.layers[1].kind == .maxpool2d(Pool2DGeometry(size: [2, 2], stride: [2, 2])))
        #expect(m.layers[4].inFeatures == 400)
        #expect(m.layers.filter { $0.kind != .dense && $0.outFeatures > 0 }.allSatisfy { $0.rounding == .float32 })
        #expect(m.layers[2].perTensorMultiplier == !name.hasSuffix("_pc"))
        #expect(imported.origin.count == 5)
    }

    @Test("sim: every output of each ONNX CNN on all 10,000 test images equals onnxruntime's",
          .enabled(if: present, "dataset-fashion-mnist not installed"), arguments: onnxModels)
    func onnxSim(_ name: String) throws {
        let m = try ONNXImporter.load(path: "\(Self.dir)/\(name).onnx").model
        let codes = try InputQuantizer(model: m).quantize(try Self.floatImages())
        let got = try Simulator(model: m).run(codes).outputs
        let d = Self.differing(got, try Self.npy("\(Self.dir)/\(name).ort_q.npy"))
        #expect(d == 0, "\(name): \(d) of 100,000 output values differ from onnxruntime")
    }

    @Test("the TFLite CNN imports as conv2d, maxpool2d, conv2d, maxpool2d, dense with per-channel weights")
    func tfliteStructure() throws {
        let imported = try TFLiteImporter.loadWithOrigin(path: "\(Self.dir)/tflite/cnn_int8.tflite", rounding: .tflm)
        let m = imported.model
        #expect(m.input == InputSpec(shape: [28, 28, 1], type: .int8, zero: -128, scale: 0.003921569, rounding: .halfAway))
        #expect(m.layers.map(\.kind.name) == ["conv2d", "maxpool2d", "conv2d", "maxpool2d", "dense"])
        #expect(m.outputShapes == [[26, 26, 8], [13, 13, 8], [11, 11, 16], [5, 5, 16], [10]])
        #expect(m.layers[0].relu && m.layers[2].relu && !m.layers[4].relu)
        #expect(!m.layers[0].perTensorMultiplier && !m.layers[2].perTensorMultiplier)
        #expect(imported.origin.count == 5)
    }

    @Test("sim: the TFLite CNN on all 10,000 test images equals each runtime's outputs",
          .enabled(if: present, "dataset-fashion-mnist not installed"), arguments: TFLiteRounding.allCases)
    func tfliteSim(_ r: TFLiteRounding) throws {
        let m = try TFLiteImporter.load(path: "\(Self.dir)/tflite/cnn_int8.tflite", rounding: r)
        let codes = try InputQuantizer(model: m).quantize(try ImageSet.load(path: Self.images).images)
        let got = try Simulator(model: m).run(codes).outputs
        let truth = Self.tfliteTruth[r]!
        let d = Self.differing(got, try Self.npy("\(Self.dir)/tflite/cnn_int8.\(truth)_q.npy"))
        #expect(d == 0, "\(r): \(d) of 100,000 output values differ from \(truth)")
    }

    @Test("the Int128 reference simulator agrees with the runtimes on the first 50 images", arguments: ["onnx", "tflite"])
    func referenceSimulator(_ kind: String) throws {
        guard Self.present else { return }
        let m: QuantizedModel, want: [Int32], codes: InputCodes
        if kind == "onnx" {
            m = try ONNXImporter.load(path: "\(Self.dir)/cnn_qdq_s8s8_pc.onnx").model
            codes = try InputQuantizer(model: m).quantize(try Self.floatImages())
            want = try Self.npy("\(Self.dir)/cnn_qdq_s8s8_pc.ort_q.npy")
        } else {
            m = try TFLiteImporter.load(path: "\(Self.dir)/tflite/cnn_int8.tflite", rounding: .tflm)
            codes = try InputQuantizer(model: m).quantize(try ImageSet.load(path: Self.images).images)
            want = try Self.npy("\(Self.dir)/tflite/cnn_int8.tflm_q.npy")
        }
        let few = try InputCodes(type: codes.type, width: codes.width, bytes: Array(codes.bytes.prefix(50 * codes.width)))
        #expect(try ReferenceSimulator(model: m).run(few).outputs == Array(want.prefix(500)))
    }

    /// float32 pixel / 255 of a uint8 .npy, in its own shape.
    static func floats(_ path: String) throws -> NDArray {
        let raw = try NPY.read(path: path)
        guard case .uint8(let px) = raw.storage else { throw ZynqError("not uint8") }
        return NDArray(shape: raw.shape, storage: .float32(px.map { Float($0) / 255 }))
    }

    @Test("ONNX window attributes (strides, asymmetric pads, SAME_UPPER, pool 3×3 stride 1, 3 channels, NCHW images) equal onnxruntime")
    func onnxWindows() throws {
        let m = try ONNXImporter.load(path: "\(Self.dir)/win_qdq_u8s8_pc.onnx").model
        #expect(m.input.shape == [9, 9, 3])
        #expect(m.layers.map(\.kind) == [
            .conv2d(Conv2DGeometry(kernelHeight: 3, kernelWidth: 3, inChannels: 3, stride: [2, 2], padding: [1, 0, 2, 1])),
            .maxpool2d(Pool2DGeometry(size: [3, 3], stride: [1, 1])),
            .conv2d(Conv2DGeometry(kernelHeight: 3, kernelWidth: 3, inChannels: 8, stride: [2, 2], padding: [1, 0, 1, 1])),
            .dense])
        #expect(m.outputShapes == [[5, 4, 8], [3, 2, 8], [2, 1, 4], [5]])
        let images = try ImageLayout.nchw.arranged(try Self.floats("\(Self.dir)/win_images.npy"), for: m.input)
        let codes = try InputQuantizer(model: m).quantize(images)
        let want = try #require(try NPY.read(path: "\(Self.dir)/win_qdq_u8s8_pc.ort_q.npy").integers()).map { Int32($0) }
        #expect(want.count == 1000)
        #expect(try Simulator(model: m).run(codes).outputs == want)
        #expect(try ReferenceSimulator(model: m).run(codes).outputs == want)
        // Without the transpose (NCHW bytes read as NHWC) the outputs differ: the layout matters.
        let wrong = try InputQuantizer(model: m).quantize(NDArray(shape: [200, 9, 9, 3], storage: try Self.floats("\(Self.dir)/win_images.npy").storage))
        #expect(try Simulator(model: m).run(wrong).outputs != want)
    }

    @Test("TFLite window attributes (SAME padding 1/2, stride 2, fused RELU6, 3 channels) equal each runtime", arguments: TFLiteRounding.allCases)
    func tfliteWindows(_ r: TFLiteRounding) throws {
        let m = try TFLiteImporter.load(path: "\(Self.dir)/tflite/win_int8.tflite", rounding: r)
        #expect(m.input.shape == [9, 9, 3])
        #expect(m.layers[0].kind == .conv2d(Conv2DGeometry(kernelHeight: 4, kernelWidth: 4, inChannels: 3, stride: [2, 2], padding: [1, 1, 2, 2])))
        #expect(m.layers[0].clamp != nil && !m.layers[0].relu)
        #expect(m.layers[2].kind == .conv2d(Conv2DGeometry(kernelHeight: 3, kernelWidth: 3, inChannels: 8, padding: [1, 1, 1, 1])))
        #expect(m.outputShapes == [[5, 5, 8], [2, 2, 8], [2, 2, 4], [5]])
        let codes = try InputQuantizer(model: m).quantize(try NPY.read(path: "\(Self.dir)/tflite/win_images.npy"))
        let truth = Self.tfliteTruth[r]!
        let want = try #require(try NPY.read(path: "\(Self.dir)/tflite/win_int8.\(truth)_q.npy").integers()).map { Int32($0) }
        #expect(want.count == 1000)
        #expect(try Simulator(model: m).run(codes).outputs == want)
        #expect(try ReferenceSimulator(model: m).run(codes).outputs == want)
    }

    /// The CNNs through the loopback board (the accelerator model behind the runtime's driver,
    /// with the conv2d/maxpool2d hardware's layers), every output value against the runtime.
    @Test("loopback: each CNN on all 10,000 images equals its runtime",
          .enabled(if: present, "dataset-fashion-mnist not installed"),
          arguments: ["cnn_qdq_u8s8_pt", "cnn_qdq_s8s8_pc", "cnn_qop_u8s8_pt", "tflm", "reference", "xnnpack"])
    func loopback(_ name: String) throws {
        let m: QuantizedModel, images: NDArray, truth: String
        if let r = TFLiteRounding(rawValue: name) {
            m = try TFLiteImporter.load(path: "\(Self.dir)/tflite/cnn_int8.tflite", rounding: r)
            images = try ImageSet.load(path: Self.images).images
            truth = "\(Self.dir)/tflite/cnn_int8.\(Self.tfliteTruth[r]!)_q.npy"
        } else {
            m = try ONNXImporter.load(path: "\(Self.dir)/\(name).onnx").model
            images = try Self.floatImages()
            truth = "\(Self.dir)/\(name).ort_q.npy"
        }
        let codes = try InputQuantizer(model: m).quantize(images)
        let outputs = try loopbackOutputs(m, codes, folds: defaultLoopbackFolds(try Topology(model: m)), name: name)
        let d = Self.differing(outputs, try Self.npy(truth))
        #expect(d == 0, "\(name): \(d) of 100,000 output values differ on loopback")
    }
}

/// What the importers refuse in a CNN, each with one line naming the node or operator and the
/// reason, made by changing single attributes of the real CNN models.
@Suite("CNN refusals")
struct CNNRefusals {
    static let onnxPath = fixturePath("real/cnn_qop_u8s8_pt.onnx")
    static let tflitePath = fixturePath("real/tflite/cnn_int8.tflite")

    /// The QOperator CNN with node `node`'s attribute `name` set to `ints` (or the int `i`).
    static func onnxRefusal(node: String, _ name: String, ints: [Int64]? = nil, i: Int64? = nil) throws -> String {
        var m = try Onnx_ModelProto(serializedBytes: try FileBytes.read(path: onnxPath))
        let k = try #require(m.graph.node.firstIndex { $0.name == node })
        var a = Onnx_AttributeProto()
        a.name = name
        if let ints { a.type = .ints; a.ints = ints } else { a.type = .int; a.i = i ?? 0 }
        m.graph.node[k].attribute.removeAll { $0.name == name }
        m.graph.node[k].attribute.append(a)
        do {
            _ = try ONNXImporter.importModel(bytes: try m.serializedBytes(), file: "cnn.onnx")
            return "accepted"
        } catch { return "\(error)" }
    }

    @Test func onnxWindows() throws {
        #expect(try Self.onnxRefusal(node: "/conv1/Conv_quant", "group", i: 2)
            == "cnn.onnx: '/conv1/Conv_quant': QLinearConv: group ≠ 1 (grouped or depthwise convolution) is not supported")
        #expect(try Self.onnxRefusal(node: "/conv2/Conv_quant", "dilations", ints: [2, 2])
            == "cnn.onnx: '/conv2/Conv_quant': QLinearConv: dilations [2, 2] are not supported (1 only)")
        #expect(try Self.onnxRefusal(node: "/conv1/Conv_quant", "kernel_shape", ints: [3, 2])
            == "cnn.onnx: '/conv1/Conv_quant': QLinearConv: kernel_shape [3, 2] differs from the weights' [3, 3]")
        #expect(try Self.onnxRefusal(node: "/pool1/MaxPool", "pads", ints: [0, 0, 1, 1])
            == "cnn.onnx: '/pool1/MaxPool': MaxPool: pads [0, 0, 1, 1] are not representable: format 2's maxpool2d has no padding")
        // 11 × 11 with a 2 × 2 window, stride 2: ceil_mode would give 6 × 6, format 2 gives 5 × 5.
        #expect(try Self.onnxRefusal(node: "/pool2/MaxPool", "ceil_mode", i: 1).hasSuffix(
            "MaxPool: window [2, 2] with strides [2, 2] does not fit the input [16, 11, 11] (or ceil_mode changes the output size)"))
        // On 26 × 26 ceil_mode changes nothing: accepted.
        #expect(try Self.onnxRefusal(node: "/pool1/MaxPool", "ceil_mode", i: 1) == "accepted")
        #expect(try Self.onnxRefusal(node: "/conv1/Conv_quant", "auto_pad", i: 1)
            == "cnn.onnx: '/conv1/Conv_quant': QLinearConv: attribute 'auto_pad' must be a string")
    }

    /// The TFLite CNN with a byte of operator `op`'s options field `id` set to `value`.
    static func tfliteRefusal(op: Int, field id: Int, _ value: UInt8) throws -> String {
        var bytes = try FileBytes.read(path: tflitePath)
        let fb = try FlatBuffer(bytes: bytes, file: tflitePath)
        let root = try fb.root("model", identifier: "TFL3")
        let o = try #require(try root.tables(TFLSchema.Model.subgraphs, "subgraphs")?[0].tables(TFLSchema.SubGraph.operators, "operators")?[op])
        let options = try #require(try o.table(TFLSchema.Operator.builtinOptions, "builtin_options"))
        bytes[try #require(try options.field(id, 1, "field"))] = value
        do {
            _ = try TFLiteImporter.importModel(bytes: bytes, file: "cnn.tflite")
            return "accepted"
        } catch { return "\(error)" }
    }

    @Test func tfliteWindows() throws {
        // Pool 3 (11 × 11, window 2, stride 2) with SAME padding pads a row and a column.
        #expect(try Self.tfliteRefusal(op: 3, field: TFLSchema.Pool2DOptions.padding, 0)
            == "cnn.tflite: 'operator 3 (MAX_POOL_2D)': SAME padding [0, 0, 1, 1] is not representable: format 2's maxpool2d has no padding")
        // Pool 1 (26 × 26) with SAME pads nothing: accepted.
        #expect(try Self.tfliteRefusal(op: 1, field: TFLSchema.Pool2DOptions.padding, 0) == "accepted")
        // Conv 0 with SAME padding would give 28 × 28, but the tensor is 26 × 26.
        #expect(try Self.tfliteRefusal(op: 0, field: TFLSchema.Conv2DOptions.padding, 0).contains("has shape [1, 26, 26, 8], not [1, 28, 28, 8]"))
        #expect(try Self.tfliteRefusal(op: 0, field: TFLSchema.Conv2DOptions.padding, 7)
            == "cnn.tflite: 'operator 0 (CONV_2D)': padding 7 is neither SAME (0) nor VALID (1)")
        #expect(try Self.tfliteRefusal(op: 0, field: TFLSchema.Conv2DOptions.fusedActivation, 4)
            == "cnn.tflite: 'operator 0 (CONV_2D)': fused activation TANH is not supported (NONE, RELU, RELU6, RELU_N1_TO_1 are)")
    }
}
