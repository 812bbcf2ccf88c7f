import Foundation
import Testing
import ZynqNetBase
import ZynqNetTestSupport

/// The shared test helpers of Tests/ZynqNetTestSupport do what every test target relies on.
@Suite struct TestSupportTests {
    @Test func repoRootIsTheCheckout() {
        #expect(FileManager.default.fileExists(atPath: repoPath("Package.swift")))
        #expect(fixturePath("golden/index.json") == repoRoot.path + "/Tests/Fixtures/golden/index.json")
    }

    @Test func temporaryDirectoriesAreFreshAndRemoved() throws {
        let a = try makeTemporaryDirectory("support"), b = try makeTemporaryDirectory("support")
        #expect(a != b)
        #expect(try FileManager.default.contentsOfDirectory(atPath: a.path) == [])
        removeTemporaryDirectory(a)
        removeTemporaryDirectory(b.path)
        #expect(!FileManager.default.fileExists(atPath: a.path) && !FileManager.default.fileExists(atPath: b.path))
        var inside: URL?
        let n = try withTemporaryDirectory("support") { dir -> Int in
            inside = dir
            try "x".write(to: dir.appendingPathComponent("f"), atomically: false, encoding: .utf8)
            return 7
        }
        #expect(n == 7)
        #expect(inside != nil && !FileManager.default.fileExists(atPath: inside!.path))
    }

    @Test func runProcessCapturesStreamsStatusAndStdin() throws {
        let r = try runProcess("sh", ["-c", "echo out; echo err >&2; exit 3"])
        #expect(r.status == 3 && r.stdout == "out\n" && r.stderr == "err\n")
        let c = try runProcess("/bin/sh", ["-c", "echo a; echo b >&2; echo c"], combined: true)
        #expect(c.status == 0 && c.stdout == "a\nb\nc\n" && c.stderr == "")
        let e = try runProcess("sh", ["-c", "echo $ZN_SUPPORT_TEST"], environment: ["ZN_SUPPORT_TEST": "v"])
        #expect(e.stdout == "v\n")
        try withTemporaryDirectory("support") { dir in
            let input = dir.appendingPathComponent("in")
            try Data([0, 1, 255]).write(to: input)
            let cat = try runProcess("cat", [], cwd: dir, stdin: input)
            #expect(cat.stdoutBytes == [0, 1, 255])
            #expect(try runProcess("pwd", [], cwd: dir).stdout.hasSuffix(dir.lastPathComponent + "\n"))
        }
    }

    @Test func seededGeneratorIsSplitMix64() {
        // The first outputs of SplitMix64 seeded with 0 (Vigna's reference implementation).
        var g = SplitMix64(seed: 0)
        #expect([g.next(), g.next(), g.next()] == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["ZYNQNET_REGENERATE"] != "1", "would write the files"))
    func goldenCheckComparesExactly() throws {
        let text = try String(contentsOfFile: fixturePath("fuzz/model/README.md"), encoding: .utf8)
        #expect(try checkGenerated("Tests/Fixtures/fuzz/model/README.md", text))
        #expect(try !checkGenerated("Tests/Fixtures/fuzz/model/README.md", text + "x"))
        #expect(try !checkGenerated("Tests/Fixtures/no-such-file", ""))
    }

    @Test func fuzzCorporaLeaveOutNotesAndHiddenFiles() {
        for name in ["model", "bit", "import"] {
            let dir = fuzzRegressionDirectory(name)
            let inputs = fuzzRegressionInputs(in: dir)
            #expect(!inputs.isEmpty, "\(name)")
            #expect(inputs == inputs.sorted() && !inputs.contains { $0.hasPrefix(".") || $0.hasSuffix(".md") }, "\(name)")
        }
    }
}
