import Foundation
import ZynqNetTestSupport
import Testing
import ZynqNetBase
import ZynqNetModel
@testable import ZynqNetBit

/// Replays every input in `FuzzRegressions/`: crash inputs found by `scripts/fuzz-bit.sh` (kept
/// after the fix) and hand-made hostile inputs (`hand-*`, which the parser must reject). The packet
/// walker must return on every input, and on the payload of any input that parses.
@Suite("Bit fuzz regressions")
struct BitFuzzRegressionTests {
    static let dir = fuzzRegressionDirectory("bit")
    static let inputs: [String] = fuzzRegressionInputs(in: dir)

    @Test func thereAreInputs() {
        #expect(Self.inputs.count >= 6)
    }

    @Test(arguments: inputs)
    func replay(_ name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Self.dir.appendingPathComponent(name)))
        _ = ConfigPackets.summarize(bytes)
        do throws(ZynqError) {
            let f = try BitFile.parse(bytes, file: name)
            #expect(!name.hasPrefix("hand-"), "\(name) must be rejected")
            #expect(f.serialized() == bytes)
            _ = ConfigPackets.summarize(f.payload)
            #expect(try f.fpgaManagerBin().count == f.payload.count)
        } catch { let e = error;
            #expect(e.file == name)
            #expect(!e.description.contains("\n"))
        }
    }

    /// `packets-*` inputs have a valid header around malformed packets: they parse, and the
    /// walker reports the problem instead of following the count.
    @Test func hostileCountsAreReportedNotFollowed() throws {
        let huge = try BitFile.parse([UInt8](try Data(contentsOf: Self.dir.appendingPathComponent("packets-type2-huge-count"))))
        #expect(ConfigPackets.summarize(huge.payload).problem == "packet at byte 12 announces 134217727 words but only 2 remain")
        let noop = try BitFile.parse([UInt8](try Data(contentsOf: Self.dir.appendingPathComponent("packets-noop-with-count"))))
        #expect(ConfigPackets.summarize(noop.payload).problem == "NOOP header 0x20000005 at byte 12 carries a word count")
    }
}
