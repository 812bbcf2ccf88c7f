import Foundation
import Testing
import ZynqNetBase
import ZynqNetModel
import ZynqNetTestSupport

/// --tflite-rounding and --onnx-rounding on every command that takes a model (one option group,
/// one loader): a .tflite read with a non-default rounding gives what `import` with that rounding,
/// then the command on the imported .npz, gives.
@Suite struct ImportOptionsTests {
    static let tflite = CLI.fixture("real/tflite/mlp_int8.tflite")
    static let onnx = CLI.fixture("real/mlp784_brevitas_po2.onnx")
    /// The first 200 Fashion-MNIST test images (uint8).
    static let images = CLI.fixture("real/mnist_images.npz")

    /// `import MODEL ARGS -o DIR/NAME`, once per test.
    static func imported(_ model: String, _ args: [String], into dir: URL, name: String) throws -> String {
        let out = dir.appendingPathComponent(name).path
        let r = try CLI.run(["import", model, "-o", out] + args)
        #expect(r.status == 0, "\(r.stderr)")
        return out
    }

    static func object(_ stdout: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], "\(stdout)")
    }

    /// infer on the first 16 images: --tflite-rounding xnnpack gives the imported model's outputs,
    /// which are LiteRT XNNPACK's own (committed) and differ from TFLite Micro's in one value.
    @Test func inferTakesTheRounding() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let npz = try Self.imported(Self.tflite, ["--tflite-rounding", "xnnpack"], into: dir, name: "x.npz")
        func outputs(_ args: [String], _ name: String) throws -> (json: [String: Any], outputs: [Int64]) {
            let out = dir.appendingPathComponent(name).path
            let r = try CLI.run(["infer", Self.images, "--limit", "16", "--output", out, "--json"] + args)
            #expect(r.status == 0, "\(r.stderr)")
            return (try Self.object(r.stdout), try #require(try NPZ.read(path: out)["outputs"]?.integers()))
        }
        let direct = try outputs(["--model", Self.tflite, "--tflite-rounding", "xnnpack"], "direct.npz")
        let viaImport = try outputs(["--model", npz], "imported.npz")
        let tflm = try outputs(["--model", Self.tflite], "tflm.npz")
        let xnnpack = try #require(try NPY.read(path: CLI.fixture("real/tflite/mlp_int8.litert_xnnpack_q.npy")).integers())
        #expect(direct.outputs == viaImport.outputs)
        #expect(direct.outputs == Array(xnnpack.prefix(160)))
        #expect(zip(direct.outputs, tflm.outputs).filter { $0 != $1 }.count == 1)
        // --json names the file, the importer's rounding and the layers' format-2 rounding.
        let mi = try #require(direct.json["model_import"] as? [String: Any])
        #expect(mi["file"] as? String == Self.tflite && mi["format"] as? String == "tflite")
        #expect(mi["tflite_rounding"] as? String == "xnnpack" && mi["onnx_rounding"] == nil)
        #expect(mi["layer_rounding"] as? [String] == ["float32", "float32", "float32"])
        let tm = try #require(tflm.json["model_import"] as? [String: Any])
        #expect(tm["tflite_rounding"] as? String == "tflm" && tm["layer_rounding"] as? [String] == ["gemmlowp", "gemmlowp", "gemmlowp"])
        let nm = try #require(viaImport.json["model_import"] as? [String: Any])
        #expect(nm["format"] as? String == "npz" && nm["tflite_rounding"] == nil && nm["layer_rounding"] as? [String] == ["float32", "float32", "float32"])
    }

    /// codegen: the same files, byte for byte, as codegen of the imported model (and other
    /// parameters than the default rounding's).
    @Test func codegenTakesTheRounding() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let npz = try Self.imported(Self.tflite, ["--tflite-rounding", "reference"], into: dir, name: "r.npz")
        func codegen(_ model: String, _ args: [String], _ name: String) throws -> (dir: String, json: [String: Any]) {
            let out = dir.appendingPathComponent(name).path
            let r = try CLI.run(["codegen", model, "--board", "pynq-z2", "--engine", "sequential", "-o", out, "--json"] + args)
            #expect(r.status == 0, "\(r.stderr)")
            return (out, try Self.object(r.stdout))
        }
        let direct = try codegen(Self.tflite, ["--tflite-rounding", "reference"], "direct")
        let viaImport = try codegen(npz, [], "imported")
        let tflm = try codegen(Self.tflite, [], "tflm")
        let fm = FileManager.default
        let files = try #require(fm.subpaths(atPath: direct.dir)).sorted()
        #expect(files.contains("parameters.hex") && files.contains("design.json") && files.contains("manifest.json"))
        #expect(try fm.subpaths(atPath: viaImport.dir)?.sorted() == files)
        for f in files {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: direct.dir + "/" + f, isDirectory: &isDir), !isDir.boolValue else { continue }
            #expect(fm.contents(atPath: direct.dir + "/" + f) == fm.contents(atPath: viaImport.dir + "/" + f), "\(f)")
        }
        #expect(fm.contents(atPath: direct.dir + "/parameters.hex") != fm.contents(atPath: tflm.dir + "/parameters.hex"))
        let mi = try #require(direct.json["model_import"] as? [String: Any])
        #expect(mi["tflite_rounding"] as? String == "reference" && mi["layer_rounding"] as? [String] == ["half_up", "half_up", "half_up"])
    }

    /// verify: the tflite with --tflite-rounding xnnpack is the imported model's design (its
    /// Verilator build is reused) and passes bit for bit.
    @Test(.tags(.verilator)) func verifyTakesTheRounding() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let npz = try Self.imported(Self.tflite, ["--tflite-rounding", "xnnpack"], into: dir, name: "x.npz")
        let cache = dir.appendingPathComponent("verilator").path
        func verify(_ model: String, _ args: [String]) throws -> [String: Any] {
            let r = try CLI.run(["verify", model, Self.images, "--images", "2", "--engine", "sequential", "--build-dir", cache,
                                 "--quick-build", "--json"] + args)
            #expect(r.status == 0, "\(r.stderr) \(r.stdout)")
            return try Self.object(r.stdout)
        }
        let viaImport = try verify(npz, [])
        let direct = try verify(Self.tflite, ["--tflite-rounding", "xnnpack"])
        #expect(viaImport["build_reused"] as? Bool == false && direct["build_reused"] as? Bool == true)
        #expect(direct["mismatches"] as? Int == 0 && direct["passed"] as? Bool == true)
        let mi = try #require(direct["model_import"] as? [String: Any])
        #expect(mi["tflite_rounding"] as? String == "xnnpack" && mi["layer_rounding"] as? [String] == ["float32", "float32", "float32"])
    }

    /// report --model: the imported model's curve; the default rounding's differs.
    @Test func reportCurveTakesTheRounding() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let npz = try Self.imported(Self.tflite, ["--tflite-rounding", "xnnpack"], into: dir, name: "x.npz")
        func curve(_ args: [String]) throws -> [String: Any] {
            let r = try CLI.run(["report", "--json"] + args)
            #expect(r.status == 0, "\(r.stderr)")
            return try Self.object(r.stdout)
        }
        let direct = try curve(["--model", Self.tflite, "--tflite-rounding", "xnnpack"])
        let viaImport = try curve(["--model", npz])
        let tflm = try curve(["--model", Self.tflite])
        let points = try #require(direct["points"] as? [[String: Any]])
        #expect(!points.isEmpty)
        #expect(NSArray(array: points).isEqual(to: try #require(viaImport["points"] as? [Any])))
        #expect(!NSArray(array: points).isEqual(to: try #require(tflm["points"] as? [Any])))
        let mi = try #require(direct["model_import"] as? [String: Any])
        #expect(mi["tflite_rounding"] as? String == "xnnpack" && mi["file"] as? String == Self.tflite)
    }

    /// deploy --model: the bundle holds the imported model and its self-test outputs (read as
    /// tflm, the bundle's model differs).
    @Test func deployTakesTheRounding() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let npz = try Self.imported(Self.tflite, ["--tflite-rounding", "xnnpack"], into: dir, name: "x.npz")
        let build = dir.appendingPathComponent("build").path
        let g = try CLI.run(["codegen", npz, "--board", "pynq-z2", "--engine", "sequential", "-o", build])
        #expect(g.status == 0, "\(g.stderr)")
        try FileManager.default.copyItem(atPath: CLI.fixture("bit/synthetic-7z020.bit"), toPath: build + "/zynqnet.bit")
        func deploy(_ model: String, _ args: [String], _ name: String, rounding: String = "float32") throws -> (status: Int32, stderr: String, bundle: String) {
            let out = dir.appendingPathComponent(name).path
            let r = try CLI.run(["deploy", "--board", "pynq-z2", "--model", model, "--bitstream", build + "/zynqnet.bit",
                                 "--images", Self.images, "--selftest-count", "4", "-o", out, "--json"] + args)
            if r.status == 0 {
                let mi = try #require(try Self.object(r.stdout)["model_import"] as? [String: Any])
                #expect(mi["file"] as? String == model && mi["layer_rounding"] as? [String] == [rounding, rounding, rounding])
            }
            return (r.status, r.stderr, out)
        }
        let direct = try deploy(Self.tflite, ["--tflite-rounding", "xnnpack"], "direct")
        let viaImport = try deploy(npz, [], "imported")
        #expect(direct.status == 0 && viaImport.status == 0, "\(direct.stderr) \(viaImport.stderr)")
        for f in ["model.npz", "selftest/images.npz", "selftest/expected.npz"] {
            let a = try NPZ.read(path: direct.bundle + "/" + f), b = try NPZ.read(path: viaImport.bundle + "/" + f)
            #expect(a == b, "\(f)")
        }
        #expect(try NPZ.read(path: direct.bundle + "/model.npz") == (try NPZ.read(path: npz)))
        // No bitstream registered: the hint's codegen command reads the model the same way.
        let none = try CLI.run(["deploy", "--board", "pynq-z2", "--model", Self.tflite, "--tflite-rounding", "xnnpack",
                                "--bitstreams-dir", dir.appendingPathComponent("none").path, "--dry-run"])
        #expect(none.status == 1)
        #expect(none.stderr.contains("; build one: zynqnet codegen \(Self.tflite) --tflite-rounding xnnpack --board pynq-z2 -o build-pynq-z2,"),
                "\(none.stderr)")
        // Read as tflm, the model rounds gemmlowp, which this float32 design was not built for:
        // refused on the host (manifest.json's layer_roundings), nothing written.
        let tflm = try deploy(Self.tflite, [], "tflm", rounding: "gemmlowp")
        #expect(tflm.status == 1)
        #expect(tflm.stderr.contains("'layer_roundings[0]': the model's layer 0 rounds gemmlowp, but the design's layer 0 requantizer was built for"),
                "\(tflm.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tflm.bundle))
    }

    /// demo --model: the imported model's accuracy on the same images, with the rounding named.
    @Test func demoTakesTheRounding() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let npz = try Self.imported(Self.onnx, ["--onnx-rounding", "half_even"], into: dir, name: "h.npz")
        func demo(_ model: String, _ args: [String]) throws -> [String: Any] {
            let r = try CLI.run(["demo", "--model", model, "--images", "50", "--show", "0", "--json"] + args)
            #expect(r.status == 0, "\(r.stderr)")
            return try Self.object(r.stdout)
        }
        let direct = try demo(Self.onnx, ["--onnx-rounding", "half_even"])
        let viaImport = try demo(npz, [])
        #expect(direct["images"] as? Int == 50 && direct["bit_exact"] as? Bool == true)
        #expect(direct["correct"] as? Int == viaImport["correct"] as? Int && direct["correct"] != nil)
        let mi = try #require(direct["model_import"] as? [String: Any])
        #expect(mi["format"] as? String == "onnx" && mi["onnx_rounding"] as? String == "half_even")
        #expect(mi["layer_rounding"] as? [String] == ["half_even", "half_even"])
    }

    /// import --json names the importer's rounding as every other command's --json does.
    @Test func importJSONNamesTheRounding() throws {
        let r = try CLI.run(["import", Self.tflite, "--tflite-rounding", "reference", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasSuffix(#","model_import":{"file":""# + Self.tflite
            + #"","format":"tflite","tflite_rounding":"reference","layer_rounding":["half_up","half_up","half_up"]}}"# + "\n"), "\(r.stdout)")
        let o = try CLI.run(["import", Self.onnx, "--json"])
        #expect(o.stdout.hasSuffix(#","model_import":{"file":""# + Self.onnx
            + #"","format":"onnx","onnx_rounding":"float32","layer_rounding":["float32","float32"]}}"# + "\n"), "\(o.stdout)")
    }

    /// An option that does not fit the model's file type: one line naming the option and the
    /// file, exit 2, before anything is read or written.
    @Test(arguments: [
        ("import", ["import", onnx, "-o", "OUT"], "--tflite-rounding", "xnnpack", onnx),
        ("infer", ["infer", images, "--model", onnx, "--output", "OUT"], "--tflite-rounding", "reference", onnx),
        ("verify", ["verify", images], "--onnx-rounding", "half_even", images),
        ("codegen", ["codegen", tflite, "--board", "pynq-z2", "-o", "OUT"], "--onnx-rounding", "half_even", tflite),
        ("report", ["report", "--model", images], "--tflite-rounding", "tflm", images),
        ("deploy", ["deploy", "--board", "pynq-z2", "--model", onnx, "-o", "OUT"], "--tflite-rounding", "tflm", onnx),
        ("demo", ["demo", "--model", tflite], "--onnx-rounding", "float32", tflite),
    ])
    func mismatchedOptionIsOneLine(command: String, args: [String], option: String, value: String, file: String) throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        let r = try CLI.run(args.map { $0 == "OUT" ? out : $0 } + [option, value])
        let kind = option == "--tflite-rounding" ? "a .tflite" : "an .onnx"
        #expect(r.status == 2, "\(command)")
        #expect(r.stderr == "Error: \(option) applies to \(kind) model, not '\(file)'\n", "\(command)")
        #expect(r.stdout.isEmpty && !FileManager.default.fileExists(atPath: out), "\(command)")
    }

    /// Without a model file (demo's built-in model, report DIR): the option is refused too.
    @Test func optionWithoutAModelFile() throws {
        let r = try CLI.run(["demo", "--tflite-rounding", "xnnpack"])
        #expect(r.status == 2)
        #expect(r.stderr == "Error: --tflite-rounding applies to a .tflite model, not this command's model (no model file given)\n")
        let d = try CLI.run(["report", "somedir", "--onnx-rounding", "half_even"])
        #expect(d.status == 2)
        #expect(d.stderr == "Error: --onnx-rounding applies to an .onnx model, not this command's model (no model file given)\n")
    }

    /// Every command that takes a model lists both options once; infer's help shows them exactly.
    @Test func helpListsTheOptions() throws {
        for command in ["import", "infer", "verify", "codegen", "report", "deploy", "demo"] {
            let help = try CLI.run([command, "--help"]).stdout
            let lines = (help.components(separatedBy: "OPTIONS:").last ?? "").split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            for option in ["--tflite-rounding <tflite-rounding>", "--onnx-rounding <onnx-rounding>"] {
                #expect(lines.filter { $0.hasPrefix(option) }.count == 1, "\(command): \(option)")
            }
        }
        let infer = try CLI.run(["infer", "--help"]).stdout
        #expect(infer.contains(Self.inferHelpLines), "\(infer)")
    }

    static let inferHelpLines = """
          --tflite-rounding <tflite-rounding>
                                  For a .tflite model, the runtime whose arithmetic to
                                  reproduce: tflm (TFLite Micro, gemmlowp; the
                                  default), reference (LiteRT's reference kernels,
                                  half_up) or xnnpack (LiteRT's XNNPACK delegate,
                                  float32). (values: tflm, reference, xnnpack)
          --onnx-rounding <onnx-rounding>
                                  For an .onnx model: float32 (onnxruntime; the
                                  default) or half_even (power-of-two scales only).
                                  (values: float32, half_even)

        """
}
