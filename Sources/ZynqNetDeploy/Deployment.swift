import Foundation
import ZynqNetBase
import ZynqNetBit
import ZynqNetHW
import ZynqNetJTAG
import ZynqNetImport
import ZynqNetModel
import ZynqNetSim

/// What `zynqnet deploy` was asked to do.
public struct DeployRequest: Sendable {
    public enum Via: Sendable, Equatable {
        case jtag
        case ssh(SSHTarget)
    }

    public var board: BoardProfile
    public var modelPath: String?
    /// How a .tflite or .onnx model is imported (--tflite-rounding, --onnx-rounding).
    public var importOptions = ModelImport.Options()
    public var bitstreamPath: String?
    public var bundlePath: String?
    public var manifestPath: String?
    public var via: Via?
    public var imagesPath: String?
    public var selftestCount: Int = 16
    public var bitstreamsDir: String = "bitstreams"

    public init(board: BoardProfile) { self.board = board }
}

/// The bitstream (and build manifest, model) a deploy will use, all checked against the board.
public struct DeploySource: Sendable {
    public var bitPath: String
    public var bit: BitFile
    public var manifestPath: String?
    public var manifest: Manifest?
    public var model: QuantizedModel?
    /// Multiplier width for which the design's topology is the model's.
    public var multBits: Int?
    /// Where the bitstream came from, for the report.
    public var origin: String
    /// The bundle given with --bundle.
    public var bundle: DeployBundle?
}

public enum Deployment {
    /// How to get a bitstream for `board` (and the model), for the error when there is none.
    public static func howToBuild(board: String, modelPath: String?, importOptions: ModelImport.Options = ModelImport.Options(),
                                  bitstreamsDir: String) -> String {
        let m = modelPath.map { $0 + ModelImport.optionText(for: $0, options: importOptions) } ?? "MODEL"
        return "build one: zynqnet codegen \(m) --board \(board) -o build-\(board), then in build-\(board) run "
            + "vivado -mode batch -source build.tcl, then register it: zynqnet bitstreams add build-\(board)/zynqnet.bit "
            + "--manifest build-\(board)/manifest.json --dir \(bitstreamsDir) (or pass --bitstream FILE.bit)"
    }

    /// Finds and checks everything before anything is copied or programmed.
    public static func resolve(_ r: DeployRequest) throws -> DeploySource {
        let model = try r.modelPath.map { try ModelImport.model($0, options: r.importOptions) }
        if let dir = r.bundlePath {
            let bundle = try DeployBundle.open(dir: dir, board: r.board)
            let bit = try BitFile.load(path: bundle.bitPath)
            return DeploySource(bitPath: bundle.bitPath, bit: bit, manifestPath: dir + "/manifest.json", manifest: bundle.manifest,
                                model: nil, multBits: bundle.info.multBits, origin: "bundle \(dir)", bundle: bundle)
        }
        var bitPath: String
        var manifestPath: String?
        var origin: String
        if let b = r.bitstreamPath {
            bitPath = b
            origin = b
            if let m = r.manifestPath {
                manifestPath = m
            } else {
                let sibling = PathText.join(PathText.parent(b), "manifest.json")
                if HostFiles.exists(sibling) { manifestPath = sibling }
            }
        } else {
            guard let model else {
                throw ZynqError(key: "--model", "give --bitstream, --bundle or --model (to look for a registered bitstream)")
            }
            let registry = try BitstreamRegistry.load(dir: r.bitstreamsDir)
            guard let hit = registry.matches(board: r.board.name, model: model, dir: r.bitstreamsDir).first else {
                // Bitstreams of the model's topology whose requantizers lack its rounding: name the first.
                if let near = registry.matches(board: r.board.name, model: model).first {
                    let path = r.bitstreamsDir + "/" + near.entry.buildManifest
                    _ = try DeployBundle.checkTopology(model: model, manifest: try Manifest.load(file: path), manifestPath: path,
                                                       board: r.board.name, modelPath: r.modelPath)
                }
                let hash = TopologyMatch.hashes(model).first.map { topologyHashText($0.hash) } ?? "?"
                throw ZynqError(file: r.bitstreamsDir + "/" + BitstreamRegistry.fileName, key: "bitstreams",
                                "no bitstream for \(r.board.name) with the model's topology \(hash); "
                                    + howToBuild(board: r.board.name, modelPath: r.modelPath, importOptions: r.importOptions,
                                                             bitstreamsDir: r.bitstreamsDir))
            }
            bitPath = r.bitstreamsDir + "/" + hit.entry.file
            manifestPath = r.bitstreamsDir + "/" + hit.entry.buildManifest
            origin = "\(r.bitstreamsDir)/\(hit.entry.file) (registered, topology \(topologyHashText(hit.entry.topologyHash)))"
            let bytes = try FileBytes.read(path: bitPath)
            guard SHA256.hex(bytes) == hit.entry.sha256 else {
                throw ZynqError(file: bitPath, key: "sha256", "does not match \(r.bitstreamsDir)/\(BitstreamRegistry.fileName): the file was changed after it was registered")
            }
        }
        let bit = try BitFile.load(path: bitPath)
        try Deploy.checkPart(bit, file: bitPath, board: r.board)
        var manifest: Manifest?
        var multBits: Int?
        if let manifestPath {
            let m = try Manifest.load(file: manifestPath)
            try DeployBundle.check(bit: bit, bitPath: bitPath, manifest: m, manifestPath: manifestPath, board: r.board)
            if let model {
                multBits = try DeployBundle.checkTopology(model: model, manifest: m, manifestPath: manifestPath,
                                                          board: r.board.name, modelPath: r.modelPath)
            }
            manifest = m
        }
        return DeploySource(bitPath: bitPath, bit: bit, manifestPath: manifestPath, manifest: manifest, model: model,
                            multBits: multBits, origin: origin, bundle: nil)
    }

