import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetModel

/// Every subcommand over a table of bad inputs: missing, empty, a directory instead of a file,
/// truncated, wrong shape, wrong dtype, out-of-range numbers, unwritable or existing output,
/// output equal to an input. For each: exit 1 or 2 (no signal), exactly one line on stderr
/// naming the file, key or option, no file created, changed or removed in the working folder
/// (every file hashed before and after), no temporary file left in TMPDIR, and no process
/// left that zynqnet started.
///
/// A new command joins by adding rows to `cases` (arguments are relative to the working
/// folder, which holds the files `Workspace.make` lays out).
@Suite("bad inputs, every command", .serialized)
struct BadInputTests {
    struct Case: CustomStringConvertible, Sendable {
        var args: [String]
        /// What the one stderr line must name (a file, key or option, as the user typed it).
        var names: String
        var description: String { "zynqnet " + args.joined(separator: " ") }
        init(_ args: [String], names: String) {
            self.args = args
            self.names = names
        }
    }

    static let cases: [Case] = [
        // infer
        Case(["infer", "images.npz", "--model", "missing.npz"], names: "missing.npz"),
        Case(["infer", "images.npz", "--model", "empty.npz"], names: "empty.npz"),
        Case(["infer", "images.npz", "--model", "dir.npz"], names: "dir.npz"),
        Case(["infer", "images.npz", "--model", "truncated.npz"], names: "truncated.npz"),
        Case(["infer", "fashion.npz", "--model", "model.npz"], names: "fashion.npz"),
        Case(["infer", "wrongdtype.npz", "--model", "model.npz"], names: "wrongdtype.npz"),
        Case(["infer", "images.npz", "--model", "model.npz", "--limit", "0"], names: "--limit"),
        Case(["infer", "images.npz", "--model", "model.npz", "--output", "model.npz"], names: "model.npz"),
        Case(["infer", "images.npz", "--model", "model.npz", "--output", "./link.npz"], names: "link.npz"),
        Case(["infer", "images.npz", "--model", "model.npz", "--output", "user.npz"], names: "user.npz"),
        Case(["infer", "images.npz", "--model", "model.npz", "--output", "nodir/x.npz"], names: "nodir"),
        Case(["infer", "images.npz", "--model", "model.npz", "--output", "afile/x.npz"], names: "afile"),
        Case(["infer", "images.npz", "--model", "model.npz", "--output", "dir.npz"], names: "dir.npz"),
        Case(["infer", "images.npz", "--model", "model.npz", "--output", "/sys/zynqnet-out.npz"], names: "/sys/zynqnet-out.npz"),
        Case(["infer", "images.npz", "--model", "model.npz", "--output", "/proc/zynqnet-out.npz"], names: "/proc/zynqnet-out.npz"),
        // train
        Case(["train", "--dataset", "missing.csv", "-o", "out.npz"], names: "missing.csv"),
        Case(["train", "--dataset", "empty.csv", "-o", "out.npz"], names: "empty.csv"),
        Case(["train", "--dataset", "dir.npz", "-o", "out.npz"], names: "dir.npz"),
        Case(["train", "--dataset", "iris.csv", "-o", "out.npz", "--epochs", "0"], names: "--epochs"),
        Case(["train", "--dataset", "iris.csv", "-o", "user.npz"], names: "user.npz"),
        Case(["train", "--dataset", "iris.csv", "-o", "out.npz", "--save-test-set", "nodir/x.npz"], names: "--save-test-set"),
        Case(["train", "--dataset", "iris.csv", "-o", "out.npz", "--save-test-set", "./out.npz"], names: "out.npz"),
        // codegen
        Case(["codegen", "missing.npz", "--board", "pynq-z2", "-o", "build"], names: "missing.npz"),
        Case(["codegen", "truncated.npz", "--board", "pynq-z2", "-o", "build"], names: "truncated.npz"),
        Case(["codegen", "model.npz", "--board", "pynq-z2", "-o", "full"], names: "full"),
        Case(["codegen", "model.npz", "--board", "pynq-z2", "-o", "."], names: "'-o'"),
        Case(["codegen", "model.npz", "--board", "pynq-z2", "-o", "model.npz"], names: "model.npz"),
        Case(["codegen", "model.npz", "--board", "pynq-z2", "-o", "nodir/build"], names: "nodir"),
        Case(["codegen", "model.npz", "--board", "pynq-z2", "-o", "/sys/zynqnet-build"], names: "/sys/zynqnet-build"),
        Case(["codegen", "model.npz", "--board", "pynq-z2", "--fclk", "9999", "-o", "build"], names: "--fclk"),
        Case(["codegen", "model.npz", "--board", "pynq-z2", "--fold", "missing.json", "-o", "build"], names: "missing.json"),
        Case(["codegen", "model.npz", "--board", "pynq-z2", "--fold", "bad.json", "-o", "build"], names: "bad.json"),
        // verify (all refused before any Verilator build)
        Case(["verify", "missing.npz"], names: "missing.npz"),
        Case(["verify", "model.npz", "--images", "0"], names: "--images"),
        Case(["verify", "model.npz", "fashion.npz", "--build-dir", "cache"], names: "fashion.npz"),
        Case(["verify", "model.npz", "--build-dir", "full"], names: "full"),
        // report
        Case(["report", "missing"], names: "missing"),
        Case(["report", "afile"], names: "afile"),
        Case(["report", "emptydir"], names: "emptydir"),
        Case(["report", "badmanifest"], names: "badmanifest/manifest.json"),
        Case(["report", "--model", "truncated.npz"], names: "truncated.npz"),
        Case(["report", "--model", "model.npz", "--synth", "99"], names: "--synth"),
        // bit
        Case(["bit", "info", "missing.bit"], names: "missing.bit"),
        Case(["bit", "info", "bad.bit"], names: "bad.bit"),
        Case(["bit", "info", "dir.npz"], names: "dir.npz"),
        Case(["bit", "tobin", "good.bit", "-o", "./good.bit"], names: "good.bit"),
        Case(["bit", "tobin", "good.bit", "-o", "notes.txt"], names: "notes.txt"),
        // load, bench-runtime, boards
        Case(["load", "missing"], names: "missing"),
        Case(["load", "emptydir"], names: "emptydir"),
        Case(["bench-runtime", "--batch", "0"], names: "--batch"),
        Case(["boards", "--watch-seconds", "0"], names: "--watch-seconds"),
        // deploy, bitstreams
        Case(["deploy", "--board", "pynq-z2", "--bitstream", "missing.bit", "-o", "bundle"], names: "missing.bit"),
        Case(["deploy", "--board", "pynq-z2", "--bitstream", "good.bit", "--manifest", "design/manifest.json", "-o", "full"], names: "full"),
        Case(["bitstreams", "add", "missing.bit", "--manifest", "design/manifest.json", "--dir", "reg"], names: "missing.bit"),
        Case(["bitstreams", "add", "good.bit", "--manifest", "bad.json", "--dir", "reg"], names: "bad.json"),
        Case(["bitstreams", "add", "good.bit", "--manifest", "design/manifest.json", "--dir", "full"], names: "full"),
        Case(["bitstreams", "list", "--dir", "afile"], names: "afile"),
        // demo
        Case(["demo", "--model", "truncated.npz"], names: "truncated.npz"),
    ]

