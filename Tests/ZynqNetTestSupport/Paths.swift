import Foundation

/// The checkout's root (this file is Tests/ZynqNetTestSupport/Paths.swift).
public let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// A path below the checkout's root, e.g. `repoPath("fpga/rtl")`.
public func repoPath(_ relative: String) -> String { repoRoot.appendingPathComponent(relative).path }

/// The one root of the committed test data (`Tests/Fixtures`), its generators in `Tests/Fixtures/scripts`.
public let fixturesRoot: URL = repoRoot.appendingPathComponent("Tests/Fixtures")

/// A path below `Tests/Fixtures`, e.g. `fixturePath("real/mnist_model.npz")`.
public func fixturePath(_ relative: String) -> String { fixturesRoot.appendingPathComponent(relative).path }

/// The fuzz regression corpus of one fuzzer, `Tests/Fixtures/fuzz/<name>` (model, bit, import): the
/// fuzz scripts seed from it, and a crash input is kept there after the fix.
public func fuzzRegressionDirectory(_ name: String) -> URL { fixturesRoot.appendingPathComponent("fuzz/\(name)") }

/// The inputs of a corpus, sorted: its files but hidden ones and notes (`.md`).
public func fuzzRegressionInputs(in dir: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
        .filter { !$0.hasPrefix(".") && !$0.hasSuffix(".md") }.sorted()
}

/// A scratch directory under the package's .build (kept between runs, e.g. for Verilator caches).
public func scratch(_ name: String) -> URL {
    let u = repoRoot.appendingPathComponent(".build/zynqnet-test/\(name)")
    try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
    return u
}

/// Golden-file check: whether the committed file at `relativePath` (from the checkout's root) has
/// exactly the `expected` text. With ZYNQNET_REGENERATE=1 in the environment it writes the file
/// instead (creating its folder) and returns true.
public func checkGenerated(_ relativePath: String, _ expected: String) throws -> Bool {
    let url = repoRoot.appendingPathComponent(relativePath)
    if ProcessInfo.processInfo.environment["ZYNQNET_REGENERATE"] == "1" {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try expected.write(to: url, atomically: true, encoding: .utf8)
        return true
    }
    return (try? String(contentsOf: url, encoding: .utf8)) == expected
}

/// A fresh, empty temporary directory `$TMPDIR/zynqnet-<tag>-<UUID>`; the caller removes it
/// (`defer { removeTemporaryDirectory(dir) }`) or uses `withTemporaryDirectory`.
public func makeTemporaryDirectory(_ tag: String = "test") throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zynqnet-\(tag)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// Removes a directory made by `makeTemporaryDirectory` (and everything in it); a missing one is fine.
public func removeTemporaryDirectory(_ dir: URL) { try? FileManager.default.removeItem(at: dir) }
public func removeTemporaryDirectory(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

/// Runs `body` with a fresh temporary directory and removes the directory afterwards.
public func withTemporaryDirectory<T>(_ tag: String = "test", _ body: (URL) throws -> T) throws -> T {
    let dir = try makeTemporaryDirectory(tag)
    defer { removeTemporaryDirectory(dir) }
    return try body(dir)
}
