import Foundation
import Testing
import ZynqNetBase
import ZynqNetHW
import ZynqNetLoopback
import ZynqNetModel
import ZynqNetTestSupport

/// The shared fault table (`FaultScenario.all`, which `zynqnet-board faults` runs under qemu-arm):
/// on the host every scenario ends in the error it is about, the device recovers, and results
/// equal the simulator's. ZynqNetBoardTests checks the board binary prints the same lines.
@Suite struct FaultScenarioTests {
    static let model = repoPath("Tests/Fixtures/golden/signs_sus.model.npz")
    static let record = 8 * OutputRecord.beats(classes: 10)

    /// What each scenario's line must say (in order; the table has exactly these).
    static let expected: [(name: String, says: [String])] = [
        ("mm2s-slave-error", ["DMASlvErr", "were reset", "[dma MM2S errorBits 0x00004021]"]),
        ("s2mm-decode-error", ["DMADecErr", "were reset", "[dma S2MM errorBits 0x00004041]"]),
        ("s2mm-internal-error", ["DMAIntErr", "were reset", "[dma S2MM errorBits 0x00004011]"]),
        ("s2mm-never-idle", ["'S2MM_DMASR'", "did not finish in time", "[dma S2MM timedOut 0x00000000]"]),
        // MM2S that never finishes while the accelerator sits empty and idle is MM2S's fault.
        ("mm2s-never-idle", ["'MM2S_DMASR'", "MM2S transfer did not finish in time", "the accelerator received no image of this transfer",
                             "[dma MM2S timedOut 0x00000000]"]),
        ("s2mm-error-behind-stalled-mm2s", ["S2MM transfer failed: DMADecErr", "MM2S stalled behind it (MM2S transfer did not finish in time",
                                            "[dma S2MM errorBits 0x00004041]"]),
        ("accelerator-stops-taking-data", ["'MM2S_DMASR'", "stopped taking data after 3 images", "[accelerator stalled in 3 inFlight 0]"]),
        // signs_sus has 10 classes: records of 8 × OutputRecord.beats(classes: 10) bytes.
        ("short-s2mm-transfer", ["'S2MM_LENGTH'", "S2MM wrote \(2 * record) bytes, expected \(7 * record)",
                                 "[accelerator outputLength written \(2 * record) expected \(7 * record)]"]),
        ("corrupted-class-index", ["corrupted output", "[accelerator classIndex record 0 read "]),
        ("param-data-reads-back-wrong", ["'PARAM_DATA'", "layer 0 weights chunk 0", "[accelerator readBack PARAM_DATA wrote 0x",
                                         " / ", "no model is loaded"]),
        ("layer-register-reads-back-wrong", ["'layer1.L_ZERO'", "[accelerator readBack layer1.L_ZERO wrote 0x"]),
        ("ctrl-c-during-transfer", ["'SIGINT'", "[interrupted]"]),
        ("ctrl-c-between-transfers", ["interrupted after ", " of 40 images", "[interrupted]"]),
    ]

    @Test func everyScenarioEndsInItsErrorAndTheDeviceRecovers() throws {
        let model = try QuantizedModel.load(path: Self.model)
        let lines = FaultScenario.all.map { $0.run(model: model) }
        #expect(FaultScenario.all.map { $0.name } == Self.expected.map { $0.name })
        for (line, e) in zip(lines, Self.expected) {
            #expect(line.hasPrefix(e.name + ": "), "\(line)")
            for s in e.says { #expect(line.contains(s), "\(e.name): '\(s)' not in \(line)") }
            #expect(line.contains("; recovered: ") && line.contains(" images equal the simulator; counters in "), "\(line)")
            #expect(!line.hasPrefix(e.name + ": no error;") && !line.contains("DIFFER") && !line.contains("not recovered") && !line.contains("setup failed"), "\(line)")
        }
    }

    /// The outcome is a function of the model and the table alone: two runs give the same lines
    /// (what lets the board's lines be compared with the host's).
    @Test func linesAreReproducible() throws {
        let model = try QuantizedModel.load(path: Self.model)
        #expect(FaultScenario.all.map { $0.run(model: model) } == FaultScenario.all.map { $0.run(model: model) })
    }
}
