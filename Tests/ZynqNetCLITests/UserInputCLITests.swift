import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetModel

/// Issue 13: sizes, labels, names and counts a user gives are checked, and nothing misleading is printed.
@Suite("zynqnet: user input is range-checked and reported honestly")
struct UserInputCLITests {
    static let irisModel = CLI.packageRoot + "/examples/iris/model.npz"
    static let iris = CLI.packageRoot + "/examples/iris/iris.csv"

    /// An images file for the iris model (4 features, 3 classes).
    static func irisImages(_ dir: URL, labels: [Int64], count: Int? = nil) throws -> String {
        let n = count ?? labels.count
        let path = dir.appendingPathComponent("images.npz").path
        var arrays: [(String, NDArray)] = [("images", NDArray(shape: [n, 4], storage: .float32([Float](repeating: 0.5, count: n * 4))))]
        if !labels.isEmpty || n == 0 { arrays.append(("labels", NDArray(shape: [labels.count], storage: .int64(labels)))) }
        try NPZ.write(arrays, to: path)
        return path
    }

    @Test("labels outside 0…classes−1 are an error naming labels, the index and the value")
    func labelsOutOfRange() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let images = try Self.irisImages(dir, labels: [1, 2, 3, 1])
        let r = try CLI.run(["infer", images, "--model", Self.irisModel])
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(images): 'labels': label 2 is 3, but the model has 3 classes: labels must be 0…2\n")
        #expect(r.stdout.isEmpty)
    }

    @Test("zero images are an error, never 0/0 = 0.00%")
    func zeroImages() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let images = try Self.irisImages(dir, labels: [], count: 0)
        for json in [false, true] {
            let r = try CLI.run(["infer", images, "--model", Self.irisModel] + (json ? ["--json"] : []))
            #expect(r.status == 1)
            #expect(r.stderr == "error: \(images)['images']: no images: the file holds 0, and an accuracy of 0 images is not a number\n")
            #expect(!r.stdout.contains("0.00"))
        }
    }

    @Test("a negative number after an option reaches the option's range check", arguments: [
        (["verify", irisModel, "--images", "-5"], "--images must be 1…1000000"),
        (["infer", "x.npz", "--model", irisModel, "--limit", "-3"], "--limit must be at least 1, not -3"),
        (["train", "--dataset", iris, "-o", "m.npz", "--epochs", "-1"], "--epochs must be at least 1, not -1"),
        (["codegen", irisModel, "--board", "pynq-z2", "-o", "d", "--fclk", "-0.5"], "--fclk must be in"),
    ])
    func negativeValues(args: [String], message: String) throws {
        let r = try CLI.run(args)
        #expect(r.status == 2)
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(!r.stderr.contains("Missing value"))
    }

    @Test("sizes are range-checked before any allocation: --layers, --batch")
    func trainSizes() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("m.npz").path
        var r = try CLI.run(["train", "--dataset", Self.iris, "--layers", "784,2147483648,10", "-o", out])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("Error: --layers: width 2147483648 is out of range 1…16777216\n"), "\(r.stderr)")
        r = try CLI.run(["train", "--dataset", Self.iris, "--batch", "100000000", "-o", out])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("Error: --batch must be 1…16777216, not 100000000\n"), "\(r.stderr)")
        r = try CLI.run(["infer", CLI.packageRoot + "/examples/iris/test-30.npz", "--model", Self.irisModel, "--batch", "100000000"])
        #expect(r.status == 2 && r.stderr.hasPrefix("Error: --batch must be 1…16777216, not 100000000\n"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test("what training needs is estimated up front: past the memory limit it is an error naming the option")
    func trainMemory() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("m.npz").path
        let limit = ["ZYNQNET_MEMORY_LIMIT": "1000000000"]  // 1 GB
        // 4·10^6 samples × ((4 + 128 + 3) units × 13 bytes + 4 × 128) = 9.07 GB of activations.
        var r = try CLI.run(["train", "--dataset", Self.iris, "--batch", "4000000", "-o", out], environment: limit)
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("Error: --batch 4000000: training 4-128-3 in batches of 4000000 needs about 9.1 GB, more than the 1.0 GB of memory available\n"), "\(r.stderr)")
        // (5·10^7 + 3·10^7 parameters) × 32 bytes + (1 + 512 evaluation) samples × 1.7·10^8 bytes
        // = 89.8 GB: the layers alone do not fit.
        r = try CLI.run(["train", "--dataset", Self.iris, "--layers", "4,10000000,3", "--batch", "1", "-o", out], environment: limit)
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("Error: --layers 4,10000000,3: training 4-10000000-3 in batches of 1 needs about 89.8 GB, more than the 1.0 GB of memory available\n"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        // A 2·10^6-wide layer: after float training the evaluation engine (512 rows) lives beside
        // the training one (128 rows): (128 + 512) × 34,000,091 bytes + 16,000,003 parameters × 32
        // = 22.3 GB. Counting only the training batch (4.9 GB) let this start and be killed.
        let limit16 = ["ZYNQNET_MEMORY_LIMIT": "16000000000"]
        r = try CLI.run(["train", "--dataset", Self.iris, "--layers", "4,2000000,3", "-o", out], environment: limit16)
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("Error: --layers 4,2000000,3: training 4-2000000-3 in batches of 128 needs about 22.3 GB, more than the 16.0 GB of memory available\n"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test("--threads above the core count is capped with a note")
    func threadsCapped() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("m.npz").path
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let r = try CLI.run(["train", "--dataset", Self.iris, "--layers", "4,8,3", "--epochs", "1", "--threads", "4096", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("train: note: --threads 4096 capped at this machine's \(cores) core(s)\n"))
        #expect(r.stderr.contains("\(cores) thread(s)"))
    }

    @Test("names: --version, case-insensitive --board, the valid datasets and backends, why a fold file cannot be read")
    func names() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        var r = try CLI.run(["--version"])
        #expect(r.status == 0 && r.stdout == "0.1.0\n")
        r = try CLI.run(["codegen", Self.irisModel, "--board", "PYNQ-Z2", "-o", dir.appendingPathComponent("d").path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try CLI.run(["train", "--dataset", "mnist", "-o", dir.appendingPathComponent("m.npz").path])
        #expect(r.status == 1)
        #expect(r.stderr == "error: '--dataset': unknown dataset 'mnist': the built-in ones are fashion-mnist; anything else is a file (.npz, .npy, IDX or .csv)\n")
        r = try CLI.run(["infer", "x.npz", "--model", Self.irisModel, "--backend", "fpga"])
        // BackendKind is ExpressibleByArgument: the argument parser names the option and every value.
        #expect(r.status == 2)
        #expect(r.stderr == "Error: The value 'fpga' is invalid for '--backend <backend>'. Please provide one of 'sim', 'loopback', 'board' or 'rtlsim'.\n")
        let missing = dir.appendingPathComponent("nofile.json").path
        r = try CLI.run(["codegen", Self.irisModel, "--board", "pynq-z2", "--fold", missing, "-o", dir.appendingPathComponent("e").path])
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(missing): cannot open: no such file or directory\n")
    }

    @Test("verify: an II it could not measure is 'not measured', and re-sent or missing images are said", .tags(.verilator))
    func verifyCounts() throws {
        let model = CLI.fixture("golden/signs_usu.model.npz"), images = CLI.fixture("golden/signs_usu.images.npz")
        let cache = CLI.packageRoot + "/.build/zynqnet-test/cli-verilator"
        var r = try CLI.run(["verify", model, images, "--images", "1", "--build-dir", cache, "--quick-build"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("images 1 (+ 1 re-sent without gaps to time them), mismatches 0"), "\(r.stdout)")
        #expect(r.stdout.contains("II not measured (needs ≥ 3 images) (design "), "\(r.stdout)")
        #expect(!r.stdout.contains("II -1"))
        r = try CLI.run(["verify", model, images, "--images", "1", "--build-dir", cache, "--quick-build", "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["ii_cycles"] is NSNull)
        #expect(json["images_requested"] as? Int == 1 && json["images_input"] as? Int == 1 && json["images_resent_for_timing"] as? Int == 1)
        // The file holds 40 images: asking for 50 says so.
        r = try CLI.run(["verify", model, images, "--images", "50", "--gap", "0", "--stall", "0", "--build-dir", cache, "--quick-build"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("verify: note: \(images) holds 40 image(s), fewer than --images 50: simulating 40\n"), "\(r.stderr)")
        #expect(r.stdout.contains("images 40 (+ 6 re-sent without gaps to time them)"), "\(r.stdout)")
        #expect(r.stdout.contains("II ") && !r.stdout.contains("not measured"))
    }

    @Test("infer --throughput-test on loopback labels the simulated counters and the nominal fclk")
    func loopbackFiguresAreLabelled() throws {
        let args = ["infer", CLI.fixture("real/pyrtlnet_test_data_u8.npz"), "--model", CLI.fixture("real/pyrtlnet_quantized.npz"),
                    "--backend", "loopback", "--throughput-test", "--batch", "16", "--limit", "48"]
        var r = try CLI.run(args + ["--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["counters"] as? String == "simulated" && json["fclk"] as? String == "nominal")
        r = try CLI.run(args)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("throughput test (batch 16, nominal fclk 100 MHz; simulated device: cycles simulated, times are this host's)"), "\(r.stdout)")
        #expect(r.stdout.contains("  simulated busy / stall cycles  ") && !r.stdout.contains("hardware busy"))
    }

    @Test("uint8 images for a model whose input.scale is not 1/255, or float images far above 1 for one that is, warn once")
    func inputRangeWarning() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        // The iris model's input.scale is 0.030980393: uint8 pixels are not its units.
        let u8 = dir.appendingPathComponent("u8.npz").path
        try NPZ.write([("images", NDArray(shape: [2, 4], storage: .uint8([5, 1, 2, 200, 3, 4, 5, 6])))], to: u8)
        var r = try CLI.run(["infer", u8, "--model", Self.irisModel])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "warning: \(u8): uint8 images (1…200) are fed as input codes unchanged, which assumes input.scale = 1/255, but the model's input.scale is 0.030980393: give float images in the model's units\n")
        // Float images in the iris model's units: no warning.
        let f = try Self.irisImages(dir, labels: [0, 1])
        r = try CLI.run(["infer", f, "--model", Self.irisModel])
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        // The Fashion-MNIST model takes x/255: float pixels 0…255 warn.
        let fashion = CLI.packageRoot + "/examples/fashion-mnist/model.npz"
        let px = dir.appendingPathComponent("px.npz").path
        try NPZ.write([("images", NDArray(shape: [1, 784], storage: .float32((0..<784).map { Float($0 % 256) })))], to: px)
        r = try CLI.run(["infer", px, "--model", fashion])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "warning: \(px): float images range 0…255, but the model's input.scale is 1/255 (it expects 0…1): divide them by 255, or give the uint8 pixels\n")
    }

    @Test("codegen --fold beyond the board is an error naming the fold and the resource, unless --allow-overfull")
    func overfullFold() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fold = dir.appendingPathComponent("fold.json").path
        try #"{"layers": [{"pe": 128, "simd": 784, "mul_style": "dsp"}, {"pe": 10, "simd": 128, "mul_style": "dsp"}]}"#
            .write(toFile: fold, atomically: true, encoding: .utf8)
        let model = CLI.packageRoot + "/examples/fashion-mnist/model.npz"
        let out = dir.appendingPathComponent("d").path
        var r = try CLI.run(["codegen", model, "--board", "pynq-z2", "--fold", fold, "-o", out])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: \(fold): 'layers': the design does not fit the pynq-z2's xc7z020clg400-1: DSP48E1 "), "\(r.stderr)")
        #expect(r.stderr.hasSuffix(" > 220 (estimate); use smaller PE/SIMD, or --allow-overfull\n"))
        #expect(!FileManager.default.fileExists(atPath: out))
        r = try CLI.run(["verify", model, "--fold", fold, "--images", "1"])
        #expect(r.status == 1 && r.stderr.contains("does not fit the pynq-z2"), "\(r.stderr)")
        r = try CLI.run(["infer", CLI.packageRoot + "/examples/fashion-mnist/test-200.npz", "--model", model, "--backend", "rtlsim", "--fold", fold])
        #expect(r.status == 1 && r.stderr.contains("does not fit the pynq-z2"), "\(r.stderr)")
        r = try CLI.run(["codegen", model, "--board", "pynq-z2", "--fold", fold, "-o", out, "--allow-overfull", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test("infer and verify check the images' shape against the model's headers before reading either")
    func imageShapeFromHeaders() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let images = dir.appendingPathComponent("five.npz").path
        try NPZ.write([("images", NDArray(shape: [2, 5], storage: .float32([Float](repeating: 0.5, count: 10))))], to: images)
        for args in [["infer", images, "--model", Self.irisModel], ["verify", Self.irisModel, images]] {
            let r = try CLI.run(args)
            #expect(r.status == 1)
            #expect(r.stderr == "error: \(images): 'images': images of shape [5] have 5 elements, but the model \(Self.irisModel) takes 4\n")
        }
    }

    /// Runs zynqnet on a pseudo-terminal (util-linux `script`): stdout and stderr both go to it.
    static func onTerminal(_ args: [String], environment: [String: String] = [:]) throws -> String {
        let quoted = ([CLI.executable.path] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = nil
        for (k, v) in environment { env[k] = v }
        return try runProcess("/usr/bin/script", ["-qec", quoted.joined(separator: " "), "/dev/null"],
                              environment: env, inheritEnvironment: false).stdout
    }

    @Test("colour and 24-bit pictures only on a terminal and without NO_COLOR")
    func colourOnlyOnATerminal() throws {
        let args = ["infer", CLI.packageRoot + "/examples/fashion-mnist/test-200.npz", "--model",
                    CLI.packageRoot + "/examples/fashion-mnist/model.npz", "--limit", "1", "--show", "1"]
        let piped = try CLI.run(args, environment: ["NO_COLOR": ""])
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(!piped.stdout.contains("\u{1B}"), "escapes in piped output")
        #expect(piped.stdout.contains("   ....:-======+++****++***:") && piped.stdout.contains("image 0: predicted"))
        let tty = try Self.onTerminal(args)
        #expect(tty.contains("\u{1B}[38;2;"), "\(tty)")
        let noColour = try Self.onTerminal(args, environment: ["NO_COLOR": "1"])
        #expect(noColour.contains("image 0: predicted") && !noColour.contains("\u{1B}"), "\(noColour)")
    }

    @Test("verify shows that it is simulating on a terminal, and nothing extra when piped", .tags(.verilator))
    func verifyProgressOnATerminal() throws {
        let model = CLI.fixture("golden/signs_usu.model.npz"), images = CLI.fixture("golden/signs_usu.images.npz")
        let args = ["verify", model, images, "--images", "4", "--build-dir", CLI.packageRoot + "/.build/zynqnet-test/cli-verilator", "--quick-build"]
        let tty = try Self.onTerminal(args)
        #expect(tty.contains("\rverify: 4 image(s) through the Verilator model of the design… 0 s"), "\(tty)")
        #expect(tty.contains("PASS: bit-exact"))
        let piped = try CLI.run(args)
        #expect(piped.status == 0 && !piped.stderr.contains("through the Verilator model"))
    }

    @Test("--trace warns before writing a large waveform, with its estimated size", .tags(.verilator))
    func traceWarning() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let trace = dir.appendingPathComponent("t.fst").path
        let images = try Self.irisImages(dir, labels: [0, 1, 2])
        let r = try CLI.run(["infer", images, "--model", Self.irisModel, "--backend", "rtlsim", "--trace", trace, "--json"],
                            environment: ["ZYNQNET_TRACE_WARN_BYTES": "1"])
        #expect(r.status == 0, "\(r.stderr)")
        let warning = try #require(r.stderr.split(separator: "\n").first { $0.hasPrefix("warning: --trace") })
        #expect(warning.hasPrefix("warning: --trace \(trace): about ") && warning.contains(" MB of waveform (3 images × II "))
        #expect(warning.hasSuffix(" flip-flops); --limit traces fewer images"))
        #expect(FileManager.default.fileExists(atPath: trace))
    }
}
