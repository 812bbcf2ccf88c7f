import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetModel
import ZynqNetSim

@Suite("zynqnet infer")
struct InferCommandTests {
    @Test("help text names every option")
    func help() throws {
        let r = try CLI.run(["infer", "--help"])
        #expect(r.status == 0)
        for option in ["--model", "--backend", "--labels", "--limit", "--batch", "--output", "--json", "--show"] {
            #expect(r.stdout.contains(option), "help lacks \(option)")
        }
        #expect(r.stdout.contains("IMAGES is an .npz"))
    }

    @Test("outputs and predictions equal the notebook's own arithmetic, bit for bit")
    func notebookModelMatchesGolden() throws {
        let dir = try makeTemporaryDirectory("cli")
        let out = dir.appendingPathComponent("out.npz").path
        let r = try CLI.run(["infer", CLI.fixture("real/mnist_images.npz"), "--model", CLI.fixture("real/mnist_model.npz"),
                             "--output", out, "--json", "--batch", "7"])
        #expect(r.status == 0, "\(r.stderr)")
        let got = try NPZ.read(path: out)
        let expected = try NPZ.read(path: CLI.fixture("real/mnist_expected.npz"))
        #expect(got["predictions"] == expected["predictions"])
        #expect(got["outputs"] == expected["outputs"])
        #expect(got["labels"]?.integers() == expected["labels"]?.integers())
        // The JSON's accuracy is the fraction of golden predictions equal to the labels.
        let preds = try #require(expected["predictions"]?.integers())
        let labels = try #require(expected["labels"]?.integers())
        let correct = zip(preds, labels).filter { $0 == $1 }.count
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["images"] as? Int == 200)
        #expect(json["correct"] as? Int == correct)
        #expect((json["accuracy"] as? Double) == Double(correct) / 200)
        #expect(json["backend"] as? String == "sim")
        #expect(try json["kernel"] as? String == SimKernel.fromEnvironment().rawValue)
        // Only where AMX failed its self-check (never on a machine without AMX, such as this one).
        #expect(json["kernel_note"] as? String == SimKernel.bestNote)
        #expect(json["seconds"] is Double || json["seconds"] is Int)
        #expect(json["images_per_second"] != nil)
    }

    @Test("pyrtlnet's quantized.npz runs as pyrtlnet computes it")
    func pyrtlnetMatchesGolden() throws {
        let dir = try makeTemporaryDirectory("cli")
        let out = dir.appendingPathComponent("out.npz").path
        let r = try CLI.run(["infer", CLI.fixture("real/pyrtlnet_test_data_u8.npz"), "--model",
                             CLI.fixture("real/pyrtlnet_quantized.npz"), "--output", out, "--limit", "150"])
        #expect(r.status == 0, "\(r.stderr)")
        let got = try NPZ.read(path: out)
        let expected = try NPZ.read(path: CLI.fixture("real/pyrtlnet_expected.npz"))
        let gotOut = try #require(got["outputs"]?.integers())
        let expOut = try #require(expected["outputs"]?.integers())
        #expect(got["outputs"]?.shape == [150, 10])
        #expect(gotOut == Array(expOut.prefix(150 * 10)))
        #expect(r.stdout.contains("accuracy"))
        #expect(r.stdout.contains("true \\ predicted"))
    }

    @Test("ZYNQNET_ISA forces the kernel, which --json and the text name; a bad value is one error naming it")
    func environmentKernel() throws {
        let dir = try makeTemporaryDirectory("cli")
        let out = dir.appendingPathComponent("out.npz").path
        let args = ["infer", CLI.fixture("real/mnist_images.npz"), "--model", CLI.fixture("real/mnist_model.npz")]
        let expected = try NPZ.read(path: CLI.fixture("real/mnist_expected.npz"))
        for kernel in SimKernel.available {
            let r = try CLI.run(args + ["--json", "--output", out], environment: ["ZYNQNET_ISA": kernel.rawValue])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("\"backend\":\"sim\",\"kernel\":\"\(kernel.rawValue)\",\"model_import\":{"), "\(r.stdout)")
            #expect(try NPZ.read(path: out)["outputs"] == expected["outputs"], "\(kernel)")
        }
        let text = try CLI.run(args, environment: ["ZYNQNET_ISA": "portable"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("images/s on sim (portable kernel) (200 images in"), "\(text.stdout)")
        let bad = try CLI.run(args + ["--json"], environment: ["ZYNQNET_ISA": "avx9"])
        #expect(bad.status == 1)
        #expect(bad.stdout == "")
        let here = SimKernel.available.map(\.rawValue).joined(separator: ", ")
        #expect(bad.stderr == "error: 'ZYNQNET_ISA': unknown kernel 'avx9' (valid: portable, sse2, avx2, avx512vnni, avxvnni, amx, "
                + "neon, neondot; available here: \(here))\n")
    }

    @Test("without labels, accuracy is null")
    func noLabels() throws {
        let dir = try makeTemporaryDirectory("cli")
        let images = dir.appendingPathComponent("x.npz").path
        try NPZ.write([("x", NDArray(shape: [3, 784], storage: .uint8([UInt8](repeating: 9, count: 3 * 784))))], to: images)
        let r = try CLI.run(["infer", images, "--model", CLI.fixture("real/mnist_model.npz"), "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\"accuracy\":null"))
        #expect(r.stdout.contains("\"correct\":null"))
        #expect(r.stdout.contains("\"images\":3"))
    }

    @Test("bad data exits 1 with a one-line error naming the file and key")
    func badData() throws {
        let missing = try CLI.run(["infer", CLI.fixture("real/mnist_images.npz"), "--model", "/nonexistent/model.npz"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("/nonexistent/model.npz"))

        let wrongShape = try CLI.run(["infer", CLI.fixture("real/mnist_images.npz"), "--model", CLI.fixture("real/pyrtlnet_quantized.npz")])
        #expect(wrongShape.status == 1)
        #expect(wrongShape.stderr.contains("mnist_images.npz"))
        #expect(wrongShape.stderr.contains("'images'"))
        #expect(wrongShape.stderr.split(separator: "\n").count == 1)

        let dir = try makeTemporaryDirectory("cli")
        let out = dir.appendingPathComponent("never.npz").path
        _ = try CLI.run(["infer", CLI.fixture("real/mnist_images.npz"), "--model", CLI.fixture("real/pyrtlnet_quantized.npz"), "--output", out])
        #expect(!FileManager.default.fileExists(atPath: out), "nothing half-written")
    }

    @Test("usage errors exit 2", arguments: [
        ["--batch", "0"], ["--limit", "0"], ["--backend", "fpga"], ["--show", "-1"], ["--output", "x.txt"],
    ])
    func usage(extra: [String]) throws {
        let r = try CLI.run(["infer", CLI.fixture("real/mnist_images.npz"), "--model", CLI.fixture("real/mnist_model.npz")] + extra)
        #expect(r.status == 2, "\(extra): \(r.stderr)")
        #expect(r.stderr.contains(extra[0]))
    }

    @Test("--show draws the image and the scores")
    func show() throws {
        let r = try CLI.run(["infer", CLI.fixture("real/mnist_images.npz"), "--model", CLI.fixture("real/mnist_model.npz"),
                             "--show", "2", "--limit", "2"])
        #expect(r.status == 0)
        #expect(r.stdout.components(separatedBy: "image ").count - 1 == 2)
        // Not a terminal: no escapes, a character picture (colour pictures: UserInputCLITests).
        #expect(!r.stdout.contains("\u{1B}"))
        #expect(r.stdout.contains("predicted"))
        // 28 rows drawn two per line: 14 picture lines of 28 characters per image.
        let ramp = Set(" .:-=+*#%@")
        #expect(r.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter { $0.count == 28 && $0.allSatisfy(ramp.contains) }.count == 28)
    }
}

