import Foundation
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

/// The real `mlp_int8.tflite` (Keras 784-128-64-10, TFLiteConverter full-integer int8, per-channel
/// weights; copied from ../shared/data/real with the three runtimes' outputs on all 10,000
/// Fashion-MNIST test images) into format 2, and every output value against those runtimes.
@Suite struct TFLiteRealModel {
    static let dir = fixturePath("real/tflite")
    static let model = dir + "/mlp_int8.tflite"
    static let images = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
    static let haveImages = FileManager.default.fileExists(atPath: images)
    /// The runtime whose outputs each `--tflite-rounding` reproduces.
    static let truth: [TFLiteRounding: String] = [.tflm: "tflm", .reference: "litert_builtin_ref", .xnnpack: "litert_xnnpack"]

    static func expected(_ r: TFLiteRounding) throws -> [Int32] {
        let a = try NPY.read(path: "\(dir)/mlp_int8.\(truth[r]!)_q.npy")
        #expect(a.shape == [10000, 10])
        return try #require(a.integers()).map { Int32($0) }
    }

    /// The uint8 test images, and the codes the model's input reading makes of them.
    static func codes(_ m: QuantizedModel) throws -> (NDArray, InputCodes) {
        let set = try ImageSet.load(path: images)
        return (set.images, try InputQuantizer(model: m).quantize(set.images))
    }

    @Test func mapsTheModel() throws {
        let m = try TFLiteImporter.load(path: Self.model)
        #expect(m.input == InputSpec(shape: [28, 28, 1], type: .int8, zero: -128, scale: 0.003921569, rounding: .halfAway))
        #expect(m.layers.map { [$0.inFeatures, $0.outFeatures] } == [[784, 128], [128, 64], [64, 10]])
        #expect(m.layers.map(\.relu) == [true, true, false])
        #expect(m.layers.map(\.outputZero) == [-128, -128, -4])
        #expect(m.layers.allSatisfy { $0.rounding == .gemmlowp && !$0.perTensorMultiplier && $0.clamp == nil })
        // Channel 0 of layer 0: s_in = 0.003921569, s_w = 0.0007466048, s_out = 0.035517666.
        #expect(m.layers[0].multiplier[0] == 1450193700 && m.layers[0].shift[0] == 44)
        #expect(m.layers[0].weight.count == 784 * 128 && m.layers[0].bias.count == 128)
        let x = try TFLiteImporter.load(path: Self.model, rounding: .xnnpack)
        #expect(x.layers[0].multiplier[0] == 11329638 && x.layers[0].shift[0] == 37)
        #expect(x.layers.allSatisfy { $0.rounding == .float32 })
        #expect(try TFLiteImporter.load(path: Self.model, rounding: .reference).layers.allSatisfy { $0.rounding == .halfUp })
        let o = try TFLiteImporter.loadWithOrigin(path: Self.model)
        #expect(o.model == m)
        #expect(o.origin == ["operator 4 (FULLY_CONNECTED)", "operator 5 (FULLY_CONNECTED)", "operator 6 (FULLY_CONNECTED)"])
    }

    /// Every output value on all 10,000 images through the fast simulator equals the runtime's,
    /// for each rounding; the Int128 reference (slow in debug builds) on the first 300 images.
    @Test(.enabled(if: haveImages, "dataset-fashion-mnist not installed"), arguments: TFLiteRounding.allCases)
    @available(macOS 15.0, *)
    func simulatorEqualsTheRuntime(_ r: TFLiteRounding) throws {
        let m = try TFLiteImporter.load(path: Self.model, rounding: r)
        let (_, codes) = try Self.codes(m)
        let want = try Self.expected(r)
        let got = try Simulator(model: m).run(codes).outputs
        #expect(got.count == want.count)
        #expect(zip(got, want).filter { $0 != $1 }.count == 0)
        let few = try InputCodes(type: codes.type, width: codes.width, bytes: Array(codes.bytes.prefix(300 * codes.width)))
        let ref = try ReferenceSimulator(model: m).run(few) as SimResult
        #expect(ref.outputs == Array(want.prefix(3000)))
    }

