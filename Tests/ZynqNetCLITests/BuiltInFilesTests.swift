import Foundation
import Testing
import ZynqNetTestSupport

/// The files Plugins/EmbedFiles builds into the binary: the binary needs nothing else, and the
/// generator keeps every file byte for byte.
@Suite("built-in files")
struct BuiltInFilesTests {
    static func files(under dir: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let e = try #require(FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey]))
        for case let url as URL in e where try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true {
            out[String(url.path.dropFirst(dir.path.count + 1))] = try Data(contentsOf: url)
        }
        return out
    }

    @Test("a copy of the zynqnet binary alone, run outside the repository, writes what the in-repo run writes")
    func binaryIsSelfContained() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let exe = dir.appendingPathComponent("bin/zynqnet")
        try FileManager.default.createDirectory(at: exe.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: CLI.executable, to: exe)
        let model = dir.appendingPathComponent("model.npz")
        try FileManager.default.copyItem(atPath: CLI.packageRoot + "/examples/fashion-mnist/model.npz", toPath: model.path)

        let repo = URL(fileURLWithPath: CLI.packageRoot)
        func run(_ program: URL, _ args: [String], in cwd: URL, environment: [String: String] = [:]) throws -> CLI.Result {
            try CLI.run(args, environment: environment, currentDirectory: cwd, program: program)
        }

        // codegen from the copy (cwd: the temp folder), and from the build directory in the repository.
        let outside = try run(exe, ["codegen", "model.npz", "--board", "pynq-z2", "-o", "out"], in: dir)
        #expect(outside.status == 0, "\(outside.stderr)")
        let inRepo = try run(CLI.executable, ["codegen", "examples/fashion-mnist/model.npz", "--board", "pynq-z2",
                                              "-o", dir.appendingPathComponent("in-repo").path], in: repo)
        #expect(inRepo.status == 0, "\(inRepo.stderr)")
        let a = try Self.files(under: dir.appendingPathComponent("out"))
        let b = try Self.files(under: dir.appendingPathComponent("in-repo"))
        for name in ["build.tcl", "package_ip.tcl", "design.json", "manifest.json", "parameters.hex", "rtl/zynqnet_accel.v", "rtl/zn_mvau.v"] {
            #expect(a[name] != nil, "codegen from outside the repository wrote no \(name)")
        }
        #expect(a.keys.sorted() == b.keys.sorted())
        #expect(a.filter { b[$0.key] != $0.value }.keys.sorted() == [])
        // The RTL library it carries is the repository's as it is now.
        let rtl = try Self.files(under: URL(fileURLWithPath: CLI.packageRoot + "/fpga/rtl"))
        #expect(rtl.count >= 20)
        #expect(rtl.filter { a["rtl/" + $0.key] != $0.value }.keys.sorted() == [])

        // demo from the copy: the built-in model and test images (no dataset, no repository)
        // give what infer gives on the repository's files.
        let demo = try run(exe, ["demo", "--json"], in: dir, environment: ["ZYNQNET_FASHION_MNIST": dir.appendingPathComponent("none").path])
        #expect(demo.status == 0, "\(demo.stderr)")
        let d = try #require(try JSONSerialization.jsonObject(with: Data(demo.stdout.utf8)) as? [String: Any])
        let infer = try run(CLI.executable, ["infer", "examples/fashion-mnist/test-200.npz", "--model", "examples/fashion-mnist/model.npz", "--json"],
                            in: repo)
        #expect(infer.status == 0, "\(infer.stderr)")
        let i = try #require(try JSONSerialization.jsonObject(with: Data(infer.stdout.utf8)) as? [String: Any])
        #expect(d["model"] as? String == "<built-in> examples/fashion-mnist/model.npz")
        #expect(d["images"] as? Int == 200 && i["images"] as? Int == 200)
        #expect(d["correct"] as? Int == i["correct"] as? Int)
        #expect(d["bit_exact"] as? Bool == true)
    }

    @Test("EmbedFilesTool keeps every file byte for byte (raw-string delimiters, CR, NUL, invalid UTF-8, empty) and lists directories")
    func generatorRoundTrip() throws {
        let dir = try makeTemporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let inputs: [String: [UInt8]] = [
            "t/delimiters.v": Array("a \"\"\"# b \"\"\"## c \\#(x) \\## d\n\ttab\u{e9}\n\"\"\"#\n".utf8),
            "t/no-final-newline.txt": Array("last line".utf8),
            "t/empty.txt": [],
            "t/sub/hidden.v": Array("not directly in t\n".utf8),
            "b/crlf.txt": Array("one\r\ntwo\r\n".utf8),
            "b/binary.bin": (0...255).map { UInt8($0) } + [0, 0xFF],
            "b/bad-utf8.txt": [0x61, 0xC3, 0x28, 0x0A],
        ]
        for (path, bytes) in inputs {
            let url = dir.appendingPathComponent("root/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        let tool = CLI.executable.deletingLastPathComponent().appendingPathComponent("EmbedFilesTool")
        let table = dir.appendingPathComponent("EmbeddedFileTable.swift")
        // The t files by directory (not t/sub/hidden.v: not directly in t), the b files by name.
        let embedded = inputs.keys.filter { $0 != "t/sub/hidden.v" }.sorted()
        let specs = ["t/*.v,txt"] + inputs.keys.filter { $0.hasPrefix("b/") }
        let gen = try CLI.run([table.path, dir.appendingPathComponent("root").path] + specs, program: tool)
        try #require(gen.status == 0, "\(gen.stderr)")
        let source = try String(contentsOf: table, encoding: .utf8)
        #expect(!source.contains("\r") && !source.contains("\0"), "control characters go to base64")

        // A program over the generated table prints what it holds; it must be the inputs.
        try """
        print("paths:", EmbeddedFileTable.paths.joined(separator: ","))
        for path in CommandLine.arguments.dropFirst() {
            let bytes = EmbeddedFileTable.texts[path].map { Array($0.utf8) } ?? EmbeddedFileTable.bytes(path)
            print(path, bytes.map { String($0) }.joined(separator: ","))
        }
        print("t:", EmbeddedFileTable.texts(in: "t").map { $0.0 }.joined(separator: ","))
        print("binary:", EmbeddedFileTable.paths.filter { EmbeddedFileTable.base64[$0] != nil }.joined(separator: ","))
        print("text:", EmbeddedFileTable.text("t/no-final-newline.txt"))
        """.write(to: dir.appendingPathComponent("main.swift"), atomically: true, encoding: .utf8)
        let exe = dir.appendingPathComponent("check")
        let swiftc = try CLI.run(["swiftc", "-Onone", "-o", exe.path, table.path, dir.appendingPathComponent("main.swift").path],
                                 program: URL(fileURLWithPath: "/usr/bin/env"))
        try #require(swiftc.status == 0, "the generated table compiles: \(swiftc.stderr)")
        let r = try CLI.run(embedded, program: exe)
        var expected = ["paths: " + embedded.joined(separator: ",")]
        expected += embedded.map { "\($0) " + inputs[$0]!.map { String($0) }.joined(separator: ",") }
        expected += ["t: delimiters.v,empty.txt,no-final-newline.txt", "binary: b/bad-utf8.txt,b/binary.bin,b/crlf.txt",
                     "text: last line"]
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) == expected + [""])
    }
}
