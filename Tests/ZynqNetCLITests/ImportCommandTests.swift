import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetModel

/// `zynqnet import` and `--model MODEL.onnx` end to end, against onnxruntime's own outputs
/// (Tests/Fixtures/real, copied from ../shared/data/real; made on a VNNI machine).
@Suite("zynqnet import")
struct ImportCommandTests {
    static let images = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"

    @Test("import prints the mapped layers and writes a format-2 model equal to the direct import")
    func importText() throws {
        let dir = try makeTemporaryDirectory("cli")
        let out = dir.appendingPathComponent("m.npz").path
        let r = try CLI.run(["import", CLI.fixture("real/mlp_qdq_u8s8_pt.onnx"), "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("imported onnx: 3 layer(s)"))
        #expect(r.stdout.contains("layer0: dense 784 -> 128, rounding float32, scale "))
        #expect(r.stdout.contains("layer2: dense 64 -> 10, rounding float32"))
        #expect(r.stdout.contains("input: shape [784], uint8"))
        #expect(r.stdout.contains("wrote \(out) (format 2)"))
        let arrays = try NPZ.read(path: out)
        #expect(arrays["format"]?.integers() == [2])
        #expect(arrays["layer0.rounding"] != nil)
        let m = try QuantizedModel.load(path: out)
        #expect(m.layers.map(\.outFeatures) == [128, 64, 10])
    }

    @Test("import --json gives multipliers, shifts and zero points per layer")
    func importJSON() throws {
        let r = try CLI.run(["import", CLI.fixture("real/mlp_qdq_s8s8_pc.onnx"), "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(j["format"] as? String == "onnx")
        let layers = try #require(j["layers"] as? [[String: Any]])
        #expect(layers.count == 3)
        #expect((layers[0]["multiplier"] as? [Int])?.count == 128)
        #expect(layers[0]["per_channel"] as? Bool == true)
        #expect(layers[0]["rounding"] as? String == "float32")
        #expect(layers[0]["output_signed"] as? Bool == true)
        let input = try #require(j["input"] as? [String: Any])
        #expect(input["signed"] as? Bool == true)
        #expect(input["rounding"] as? String == "half_even")
    }

    @Test("import --onnx-rounding half_even: power-of-two scales become half_even with M = 1; other scales are refused in one line")
    func onnxRoundingHalfEven() throws {
        let dir = try makeTemporaryDirectory("cli")
        let out = dir.appendingPathComponent("po2.npz").path
        let r = try CLI.run(["import", CLI.fixture("real/mlp784_brevitas_po2.onnx"), "--onnx-rounding", "half_even", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("layer0: dense 784 -> 128, rounding half_even, scale 1/2^12, out uint8 zero 0"), "\(r.stdout)")
        #expect(r.stdout.contains("layer1: dense 128 -> 10, rounding half_even, scale 1/2^9, out int8 zero 0"), "\(r.stdout)")
        #expect(try QuantizedModel.load(path: out).layers.map(\.rounding) == [.halfEven, .halfEven])
        let bad = dir.appendingPathComponent("float.npz").path
        let f = try CLI.run(["import", CLI.fixture("real/mlp784_brevitas_float.onnx"), "--onnx-rounding", "half_even", "-o", bad])
        #expect(f.status == 1)
        #expect(f.stderr.contains("half_even rounding needs a power-of-two requantization scale") && f.stderr.split(separator: "\n").count == 1, "\(f.stderr)")
        #expect(!FileManager.default.fileExists(atPath: bad))
        #expect(try CLI.run(["import", CLI.fixture("real/mlp784_brevitas_po2.onnx"), "--onnx-rounding", "floor"]).status == 2)
    }

    @Test("a bad .onnx is one line on stderr naming the file, exit 1, nothing written")
    func badFile() throws {
        let dir = try makeTemporaryDirectory("cli")
        let bad = dir.appendingPathComponent("bad.onnx").path
        try Data([0x0a, 0xff, 0xff, 0xff]).write(to: URL(fileURLWithPath: bad))
        let out = dir.appendingPathComponent("m.npz").path
        let r = try CLI.run(["import", bad, "-o", out])
        #expect(r.status == 1)
        #expect(r.stderr.contains("bad.onnx"))
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// Past the ONNX importer's limits (docs/import.md, "Limits"; ONNXLimitTests builds these
    /// files): one line naming the node, the input or the file, exit 1, nothing written.
    @Test func pastTheImportLimits() throws {
        let dir = try makeTemporaryDirectory("cli")
        let out = dir.appendingPathComponent("m.npz").path
        let big = dir.appendingPathComponent("big.onnx").path
        #expect(FileManager.default.createFile(atPath: big, contents: nil))
        let h = try #require(FileHandle(forWritingAtPath: big))
        try h.truncate(atOffset: (4 << 20) + 1)
        try h.close()
        let limit = "would take the arrays this import builds past 256 MiB, the importer's work limit (docs/import.md, \"Limits\")"
        for (file, line) in [
            (CLI.fixture("fuzz/import/bad-limit-flatten-column-orders.onnx"), "'f2': Flatten: its column order (16777216 entries) \(limit)"),
            (CLI.fixture("fuzz/import/bad-limit-relu-chain.onnx"), "'relu5792': Relu: its node list (5793 entries) for layer 'fc' \(limit)"),
            (CLI.fixture("fuzz/import/bad-limit-input-elements.onnx"),
             "'x': graph input [1, 1, 4097, 4096] has more than 16777216 elements per image (2^24, the largest image zynqnet's hardware holds)"),
            (big, "file of 4194305 bytes is larger than the 4 MiB an .onnx model may have: not read (docs/import.md, \"Limits\")"),
        ] {
            let r = try CLI.run(["import", file, "-o", out])
            #expect(r.status == 1)
            #expect(r.stderr == "error: \(file): \(line)\n")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    /// The images as onnxruntime got them: float32 pixel / 255, (N, 1, 28, 28), in one .npy
    /// written once for every model of the test below.
    static let floatImagesFile = Result { () throws -> String in
        let raw = try IDX.read(path: images)
        guard case .uint8(let px) = raw.storage else { throw ZynqError("not uint8") }
        let file = try makeTemporaryDirectory("cli").appendingPathComponent("x.npy").path
        try FileBytes.write(NPY.encode(NDArray(shape: [raw.shape[0], 1, 28, 28], storage: .float32(px.map { Float($0) / 255 }))), to: file)
        return file
    }

    @Test("infer --model X.onnx: every output on all 10,000 float images equals onnxruntime's, on sim and loopback",
          .enabled(if: FileManager.default.fileExists(atPath: images), "dataset-fashion-mnist not installed"),
          arguments: ["mlp_qdq_u8s8_pt", "mlp_qdq_s8s8_pc", "mlp784_qdq_u8s8_pt", "mlp784_qdq_s8s8_pc", "mlp784_qdq_u8s8_pc",
                      "mlp784_qop_u8s8", "mlp784_brevitas_float", "mlp784_brevitas_po2"])
    func inferMatchesOnnxruntime(_ name: String) throws {
        let dir = try makeTemporaryDirectory("cli")
        let floats = try Self.floatImagesFile.get()
        let want = try #require(try NPY.read(path: CLI.fixture("real/\(name).ort_q.npy")).integers())
        func run(_ backend: String) throws {
            let out = dir.appendingPathComponent("\(backend).npz").path
            let r = try CLI.run(["infer", floats, "--model", CLI.fixture("real/\(name).onnx"), "--backend", backend,
                                 "--output", out, "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            guard r.status == 0 else { return }
            let got = try #require(try NPZ.read(path: out)["outputs"]?.integers())
            #expect(got.count == want.count)
            let differing = zip(got, want).filter { $0 != $1 }.count
            #expect(differing == 0, "\(name) on \(backend): \(differing) of 100,000 values differ from onnxruntime")
        }
        try run("sim")
        try run("loopback")
    }
}

/// `zynqnet import` and `.tflite` as `--model`, on the real TFLite model of Tests/Fixtures/real/tflite.
@Suite struct TFLiteImportCommandTests {
    static let tflite = CLI.fixture("real/tflite/mlp_int8.tflite")
    static let images = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"

    @Test func importsWritesAndPrints() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("m.npz").path
        let r = try CLI.run(["import", Self.tflite, "-o", out, "--tflite-rounding", "xnnpack"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("layer0: dense 784 -> 128, rounding float32, scale per channel (128): 11329638/2^37"))
        let m = try QuantizedModel.load(path: out)
        #expect(m.layers.map(\.rounding) == [.float32, .float32, .float32] && m.input.rounding == .halfAway)
        // zynqnet wrote it: imported again in place. A file zynqnet did not write: refused, unchanged.
        let again = try CLI.run(["import", Self.tflite, "-o", out])
        #expect(again.status == 0, "\(again.stderr)")
        let foreign = dir.appendingPathComponent("mine.npz").path
        try Data("user data".utf8).write(to: URL(fileURLWithPath: foreign))
        let refused = try CLI.run(["import", Self.tflite, "-o", foreign])
        #expect(refused.status == 1)
        #expect(refused.stderr == "error: \(foreign): '--output': exists and was not written by zynqnet; remove it or choose another name\n")
        #expect(try String(contentsOfFile: foreign, encoding: .utf8) == "user data")
        let json = try CLI.run(["import", Self.tflite, "-o", dir.appendingPathComponent("j.npz").path, "--json"])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let layers = try #require(obj["layers"] as? [[String: Any]])
        #expect(layers.map { $0["rounding"] as? String } == ["gemmlowp", "gemmlowp", "gemmlowp"])
        #expect((layers[2]["multiplier"] as? [Int])?.count == 10 && layers[2]["output_zero"] as? Int == -4)
    }

    /// A malformed .tflite: exit 1, one line naming the file and the table/field, nothing written.
    @Test func badFileIsOneLine() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("cut.tflite").path, out = dir.appendingPathComponent("m.npz").path
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Self.tflite))
        try bytes.prefix(60_000).write(to: URL(fileURLWithPath: bad))
        let r = try CLI.run(["import", bad, "-o", out])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: \(bad): 'model.") && r.stderr.filter { $0 == "\n" }.count == 1, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func badRoundingIsAUsageError() throws {
        let r = try CLI.run(["import", Self.tflite, "-o", "/nonexistent/x.npz", "--tflite-rounding", "gemmlowp"])
        #expect(r.status == 2)
    }

    /// `infer --model x.tflite` on all 10,000 test images gives TFLite Micro's outputs exactly.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: images), "dataset-fashion-mnist not installed"))
    func inferTakesATFLiteModel() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("o.npz").path
        let r = try CLI.run(["infer", Self.images, "--model", Self.tflite, "--output", out])
        #expect(r.status == 0, "\(r.stderr)")
        let got = try #require(try NPZ.read(path: out)["outputs"]?.integers())
        let want = try #require(try NPY.read(path: CLI.fixture("real/tflite/mlp_int8.tflm_q.npy")).integers())
        #expect(got == want)
    }

    /// The Keras 784-128-10 MLPs of `make_real_mlps.py --only tflite` (per-channel and per-tensor
    /// weights): `import --tflite-rounding R`, then `infer --backend sim` and `--backend loopback`
    /// on all 10,000 uint8 test images (pixel − 128) give all 100,000 output values of the runtime R
    /// stands for. The runtimes differ from each other in 2 to 188 of these values, so each pair
    /// tells its rounding apart (Tests/Fixtures/real/README.md).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: images), "dataset-fashion-mnist not installed"),
          arguments: ["mlp784_int8_pc", "mlp784_int8_pt"], ["tflm:tflm", "reference:litert_builtin_ref", "xnnpack:litert_xnnpack"])
    func kerasMLPsMatchEachRuntime(_ name: String, _ rounding: String) throws {
        let parts = rounding.split(separator: ":").map(String.init)
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("m.npz").path
        let i = try CLI.run(["import", CLI.fixture("real/tflite/\(name).tflite"), "-o", model, "--tflite-rounding", parts[0]])
        #expect(i.status == 0, "\(i.stderr)")
        let want = try #require(try NPY.read(path: CLI.fixture("real/tflite/\(name).\(parts[1])_q.npy")).integers())
        #expect(want.count == 100_000)
        for backend in ["sim", "loopback"] {
            let out = dir.appendingPathComponent("\(backend).npz").path
            let r = try CLI.run(["infer", Self.images, "--model", model, "--backend", backend, "--output", out, "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            guard r.status == 0 else { continue }
            let got = try #require(try NPZ.read(path: out)["outputs"]?.integers())
            let differing = got.count == want.count ? zip(got, want).filter { $0 != $1 }.count : -1
            #expect(differing == 0, "\(name) --tflite-rounding \(parts[0]) on \(backend): \(differing) of 100,000 values differ from \(parts[1])")
        }
    }
}

/// `zynqnet import` and `infer --layout nchw` on the real CNNs (Tests/Fixtures/real, made by
/// make_real_cnn.py with onnxruntime and the TFLite runtimes).
@Suite struct CNNImportCommandTests {
    @Test("import prints conv2d and maxpool2d layers with their shapes and windows (text and --json)")
    func importsACNN() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("m.npz").path
        let r = try CLI.run(["import", CLI.fixture("real/cnn_qop_u8s8_pt.onnx"), "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("layer0: conv2d [28, 28, 1] -> [26, 26, 8], kernel 3x3, stride [1, 1], padding [0, 0, 0, 0], rounding float32"))
        #expect(r.stdout.contains("layer1: maxpool2d [26, 26, 8] -> [13, 13, 8], size [2, 2], stride [2, 2]\n    from: /pool1/MaxPool\n"))
        #expect(r.stdout.contains("layer4: dense 400 -> 10, rounding float32"))
        let m = try QuantizedModel.load(path: out)
        #expect(m.layers.map(\.kind.name) == ["conv2d", "maxpool2d", "conv2d", "maxpool2d", "dense"])
        let j = try CLI.run(["import", CLI.fixture("real/tflite/win_int8.tflite"), "--json"])
        #expect(j.status == 0, "\(j.stderr)")
        #expect(j.stdout.contains(#""kind":"conv2d","in":48,"out":8,"input_shape":[9,9,3],"output_shape":[5,5,8],"kernel":[4,4],"stride":[2,2],"padding":[1,1,2,2],"rounding":"gemmlowp""#))
        #expect(j.stdout.contains(#""kind":"maxpool2d","in":0,"out":0,"input_shape":[5,5,8],"output_shape":[2,2,8],"size":[2,2],"stride":[2,2],"output_zero":"#))
    }

    @Test("infer --layout nchw: the window model's (N, C, H, W) float images give onnxruntime's outputs")
    func inferNCHW() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let raw = try NPY.read(path: CLI.fixture("real/win_images.npy"))
        guard case .uint8(let px) = raw.storage else { Issue.record("not uint8"); return }
        let floats = dir.appendingPathComponent("x.npy").path
        try FileBytes.write(NPY.encode(NDArray(shape: raw.shape, storage: .float32(px.map { Float($0) / 255 }))), to: floats)
        let out = dir.appendingPathComponent("o.npz").path
        let r = try CLI.run(["infer", floats, "--model", CLI.fixture("real/win_qdq_u8s8_pc.onnx"), "--layout", "nchw",
                             "--backend", "sim", "--output", out, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let got = try #require(try NPZ.read(path: out)["outputs"]?.integers())
        let want = try #require(try NPY.read(path: CLI.fixture("real/win_qdq_u8s8_pc.ort_q.npy")).integers())
        #expect(got == want)
    }
}