    /// The same through the loopback board (the accelerator model behind the runtime's driver).
    /// Every rounding: the loopback device builds each layer's mode (issue 17 item 1).
    @Test(.enabled(if: haveImages, "dataset-fashion-mnist not installed"), arguments: TFLiteRounding.allCases)
    func loopbackEqualsTheRuntime(_ r: TFLiteRounding) throws {
        let m = try TFLiteImporter.load(path: Self.model, rounding: r)
        let (_, codes) = try Self.codes(m)
        let outputs = try loopbackOutputs(m, codes, folds: [LayerFold(pe: 8, simd: 16, lanes: 2), LayerFold(pe: 4, simd: 8, lanes: 1),
                                                            LayerFold(pe: 2, simd: 4, lanes: 2)], name: "mlp_int8.tflite")
        let want = try Self.expected(r)
        #expect(zip(outputs, want).filter { $0 != $1 }.count == 0)
        #expect(outputs == want)
    }

    /// Float images x = pixel / 255 quantize (half_away, TFLite's QUANTIZE) to the same codes as
    /// the uint8 pixels (pixel − 128), so both give the runtimes' outputs.
    @Test(.enabled(if: haveImages, "dataset-fashion-mnist not installed"))
    func floatImagesQuantizeAsTFLite() throws {
        let m = try TFLiteImporter.load(path: Self.model)
        let (images, codes) = try Self.codes(m)
        guard case .uint8(let px) = images.storage else { Issue.record("not uint8"); return }
        let floats = NDArray(shape: images.shape, storage: .float32(px.map { Float($0) / 255 }))
        #expect(try InputQuantizer(model: m).quantize(floats) == codes)
        #expect(Array(codes.bytes.prefix(784)).map { Int8(bitPattern: $0) } == px.prefix(784).map { Int8(Int($0) - 128) })
    }
}

/// The Keras 784-128-10 MLPs of `make_real_mlps.py --only tflite` (TFLiteConverter full int8 with
/// the converter's per-channel weights, and with `_experimental_disable_per_channel`) map onto two
/// dense layers. Their outputs against each runtime on all 10,000 images, on sim and loopback:
/// `TFLiteImportCommandTests.kerasMLPsMatchEachRuntime`; in RTL: `EquivalenceTests`.
@Suite struct TFLiteKerasMLPs {
    /// Channel 0's M/2^s of both layers: gemmlowp from QuantizeMultiplier(double(s_in)·double(s_w)/double(s_out)),
    /// float32 from XNNPACK's float s_in·s_w/s_out, both computed in Python from the file's scales.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String, perTensor: Bool, gemmlowp: [[Int64]], float32: [[Int64]]
        var testDescription: String { name }
    }
    static let cases = [
        Case(name: "mlp784_int8_pc", perTensor: false, gemmlowp: [[1322078816, 43], [1506076590, 41]],
             float32: [[10328741, 36], [11766224, 34]]),
        Case(name: "mlp784_int8_pt", perTensor: true, gemmlowp: [[1216771313, 42], [1503437749, 40]],
             float32: [[9506026, 35], [11745608, 33]]),
    ]

    @Test(arguments: cases)
    func mapsTheModel(_ c: Case) throws {
        let path = fixturePath("real/tflite/\(c.name).tflite")
        let o = try TFLiteImporter.loadWithOrigin(path: path)
        let m = o.model
        #expect(m.input == InputSpec(shape: [28, 28, 1], type: .int8, zero: -128, scale: 0.003921569, rounding: .halfAway))
        #expect(m.layers.map { [$0.inFeatures, $0.outFeatures] } == [[784, 128], [128, 10]])
        #expect(m.layers.map(\.relu) == [true, false])
        #expect(m.layers.map(\.outputZero) == [-128, 1])
        // One M/2^s per output channel either way; per tensor they are all the same.
        #expect(m.layers.map(\.multiplier.count) == [128, 10])
        #expect(m.layers.map { Set($0.multiplier).count == 1 && Set($0.shift).count == 1 } == [c.perTensor, c.perTensor])
        #expect(m.layers.allSatisfy { $0.rounding == .gemmlowp && $0.perTensorMultiplier == c.perTensor && $0.clamp == nil })
        #expect(m.layers.map { [Int64($0.multiplier[0]), Int64($0.shift[0])] } == c.gemmlowp)
        #expect(o.origin == ["operator 4 (FULLY_CONNECTED)", "operator 5 (FULLY_CONNECTED)"])
        let x = try TFLiteImporter.load(path: path, rounding: .xnnpack)
        #expect(x.layers.map { [Int64($0.multiplier[0]), Int64($0.shift[0])] } == c.float32)
        #expect(x.layers.allSatisfy { $0.rounding == .float32 })
        let r = try TFLiteImporter.load(path: path, rounding: .reference)
        #expect(r.layers.allSatisfy { $0.rounding == .halfUp } && r.layers.map { [Int64($0.multiplier[0]), Int64($0.shift[0])] } == c.gemmlowp)
    }
}

