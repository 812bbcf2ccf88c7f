import Foundation

/// The package root (this file is Tests/ZynqNetHWTests/Support.swift).
let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Compares a committed generated file with its expected contents; with ZYNQNET_REGENERATE=1 rewrites it.
func checkGenerated(_ relativePath: String, _ expected: String) throws -> Bool {
    let url = packageRoot.appendingPathComponent(relativePath)
    if ProcessInfo.processInfo.environment["ZYNQNET_REGENERATE"] == "1" {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try expected.write(to: url, atomically: true, encoding: .utf8)
        return true
    }
    let actual = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    return actual == expected
}