@Suite("zynqnet infer --backend loopback")
struct LoopbackInferTests {
    /// Runs `args` with `--output` and returns the written arrays.
    func outputs(_ args: [String]) throws -> [String: NDArray] {
        let dir = try makeTemporaryDirectory("cli")
        let out = dir.appendingPathComponent("out.npz").path
        let r = try CLI.run(args + ["--output", out, "--json"])
        #expect(r.status == 0, "\(args): \(r.stderr)")
        return try NPZ.read(path: out)
    }

    @Test("loopback equals sim bit for bit", arguments: ["1", "7", "256"])
    func loopbackEqualsSim(batch: String) throws {
        let base = ["infer", CLI.fixture("real/mnist_images.npz"), "--model", CLI.fixture("real/mnist_model.npz"), "--limit", "40"]
        let sim = try outputs(base)
        let loop = try outputs(base + ["--backend", "loopback", "--batch", batch])
        #expect(loop["outputs"] == sim["outputs"])
        #expect(loop["predictions"] == sim["predictions"])
        #expect(sim["outputs"]?.shape == [40, 10])
    }

    @Test("throughput test prints the runtime's keys")
    func throughputKeys() throws {
        let r = try CLI.run(["infer", CLI.fixture("real/pyrtlnet_test_data_u8.npz"), "--model", CLI.fixture("real/pyrtlnet_quantized.npz"),
                             "--backend", "loopback", "--throughput-test", "--json", "--batch", "16", "--limit", "48"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        for key in ["runtime_ms", "images_per_second", "dram_in_mb_per_s", "dram_out_mb_per_s", "fclk_mhz", "batch_size",
                    "pack_ms", "copy_ms", "unpack_ms", "busy_cycles", "stall_cycles", "images", "backend"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        #expect(json["batch_size"] as? Int == 16)
        #expect(json["images"] as? Int == 48)
        #expect(json["backend"] as? String == "loopback")
        // 48 images of 144 pixels in 18 beats of 8 bytes each went in.
        let mbIn = try #require(json["dram_in_mb_per_s"] as? Double), ms = try #require(json["runtime_ms"] as? Double)
        #expect(abs(mbIn * 1e6 * ms / 1e3 - Double(48 * 18 * 8)) < 1)
    }

    @Test("--backend board without a bundle is a usage error; --throughput-test on sim too")
    func boardUsage() throws {
        let a = try CLI.run(["infer", CLI.fixture("real/mnist_images.npz"), "--model", CLI.fixture("real/mnist_model.npz"), "--backend", "board"])
        #expect(a.status == 2)
        #expect(a.stderr.contains("--bundle"))
        let b = try CLI.run(["infer", CLI.fixture("real/mnist_images.npz"), "--model", CLI.fixture("real/mnist_model.npz"), "--throughput-test"])
        #expect(b.status == 2)
        #expect(b.stderr.contains("--throughput-test"))
    }

    /// A conv model ([10, 9, 3] input, golden cnn_pool_first) on its (N, H, W, C) images gives
    /// tools/reference.py's outputs; the same images as (N, C, H, W) with --layout nchw too.
    @Test("conv models take (N, H, W, C) images, and (N, C, H, W) with --layout nchw")
    func convModelLayouts() throws {
        let dir = try makeTemporaryDirectory("cli")
        let model = CLI.fixture("golden/cnn_pool_first.model.npz")
        let images = try #require(try NPZ.read(path: CLI.fixture("golden/cnn_pool_first.images.npz"))["images"])
        let expected = try NPZ.read(path: CLI.fixture("golden/cnn_pool_first.expected.npz"))
        #expect(images.shape == [30, 10, 9, 3])
        let out = dir.appendingPathComponent("out.npz").path
        let r = try CLI.run(["infer", CLI.fixture("golden/cnn_pool_first.images.npz"), "--model", model, "--output", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try NPZ.read(path: out)["outputs"]?.integers() == expected["outputs"]?.integers())
        // (N, H, W, C) → (N, C, H, W), element by element.
        guard case .uint8(let v) = images.storage else { Issue.record("images are not uint8"); return }
        var nchw = [UInt8](repeating: 0, count: v.count)
        for i in 0..<30 { for y in 0..<10 { for x in 0..<9 { for c in 0..<3 {
            nchw[((i * 3 + c) * 10 + y) * 9 + x] = v[((i * 10 + y) * 9 + x) * 3 + c]
        } } } }
        let nchwPath = dir.appendingPathComponent("nchw.npz").path
        try NPZ.write([("images", NDArray(shape: [30, 3, 10, 9], storage: .uint8(nchw)))], to: nchwPath, compressed: false)
        let out2 = dir.appendingPathComponent("out2.npz").path
        let r2 = try CLI.run(["infer", nchwPath, "--model", model, "--layout", "nchw", "--output", out2])
        #expect(r2.status == 0, "\(r2.stderr)")
        #expect(try NPZ.read(path: out2)["outputs"]?.integers() == expected["outputs"]?.integers())
        // Read as (N, H, W, C) (the default), the NCHW array gives other outputs.
        let out3 = dir.appendingPathComponent("out3.npz").path
        #expect(try CLI.run(["infer", nchwPath, "--model", model, "--output", out3]).status == 0)
        #expect(try NPZ.read(path: out3)["outputs"]?.integers() != expected["outputs"]?.integers())
        // A shape that is not (N, C, H, W), a dense model, an unknown layout: one line naming the culprit.
        let bad = try CLI.run(["infer", CLI.fixture("golden/cnn_pool_first.images.npz"), "--model", model, "--layout", "nchw"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("with --layout nchw, images must be (N, C, H, W) = (N, 3, 10, 9), got (30, 10, 9, 3)"))
        #expect(bad.stderr.split(separator: "\n").count == 1)
        let dense = try CLI.run(["infer", CLI.fixture("real/mnist_images.npz"), "--model", CLI.fixture("real/mnist_model.npz"),
                                 "--layout", "nchw"])
        #expect(dense.status == 1 && dense.stderr.contains("--layout") && dense.stderr.contains("nchw needs a model whose input.shape is [H, W, C]"))
        let unknown = try CLI.run(["infer", nchwPath, "--model", model, "--layout", "chwn"])
        #expect(unknown.status == 2 && unknown.stderr.contains("--layout must be nhwc or nchw, not 'chwn'"))
    }

    /// A CNN on the loopback backend (its conv2d and maxpool2d layers rebuilt from the registers,
    /// the parameter memories and the model's windows) gives the simulator's predictions.
    @Test("conv models on the loopback backend: the simulator's outputs")
    func convModelOnHardwareBackend() throws {
        let dir = try makeTemporaryDirectory("convinfer")
        defer { try? FileManager.default.removeItem(at: dir) }
        func run(_ backend: String) throws -> [[Int64]] {
            let out = dir.appendingPathComponent("\(backend).npz").path
            let r = try CLI.run(["infer", CLI.fixture("golden/cnn_floor.images.npz"), "--model", CLI.fixture("golden/cnn_floor.model.npz"),
                                 "--backend", backend, "--output", out])
            #expect(r.status == 0, "\(r.stderr)")
            let npz = try NPZ.read(path: out)
            return [try #require(npz["predictions"]?.integers()), try #require(npz["outputs"]?.integers())]
        }
        let sim = try run("sim")
        #expect(sim[0].count == 24 && sim[1].count == 24 * 5)
        #expect(try run("loopback") == sim)
    }
}
