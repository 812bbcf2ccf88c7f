import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetModel

@Suite("zynqnet demo")
struct DemoCommandTests {
    @Test("demo agrees with infer on the same Fashion-MNIST test images, on every local backend")
    func demoMatchesInfer() throws {
        let images = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
        let labels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"
        try #require(FileManager.default.fileExists(atPath: images), "dataset-fashion-mnist is installed by scripts/install-deps.sh")
        let model = CLI.packageRoot + "/examples/fashion-mnist/model.npz"
        let demo = try CLI.run(["demo", "--model", model, "--images", "300", "--json"])
        #expect(demo.status == 0, "\(demo.stderr)")
        let d = try #require(try JSONSerialization.jsonObject(with: Data(demo.stdout.utf8)) as? [String: Any])
        let infer = try CLI.run(["infer", images, "--labels", labels, "--model", model, "--limit", "300", "--json"])
        let i = try #require(try JSONSerialization.jsonObject(with: Data(infer.stdout.utf8)) as? [String: Any])
        #expect(d["images"] as? Int == 300)
        #expect(d["correct"] as? Int == i["correct"] as? Int)
        #expect(d["bit_exact"] as? Bool == true)
        let backends = try #require(d["backends"] as? [[String: Any]])
        #expect(backends.compactMap { $0["backend"] as? String } == ["sim", "loopback"])
        let hw = try #require(d["hardware"] as? [String: Any])
        let ii = try #require(hw["ii_cycles"] as? Int)
        #expect(ii >= 1 && ii <= 500, "the default fold meets the 200,000 images/s goal")
        #expect(hw["images_per_second"] as? Double == 100e6 / Double(ii) || hw["images_per_second"] as? Int == Int(100e6) / ii)
    }

    @Test("the text report shows pictures, accuracy, throughput and the hardware")
    func demoText() throws {
        let model = CLI.packageRoot + "/examples/fashion-mnist/model.npz"
        let demo = try CLI.run(["demo", "--model", model, "--images", "50", "--show", "2"])
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.stdout.contains("image 0: "))
        #expect(demo.stdout.contains("image 1: "))
        #expect(!demo.stdout.contains("image 2: "))
        #expect(demo.stdout.contains("Ankle boot"))
        #expect(demo.stdout.contains("accuracy   "))
        #expect(demo.stdout.contains("images/s on sim"))
        #expect(demo.stdout.contains("images/s on loopback"))
        #expect(demo.stdout.contains("agree bit for bit"))
        #expect(demo.stdout.contains("hardware   PYNQ-Z2 at 100 MHz"))
    }

    @Test("a model that is not there is trained only when it is the default; an explicit bad file is an error")
    func badModel() throws {
        let dir = try makeTemporaryDirectory("cli")
        let bad = dir.appendingPathComponent("bad.npz").path
        try Data("not a zip".utf8).write(to: URL(fileURLWithPath: bad))
        let r = try CLI.run(["demo", "--model", bad, "--images", "10"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("bad.npz"))
    }
}

extension DemoCommandTests {
    @Test("--rtlsim runs the generated RTL on a prefix and it agrees with the simulator", .tags(.verilator))
    func demoRTLSim() throws {
        let model = CLI.packageRoot + "/examples/fashion-mnist/model.npz"
        let demo = try CLI.run(["demo", "--model", model, "--images", "40", "--rtlsim", "12", "--json"])
        #expect(demo.status == 0, "\(demo.stderr)")
        let d = try #require(try JSONSerialization.jsonObject(with: Data(demo.stdout.utf8)) as? [String: Any])
        let backends = try #require(d["backends"] as? [[String: Any]])
        #expect(backends.compactMap { $0["backend"] as? String } == ["sim", "loopback", "rtlsim (12 images)"])
        #expect(d["bit_exact"] as? Bool == true)
    }
}