    /// The files every case starts from.
    enum Workspace {
        static func make(_ dir: URL) throws {
            let fm = FileManager.default
            func copy(_ from: String, _ to: String) throws { try fm.copyItem(atPath: from, toPath: dir.appendingPathComponent(to).path) }
            func write(_ name: String, _ bytes: [UInt8]) throws {
                let url = dir.appendingPathComponent(name)
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(bytes).write(to: url)
            }
            let root = CLI.packageRoot
            try copy(root + "/examples/iris/model.npz", "model.npz")
            try copy(root + "/examples/iris/test-30.npz", "images.npz")
            try copy(root + "/examples/iris/iris.csv", "iris.csv")
            try copy(root + "/examples/fashion-mnist/test-200.npz", "fashion.npz")
            try copy(CLI.fixture("real/pyrtlnet_expected.npz"), "user.npz")   // written by NumPy
            try copy(CLI.fixture("bit/synthetic-7z020.bit"), "good.bit")
            let model = try Data(contentsOf: dir.appendingPathComponent("model.npz"))
            try write("truncated.npz", Array(model.prefix(model.count / 2)))
            try write("empty.npz", [])
            try write("empty.csv", [])
            try write("bad.bit", Array("not a bitstream\n".utf8))
            try write("bad.json", Array("{\"layers\": [".utf8))
            try write("notes.txt", Array("the user's notes\n".utf8))
            try write("afile", Array("a file\n".utf8))
            try write("full/notes.txt", Array("a folder of the user's\n".utf8))
            try write("badmanifest/manifest.json", Array("{".utf8))
            try fm.createDirectory(at: dir.appendingPathComponent("dir.npz"), withIntermediateDirectories: true)
            try fm.createDirectory(at: dir.appendingPathComponent("emptydir"), withIntermediateDirectories: true)
            try fm.createSymbolicLink(atPath: dir.appendingPathComponent("link.npz").path, withDestinationPath: "model.npz")
            try NPZ.write([("images", NDArray(shape: [2, 4], storage: .unicode(Array(repeating: "x", count: 8), width: 1)))],
                          to: dir.appendingPathComponent("wrongdtype.npz").path)
            // A codegen design (its manifest.json for deploy and bitstreams add).
            let g = try CLI.run(["codegen", dir.appendingPathComponent("model.npz").path, "--board", "pynq-z2",
                                 "-o", dir.appendingPathComponent("design").path])
            guard g.status == 0 else { throw ZynqError(key: "codegen", g.stderr) }
        }
    }

