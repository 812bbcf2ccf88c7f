import Foundation
import ZynqNetTestSupport

/// The expected text of Sources/ZynqNetCodegen/EmbeddedRTL.swift: the RTL library
/// (fpga/rtl/*.v, *.vh) and the Verilator harness (fpga/sim/harness/*) as string literals, so
/// the zynqnet binary can write them anywhere.
func embeddedFilesSource() throws -> String {
    func collect(_ dir: String, _ exts: [String]) throws -> [(String, String)] {
        let url = repoRoot.appendingPathComponent(dir)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return try names.filter { n in exts.contains { n.hasSuffix($0) } }.sorted().map { n in
            (n, try String(contentsOf: url.appendingPathComponent(n), encoding: .utf8))
        }
    }
    func literal(_ list: [(String, String)]) -> String {
        var s = "[\n"
        for (n, t) in list {
            precondition(!t.contains("\"\"\"##"), "\(n) contains the raw-string delimiter")
            s += "        (\"\(n)\", ##\"\"\"\n\(t)\n\"\"\"##),\n"
        }
        return s + "    ]"
    }
    let rtl = try collect("fpga/rtl", [".v", ".vh"])
    let harness = try collect("fpga/sim/harness", [".cpp", ".h"])
    return """
    // Generated from fpga/rtl and fpga/sim/harness by the test suite
    // (ZYNQNET_REGENERATE=1 swift test --filter GeneratedFiles); do not edit.

    public enum EmbeddedRTL {
        /// The RTL library: (file name, text).
        public static let rtlLibrary: [(String, String)] = \(literal(rtl))

        /// The Verilator C++ harness of `zynqnet verify`: (file name, text).
        public static let harness: [(String, String)] = \(literal(harness))
    }

    """
}