extension DemoCommandTests {
    @Test("from a folder outside the repository, demo runs the built-in model, writes nothing and never trains")
    func builtInOutsideTheRepository() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let demo = try CLI.run(["demo", "--images", "100", "--json"], currentDirectory: dir)
        #expect(demo.status == 0, "\(demo.stderr)")
        let d = try #require(try JSONSerialization.jsonObject(with: Data(demo.stdout.utf8)) as? [String: Any])
        #expect(d["model"] as? String == "<built-in> examples/fashion-mnist/model.npz")
        #expect(d["images"] as? Int == 100 && d["bit_exact"] as? Bool == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test("without dataset-fashion-mnist, demo uses its 200 built-in test images (180 correct)")
    func builtInImages() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["ZYNQNET_FASHION_MNIST": dir.appendingPathComponent("none").path]
        var demo = try CLI.run(["demo", "--json"], environment: env, currentDirectory: dir)
        #expect(demo.status == 0, "\(demo.stderr)")
        let d = try #require(try JSONSerialization.jsonObject(with: Data(demo.stdout.utf8)) as? [String: Any])
        #expect(d["images"] as? Int == 200 && d["correct"] as? Int == 180)
        demo = try CLI.run(["demo", "--show", "0"], environment: env, currentDirectory: dir)
        #expect(demo.stderr == "demo: dataset-fashion-mnist is not installed: using the 200 built-in test images\n")
        #expect(demo.stdout.contains("accuracy   180/200 = 90.00%"))
    }

    @Test("demo --model with a missing file is an error and writes nothing")
    func missingModel() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["demo", "--model", "typo.npz", "--images", "10"], currentDirectory: dir)
        #expect(r.status == 1)
        #expect(r.stderr == "error: typo.npz: cannot open: no such file or directory\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}

@Suite("README")
struct ReadmeTests {
    static let readme = (try? String(contentsOfFile: CLI.packageRoot + "/README.md", encoding: .utf8)) ?? ""

    @Test("the README shows every subcommand --help lists")
    func everySubcommand() throws {
        let help = try CLI.run(["--help"])
        let section = try #require(help.stdout.components(separatedBy: "SUBCOMMANDS:").last)
        let names = section.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let word = line.split(separator: " ").first else { return nil }
            return String(word)
        }.filter { $0 != "See" }
        #expect(names.count == 13, "\(names)")  // bench-runtime is hidden
        for n in names { #expect(Self.readme.contains("zynqnet \(n) "), "README lacks zynqnet \(n)") }
    }

    @Test("the demo's hardware line is what the README's codegen command generates")
    func demoHardwareLine() throws {
        let command = "zynqnet codegen MODEL --board pynq-z2 --fclk 100 --target-fps 200000 -o build/"
        #expect(Self.readme.contains(command))
        let model = CLI.packageRoot + "/examples/fashion-mnist/model.npz"
        let demo = try CLI.run(["demo", "--images", "10", "--json"])
        let hw = try #require((try JSONSerialization.jsonObject(with: Data(demo.stdout.utf8)) as? [String: Any])?["hardware"] as? [String: Any])
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = command.split(separator: " ").dropFirst().map { $0 == "MODEL" ? model : $0 == "build/" ? dir.appendingPathComponent("b").path : String($0) }
        let cg = try CLI.run(args + ["--json"])
        #expect(cg.status == 0, "\(cg.stderr)")
        let c = try #require(try JSONSerialization.jsonObject(with: Data(cg.stdout.utf8)) as? [String: Any])
        let estimate = try #require(c["estimate"] as? [String: Any])
        #expect(hw["ii_cycles"] as? Int == c["ii_cycles"] as? Int)
        #expect(hw["lut_estimate"] as? Int == estimate["lut"] as? Int && hw["dsp_estimate"] as? Int == estimate["dsp"] as? Int)
    }

    @Test("the README's Set up section holds exactly two commands: the demo and every test, and CI runs the second")
    func setUpCommands() throws {
        let section = try #require(Self.readme.components(separatedBy: "## Set up").dropFirst().first?.components(separatedBy: "\n## ").first)
        let block = try #require(section.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "```").first)
        let commands = block.split(separator: "\n").map { String($0.split(separator: "#").first ?? "").trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        #expect(commands == ["./scripts/demo.sh", "./scripts/test.sh"])
        #expect(section.components(separatedBy: "```sh").count == 2, "one command block in Set up")
        let ci = try String(contentsOfFile: CLI.packageRoot + "/.ci/run", encoding: .utf8)
        #expect(ci.split(separator: "\n").contains("bash scripts/test.sh"))
        let demo = try String(contentsOfFile: CLI.packageRoot + "/scripts/demo.sh", encoding: .utf8)
        #expect(demo.contains(" demo"))
    }

    @Test("the README's images.npz recipe makes a file infer reads")
    func imagesRecipe() throws {
        #expect(Self.readme.contains(#"np.savez("images.npz", images=x_test[:1000], labels=y_test[:1000])"#))
        #expect(Self.readme.contains("--save-test-set images.npz"))
    }
}