    /// Every file under `dir` (hidden ones too) with its content hash; symlinks by target.
    static func snapshot(_ dir: URL) -> [String: String] {
        var out: [String: String] = [:]
        guard let e = FileManager.default.enumerator(atPath: dir.path) else { return out }
        while let rel = e.nextObject() as? String {
            let path = dir.appendingPathComponent(rel).path
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
                out[rel] = "-> " + target
            } else if let data = FileManager.default.contents(atPath: path) {
                out[rel] = String(fnv(data))
            } else {
                out[rel] = "dir"
            }
        }
        return out
    }

    static func fnv(_ data: Data) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in data { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    /// Processes whose environment holds `marker` (children of zynqnet inherit it).
    static func processes(withEnvironment marker: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        let needle = Data(marker.utf8)
        return names.filter { Int32($0) != nil && Int32($0) != getpid() }.compactMap { n in
            guard let env = FileManager.default.contents(atPath: "/proc/\(n)/environ"), env.range(of: needle) != nil,
                  let stat = try? String(contentsOfFile: "/proc/\(n)/stat", encoding: .utf8), !stat.contains(") Z ") else { return nil }
            return stat
        }
    }

    @Test("each bad input: exit 1/2, one line naming it, nothing changed or left behind", arguments: cases)
    func badInput(_ c: Case) throws {
        let base = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: base) }
        let work = base.appendingPathComponent("work"), tmp = base.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        try Workspace.make(work)
        let before = Self.snapshot(work)

        let marker = "ZYNQNET_BAD_INPUT_RUN=\(UUID().uuidString)"
        let p = Process()
        p.executableURL = CLI.executable
        p.arguments = c.args
        p.currentDirectoryURL = work
        var env = ProcessInfo.processInfo.environment
        env["TMPDIR"] = tmp.path
        env["ZYNQNET_CACHE"] = base.appendingPathComponent("cache").path
        env["HOME"] = base.path
        let kv = marker.split(separator: "=", maxSplits: 1)
        env[String(kv[0])] = String(kv[1])
        p.environment = env
        let errURL = base.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let err = try FileHandle(forWritingTo: errURL)
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try err.close()
        let stderr = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)

        #expect(p.terminationReason == .exit, "\(c): ended by a signal")
        #expect([1, 2].contains(p.terminationStatus), "\(c): exit \(p.terminationStatus), stderr \(stderr)")
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        #expect(lines.count == 1 && stderr.hasSuffix("\n"), "\(c): stderr is not one line: \(stderr)")
        #expect(stderr.contains(c.names), "\(c): stderr does not name \(c.names): \(stderr)")
        #expect(!stderr.contains("NSCocoaErrorDomain") && !stderr.contains("Error Domain"), "\(c): \(stderr)")
        #expect(Self.snapshot(work) == before, "\(c): files changed: \(Set(Self.snapshot(work).keys).symmetricDifference(before.keys))")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? []) == [], "\(c): temporary files left")
        #expect(Self.processes(withEnvironment: marker).isEmpty, "\(c): processes left: \(Self.processes(withEnvironment: marker))")
    }
}
