import Foundation
import Testing
import ZynqNetLoopback
import ZynqNetModel

/// The loopback device's fault-injection scenarios on ARM: `zynqnet-board faults --model M`
/// under qemu-arm runs the same table as the host (`FaultScenario.all`) and must print exactly
/// the host's lines: every scenario, its error text and reason values, the recovery and the
/// hardware counters.
@Suite(.enabled(if: Board.built, "build/board/zynqnet-board not built: run scripts/build-board.sh (scripts/test.sh does)"), .serialized)
struct BoardFaultTests {
    @Test(arguments: ["signs_sus", "random_gemmlowp_per_channel"])
    func everyScenarioEndsOnTheBoardAsOnTheHost(model name: String) throws {
        let path = "\(Board.golden)/\(name).model.npz"
        let model = try QuantizedModel.load(path: path)
        let host = FaultScenario.all.map { $0.run(model: model) }
        let r = try Board.run(["faults", "--model", path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        let board = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(board.count == FaultScenario.all.count)
        #expect(board.count == 13)
        for (b, h) in zip(board, host) { #expect(b == h) }
    }

    @Test func faultsNeedsAModelAndNamesABadOne() throws {
        let missing = try Board.run(["faults"])
        #expect(missing.status == 2 && missing.stderr == "Error: Missing expected argument '--model <model>'\n")
        let dir = try Board.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("not a model".utf8).write(to: URL(fileURLWithPath: "\(dir)/bad.npz"))
        let bad = try Board.run(["faults", "--model", "\(dir)/bad.npz"])
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("error: \(dir)/bad.npz: ") && bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
        #expect(bad.stdout.isEmpty)
    }
}