/// What the importer refuses, each with one line naming the file, the operator (index and type)
/// and the reason, made by changing single fields of the real model in place.
@Suite struct TFLiteRefusals {
    static let path = TFLiteRealModel.model

    /// The real model's bytes with `edit` applied to them; `graph` locates fields.
    static func patched(_ edit: (inout [UInt8], FBTable) throws -> Void) throws -> [UInt8] {
        var bytes = try FileBytes.read(path: path)
        let fb = try FlatBuffer(bytes: bytes, file: path)
        try edit(&bytes, try fb.root("model", identifier: "TFL3"))
        return bytes
    }
    static func tensor(_ root: FBTable, _ i: Int) throws -> FBTable {
        try #require(try root.tables(TFLSchema.Model.subgraphs, "subgraphs")?[0].tables(TFLSchema.SubGraph.tensors, "tensors")?[i])
    }
    static func refusal(_ bytes: [UInt8], rounding: TFLiteRounding = .tflm) -> String? {
        do { _ = try TFLiteImporter.importModel(bytes: bytes, file: path, rounding: rounding); return nil } catch {
            return "\(error)"
        }
    }

    /// The real model's bytes with every FULLY_CONNECTED turned into operator `code` (both code
    /// fields, as schema 3a reads the larger).
    static func fullyConnectedBecomes(_ code: UInt8) throws -> [UInt8] {
        try patched { b, root in
            for c in try root.tables(TFLSchema.Model.operatorCodes, "operator_codes") ?? [] {
                guard try c.int32(TFLSchema.OperatorCode.builtinCode, "builtin_code") == 9 else { continue }
                if let p = try c.field(TFLSchema.OperatorCode.builtinCode, 4, "builtin_code") { b[p] = code }
                if let p = try c.field(TFLSchema.OperatorCode.deprecatedBuiltinCode, 1, "d") { b[p] = code }
            }
        }
    }

