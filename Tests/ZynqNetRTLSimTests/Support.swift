import Foundation
import Testing
import ZynqNetModel
import ZynqNetRTLSim

/// The package root (this file is Tests/ZynqNetRTLSimTests/Support.swift).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The rtlsim build cache of the test suite (kept between runs; keys are content hashes).
let testCache = packageRoot.appendingPathComponent(".build/zynqnet-test/rtlsim")

/// Quick builds (-O1) in the test cache; tests simulate small designs.
func quickBuild(trace: Bool = false) -> RTLSimBuildOptions {
    RTLSimBuildOptions(cacheRoot: testCache, optimize: false, trace: trace)
}

/// SplitMix64.
struct Rng: RandomNumberGenerator {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The expected text of Sources/ZynqNetRTLSim/EmbeddedRTLSim.swift: the rtlsim C++ library and
/// its C ABI header as string literals, so the zynqnet binary can build them anywhere.
func embeddedRTLSimSource() throws -> String {
    let files = [("rtlsim.cpp", "fpga/sim/rtlsim/rtlsim.cpp"), ("zn_rtlsim.h", "Sources/CZynqNetRTLSim/include/zn_rtlsim.h")]
    var s = """
    // Generated from fpga/sim/rtlsim/rtlsim.cpp and Sources/CZynqNetRTLSim/include/zn_rtlsim.h by the
    // test suite (ZYNQNET_REGENERATE=1 swift test --filter EmbeddedRTLSim); do not edit.

    public enum EmbeddedRTLSim {
        /// The sources of the rtlsim shared library: (file name, text).
        public static let sources: [(String, String)] = [

    """
    for (name, path) in files {
        let text = try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
        precondition(!text.contains("\"\"\"##"), "\(path) contains the raw-string delimiter")
        s += "        (\"\(name)\", ##\"\"\"\n\(text)\n\"\"\"##),\n"
    }
    s += "    ]\n}\n"
    return s
}

/// Compares a committed generated file with its expected text; ZYNQNET_REGENERATE=1 rewrites it.
func checkGenerated(_ relativePath: String, _ expected: String) throws -> Bool {
    let url = packageRoot.appendingPathComponent(relativePath)
    if ProcessInfo.processInfo.environment["ZYNQNET_REGENERATE"] == "1" {
        try expected.write(to: url, atomically: true, encoding: .utf8)
        return true
    }
    return (try? String(contentsOf: url, encoding: .utf8)) == expected
}

@Suite struct EmbeddedRTLSimTests {
    @Test func embeddedSourcesAreCurrent() throws {
        #expect(try checkGenerated("Sources/ZynqNetRTLSim/EmbeddedRTLSim.swift", try embeddedRTLSimSource()),
                "EmbeddedRTLSim.swift is stale: run ZYNQNET_REGENERATE=1 swift test --filter EmbeddedRTLSim")
    }
}
