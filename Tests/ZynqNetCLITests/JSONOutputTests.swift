import Foundation
import Testing
import ZynqNetTestSupport

/// Every --json goes through one writer that keeps each command's key order: one line, the
/// keys where the docs and scripts expect them.
@Suite struct JSONOutputTests {
    /// The top-level keys of a one-line JSON object, in order (values are numbers, strings, null).
    func keys(_ line: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: #""([a-z_]+)":"#)
        let ns = line as NSString
        return regex.matches(in: line, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range(at: 1)) }
    }

    @Test func inferKeysInOrderOnOneLine() throws {
        let args = ["infer", CLI.fixture("real/mnist_images.npz"), "--model", CLI.fixture("real/mnist_model.npz"), "--json"]
        let sim = try CLI.run(args, environment: ["ZYNQNET_ISA": "portable"])
        #expect(sim.status == 0, "\(sim.stderr)")
        #expect(sim.stdout.hasSuffix("}\n") && sim.stdout.filter { $0 == "\n" }.count == 1)
        #expect(keys(sim.stdout) == ["images", "correct", "accuracy", "seconds", "images_per_second", "backend", "kernel",
                                     "model_import", "file", "format", "layer_rounding"])
        #expect(sim.stdout.hasPrefix(#"{"images":200,"correct":"#) && sim.stdout.hasSuffix(#""backend":"sim","kernel":"portable","model_import":{"file":""#
            + CLI.fixture("real/mnist_model.npz") + #"","format":"npz","layer_rounding":["floor","floor"]}}"# + "\n"), "\(sim.stdout)")
        // --throughput-test: the run's keys (its images_per_second replaced), then the report's, sorted.
        let loop = try CLI.run(args + ["--backend", "loopback", "--throughput-test", "--limit", "20"])
        #expect(loop.status == 0, "\(loop.stderr)")
        #expect(keys(loop.stdout) == ["images", "correct", "accuracy", "seconds", "backend", "batch_size", "busy_cycles", "copy_ms",
                                      "counters", "dram_in_mb_per_s", "dram_out_mb_per_s", "fclk", "fclk_mhz", "images_per_second",
                                      "pack_ms", "runtime_ms", "stall_cycles", "unpack_ms", "model_import", "file", "format", "layer_rounding"])
    }
}
