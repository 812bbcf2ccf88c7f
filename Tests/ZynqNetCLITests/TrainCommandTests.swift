import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetModel

@Suite("zynqnet train")
struct TrainCommandTests {
    static let iris = CLI.packageRoot + "/examples/iris/iris.csv"
    static let quick = ["--layers", "4,30,30,3", "--epochs", "60", "--batch", "16", "--lr", "0.01"]

    @Test("help text names every option")
    func help() throws {
        let r = try CLI.run(["train", "--help"])
        #expect(r.status == 0)
        for option in ["--dataset", "--labels", "--label-column", "--test-dataset", "--test-split", "--layers", "--epochs",
                       "--batch", "--lr", "--optimizer", "--seed", "--val-split", "--qat", "--activations",
                       "--per-channel", "--shift-only", "--no-bias", "--threads", "--output", "--json", "--save-test-set"] {
            #expect(r.stdout.contains(option), "help lacks \(option)")
        }
    }

    @Test("--json reports both accuracies; the model and test set load and agree with it")
    func json() throws {
        let dir = try makeTemporaryDirectory("cli")
        let model = dir.appendingPathComponent("m.npz").path
        let test = dir.appendingPathComponent("t.npz").path
        let r = try CLI.run(["train", "--dataset", Self.iris] + Self.quick + ["-o", model, "--save-test-set", test, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let q = try #require(json["quantized_accuracy"] as? Double)
        #expect(json["float_accuracy"] is Double && json["epochs"] as? Int == 60 && json["seconds"] is Double)
        #expect(json["test_samples"] as? Int == 30 && json["train_samples"] as? Int == 108)
        #expect(json["validation_samples"] as? Int == 12)
        // `zynqnet infer` on the saved test set measures the same quantized accuracy.
        let infer = try CLI.run(["infer", test, "--model", model, "--json"])
        #expect(infer.status == 0, "\(infer.stderr)")
        let ij = try #require(try JSONSerialization.jsonObject(with: Data(infer.stdout.utf8)) as? [String: Any])
        #expect(ij["accuracy"] as? Double == q)
        // Same seed, same bytes.
        let again = dir.appendingPathComponent("again.npz").path
        let r2 = try CLI.run(["train", "--dataset", Self.iris] + Self.quick + ["-o", again, "--json", "--threads", "1"])
        #expect(r2.status == 0)
        #expect(try QuantizedModel.load(path: model) == QuantizedModel.load(path: again))
    }

    @Test("the report shows float and quantized accuracy side by side, progress goes to stderr")
    func textReport() throws {
        let dir = try makeTemporaryDirectory("cli")
        let model = dir.appendingPathComponent("m.npz").path
        let r = try CLI.run(["train", "--dataset", Self.iris] + Self.quick + ["-o", model, "--shift-only"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("float accuracy") && r.stdout.contains("quantized accuracy"))
        #expect(r.stdout.contains("shift-only"))
        #expect(r.stderr.contains("float epoch 60/60"))
        let m = try QuantizedModel.load(path: model)
        #expect(m.layers.allSatisfy { $0.rounding == .floor && $0.multiplier.allSatisfy { $0 == 1 } })
    }

    @Test("usage errors exit 2 and name the option")
    func usage() throws {
        let dir = try makeTemporaryDirectory("cli")
        let model = dir.appendingPathComponent("m.npz").path
        let cases: [([String], String)] = [
            (["--layers", "4,x,3"], "--layers"),
            (["--epochs", "0"], "--epochs"),
            (["--activations", "int4"], "--activations"),
            (["--optimizer", "rmsprop"], "--optimizer"),
            (["--qat", "--shift-only"], "--qat"),
            (["--val-split", "1"], "--val-split"),
        ]
        for (args, option) in cases {
            let r = try CLI.run(["train", "--dataset", Self.iris, "-o", model] + args)
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.contains(option), "\(args): \(r.stderr)")
        }
        let r = try CLI.run(["train", "--dataset", Self.iris, "-o", dir.appendingPathComponent("m.bin").path])
        #expect(r.status == 2 && r.stderr.contains("--output"))
        #expect(!FileManager.default.fileExists(atPath: model))
    }

    @Test("bad data exits 1 with file, line and column; nothing is written")
    func badData() throws {
        let dir = try makeTemporaryDirectory("cli")
        let csv = dir.appendingPathComponent("bad.csv").path
        try "a,b,label\n1,2,x\n3,oops,y\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let model = dir.appendingPathComponent("m.npz").path
        let r = try CLI.run(["train", "--dataset", csv, "-o", model])
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(csv): line 3, column 2 (b): 'oops' is not a finite number\n")
        let wrong = try CLI.run(["train", "--dataset", Self.iris, "--layers", "5,8,3", "-o", model])
        #expect(wrong.status == 1 && wrong.stderr.contains("'--layers'") && wrong.stderr.contains("4 features"))
        let diverge = try CLI.run(["train", "--dataset", Self.iris, "--lr", "1e30", "--epochs", "3", "-o", model])
        #expect(diverge.status == 1 && diverge.stderr.contains("'--lr'"), "\(diverge.stderr)")
        let missing = try CLI.run(["train", "--dataset", dir.appendingPathComponent("none.csv").path, "-o", model])
        #expect(missing.status == 1 && missing.stderr.contains("none.csv"))
        #expect(!FileManager.default.fileExists(atPath: model))
    }
}
