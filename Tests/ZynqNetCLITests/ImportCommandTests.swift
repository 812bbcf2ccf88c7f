import Foundation
import Testing
import ZynqNetModel

/// `zynqnet import` and `.tflite` as `--model`, on the real TFLite model of Tests/Fixtures/real/tflite.
@Suite struct ImportCommandTests {
    static let tflite = CLI.fixture("real/tflite/mlp_int8.tflite")
    static let images = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"

    @Test func importsWritesAndPrints() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("m.npz").path
        let r = try CLI.run(["import", Self.tflite, "-o", out, "--tflite-rounding", "xnnpack"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("layer0: dense 784 -> 128, rounding float32, scale per channel (128): 11329638/2^37"))
        let m = try QuantizedModel.load(path: out)
        #expect(m.layers.map(\.rounding) == [.float32, .float32, .float32] && m.input.rounding == .halfAway)
        // The file exists now: refused, nothing written.
        let again = try CLI.run(["import", Self.tflite, "-o", out])
        #expect(again.status == 1)
        #expect(again.stderr == "error: \(out): '--output': already exists (zynqnet does not overwrite a file it did not write)\n")
        let json = try CLI.run(["import", Self.tflite, "-o", dir.appendingPathComponent("j.npz").path, "--json"])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let layers = try #require(obj["layers"] as? [[String: Any]])
        #expect(layers.map { $0["rounding"] as? String } == ["gemmlowp", "gemmlowp", "gemmlowp"])
        #expect((layers[2]["multiplier"] as? [Int])?.count == 10 && layers[2]["output_zero"] as? Int == -4)
    }

    /// A malformed .tflite: exit 1, one line naming the file and the table/field, nothing written.
    @Test func badFileIsOneLine() throws {
        let dir = try CLI.temporaryDirectory()
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
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("o.npz").path
        let r = try CLI.run(["infer", Self.images, "--model", Self.tflite, "--output", out])
        #expect(r.status == 0, "\(r.stderr)")
        let got = try #require(try NPZ.read(path: out)["outputs"]?.integers())
        let want = try #require(try NPY.read(path: CLI.fixture("real/tflite/mlp_int8.tflm_q.npy")).integers())
        #expect(got == want)
    }
}