    @Test func otherOperators() throws {
        #expect(Self.refusal(try Self.fullyConnectedBecomes(25)) == "\(Self.path): 'operator 4 (SOFTMAX)': not supported "
            + "(only FULLY_CONNECTED, CONV_2D, MAX_POOL_2D, RESHAPE, QUANTIZE at the start and DEQUANTIZE at the end)")
        // A CONV_2D on the flattened [1, 784] tensor: not an image.
        #expect(Self.refusal(try Self.fullyConnectedBecomes(3)) == "\(Self.path): 'operator 4 (CONV_2D)': input tensor 13 "
            + "'sequential_1/flatten_1/Reshape' has shape [1, 784], not [1, H, W, C] (batch 1)")
        #expect(Self.refusal(try Self.fullyConnectedBecomes(17))?.hasPrefix("\(Self.path): 'operator 4 (MAX_POOL_2D)': ") == true)
    }

    @Test func weightZeroPoints() throws {
        let bytes = try Self.patched { b, root in
            let q = try #require(try Self.tensor(root, 9).table(TFLSchema.Tensor.quantization, "quantization"))
            let v = try #require(try q.vector(TFLSchema.Quantization.zeroPoint, "zero_point", elementSize: 8))
            b[v.start] = 1
        }
        #expect(Self.refusal(bytes) == "\(Self.path): 'operator 4 (FULLY_CONNECTED)': weights tensor 9 "
            + "'sequential_1/dense_1/MatMul' have zero point 1; only symmetric weights (zero point 0) are supported")
    }

    @Test func sixteenBitActivations() throws {
        let bytes = try Self.patched { b, root in
            let p = try #require(try Self.tensor(root, 14).field(TFLSchema.Tensor.type, 1, "type"))
            b[p] = 7  // INT16
        }
        #expect(Self.refusal(bytes) == "\(Self.path): 'operator 4 (FULLY_CONNECTED)': "
            + "16-bit activations (int16x8 quantization) are not supported; use int8")
    }

    @Test func floatInputWithoutQuantize() throws {
        let bytes = try Self.patched { b, root in
            for i in [0, 13] { b[try #require(try Self.tensor(root, i).field(TFLSchema.Tensor.type, 1, "type"))] = 0 }
        }
        #expect(Self.refusal(bytes) == "\(Self.path): 'operator 3 (RESHAPE)': RESHAPE of a FLOAT32 input "
            + "(the model must be int8 from its input on)")
    }

    /// RELU6 fused into FULLY_CONNECTED 5 (output scale 0.053910762, zero −128) is the clamp
    /// [max(−128, zy), zy + round(6 / scale)] = [−128, −128 + 111].
    @Test func relu6IsAClamp() throws {
        let bytes = try Self.patched { b, root in
            let op = try #require(try root.tables(TFLSchema.Model.subgraphs, "subgraphs")?[0]
                .tables(TFLSchema.SubGraph.operators, "operators")?[5])
            let options = try #require(try op.table(TFLSchema.Operator.builtinOptions, "builtin_options"))
            b[try #require(try options.field(TFLSchema.FullyConnectedOptions.fusedActivation, 1, "fused"))] = 3
        }
        let m = try TFLiteImporter.importModel(bytes: bytes, file: Self.path)
        #expect(m.layers[1].clamp == -128 ... -17 && !m.layers[1].relu)
        #expect(m.layers[0].relu && m.layers[0].clamp == nil)
    }

    /// A FULLY_CONNECTED output tensor whose shape is not what the operator computes ([1, out]),
    /// each with the same element count or not, was accepted (the next layer only counted
    /// elements, the last one's shape was never read); now refused like CONV_2D's.
    @Test(arguments: [(4, [Int32(128), 1]), (4, [1, 127]), (6, [1, 9]), (6, [10, 1])])
    func fullyConnectedOutputShape(_ index: Int, _ shape: [Int32]) throws {
        var label = ""
        let bytes = try Self.patched { b, root in
            let g = try #require(try root.tables(TFLSchema.Model.subgraphs, "subgraphs")?[0])
            let op = try #require(try g.tables(TFLSchema.SubGraph.operators, "operators")?[index])
            let out = Int(try #require(try op.int32s(TFLSchema.Operator.outputs, "outputs")?.first))
            let t = try Self.tensor(root, out)
            let v = try #require(try t.vector(TFLSchema.Tensor.shape, "shape", elementSize: 4))
            #expect(v.count == 2)
            for (d, n) in shape.enumerated() { b.replaceSubrange(v.start + 4 * d ..< v.start + 4 * d + 4, with: withUnsafeBytes(of: n.littleEndian, Array.init)) }
            label = "tensor \(out) '\(try t.string(TFLSchema.Tensor.name, "name") ?? "")'"
        }
        let want = index == 4 ? "[1, 128]" : "[1, 10]"
        for r in TFLiteRounding.allCases {
            #expect(Self.refusal(bytes, rounding: r)
                == "\(Self.path): 'operator \(index) (FULLY_CONNECTED)': output \(label) has shape \(shape), not \(want)")
        }
    }

    /// A CONV_2D filter of shape [2^31 − 1, 2^31 − 1, 2^31 − 1, 1]: out·kh·kw·in does not fit an
    /// Int. Found by scripts/fuzz-tflite.sh in CI (an arithmetic-overflow trap); now refused.
    @Test func hugeConvFilterShape() throws {
        let cnn = "\(repoRoot.path)/Tests/Fixtures/real/tflite/cnn_int8.tflite"
        var bytes = try FileBytes.read(path: cnn)
        let fb = try FlatBuffer(bytes: bytes, file: cnn)
        let g = try #require(try fb.root("model", identifier: "TFL3").tables(TFLSchema.Model.subgraphs, "subgraphs")?[0])
        let tensors = try #require(try g.tables(TFLSchema.SubGraph.tensors, "tensors"))
        var patchedFilter: String? = nil
        for op in try g.tables(TFLSchema.SubGraph.operators, "operators") ?? [] {
            let inputs = try #require(try op.int32s(TFLSchema.Operator.inputs, "inputs"))
            guard inputs.count == 3, try tensors[Int(inputs[1])].int32s(TFLSchema.Tensor.shape, "shape")?.last == 1 else { continue }
            let t = tensors[Int(inputs[1])]
            let shape = try #require(try t.vector(TFLSchema.Tensor.shape, "shape", elementSize: 4))
            for d in 0..<3 { bytes.replaceSubrange(shape.start + 4 * d ..< shape.start + 4 * d + 4, with: [0xFF, 0xFF, 0xFF, 0x7F]) }
            patchedFilter = "tensor \(inputs[1]) '\(try t.string(TFLSchema.Tensor.name, "name") ?? "")'"
            break
        }
        let filter = try #require(patchedFilter, "no conv filter with one input channel in \(cnn)")
        for r in TFLiteRounding.allCases {
            do {
                _ = try TFLiteImporter.importModel(bytes: bytes, file: cnn, rounding: r)
                Issue.record("the patched model was accepted")
            } catch {
                #expect("\(error)" == "\(cnn): 'operator 0 (CONV_2D)': filter \(filter) has shape "
                    + "[2147483647, 2147483647, 2147483647, 1], more elements than an Int holds")
            }
        }
    }

    @Test func truncatedFiles() throws {
        let bytes = try FileBytes.read(path: Self.path)
        for n in [0, 4, 7, 100, 1000, 50_000, bytes.count - 1] {
            let e = try #require(Self.refusal(Array(bytes.prefix(n))), "a file cut at \(n) bytes was accepted")
            #expect(e.hasPrefix(Self.path + ": ") && !e.contains("\n"), "\(e)")
        }
    }

    @Test func quantizeMultiplierIsTFLites() {
        // frexp(0.75) = 0.75·2^0: M = 0.75·2^31, shift 0; 2^-30 = 0.5·2^-29: M = 2^30, shift −29;
        // a q that rounds up to 2^31 moves to 2^30 and shift + 1; shift below −31 gives 0.
        #expect(TFLiteImporter.quantizeMultiplier(0.75) == (1_610_612_736, 0))
        #expect(TFLiteImporter.quantizeMultiplier(0x1p-30) == (1 << 30, -29))
        #expect(TFLiteImporter.quantizeMultiplier(1 - 0x1p-40) == (1 << 30, 1))
        #expect(TFLiteImporter.quantizeMultiplier(0x1p-33) == (0, 0))
        #expect(TFLiteImporter.float32Multiplier(0.75) == (0xC00000, 24))
        #expect(TFLiteImporter.float32Multiplier(Float(bitPattern: 1)) == (1, 149))
    }
}

/// Replays `FuzzRegressions/`: every input must be refused with a ZynqError by every rounding.
@Suite struct TFLiteFuzzRegressionTests {
    static let dir = fuzzRegressionDirectory("import")
    static let inputs: [String] = fuzzRegressionInputs(in: dir)

    @Test func thereAreInputs() { #expect(Self.inputs.count >= 7) }

    @Test(arguments: inputs)
    func replay(_ name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Self.dir.appendingPathComponent(name)))
        for r in TFLiteRounding.allCases {
            do {
                _ = try TFLiteImporter.importModel(bytes: bytes, file: name, rounding: r)
                Issue.record("\(name) was accepted")
            } catch let e as ZynqError {
                #expect(e.file == name && !e.description.contains("\n"))
            }
        }
    }
}
