import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetHW
import ZynqNetModel
import ZynqNetRTLSim
import ZynqNetSim

/// The rtlsim build cache of the test suite (kept between runs; keys are content hashes).
let testCache = repoRoot.appendingPathComponent(".build/zynqnet-test/rtlsim")

/// Quick builds (-O1) in the test cache; tests simulate small designs.
func quickBuild(trace: Bool = false) -> RTLSimBuildOptions {
    RTLSimBuildOptions(cacheRoot: testCache, optimize: false, trace: trace)
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
        let text = try String(contentsOf: repoRoot.appendingPathComponent(path), encoding: .utf8)
        precondition(!text.contains("\"\"\"##"), "\(path) contains the raw-string delimiter")
        s += "        (\"\(name)\", ##\"\"\"\n\(text)\n\"\"\"##),\n"
    }
    s += "    ]\n}\n"
    return s
}

@Suite struct EmbeddedRTLSimTests {
    @Test func embeddedSourcesAreCurrent() throws {
        #expect(try checkGenerated("Sources/ZynqNetRTLSim/EmbeddedRTLSim.swift", try embeddedRTLSimSource()),
                "EmbeddedRTLSim.swift is stale: run ZYNQNET_REGENERATE=1 swift test --filter EmbeddedRTLSim")
    }
}