    /// "name: detail (fix: ...)" for each failed check of `zynqnet doctor --json` output.
    static func doctorFailures(_ json: String) -> String? {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let checks = obj["checks"] as? [[String: Any]] else { return nil }
        let failed = checks.filter { $0["status"] as? String == "fail" }.map { c in
            "\(c["name"] as? String ?? "?"): \(c["detail"] as? String ?? "")" + ((c["fix"] as? String).map { $0.isEmpty ? "" : " (fix: \($0))" } ?? "")
        }
        return failed.isEmpty ? nil : failed.joined(separator: "; ")
    }

    /// Runs the ssh plan. `log` gets one line per step. Returns the self-test result, if run.
    public static func runRemote(_ plan: RemotePlan, log: (String) -> Void) throws -> SelfTest.Result? {
        try runSteps(plan.preSteps, log: log)
        return try finishRemote(plan, log: log)
    }

    /// The post-load steps (load or JTAG finish, self-test) and the self-test comparison.
    public static func finishRemote(_ plan: RemotePlan, log: (String) -> Void) throws -> SelfTest.Result? {
        let outputs = try runSteps(plan.postSteps, log: log)
        guard plan.selftest else { return nil }
        if plan.boardBinary != nil {
            // zynqnet-board compared the outputs on the board and printed the result.
            if let r = boardSelftestResult(outputs.last ?? "") { return r }
            let expected = (try? NPZ.read(path: plan.localBundle + "/" + DeployBundle.selftestExpected))?["predictions"]?.shape.first
            return SelfTest.Result(images: expected ?? 0, mismatches: [])
        }
        return try SelfTest.compare(expectedPath: plan.localBundle + "/" + DeployBundle.selftestExpected, boardPath: plan.localResult)
    }

    /// `zynqnet-board selftest --json`'s result (`images`, `passed`, `mismatches`), if it printed one.
    static func boardSelftestResult(_ json: String) -> SelfTest.Result? {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let images = obj["images"] as? Int, let passed = obj["passed"] as? Bool else { return nil }
        let mismatches = obj["mismatches"] as? [String] ?? []
        guard passed == mismatches.isEmpty else { return nil }
        return SelfTest.Result(images: images, mismatches: mismatches)
    }

    /// The board's architecture check: `uname -m` must print armv7l (zynqnet-board's).
    static func checkArchitecture(_ stdout: String) throws {
        let arch = stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard arch != RemotePlan.boardArchitecture else { return }
        throw ZynqError(key: "uname -m", "the board's architecture is \(arch.isEmpty ? "unknown (uname -m printed nothing)" : arch), not "
                        + "\(RemotePlan.boardArchitecture): \(BoardBinary.name) is a 32-bit ARM (armv7 hard-float) executable for the "
                        + "Zynq-7000's Linux; nothing was copied")
    }

    /// Runs steps in order; the first failure is one error naming the step. Returns each step's stdout.
    @discardableResult
    public static func runSteps(_ steps: [(name: String, argv: [String])], log: (String) -> Void) throws -> [String] {
        var outputs: [String] = []
        for (name, argv) in steps {
            log(name + ": " + argv.joined(separator: " "))
            let out = try ProcessRunner.run(argv)
            guard out.status == 0 else {
                if name == RemotePlan.doctorStep, let found = doctorFailures(out.stdout) {
                    throw ZynqError(key: "doctor", "the board is not ready (nothing was copied): " + found)
                }
                if name == RemotePlan.boardDoctorStep, let found = doctorFailures(out.stdout) {
                    throw ZynqError(key: "doctor", "the board is not ready (only \(BoardBinary.name) was copied): " + found)
                }
                let tail = out.stderr.split(separator: "\n").suffix(3).joined(separator: " | ")
                // A self-test that ran and found differences: deploy reports them (reportSelftest).
                if name == RemotePlan.boardSelftestStep, let r = boardSelftestResult(out.stdout), !r.passed {
                    outputs.append(out.stdout)
                    continue
                }
                if name == RemotePlan.boardSelftestStep {
                    // zynqnet-board's error is its last line (warnings may come before it).
                    let last = out.stderr.split(separator: "\n").last.map(String.init) ?? ""
                    throw ZynqError(key: "selftest", "the self-test failed on the board (exit code \(out.status))" + (last.isEmpty ? "" : ": " + last))
                }
                throw ZynqError(key: argv[0], "step '\(name)' failed with exit code \(out.status)" + (tail.isEmpty ? "" : ": " + tail))
            }
            if name == RemotePlan.architectureStep { try checkArchitecture(out.stdout) }
            outputs.append(out.stdout)
        }
        return outputs
    }
}
